package conn_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"testing"
	"testing/synctest"
	"time"

	"github.com/renet-go/renet/conn"
	"github.com/renet-go/renet/link/pipe"
	"github.com/renet-go/renet/netstack"
)

// Happy Eyeballs (RFC 8305) as net.Dialer does it, on two dual-stack
// stacks in virtual time: the client A (10.0.0.1, fdaa::1) asks the DNS
// server on B (10.0.0.2, fdaa::2) for names with A and AAAA records.

var (
	v6B    = netip.MustParseAddr("fdaa::2")
	v4B    = netip.MustParseAddr("10.0.0.2")
	dead6  = netip.MustParseAddr("fdaa::99") // no host: neighbour discovery gets no answer
	dnsV4B = netip.MustParseAddrPort("10.0.0.2:53")
)

// dualNamePair starts A, the client with B's DNS server, and B, serving
// records over DNS and echo on ":80" (dual-stack) and on ":81" for IPv4
// only. It returns the server so that tests can see the questions.
func dualNamePair(t *testing.T, records map[string][]netip.Addr) (a, b *netstack.Stack, srv *dnsServer) {
	t.Helper()
	ea, eb := pipe.New(pipe.Config{Delay: time.Millisecond})
	a, err := netstack.New(ea, netstack.Config{
		Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.0.1/24"), netip.MustParsePrefix("fdaa::1/64")},
		DNS:   []netip.AddrPort{dnsV4B},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	b, err = netstack.New(eb, netstack.Config{
		Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.0.2/24"), netip.MustParsePrefix("fdaa::2/64")},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	srv = &dnsServer{records: records}
	if err := srv.start(b, ":53"); err != nil {
		t.Fatal(err)
	}
	echoOn(t, b, ":80")
	l4, err := conn.Listen(b, "tcp4", ":81")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l4.Close() })
	go func() {
		for {
			c, err := l4.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return a, b, srv
}

var dualRecords = map[string][]netip.Addr{
	"both.example.":      {v6B, v4B},
	"dead6.example.":     {dead6, v4B},
	"deadfirst.example.": {dead6, v6B, v4B},
	"v4first.example.":   {v4B, v6B}, // the AAAA answer still comes first
}

// dialTimed dials and reports the connection's remote address and how
// long the dial took in the bubble's time.
func dialTimed(t *testing.T, d *conn.Dialer, network, address string) (netip.Addr, time.Duration) {
	t.Helper()
	start := time.Now()
	c, err := d.DialContext(context.Background(), network, address)
	if err != nil {
		t.Fatalf("dial %s %s: %v", network, address, err)
	}
	took := time.Since(start)
	t.Cleanup(func() { c.Close() })
	return c.(*conn.TCPConn).RemoteAddrPort().Addr(), took
}

func TestHappyEyeballs(t *testing.T) {
	for _, tc := range []struct {
		desc, network, host string
		delay               time.Duration // Dialer.FallbackDelay
		want                netip.Addr
		min, max            time.Duration
		questions           int
	}{
		{"IPv6 first, and it answers", "tcp", "both.example:80", 0, v6B, 0, 50 * time.Millisecond, 2},
		{"IPv6 dead: IPv4 after the 300 ms fallback delay", "tcp", "dead6.example:80", 0, v4B, 300 * time.Millisecond, 350 * time.Millisecond, 2},
		{"a shorter FallbackDelay", "tcp", "dead6.example:80", 50 * time.Millisecond, v4B, 50 * time.Millisecond, 100 * time.Millisecond, 2},
		{"fallback off: IPv6 fails first, in turn", "tcp", "dead6.example:80", -1, v4B, time.Second, 10 * time.Second, 2},
		{"IPv6 refused: IPv4 at once, not after the delay", "tcp", "both.example:81", 0, v4B, 0, 50 * time.Millisecond, 2},
		{"tcp6 asks for AAAA only", "tcp6", "both.example:80", 0, v6B, 0, 50 * time.Millisecond, 1},
		{"tcp4 asks for A only", "tcp4", "both.example:80", 0, v4B, 0, 50 * time.Millisecond, 1},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				a, _, srv := dualNamePair(t, dualRecords)
				d := &conn.Dialer{Stack: a, FallbackDelay: tc.delay}
				got, took := dialTimed(t, d, tc.network, tc.host)
				t.Logf("connected to %v in %v", got, took)
				if got != tc.want {
					t.Errorf("connected to %v, want %v", got, tc.want)
				}
				if took < tc.min || took > tc.max {
					t.Errorf("the dial took %v, want %v to %v", took, tc.min, tc.max)
				}
				if q := srv.queries(); len(q) != tc.questions {
					t.Errorf("questions %q, want %d", q, tc.questions)
				}
			})
		})
	}
}

// The losing attempt is abandoned: the primaries (a dead IPv6 address,
// then a live one) are cut short when the IPv4 fallback connects, so the
// live IPv6 address is never dialed.
func TestHappyEyeballsLoserAbandoned(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b, _ := dualNamePair(t, dualRecords)
		l, err := conn.Listen(b, "tcp6", "[fdaa::2]:90")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		l4, err := conn.Listen(b, "tcp4", "10.0.0.2:90")
		if err != nil {
			t.Fatal(err)
		}
		defer l4.Close()
		d := &conn.Dialer{Stack: a}
		got, took := dialTimed(t, d, "tcp", "deadfirst.example:90")
		if got != v4B || took < 300*time.Millisecond {
			t.Fatalf("connected to %v after %v, want %v after the fallback delay", got, took, v4B)
		}
		time.Sleep(30 * time.Second) // long past the dead address's failure
		l.(*conn.TCPListener).SetDeadline(time.Now())
		if c, err := l.Accept(); !errors.Is(err, os.ErrDeadlineExceeded) {
			if c != nil {
				c.Close()
			}
			t.Fatalf("the IPv6 listener accepted %v, %v: the losing attempt went on", c, err)
		}
	})
}

// When both families fail, the error is the primaries' (here the refusal
// of IPv6, the first answer's family).
func TestHappyEyeballsBothFail(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, _, _ := dualNamePair(t, dualRecords)
		d := &conn.Dialer{Stack: a}
		_, err := d.Dial("tcp", "both.example:99")
		var oe *net.OpError
		if !errors.As(err, &oe) || oe.Addr == nil || oe.Addr.String() != "[fdaa::2]:99" {
			t.Fatalf("error %v, want the IPv6 attempt's", err)
		}
	})
}
