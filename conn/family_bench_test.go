package conn

import (
	"io"
	"net"
	"net/netip"
	"testing"

	"github.com/renet-go/renet/link/pipe"
	"github.com/renet-go/renet/netstack"
)

// The IPv6 target: throughput, round trip and connections per
// second within 5% of IPv4's, measured in one run:
//
//	go test -run XXX -bench Family -benchtime 2s ./conn

// dualPair starts two dual-stack stacks over a clean Ethernet pipe:
// 10.0.0.1 and fdaa::1, 10.0.0.2 and fdaa::2.
func dualPair(tb testing.TB) (a, b *netstack.Stack) {
	ea, eb := pipe.New(pipe.Config{Seed: 1})
	var err error
	a, err = netstack.New(ea, netstack.Config{Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.0.1/24"), netip.MustParsePrefix("fdaa::1/64")}})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { a.Close() })
	b, err = netstack.New(eb, netstack.Config{Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.0.2/24"), netip.MustParsePrefix("fdaa::2/64")}})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { b.Close() })
	return a, b
}

var families = []struct{ name, server string }{
	{"ipv4", "10.0.0.1:7000"},
	{"ipv6", "[fdaa::1]:7000"},
}

func BenchmarkFamilyBulk(b *testing.B) {
	for _, f := range families {
		b.Run(f.name, func(b *testing.B) {
			sa, sb := dualPair(b)
			l, err := Listen(sa, "tcp", ":7000")
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			go func() {
				for {
					c, err := l.Accept()
					if err != nil {
						return
					}
					go io.Copy(io.Discard, c)
				}
			}()
			c, err := Dial(sb, "tcp", f.server)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			buf := make([]byte, 64<<10)
			b.SetBytes(int64(len(buf)))
			b.ResetTimer()
			for range b.N {
				if _, err := c.Write(buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkFamilyRoundTrip(b *testing.B) {
	for _, f := range families {
		b.Run(f.name, func(b *testing.B) {
			sa, sb := dualPair(b)
			l, err := Listen(sa, "tcp", ":7000")
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			go serveEcho(l)
			c, err := Dial(sb, "tcp", f.server)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			buf := make([]byte, 1)
			b.ResetTimer()
			for range b.N {
				c.Write(buf)
				if _, err := io.ReadFull(c, buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkFamilyConnect(b *testing.B) {
	for _, f := range families {
		b.Run(f.name, func(b *testing.B) {
			sa, sb := dualPair(b)
			l, err := Listen(sa, "tcp", ":7000")
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			go func() {
				for {
					c, err := l.Accept()
					if err != nil {
						return
					}
					c.Close()
				}
			}()
			b.ResetTimer()
			for range b.N {
				c, err := Dial(sb, "tcp", f.server)
				if err != nil {
					b.Fatal(err)
				}
				c.(*TCPConn).SetLinger(0) // no TIME-WAIT piling up across iterations
				c.Close()
			}
		})
	}
}

var _ net.Conn = (*TCPConn)(nil)

// "tcp4" and "tcp6" listeners share a port, each taking its own family,
// as Go's do (the tcp6 one is IPV6_V6ONLY).
func TestTCP4AndTCP6ShareAPort(t *testing.T) {
	sa, sb := dualPair(t)
	l4, err := Listen(sa, "tcp4", ":7100")
	if err != nil {
		t.Fatal(err)
	}
	defer l4.Close()
	l6, err := Listen(sa, "tcp6", ":7100")
	if err != nil {
		t.Fatalf("tcp6 beside tcp4: %v", err)
	}
	defer l6.Close()
	for _, c := range []struct {
		addr string
		l    net.Listener
	}{{"10.0.0.1:7100", l4}, {"[fdaa::1]:7100", l6}} {
		d, err := Dial(sb, "tcp", c.addr)
		if err != nil {
			t.Fatal(err)
		}
		a, err := c.l.Accept()
		if err != nil {
			t.Fatal(err)
		}
		if a.RemoteAddr().String() != d.LocalAddr().String() {
			t.Fatalf("%s: accepted %v, dialed from %v", c.addr, a.RemoteAddr(), d.LocalAddr())
		}
		a.Close()
		d.Close()
	}
}
