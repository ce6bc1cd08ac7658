package conn_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/renet-go/renet/conn"
	"github.com/renet-go/renet/link/pipe"
	"github.com/renet-go/renet/netstack"
)

// The test names end with a dot, so that in the tests of Go's resolver
// (NewResolver, Dialer.Resolver) the host's search domains (from its
// /etc/resolv.conf) never change the questions. Every address there is in
// 10.0.0.0/24: Go sorts several answers by RFC 6724 using the host's
// routes, which treat addresses of one /24 alike and so keep the server's
// order. Dial without a Resolver (LookupNetIP) needs neither precaution.
var (
	dnsAddr  = netip.MustParseAddrPort("10.0.0.2:53")
	deadAddr = netip.MustParseAddr("10.0.0.3") // no host: ARP gets no answer
)

// namePair starts the client stack A (10.0.0.1, configured by cfgA) and
// the server stack B (10.0.0.2) with a DNS server on B's port 53.
func namePair(t *testing.T, cfgA netstack.Config, srv *dnsServer) (a, b *netstack.Stack) {
	t.Helper()
	ea, eb := pipe.New(pipe.Config{})
	cfgA.Addrs = []netip.Prefix{netip.MustParsePrefix("10.0.0.1/24")}
	a, err := netstack.New(ea, cfgA)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	b, err = netstack.New(eb, netstack.Config{Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.0.2/24")}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	if srv != nil {
		if err := srv.start(b, ":53"); err != nil {
			t.Fatal(err)
		}
	}
	return a, b
}

// echoOn serves echo on s at address until the test ends.
func echoOn(t *testing.T, s *netstack.Stack, address string) {
	t.Helper()
	l, err := conn.Listen(s, "tcp", address)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				io.Copy(c, c)
			}()
		}
	}()
}

func TestResolverLookupOverUDP(t *testing.T) {
	srv := &dnsServer{records: map[string][]netip.Addr{"www.example.": {netip.MustParseAddr("10.0.0.80")}}}
	a, _ := namePair(t, netstack.Config{}, srv)
	r := conn.NewResolver(a, dnsAddr)
	got, err := r.LookupNetIP(context.Background(), "ip4", "www.example.")
	if err != nil {
		t.Fatal(err)
	}
	if want := []netip.Addr{netip.MustParseAddr("10.0.0.80")}; !slices.Equal(got, want) {
		t.Errorf("LookupNetIP = %v, want %v", got, want)
	}
	if q := srv.queries(); !slices.Equal(q, []string{"udp www.example."}) {
		t.Errorf("server saw %q, want one UDP query for www.example.", q)
	}

	// A name the server does not know: NXDOMAIN, reported as not found.
	_, err = r.LookupNetIP(context.Background(), "ip4", "nowhere.example.")
	var de *net.DNSError
	if !errors.As(err, &de) || !de.IsNotFound {
		t.Errorf("lookup of an unknown name: %v, want a not-found *net.DNSError", err)
	}
}

func TestResolverTruncatedAnswerRetriesOverTCP(t *testing.T) {
	srv := &dnsServer{truncate: true, records: map[string][]netip.Addr{"big.example.": {netip.MustParseAddr("10.0.0.81")}}}
	a, _ := namePair(t, netstack.Config{}, srv)
	got, err := conn.NewResolver(a, dnsAddr).LookupNetIP(context.Background(), "ip4", "big.example.")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != netip.MustParseAddr("10.0.0.81") {
		t.Errorf("LookupNetIP = %v", got)
	}
	if q := srv.queries(); !slices.Equal(q, []string{"udp big.example.", "tcp big.example."}) {
		t.Errorf("server saw %q, want the UDP query then the TCP retry", q)
	}
}

// A server answering SERVFAIL loses the resolver's preference: Go's retry
// and the next lookups go to the next server.
func TestResolverFailsOverToNextServer(t *testing.T) {
	good := &dnsServer{records: map[string][]netip.Addr{"www.example.": {netip.MustParseAddr("10.0.0.80")}}}
	a, b := namePair(t, netstack.Config{}, good)
	bad := &dnsServer{servfail: true}
	if err := bad.start(b, ":5300"); err != nil {
		t.Fatal(err)
	}
	r := conn.NewResolver(a, netip.MustParseAddrPort("10.0.0.2:5300"), dnsAddr)
	// With the host's attempts:1 the first lookup gives up after the
	// SERVFAIL; with the default (2), Go's second attempt succeeds.
	if _, err := r.LookupNetIP(context.Background(), "ip4", "www.example."); err != nil {
		t.Logf("first lookup: %v", err)
	}
	for range 3 {
		if _, err := r.LookupNetIP(context.Background(), "ip4", "www.example."); err != nil {
			t.Fatal(err)
		}
	}
	if q := bad.queries(); len(q) != 1 {
		t.Errorf("the failing server saw %q, want only the first query", q)
	}
}

func TestResolverWithoutServers(t *testing.T) {
	a, _ := namePair(t, netstack.Config{}, nil)
	_, err := conn.NewResolver(a).LookupNetIP(context.Background(), "ip4", "www.example.")
	var de *net.DNSError
	if !errors.As(err, &de) {
		t.Fatalf("lookup without servers: %v, want a *net.DNSError", err)
	}
	if de.Err != conn.ErrNoDNSServers.Error() {
		t.Errorf("DNSError.Err = %q, want %q", de.Err, conn.ErrNoDNSServers)
	}
}

func TestDialByName(t *testing.T) {
	srv := &dnsServer{records: map[string][]netip.Addr{"echo.example.": {netip.MustParseAddr("10.0.0.2")}}}
	a, b := namePair(t, netstack.Config{DNS: []netip.AddrPort{dnsAddr}}, srv)
	echoOn(t, b, ":7")

	c, err := conn.Dial(a, "tcp", "echo.example.:7")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "ping"); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "ping" {
		t.Fatalf("echo: %q, %v", buf, err)
	}

	u, err := conn.Dial(a, "udp4", "echo.example.:9")
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	if got := u.RemoteAddr().String(); got != "10.0.0.2:9" {
		t.Errorf("UDP RemoteAddr = %s", got)
	}
}

// A Dialer's own Resolver is used even when the stack has no DNS servers.
func TestDialerResolver(t *testing.T) {
	srv := &dnsServer{records: map[string][]netip.Addr{"echo.example.": {netip.MustParseAddr("10.0.0.2")}}}
	a, b := namePair(t, netstack.Config{}, srv)
	echoOn(t, b, ":7")
	d := conn.Dialer{Stack: a, Resolver: conn.NewResolver(a, dnsAddr)}
	c, err := d.Dial("tcp4", "echo.example.:7")
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if len(srv.queries()) == 0 {
		t.Error("the Dialer's resolver asked nothing")
	}
}

func TestDialByNameWithoutDNS(t *testing.T) {
	a, _ := namePair(t, netstack.Config{}, nil)
	_, err := conn.Dial(a, "tcp", "www.example.:80")
	var oe *net.OpError
	var de *net.DNSError
	if !errors.As(err, &oe) || oe.Op != "dial" || !errors.As(err, &de) {
		t.Fatalf("Dial: %v, want a *net.OpError wrapping a *net.DNSError", err)
	}
	if !errors.Is(err, conn.ErrNoDNSServers) || de.Name != "www.example." {
		t.Errorf("Dial: %#v", de)
	}
	if _, err := conn.Listen(a, "tcp", "myhost:80"); !errors.Is(err, conn.ErrNoDNSServers) {
		t.Errorf("Listen: %v, want ErrNoDNSServers", err)
	}
	if _, err := conn.ListenPacket(a, "udp", "myhost:80"); !errors.Is(err, conn.ErrNoDNSServers) {
		t.Errorf("ListenPacket: %v, want ErrNoDNSServers", err)
	}
}

func TestListenByName(t *testing.T) {
	srv := &dnsServer{records: map[string][]netip.Addr{"me.example.": {netip.MustParseAddr("10.0.0.1")}}}
	a, _ := namePair(t, netstack.Config{DNS: []netip.AddrPort{dnsAddr}}, srv)
	l, err := conn.Listen(a, "tcp", "me.example.:80")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if got := l.Addr().String(); got != "10.0.0.1:80" {
		t.Errorf("listener address %s, want 10.0.0.1:80", got)
	}
	pc, err := conn.ListenPacket(a, "udp", "me.example.:80")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	if got := pc.LocalAddr().String(); got != "10.0.0.1:80" {
		t.Errorf("packet listener address %s, want 10.0.0.1:80", got)
	}
}

// The first address of a name has no host (ARP fails); the dial goes on
// to the second.
func TestDialByNameSkipsDeadAddress(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := &dnsServer{records: map[string][]netip.Addr{"two.example.": {deadAddr, netip.MustParseAddr("10.0.0.2")}}}
		a, b := namePair(t, netstack.Config{DNS: []netip.AddrPort{dnsAddr}}, srv)
		echoOn(t, b, ":7")
		c, err := conn.Dial(a, "tcp", "two.example.:7")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if got := c.RemoteAddr().String(); got != "10.0.0.2:7" {
			t.Errorf("connected to %s, want 10.0.0.2:7", got)
		}
	})
}

// Dialer.Timeout is shared among the addresses as net.Dialer shares it:
// with 9 s and three addresses, each dead address gets its 3 s share, and
// the third, live, is reached. Without sharing, the first would eat it all.
func TestDialTimeoutSharedAcrossAddresses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := &dnsServer{records: map[string][]netip.Addr{"three.example.": {
			deadAddr, netip.MustParseAddr("10.0.0.4"), netip.MustParseAddr("10.0.0.2"),
		}}}
		// ARP keeps asking for 30 s: a dead address never fails fast.
		cfg := netstack.Config{DNS: []netip.AddrPort{dnsAddr}, ARPRetries: 30, ARPRetryInterval: time.Second}
		a, b := namePair(t, cfg, srv)
		echoOn(t, b, ":7")
		d := conn.Dialer{Stack: a, Timeout: 9 * time.Second}
		start := time.Now()
		c, err := d.Dial("tcp", "three.example.:7")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if got := c.RemoteAddr().String(); got != "10.0.0.2:7" {
			t.Errorf("connected to %s, want 10.0.0.2:7", got)
		}
		// Virtual time: exact, not a timing assertion on a real clock.
		if el := time.Since(start); el < 6*time.Second || el >= 9*time.Second {
			t.Errorf("dial took %v, want two 3 s shares", el)
		}

		// All dead: the first error, a timeout, after the whole Timeout.
		srv.records["dead.example."] = []netip.Addr{deadAddr, netip.MustParseAddr("10.0.0.4")}
		d.Timeout = 3 * time.Second
		_, err = d.Dial("tcp", "dead.example.:7")
		var oe *net.OpError
		if !errors.As(err, &oe) || !oe.Timeout() || oe.Addr.String() != "10.0.0.3:7" {
			t.Errorf("dial of dead addresses: %v, want the first address's timeout", err)
		}
	})
}
