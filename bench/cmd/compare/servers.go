package main

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os/exec"

	"github.com/renet-go/renet/bench/internal/netns"
	"github.com/renet-go/renet/conn"
	"github.com/renet-go/renet/internal/ifconfig"
	"github.com/renet-go/renet/link/tap"
	"github.com/renet-go/renet/netstack"
	"golang.org/x/sys/unix"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/adapters/gonet"
	"gvisor.dev/gvisor/pkg/tcpip/link/fdbased"
	"gvisor.dev/gvisor/pkg/tcpip/link/tun"
	"gvisor.dev/gvisor/pkg/tcpip/network/arp"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"
)

// Every implementation is a fresh namespace (two for Linux) with the
// server at serverAddr and the kernel client at clientAddr.
var (
	serverAddr = netip.MustParsePrefix("192.168.69.1/24")
	clientAddr = netip.MustParsePrefix("192.168.69.100/24")
	serverMAC  = net.HardwareAddr{2, 0, 0, 0, 0, 1}
)

const (
	httpPort = 80
	echoPort = 7
	nsPrefix = "renet-compare"
)

// server is one implementation serving HTTP and echo in this process, and
// the namespace its kernel client runs in.
type server struct {
	clientNS   *netns.NS
	http, echo net.Listener
	// offload: the segments larger than the MTU the server wrote to and
	// took from the link so far; for renet Stats.GSOOut and GROIn, for
	// gVisor with GSO gsoTap.counters. Nil where the link has no offload.
	offload func() (gso, gro uint64)
	close   func() error
}

// impl is a column of the table.
type impl struct {
	title string
	setup func() (*server, error)
}

var tapImpls = []impl{
	{"renet (tap, offload)", func() (*server, error) { return newRenetTap(true) }},
	{"renet (tap, no offload)", func() (*server, error) { return newRenetTap(false) }},
	{"gVisor (tap, fdbased, GRO)", newGVisorTap},
	{"gVisor (tap, fdbased, GSO)", newGVisorGSOTap},
	{"Linux over veth", newLinuxVeth},
}

// newRenetTap runs a renet stack with its default configuration on a tap
// device in a fresh namespace, offloading (virtio-net header: TSO,
// checksum, GRO) or not. The kernel side of the tap is the client.
func newRenetTap(offload bool) (*server, error) {
	ns, err := netns.New(nsPrefix)
	if err != nil {
		return nil, err
	}
	var dev *tap.Device
	err = ns.Do(func() error {
		d, err := tap.OpenWith("tap0", tap.Options{NoOffload: !offload})
		if err != nil {
			return err
		}
		if err := ifconfig.Up(d.Name(), clientAddr); err != nil {
			d.Close()
			return err
		}
		dev = d
		return nil
	})
	if err != nil {
		return nil, errors.Join(err, ns.Delete())
	}
	if got := dev.Offload().TSO; got != offload {
		dev.Close()
		return nil, errors.Join(fmt.Errorf("tap offload is %v, want %v (the kernel refused TUNSETOFFLOAD?)", got, offload), ns.Delete())
	}
	s, err := netstack.New(dev, netstack.Config{Addrs: []netip.Prefix{serverAddr}, HardwareAddr: serverMAC})
	if err != nil {
		dev.Close()
		return nil, errors.Join(err, ns.Delete())
	}
	srv := &server{
		clientNS: ns,
		offload: func() (uint64, uint64) {
			st := s.Stats()
			return st.GSOOut, st.GROIn
		},
		close: func() error { return errors.Join(s.Close(), ns.Delete()) },
	}
	if srv.http, err = conn.Listen(s, "tcp4", fmt.Sprintf(":%d", httpPort)); err == nil {
		srv.echo, err = conn.Listen(s, "tcp4", fmt.Sprintf(":%d", echoPort))
	}
	if err != nil {
		return nil, errors.Join(err, srv.close())
	}
	return srv, nil
}

// newGVisorTap runs a gVisor stack on a tap device in a fresh namespace
// through fdbased, gVisor's endpoint for file descriptors, with its
// software GRO on and SACK on (wireguard-go's netstack turns it on); TCP
// buffers are gVisor's defaults, with autotuning. The tap is opened as
// gVisor's link/tun opens it, without the virtio-net header: fdbased
// ignores GSOMaxSize on a descriptor that is not a socket, so every frame
// crosses the tap whole with a software checksum.
func newGVisorTap() (*server, error) {
	return newGVisorOn(tun.OpenTAP, func(fd int) (stack.LinkEndpoint, error) {
		return fdbased.New(&fdbased.Options{
			FDs:            []int{fd},
			MTU:            1500,
			EthernetHeader: true,
			Address:        tcpip.LinkAddress(serverMAC),
			GRO:            true,
		})
	})
}

// newGVisorGSOTap is newGVisorTap on a tap with the virtio-net header and
// offloads (openVnetTAP), and fdbased with host GSO, checksum offload and
// GRO (newGSOTap): gVisor's TCP hands the tap 64 KiB segments for the
// kernel to cut, as it hands them to AF_PACKET in runsc.
func newGVisorGSOTap() (*server, error) {
	var gt *gsoTap
	srv, err := newGVisorOn(openVnetTAP, func(fd int) (stack.LinkEndpoint, error) {
		var err error
		if gt, err = newGSOTap(fd); err != nil {
			return nil, err
		}
		return gt, nil
	})
	if err != nil {
		return nil, err
	}
	srv.offload = gt.counters
	return srv, nil
}

// newGVisorOn runs a gVisor stack serving HTTP and echo on the tap0 that
// open makes in a fresh namespace (the kernel side is the client), through
// the link endpoint newEP makes on its descriptor, which it closes after
// the stack has stopped, and the descriptor after that.
func newGVisorOn(open func(name string) (int, error), newEP func(fd int) (stack.LinkEndpoint, error)) (*server, error) {
	ns, err := netns.New(nsPrefix)
	if err != nil {
		return nil, err
	}
	fd := -1
	err = ns.Do(func() error {
		f, err := open("tap0")
		if err != nil {
			return err
		}
		if err := ifconfig.Up("tap0", clientAddr); err != nil {
			unix.Close(f)
			return err
		}
		fd = f
		return nil
	})
	if err != nil {
		return nil, errors.Join(err, ns.Delete())
	}
	ep, err := newEP(fd)
	if err != nil {
		unix.Close(fd)
		return nil, errors.Join(err, ns.Delete())
	}
	s := stack.New(stack.Options{
		NetworkProtocols:   []stack.NetworkProtocolFactory{ipv4.NewProtocol, arp.NewProtocol},
		TransportProtocols: []stack.TransportProtocolFactory{tcp.NewProtocol},
	})
	srv := &server{
		clientNS: ns,
		close: func() error {
			s.Close()
			s.Wait()
			// s.Wait closed ep if the NIC took it; a second Close does
			// nothing (fdbased, gsoTap) and a first frees it.
			ep.Close()
			unix.Close(fd)
			return ns.Delete()
		},
	}
	if err := gvisorSetup(s, ep); err != nil {
		return nil, errors.Join(err, srv.close())
	}
	listen := func(port uint16) (net.Listener, error) {
		return gonet.ListenTCP(s, tcpip.FullAddress{NIC: gvNIC, Port: port}, ipv4.ProtocolNumber)
	}
	if srv.http, err = listen(httpPort); err == nil {
		srv.echo, err = listen(echoPort)
	}
	if err != nil {
		return nil, errors.Join(err, srv.close())
	}
	return srv, nil
}

const gvNIC = 1

func gvisorSetup(s *stack.Stack, ep stack.LinkEndpoint) error {
	sack := tcpip.TCPSACKEnabled(true)
	if err := s.SetTransportProtocolOption(tcp.ProtocolNumber, &sack); err != nil {
		return errors.New(err.String())
	}
	if err := s.CreateNIC(gvNIC, ep); err != nil {
		return errors.New(err.String())
	}
	pa := tcpip.ProtocolAddress{
		Protocol: ipv4.ProtocolNumber,
		AddressWithPrefix: tcpip.AddressWithPrefix{
			Address:   tcpip.AddrFrom4(serverAddr.Addr().As4()),
			PrefixLen: serverAddr.Bits(),
		},
	}
	if err := s.AddProtocolAddress(gvNIC, pa, stack.AddressProperties{}); err != nil {
		return errors.New(err.String())
	}
	subnet, err := tcpip.NewSubnet(tcpip.AddrFrom4(serverAddr.Masked().Addr().As4()),
		tcpip.MaskFromBytes(net.CIDRMask(serverAddr.Bits(), 32)))
	if err != nil {
		return err
	}
	s.SetRouteTable([]tcpip.Route{{Destination: subnet, NIC: gvNIC}})
	return nil
}

// newLinuxVeth serves from kernel sockets in one fresh namespace to a
// client in another, over a veth pair with the kernel's defaults (MTU
// 1500; TSO, GSO, GRO and checksum offload on, as veth has them).
func newLinuxVeth() (*server, error) {
	sns, err := netns.New(nsPrefix)
	if err != nil {
		return nil, err
	}
	cns, err := netns.New(nsPrefix)
	if err != nil {
		return nil, errors.Join(err, sns.Delete())
	}
	srv := &server{
		clientNS: cns,
		close:    func() error { return errors.Join(sns.Delete(), cns.Delete()) },
	}
	cmds := [][]string{
		{"ip", "-n", sns.Name(), "link", "add", "veth0", "type", "veth", "peer", "name", "veth1", "netns", cns.Name()},
		{"ip", "-n", sns.Name(), "addr", "add", serverAddr.String(), "dev", "veth0"},
		{"ip", "-n", cns.Name(), "addr", "add", clientAddr.String(), "dev", "veth1"},
		{"ip", "-n", sns.Name(), "link", "set", "veth0", "up"},
		{"ip", "-n", cns.Name(), "link", "set", "veth1", "up"},
	}
	for _, c := range cmds {
		if out, err := exec.Command(c[0], c[1:]...).CombinedOutput(); err != nil {
			return nil, errors.Join(fmt.Errorf("%q: %v: %s", c, err, out), srv.close())
		}
	}
	err = sns.Do(func() error {
		var err error
		if srv.http, err = net.Listen("tcp4", netip.AddrPortFrom(serverAddr.Addr(), httpPort).String()); err != nil {
			return err
		}
		srv.echo, err = net.Listen("tcp4", netip.AddrPortFrom(serverAddr.Addr(), echoPort).String())
		return err
	})
	if err != nil {
		if srv.http != nil {
			srv.http.Close()
		}
		return nil, errors.Join(err, srv.close())
	}
	return srv, nil
}
