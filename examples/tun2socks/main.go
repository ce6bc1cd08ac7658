// Command tun2socks relays every TCP connection, UDP flow and ping that
// enters a TUN device to its original destination, through the host's own
// sockets or, for TCP, a SOCKS5 proxy.
//
//	tun2socks -tun tun0 [-mtu 1500] [-proxy socks5://HOST:PORT] [-status 127.0.0.1:8080]
//
// It opens tun0 (creating it if absent) and configures nothing on it: give
// the device an address and route traffic into it yourself, for example
//
//	ip addr add 10.99.0.2/24 dev tun0 && ip link set tun0 up
//	ip route add 203.0.113.0/24 dev tun0
//
// and keep tun2socks's own upstream traffic out of the TUN (a route for
// the real uplink, a policy rule, or a separate network namespace; the
// test in this directory runs it in one namespace and its clients in
// another).
//
// The renet stack on the device takes flows to any address
// (netstack.Forwarder) and answers as their destination. It needs one
// address of its own, -addr (default 198.18.255.254/32, in the benchmarking
// block RFC 2544 reserves): nothing should be routed to it, since packets
// to it are answered by the stack itself instead of being relayed.
//
//   - TCP: the upstream is dialed first; only when it answers is the
//     client's SYN accepted. A refusal goes back as a RST, an unreachable
//     destination as ICMP destination unreachable, a timeout as silence,
//     so the client sees what it would have seen without the tunnel. Bytes
//     are then copied both ways, and an EOF on either side becomes a FIN
//     (CloseWrite) on the other, so half-closed connections work; a reset
//     on either side resets the other.
//   - UDP: each client address and port gets one unconnected host socket,
//     so replies from any address reach the client (endpoint-independent
//     mapping). ICMP errors for it (port or host unreachable) are read from
//     the socket's error queue and sent back to the client. The flow and
//     its socket end after the forwarder's idle timeout.
//   - ICMP echo: each request is sent with an unprivileged ping socket
//     (SOCK_DGRAM, IPPROTO_ICMP) and answered only when the destination
//     replies, so a reply through the tunnel is a real one. The ping
//     socket needs the sysctl net.ipv4.ping_group_range to include the
//     process's group (`sysctl -w net.ipv4.ping_group_range="0
//     2147483647"`); without it pings go unanswered and the log says why.
//
// With -proxy, TCP goes through the SOCKS5 proxy's CONNECT (RFC 1928, with
// RFC 1929 user and password from the URL), and its reply codes are
// mapped back as a direct dial's errors would be. UDP and ICMP are not
// sent through the proxy (that would need UDP ASSOCIATE): they are refused
// with ICMP administratively prohibited, unless -direct lets them go out
// directly through the host's sockets.
//
// Memory: a relay waits holding no copy buffer. A UDP flow waits with
// UDPFlow.Wait on the client side and in the poller on its host socket,
// and takes a 64 KiB buffer from a pool only to carry one datagram; a TCP
// connection's host side waits in the poller too, and its client side
// reads into 1 KiB of its own, taking a pooled 32 KiB buffer only when
// more than that is queued. Measured with 10,000 idle flows
// (TestMeasureFlows), the process grows by about 14 KB per UDP flow (two
// goroutine stacks, the flow's state in the stack and here) plus its
// host socket in the kernel, and about 34 KB per TCP connection (two
// goroutine stacks, the connection's TCB and buffers in the stack). So
// -max-udp-flows defaults to the forwarder's own bound, 16384 (each flow
// also needs a file descriptor: raise the open file limit to match), and
// TCP connections are bounded only by file descriptors and memory.
//
// -status ADDR serves a snapshot of every flow (tuple, state, bytes each
// way, age, and for TCP the relayed connection's RTT and congestion
// window), the counters and the Go runtime's memory, as an HTML table at
// / or JSON at /?format=json (add &flows=0 to leave the flows out).
//
// On SIGINT or SIGTERM it closes every flow and prints its counters.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/renet-go/renet/conn"
	"github.com/renet-go/renet/internal/ifconfig"
	"github.com/renet-go/renet/link/tun"
	"github.com/renet-go/renet/netstack"
)

// options are the parsed command line.
type options struct {
	tun         string
	mtu         int
	addr        netip.Prefix
	proxy       string
	direct      bool
	status      string
	maxDials    int
	maxUDPFlows int
	dialTimeout time.Duration
	noOffload   bool
	verbose     bool
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("tun2socks", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.tun, "tun", "", "TUN device to relay from (created if absent; required)")
	fs.IntVar(&o.mtu, "mtu", 0, "set the device's MTU (default: leave it as it is, 1500 for a new device)")
	addr := fs.String("addr", "198.18.255.254/32", "the stack's own address: route nothing to it")
	fs.StringVar(&o.proxy, "proxy", "", "relay TCP through this SOCKS5 proxy, socks5://[USER:PASS@]HOST:PORT")
	fs.BoolVar(&o.direct, "direct", false, "with -proxy, send UDP and ping directly instead of refusing them")
	fs.StringVar(&o.status, "status", "", "serve a snapshot of every flow over HTTP on this address, e.g. 127.0.0.1:8080")
	fs.IntVar(&o.maxDials, "max-dials", 512, "upstream TCP dials in progress at once")
	fs.IntVar(&o.maxUDPFlows, "max-udp-flows", 16384, "UDP flows at once (each holds a host socket and about 14 KB while idle)")
	fs.DurationVar(&o.dialTimeout, "dial-timeout", 10*time.Second, "give up an upstream TCP dial after this long (the client then sees silence)")
	fs.BoolVar(&o.noOffload, "no-offload", false, "open the device without the kernel's segmentation and checksum offloads")
	fs.BoolVar(&o.verbose, "v", false, "log every flow")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if o.tun == "" {
		return o, errors.New("-tun NAME is required")
	}
	p, err := netip.ParsePrefix(*addr)
	if err != nil || !p.Addr().Is4() {
		return o, fmt.Errorf("-addr: %q is not an IPv4 prefix", *addr)
	}
	o.addr = p
	if o.mtu != 0 && (o.mtu < 576 || o.mtu > 65535) {
		return o, fmt.Errorf("-mtu %d: want 576 to 65535", o.mtu)
	}
	if o.maxDials <= 0 || o.maxUDPFlows <= 0 {
		return o, errors.New("-max-dials and -max-udp-flows must be positive")
	}
	return o, nil
}

func main() {
	// The test binary runs main as the tun2socks process (see TestMain).
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main, returning the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "tun2socks: %v\n", err)
		return 2
	}
	logger := log.New(stderr, "tun2socks: ", log.LstdFlags|log.Lmicroseconds)

	dial, err := upstreamDialer(o.proxy)
	if err != nil {
		fmt.Fprintf(stderr, "tun2socks: -proxy: %v\n", err)
		return 2
	}
	dev, err := tun.OpenWith(o.tun, tun.Options{NoOffload: o.noOffload})
	if err != nil {
		fmt.Fprintf(stderr, "tun2socks: %v\n", err)
		return 1
	}
	if o.mtu != 0 {
		if err := ifconfig.SetMTU(dev.Name(), o.mtu); err != nil {
			dev.Close()
			fmt.Fprintf(stderr, "tun2socks: -mtu: %v\n", err)
			return 1
		}
	}
	s, err := netstack.New(dev, netstack.Config{Addrs: []netip.Prefix{o.addr}})
	if err != nil {
		dev.Close()
		fmt.Fprintf(stderr, "tun2socks: %v\n", err)
		return 1
	}
	defer s.Close()
	fwd, err := conn.NewForwarder(s, conn.ForwarderConfig{MaxUDPFlows: o.maxUDPFlows})
	if err != nil {
		fmt.Fprintf(stderr, "tun2socks: %v\n", err)
		return 1
	}

	srv := newServer(fwd, dial, o, logger)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if o.status != "" {
		l, err := net.Listen("tcp", o.status)
		if err != nil {
			fmt.Fprintf(stderr, "tun2socks: -status: %v\n", err)
			return 1
		}
		hs := &http.Server{Handler: srv.statusHandler(), ReadHeaderTimeout: 10 * time.Second}
		go hs.Serve(l)
		defer hs.Close()
		logger.Printf("status on http://%s/", l.Addr())
	}
	how := "directly"
	if o.proxy != "" {
		how = "through " + redact(o.proxy)
	}
	logger.Printf("relaying %s (mtu %d, stack address %s) %s", dev.Name(), s.MTU(), o.addr.Addr(), how)

	srv.run(ctx)
	logger.Printf("signal received: closing every flow")
	srv.shutdown(5 * time.Second)
	srv.printCounters(stdout)
	return 0
}
