package wgnet

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
	"golang.zx2c4.com/wireguard/device"
	"golang.zx2c4.com/wireguard/tun"

	"github.com/renet-go/renet/conn"
)

// Against Linux: a network namespace holds a kernel TUN device driven by
// wireguard-go (the kernel side: curl, ping, a Go DNS and HTTP server on
// the TUN's address) and the other wireguard-go device, whose TUN is
// wgnet. Both devices' UDP sockets are on the namespace's loopback, so
// nothing leaves it.

// newNetns creates a network namespace with its loopback up and removes
// it at the end of the test; it skips the test unless run as root with
// iproute2.
func newNetns(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: creates a network namespace and a TUN device")
	}
	for _, tool := range []string{"ip", "curl", "ping"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s on PATH", tool)
		}
	}
	if _, err := os.Stat("/dev/net/tun"); err != nil {
		t.Skipf("needs /dev/net/tun: %v", err)
	}
	var b [4]byte
	rand.Read(b[:])
	ns := "wgnet-" + hex.EncodeToString(b[:])
	if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
		t.Skipf("cannot create a network namespace: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	nsRun(t, ns, "ip", "link", "set", "lo", "up")
	return ns
}

// nsRun runs a command in ns and returns its output, failing the test if
// it fails.
func nsRun(t *testing.T, ns string, args ...string) string {
	t.Helper()
	out, err := exec.Command("ip", append([]string{"netns", "exec", ns}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// inNetns runs f on an OS thread that has entered ns, so the sockets and
// devices f creates belong to ns (they stay there whatever thread uses
// them later). The thread is never unlocked: it ends with its goroutine
// rather than go back to the scheduler in the wrong namespace.
func inNetns(ns string, f func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		fd, err := unix.Open("/run/netns/"+ns, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			errc <- err
			return
		}
		defer unix.Close(fd)
		if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("setns %s: %w", ns, err)
			return
		}
		errc <- f()
	}()
	return <-errc
}

// chanListener is a net.Listener fed by a channel, for serving the
// connections a Forwarder accepts.
type chanListener struct {
	conns chan net.Conn
	done  <-chan struct{}
	addr  net.Addr
}

func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}
func (l *chanListener) Close() error   { return nil }
func (l *chanListener) Addr() net.Addr { return l.addr }

// kernelPeers starts two wireguard-go devices in ns, peers of each other
// over its loopback: one on a new kernel TUN, wgk0, whose peer owns
// kernelAllowed (allowed_ip values), and one on wdev, whose peer owns
// wgnetAllowed. They are closed at the end of the test.
func kernelPeers(t *testing.T, ns string, wdev tun.Device, kernelAllowed, wgnetAllowed string) {
	t.Helper()
	var kdev tun.Device
	var kwg, wwg *device.Device
	var kpub, wpub string
	var kport, wport uint16
	err := inNetns(ns, func() error {
		var err error
		if kdev, err = tun.CreateTUN("wgk0", 1420); err != nil {
			return fmt.Errorf("CreateTUN: %w", err)
		}
		// Silent: wireguard-go's TUN watches link changes from a thread
		// outside the namespace, where it cannot find wgk0's MTU, and
		// says so.
		if kwg, kpub, kport, err = startWG(kdev, device.NewLogger(device.LogLevelSilent, "")); err != nil {
			kdev.Close()
			return err
		}
		if wwg, wpub, wport, err = startWG(wdev, device.NewLogger(device.LogLevelError, "wgnet: ")); err != nil {
			kwg.Close()
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(kwg.Close)
	t.Cleanup(wwg.Close)
	peer(t, kwg, wpub, wport, kernelAllowed)
	peer(t, wwg, kpub, kport, wgnetAllowed)
}

func TestKernel(t *testing.T) {
	ns := newNetns(t)
	const (
		kernelAddr = "10.8.0.1"
		renetAddr  = "10.8.0.2"
		subnet     = "203.0.113.0/24"
		routed     = "203.0.113.7" // answered by renet's forwarder
	)
	wdev, n := newNet(t, renetAddr, kernelAddr)

	kernelPeers(t, ns, wdev, renetAddr+"/32\nallowed_ip="+subnet, "0.0.0.0/0")
	nsRun(t, ns, "ip", "addr", "add", kernelAddr+"/24", "dev", "wgk0")
	nsRun(t, ns, "ip", "link", "set", "wgk0", "up")
	nsRun(t, ns, "ip", "route", "add", subnet, "dev", "wgk0")

	// The renet side: an HTTP server on its address and, through a
	// forwarder on its stack, one answering as 203.0.113.7.
	l, err := n.ListenTCPAddrPort(netip.MustParseAddrPort(renetAddr + ":80"))
	if err != nil {
		t.Fatal(err)
	}
	serveHTTP(t, l, bigHandler())
	fwd, err := conn.NewForwarder(n.Stack(), conn.ForwarderConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer fwd.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fl := &chanListener{conns: make(chan net.Conn), done: ctx.Done(), addr: net.TCPAddrFromAddrPort(netip.MustParseAddrPort(routed + ":80"))}
	serveHTTP(t, fl, bigHandler())
	go func() {
		for {
			r, err := fwd.AcceptTCP(ctx)
			if err != nil {
				return
			}
			if r.Dst != netip.MustParseAddrPort(routed+":80") {
				r.Reject(&net.OpError{Op: "dial", Err: os.NewSyscallError("connect", unix.ECONNREFUSED)})
				continue
			}
			c, err := r.Accept(ctx)
			if err != nil {
				continue
			}
			select {
			case fl.conns <- c:
			case <-ctx.Done():
				c.Close()
				return
			}
		}
	}()
	go func() {
		for {
			e, err := fwd.AcceptEcho(ctx)
			if err != nil {
				return
			}
			if e.Dst == netip.MustParseAddr(routed) {
				e.Reply()
			}
		}
	}()

	// The kernel side: a DNS server and an HTTP server on its TUN's
	// address, inside the namespace.
	var dnsConn net.PacketConn
	var kl net.Listener
	err = inNetns(ns, func() error {
		var err error
		if dnsConn, err = net.ListenPacket("udp4", kernelAddr+":53"); err != nil {
			return err
		}
		kl, err = net.Listen("tcp4", kernelAddr+":8080")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	defer dnsConn.Close()
	dnsServer(t, dnsConn, nil, map[string][]netip.Addr{"kernel.wg.": rrs(kernelAddr)}, nil)
	serveHTTP(t, kl, bigHandler())

	t.Run("curl", func(t *testing.T) {
		out := nsRun(t, ns, "curl", "-sS", "--max-time", "20", "http://"+renetAddr+"/hello")
		if !strings.HasPrefix(out, "hello "+kernelAddr+":") {
			t.Errorf("curl: %q", out)
		}
		const size = 16 << 20
		out = nsRun(t, ns, "sh", "-c", fmt.Sprintf("curl -sS --max-time 60 'http://%s/bytes?n=%d' | sha256sum", renetAddr, size))
		want := sha256.New()
		chunk := pattern()
		for left := size; left > 0; left -= len(chunk) {
			want.Write(chunk)
		}
		if got := strings.Fields(out)[0]; got != hex.EncodeToString(want.Sum(nil)) {
			t.Errorf("16 MB download hash %s, want %x", got, want.Sum(nil))
		}
	})
	t.Run("ping", func(t *testing.T) {
		nsRun(t, ns, "ping", "-c", "3", "-i", "0.2", "-W", "5", renetAddr)
	})
	t.Run("renet pings kernel", func(t *testing.T) {
		c, err := n.Dial("ping4", kernelAddr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := c.Write(echoRequest(t, 1, []byte("to linux"))); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 1500)
		k, err := c.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		checkReply(t, buf[:k], 1, []byte("to linux"))
	})
	t.Run("renet dials a name", func(t *testing.T) {
		body := get(t, n.DialContext, "http://kernel.wg:8080/hello")
		if !strings.HasPrefix(body, "hello "+renetAddr+":") {
			t.Errorf("body %q", body)
		}
	})
	t.Run("subnet router", func(t *testing.T) {
		out := nsRun(t, ns, "curl", "-sS", "--max-time", "20", "http://"+routed+"/hello")
		if !strings.HasPrefix(out, "hello "+kernelAddr+":") || !strings.Contains(out, "from "+routed) {
			t.Errorf("curl %s: %q", routed, out)
		}
		nsRun(t, ns, "ping", "-c", "2", "-i", "0.2", "-W", "5", routed)
		// Another address of the subnet is refused at once: curl's exit
		// status 7 is "failed to connect", here a RST within the timeout.
		cmd := exec.Command("ip", "netns", "exec", ns, "curl", "-sS", "--max-time", "10", "http://203.0.113.8/")
		out2, err := cmd.CombinedOutput()
		if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 7 {
			t.Errorf("curl 203.0.113.8: %v, %s; want connection refused", err, out2)
		}
	})
}

// TestKernel6 is TestKernel over IPv6 inside the tunnel: Linux's curl
// -6 and ping -6 reach renet, and renet pings Linux and dials a name it
// looks up (AAAA) from a server on the kernel side.
func TestKernel6(t *testing.T) {
	ns := newNetns(t)
	const (
		kernelAddr = "fd00:8::1"
		renetAddr  = "fd00:8::2"
	)
	wdev, n := newNet(t, renetAddr, kernelAddr)
	kernelPeers(t, ns, wdev, renetAddr+"/128", "::/0")
	nsRun(t, ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=0")
	nsRun(t, ns, "ip", "-6", "addr", "add", kernelAddr+"/64", "dev", "wgk0", "nodad")
	nsRun(t, ns, "ip", "link", "set", "wgk0", "up")

	l, err := n.ListenTCP(&net.TCPAddr{Port: 80})
	if err != nil {
		t.Fatal(err)
	}
	serveHTTP(t, l, bigHandler())

	var dnsConn net.PacketConn
	var kl net.Listener
	err = inNetns(ns, func() error {
		var err error
		if dnsConn, err = net.ListenPacket("udp6", "["+kernelAddr+"]:53"); err != nil {
			return err
		}
		kl, err = net.Listen("tcp6", "["+kernelAddr+"]:8080")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	defer dnsConn.Close()
	dnsServer(t, dnsConn, nil, map[string][]netip.Addr{"kernel.wg.": rrs(kernelAddr, "10.8.0.1")}, nil)
	serveHTTP(t, kl, bigHandler())

	t.Run("curl -6", func(t *testing.T) {
		out := nsRun(t, ns, "curl", "-6", "-gsS", "--max-time", "20", "http://["+renetAddr+"]/hello")
		if !strings.HasPrefix(out, "hello ["+kernelAddr+"]:") {
			t.Errorf("curl: %q", out)
		}
		const size = 16 << 20
		out = nsRun(t, ns, "sh", "-c", fmt.Sprintf("curl -6 -gsS --max-time 60 'http://[%s]/bytes?n=%d' | sha256sum", renetAddr, size))
		want := sha256.New()
		chunk := pattern()
		for left := size; left > 0; left -= len(chunk) {
			want.Write(chunk)
		}
		if got := strings.Fields(out)[0]; got != hex.EncodeToString(want.Sum(nil)) {
			t.Errorf("16 MB download hash %s, want %x", got, want.Sum(nil))
		}
	})
	t.Run("ping -6", func(t *testing.T) {
		nsRun(t, ns, "ping", "-6", "-c", "3", "-i", "0.2", "-W", "5", renetAddr)
		// Larger than the tunnel's MTU: fragmented by Linux, reassembled
		// by renet; the reply fragmented by renet.
		nsRun(t, ns, "ping", "-6", "-c", "2", "-i", "0.2", "-W", "5", "-s", "3000", renetAddr)
	})
	t.Run("renet pings kernel", func(t *testing.T) {
		c, err := n.Dial("ping6", kernelAddr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := c.Write(echoRequest6(t, 1, []byte("to linux"))); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 1500)
		k, err := c.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		checkReply6(t, buf[:k], 1, []byte("to linux"))
	})
	t.Run("renet dials a name", func(t *testing.T) {
		if addrs, err := n.LookupHost("kernel.wg"); err != nil || len(addrs) != 1 || addrs[0] != kernelAddr {
			t.Errorf("LookupHost(kernel.wg) = %v, %v; want [%s]", addrs, err, kernelAddr)
		}
		body := get(t, n.DialContext, "http://kernel.wg:8080/hello")
		if !strings.HasPrefix(body, "hello ["+renetAddr+"]:") {
			t.Errorf("body %q", body)
		}
	})
}
