package conn

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"io"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/nettest"

	"github.com/renet-go/renet/link/pipe"
	"github.com/renet-go/renet/netstack"
)

var (
	addr6A = netip.MustParseAddr("fdaa::1")
	addr6B = netip.MustParseAddr("fdaa::2")
)

// newPair6 starts two dual-stack stacks joined by a pipe: A at 10.0.0.1
// and fdaa::1, B at 10.0.0.2 and fdaa::2 (each also holds a link-local
// address). cfgA and cfgB's Addrs are set here.
func newPair6(t testing.TB, cfg pipe.Config, cfgA, cfgB netstack.Config) (a, b *netstack.Stack) {
	t.Helper()
	ea, eb := pipe.New(cfg)
	cfgA.Addrs = []netip.Prefix{netip.PrefixFrom(addrA, 24), netip.PrefixFrom(addr6A, 64)}
	cfgB.Addrs = []netip.Prefix{netip.PrefixFrom(addrB, 24), netip.PrefixFrom(addr6B, 64)}
	var err error
	if a, err = netstack.New(ea, cfgA); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if b, err = netstack.New(eb, cfgB); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return a, b
}

// linkLocal returns s's link-local address.
func linkLocal(t testing.TB, s *netstack.Stack) netip.Addr {
	t.Helper()
	for _, p := range s.Addrs() {
		if p.Addr().IsLinkLocalUnicast() {
			return p.Addr()
		}
	}
	t.Fatal("the stack has no link-local address")
	return netip.Addr{}
}

// echoListener serves echo on l until the test ends.
func echoListener(t testing.TB, l net.Listener) {
	t.Cleanup(func() { l.Close() })
	go serveEcho(l)
}

// roundTrip writes msg on c, half-closes, and checks the echo.
func roundTrip(t testing.TB, c net.Conn, msg []byte) {
	t.Helper()
	go func() {
		c.Write(msg)
		c.(*TCPConn).CloseWrite()
	}()
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("read echo: %v", err)
	}
	if !bytes.Equal(got, msg) {
		t.Fatalf("echoed %d bytes, want %d identical", len(got), len(msg))
	}
}

// TCP over IPv6 between two stacks, "tcp6" on both sides, with a transfer
// large enough to fill windows, under loss and reordering.
func TestTCP6Echo(t *testing.T) {
	a, b := newPair6(t, pipe.Config{Seed: 6, Loss: 0.01, Reorder: 0.01}, netstack.Config{}, netstack.Config{})
	l, err := Listen(a, "tcp6", "[fdaa::1]:80")
	if err != nil {
		t.Fatal(err)
	}
	if got := l.Addr().String(); got != "[fdaa::1]:80" {
		t.Errorf("listener Addr %s", got)
	}
	echoListener(t, l)
	c, err := Dial(b, "tcp6", "[fdaa::1]:80")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if ra := c.RemoteAddr().String(); ra != "[fdaa::1]:80" {
		t.Errorf("RemoteAddr %s", ra)
	}
	if la := c.LocalAddr().(*net.TCPAddr); !la.AddrPort().Addr().Is6() || la.AddrPort().Addr() != addr6B {
		t.Errorf("LocalAddr %v", la)
	}
	msg := make([]byte, 4<<20)
	rand.Read(msg)
	roundTrip(t, c, msg)
	if mss := c.(*TCPConn).Info().SndMSS; mss != 1500-60 {
		t.Errorf("SndMSS %d over IPv6 on a 1500-byte link, want 1440", mss)
	}
}

// A listener on ":80" with "tcp" is dual-stack when the stack has IPv6,
// as Go's: its Addr is "[::]:80", it takes both families, and an IPv4
// peer's address prints as IPv4 while its AddrPort is IPv4-mapped, as
// Go's net reports a connection accepted on an AF_INET6 socket
// (RemoteAddr().String() "127.0.0.1:40232", AddrPort
// [::ffff:127.0.0.1]:40232, checked against Go on loopback).
func TestDualStackListener(t *testing.T) {
	a, b := newPair6(t, pipe.Config{Seed: 7}, netstack.Config{}, netstack.Config{})
	for _, address := range []string{":80", "[::]:81", "0.0.0.0:82"} {
		l, err := Listen(a, "tcp", address)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		_, port, _ := net.SplitHostPort(address)
		if got, want := l.Addr().String(), "[::]:"+port; got != want {
			t.Errorf("Listen(tcp, %q).Addr() = %s, want %s as Go's", address, got, want)
		}
	}
	l, err := Listen(a, "tcp", ":80")
	if err == nil {
		l.Close()
		t.Fatal("a second listener on :80")
	}
	dl, err := Listen(a, "tcp", ":8080")
	if err != nil {
		t.Fatal(err)
	}
	defer dl.Close()
	for _, tc := range []struct {
		dial           string
		remote, local  string // String() of the accepted conn's addresses
		remoteAP       netip.Addr
		clientRemoteAP string
	}{
		{"10.0.0.1:8080", "10.0.0.2", "10.0.0.1:8080", netip.MustParseAddr("::ffff:10.0.0.2"), "10.0.0.1:8080"},
		{"[fdaa::1]:8080", "[fdaa::2]", "[fdaa::1]:8080", addr6B, "[fdaa::1]:8080"},
	} {
		c, err := Dial(b, "tcp", tc.dial)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		s, err := dl.Accept()
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if got := s.RemoteAddr().String(); !strings.HasPrefix(got, tc.remote+":") {
			t.Errorf("dial %s: accepted RemoteAddr %s, want %s:port", tc.dial, got, tc.remote)
		}
		if got := s.LocalAddr().String(); got != tc.local {
			t.Errorf("dial %s: accepted LocalAddr %s, want %s", tc.dial, got, tc.local)
		}
		ap := s.RemoteAddr().(*net.TCPAddr).AddrPort()
		if ap.Addr() != tc.remoteAP || s.(*TCPConn).RemoteAddrPort() != ap {
			t.Errorf("dial %s: accepted RemoteAddr AddrPort %v, RemoteAddrPort %v, want %v", tc.dial, ap, s.(*TCPConn).RemoteAddrPort(), tc.remoteAP)
		}
		// The dialing side sees plain addresses, as a Go client does.
		if got := c.RemoteAddr().String(); got != tc.clientRemoteAP {
			t.Errorf("dial %s: client RemoteAddr %s", tc.dial, got)
		}
		if got := c.(*TCPConn).RemoteAddrPort().Addr(); got.Is4In6() {
			t.Errorf("dial %s: client RemoteAddrPort %v is mapped", tc.dial, got)
		}
		go func() { c.Write([]byte("hi")); c.(*TCPConn).CloseWrite() }()
		if got, err := io.ReadAll(s); err != nil || string(got) != "hi" {
			t.Errorf("dial %s: read %q, %v", tc.dial, got, err)
		}
	}

	// "tcp4" is IPv4 only, as in Go.
	l4, err := Listen(a, "tcp4", ":9090")
	if err != nil {
		t.Fatal(err)
	}
	defer l4.Close()
	if got := l4.Addr().String(); got != "0.0.0.0:9090" {
		t.Errorf("tcp4 listener Addr %s", got)
	}
	if c, err := Dial(b, "tcp", "[fdaa::1]:9090"); err == nil {
		c.Close()
		t.Error("an IPv6 connection to a tcp4 listener")
	}
}

// On a stack without IPv6, "tcp" on ":80" binds 0.0.0.0, as Go on a host
// without IPv6.
func TestWildcardWithoutIPv6(t *testing.T) {
	a, _ := newPair(t, pipe.Config{Seed: 1})
	l, err := Listen(a, "tcp", ":80")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if got := l.Addr().String(); got != "0.0.0.0:80" {
		t.Errorf("Addr %s", got)
	}
	pc, err := ListenPacket(a, "udp", "[::]:53")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	if got := pc.LocalAddr().String(); got != "0.0.0.0:53" {
		t.Errorf("LocalAddr %s", got)
	}
}

// A "udp" socket on ":53" takes both families; IPv4 senders come back
// IPv4-mapped, as from a Go socket, and replies to those addresses reach
// them.
func TestDualStackUDP(t *testing.T) {
	a, b := newPair6(t, pipe.Config{Seed: 8}, netstack.Config{}, netstack.Config{})
	pc, err := ListenPacket(a, "udp", ":53")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	if got := pc.LocalAddr().String(); got != "[::]:53" {
		t.Errorf("LocalAddr %s, want [::]:53", got)
	}
	srv := pc.(*UDPConn)
	for _, tc := range []struct {
		network, dial string
		from          netip.Addr
	}{
		{"udp", "10.0.0.1:53", netip.MustParseAddr("::ffff:10.0.0.2")},
		{"udp4", "10.0.0.1:53", netip.MustParseAddr("::ffff:10.0.0.2")},
		{"udp6", "[fdaa::1]:53", addr6B},
		{"udp", "[fdaa::1]:53", addr6B},
	} {
		c, err := Dial(b, tc.network, tc.dial)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.Write([]byte("ping " + tc.dial)); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 100)
		srv.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, from, err := srv.ReadFromUDPAddrPort(buf)
		if err != nil {
			t.Fatal(err)
		}
		if from.Addr() != tc.from || string(buf[:n]) != "ping "+tc.dial {
			t.Errorf("%s %s: read %q from %v, want from %v", tc.network, tc.dial, buf[:n], from, tc.from)
		}
		if want := net.UDPAddrFromAddrPort(from).String(); strings.HasPrefix(want, "[::ffff:") {
			t.Errorf("a mapped sender prints as %s", want)
		}
		if _, err := srv.WriteToUDPAddrPort([]byte("pong"), from); err != nil {
			t.Fatal(err)
		}
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if n, err := c.Read(buf); err != nil || string(buf[:n]) != "pong" {
			t.Errorf("%s %s: reply %q, %v", tc.network, tc.dial, buf[:n], err)
		}
	}
	// A fragmented datagram, both ways.
	c, err := Dial(b, "udp6", "[fdaa::1]:53")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	big := make([]byte, 3000)
	rand.Read(big)
	c.Write(big)
	buf := make([]byte, 4000)
	n, from, err := srv.ReadFromUDPAddrPort(buf)
	if err != nil || !bytes.Equal(buf[:n], big) {
		t.Fatalf("3000-byte datagram: %d bytes, %v", n, err)
	}
	srv.WriteToUDPAddrPort(big, from)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := c.Read(buf); err != nil || !bytes.Equal(buf[:n], big) {
		t.Fatalf("3000-byte reply: %d bytes, %v", n, err)
	}
}

// Family checks as Go's net makes them, with its error text.
func TestFamilyErrors(t *testing.T) {
	a, _ := newPair6(t, pipe.Config{Seed: 9}, netstack.Config{}, netstack.Config{})
	for _, tc := range []struct {
		op, network, address, want string
	}{
		{"dial", "tcp4", "[fdaa::2]:80", "dial tcp4: address fdaa::2: no suitable address found"},
		{"dial", "tcp6", "10.0.0.2:80", "dial tcp6: address 10.0.0.2: no suitable address found"},
		{"dial", "udp6", "[::ffff:10.0.0.2]:80", "dial udp6: address ::ffff:10.0.0.2: no suitable address found"},
		{"dial", "udp4", "[fdaa::2]:80", "dial udp4: address fdaa::2: no suitable address found"},
		{"listen", "tcp4", "[fdaa::1]:0", "listen tcp4: address fdaa::1: no suitable address found"},
		{"listen", "tcp6", "10.0.0.1:0", "listen tcp6: address 10.0.0.1: no suitable address found"},
		{"listen", "udp4", "[::]:0", "listen udp4: address ::: no suitable address found"},
		{"dial", "ip6", "[fdaa::2]:80", "dial ip6: unknown network ip6"},
	} {
		var err error
		switch tc.op {
		case "dial":
			var c net.Conn
			if c, err = Dial(a, tc.network, tc.address); err == nil {
				c.Close()
			}
		case "listen":
			if strings.HasPrefix(tc.network, "udp") {
				var pc net.PacketConn
				if pc, err = ListenPacket(a, tc.network, tc.address); err == nil {
					pc.Close()
				}
			} else {
				var l net.Listener
				if l, err = Listen(a, tc.network, tc.address); err == nil {
					l.Close()
				}
			}
		}
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s %s %s: %v, want %q", tc.op, tc.network, tc.address, err, tc.want)
		}
		var ae *net.AddrError
		if err != nil && !strings.Contains(tc.want, "unknown") && !errors.As(err, &ae) {
			t.Errorf("%s %s %s: %T, not a *net.AddrError inside", tc.op, tc.network, tc.address, err)
		}
	}
}

// Zones are accepted and ignored: the stack has one link. A dial to the
// peer's link-local address with a zone, from a Dialer whose LocalAddr
// has one too.
func TestLinkLocalWithZone(t *testing.T) {
	a, b := newPair6(t, pipe.Config{Seed: 10}, netstack.Config{}, netstack.Config{})
	llA, llB := linkLocal(t, a), linkLocal(t, b)
	l, err := Listen(a, "tcp6", net.JoinHostPort(llA.String()+"%eth0", "80"))
	if err != nil {
		t.Fatal(err)
	}
	echoListener(t, l)
	if got, want := l.Addr().String(), "["+llA.String()+"]:80"; got != want {
		t.Errorf("Addr %s, want %s", got, want)
	}
	d := Dialer{Stack: b, LocalAddr: &net.TCPAddr{IP: llB.AsSlice(), Zone: "tap0"}}
	c, err := d.Dial("tcp", net.JoinHostPort(llA.String()+"%tap0", "80"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got := c.LocalAddr().(*net.TCPAddr).AddrPort().Addr(); got != llB {
		t.Errorf("LocalAddr %v, want %v", got, llB)
	}
	roundTrip(t, c, []byte("link-local"))

	// A LocalAddr of the other family leaves nothing to dial.
	d = Dialer{Stack: b, LocalAddr: &net.TCPAddr{IP: addrB.AsSlice()}}
	if c, err := d.Dial("tcp", "[fdaa::1]:80"); err == nil {
		c.Close()
		t.Error("dialed IPv6 from an IPv4 LocalAddr")
	}
}

func TestTCP6Nettest(t *testing.T) {
	nettest.TestConn(t, func() (c1, c2 net.Conn, stop func(), err error) {
		a, b := newPair6(t, pipe.Config{Seed: 1}, netstack.Config{}, netstack.Config{})
		l, err := Listen(a, "tcp6", "[fdaa::1]:80")
		if err != nil {
			return nil, nil, nil, err
		}
		accepted := make(chan net.Conn, 1)
		go func() {
			c, err := l.Accept()
			if err != nil {
				accepted <- nil
				return
			}
			accepted <- c
		}()
		c1, err = Dial(b, "tcp6", "[fdaa::1]:80")
		if err != nil {
			return nil, nil, nil, err
		}
		c2 = <-accepted
		if c2 == nil {
			return nil, nil, nil, errors.New("accept failed")
		}
		stop = func() {
			c1.Close()
			c2.Close()
			l.Close()
			a.Close()
			b.Close()
		}
		return c1, c2, stop, nil
	})
}

// sha256Of is the digest of n bytes of the pattern i%251.
func sha256Of(n int) [32]byte {
	h := sha256.New()
	buf := make([]byte, 64<<10)
	for off := 0; off < n; off += len(buf) {
		m := min(len(buf), n-off)
		for i := range m {
			buf[i] = byte((off + i) % 251)
		}
		h.Write(buf[:m])
	}
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	return sum
}
