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
	"github.com/renet-go/renet/netstack"
)

// Tests of LookupNetIP, the DNS client Dial uses when no Resolver is
// given. Unlike the NewResolver tests, these need no trailing dots and no
// care about the host's routes: nothing here reads the host.

var altDNSAddr = netip.MustParseAddrPort("10.0.0.2:5300") // a second server on B

func mustAddrs(ss ...string) []netip.Addr {
	out := make([]netip.Addr, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParseAddr(s)
	}
	return out
}

// Several addresses come back in the server's order: no RFC 6724 sort,
// whatever the host's routes to them.
func TestLookupNetIPOverUDP(t *testing.T) {
	want := mustAddrs("192.0.2.9", "10.0.0.80", "198.51.100.1", "10.0.0.7")
	srv := &dnsServer{records: map[string][]netip.Addr{"www.example.": want}}
	a, _ := namePair(t, netstack.Config{}, srv)
	got, err := conn.LookupNetIP(context.Background(), a, []netip.AddrPort{dnsAddr}, "www.example")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("LookupNetIP = %v, want the server's order %v", got, want)
	}
	// Asked once, over UDP, as given and made absolute.
	if q := srv.queries(); !slices.Equal(q, []string{"udp www.example."}) {
		t.Errorf("server saw %q, want one UDP query for www.example.", q)
	}
}

func TestLookupNetIPTruncatedRetriesOverTCP(t *testing.T) {
	srv := &dnsServer{truncate: true, records: map[string][]netip.Addr{"big.example.": mustAddrs("10.0.0.81", "10.0.0.82")}}
	a, _ := namePair(t, netstack.Config{}, srv)
	got, err := conn.LookupNetIP(context.Background(), a, []netip.AddrPort{dnsAddr}, "big.example.")
	if err != nil {
		t.Fatal(err)
	}
	if want := mustAddrs("10.0.0.81", "10.0.0.82"); !slices.Equal(got, want) {
		t.Errorf("LookupNetIP = %v, want %v", got, want)
	}
	if q := srv.queries(); !slices.Equal(q, []string{"udp big.example.", "tcp big.example."}) {
		t.Errorf("server saw %q, want the UDP query then the TCP retry", q)
	}
}

// A name error ends the lookup: the second server is not asked, and the
// error is a not-found *net.DNSError naming the server that said so. So
// does a name without A records (NODATA).
func TestLookupNetIPNotFound(t *testing.T) {
	first := &dnsServer{records: map[string][]netip.Addr{"empty.example.": nil}}
	a, b := namePair(t, netstack.Config{DNS: []netip.AddrPort{dnsAddr, altDNSAddr}}, first)
	second := &dnsServer{records: map[string][]netip.Addr{"nowhere.example.": mustAddrs("10.0.0.9")}}
	if err := second.start(b, altDNSAddr.String()); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"nowhere.example", "empty.example"} {
		_, err := conn.LookupNetIP(context.Background(), a, nil, name)
		var de *net.DNSError
		if !errors.As(err, &de) || !de.IsNotFound || de.IsTimeout {
			t.Fatalf("lookup of %s: %v, want a not-found *net.DNSError", name, err)
		}
		if de.Name != name || de.Server != dnsAddr.String() {
			t.Errorf("lookup of %s: Name %q, Server %q", name, de.Name, de.Server)
		}
	}
	if q := second.queries(); len(q) != 0 {
		t.Errorf("the second server saw %q after a name error", q)
	}
}

// A failing server hands over to the next: SERVFAIL at once, a dead one
// (its address has no host) within the five seconds of one exchange.
func TestLookupNetIPNextServer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		good := &dnsServer{records: map[string][]netip.Addr{"www.example.": mustAddrs("10.0.0.80")}}
		a, b := namePair(t, netstack.Config{}, good)
		bad := &dnsServer{servfail: true}
		if err := bad.start(b, altDNSAddr.String()); err != nil {
			t.Fatal(err)
		}
		dead := netip.AddrPortFrom(deadAddr, 53)
		for _, servers := range [][]netip.AddrPort{{altDNSAddr, dnsAddr}, {dead, dnsAddr}} {
			start := time.Now()
			got, err := conn.LookupNetIP(context.Background(), a, servers, "www.example")
			if err != nil {
				t.Fatalf("servers %v: %v", servers, err)
			}
			if !slices.Equal(got, mustAddrs("10.0.0.80")) {
				t.Errorf("servers %v: %v", servers, got)
			}
			if el := time.Since(start); el > 5*time.Second {
				t.Errorf("servers %v: took %v, want at most one exchange's 5 s", servers, el)
			}
		}
		if q := bad.queries(); len(q) != 1 {
			t.Errorf("the SERVFAIL server saw %q, want one query", q)
		}
	})
}

// With no server answering, each is asked twice, five seconds each, and
// the error is a timeout; a shorter context ends the lookup sooner with
// the context's error.
func TestLookupNetIPTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, _ := namePair(t, netstack.Config{}, nil)
		silent, err := conn.ListenPacket(a, "udp", "10.0.0.1:53") // reads nothing
		if err != nil {
			t.Fatal(err)
		}
		defer silent.Close()
		server := []netip.AddrPort{netip.MustParseAddrPort("10.0.0.1:53")}

		start := time.Now()
		_, err = conn.LookupNetIP(context.Background(), a, server, "www.example")
		var de *net.DNSError
		if !errors.As(err, &de) || !de.IsTimeout || de.IsNotFound {
			t.Errorf("lookup: %v, want a timeout *net.DNSError", err)
		}
		if el := time.Since(start); el != 10*time.Second {
			t.Errorf("lookup took %v, want 2 × 5 s", el)
		}

		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		start = time.Now()
		_, err = conn.LookupNetIP(ctx, a, server, "www.example")
		if !errors.As(err, &de) || !de.IsTimeout || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("lookup with a 1 s context: %v, want a timeout wrapping context.DeadlineExceeded", err)
		}
		if el := time.Since(start); el != time.Second {
			t.Errorf("lookup with a 1 s context took %v", el)
		}
	})
}

// Literals need no server; names that cannot be asked fail without a
// query; no servers at all is ErrNoDNSServers.
func TestLookupNetIPWithoutQuery(t *testing.T) {
	a, _ := namePair(t, netstack.Config{}, nil)
	got, err := conn.LookupNetIP(context.Background(), a, nil, "192.0.2.1")
	if err != nil || !slices.Equal(got, mustAddrs("192.0.2.1")) {
		t.Errorf("literal: %v, %v", got, err)
	}
	for _, name := range []string{"", "10.0.0", "bad name", "-x.example", "a..b"} {
		_, err := conn.LookupNetIP(context.Background(), a, nil, name)
		var de *net.DNSError
		if !errors.As(err, &de) || !de.IsNotFound {
			t.Errorf("lookup of %q: %v, want not found", name, err)
		}
	}
	_, err = conn.LookupNetIP(context.Background(), a, nil, "www.example")
	if !errors.Is(err, conn.ErrNoDNSServers) {
		t.Errorf("lookup without servers: %v, want ErrNoDNSServers", err)
	}
}

// Dial by name asks the stack's servers and nothing else: "localhost",
// which /etc/hosts and Go's resolver would answer with 127.0.0.1, and a
// one-label name, which the host's search domains would extend, both go
// to the server as they are.
func TestDialByNameReadsNothingFromHost(t *testing.T) {
	srv := &dnsServer{records: map[string][]netip.Addr{
		"localhost.": mustAddrs("10.0.0.2"),
		"echo.":      mustAddrs("10.0.0.2"),
	}}
	a, b := namePair(t, netstack.Config{DNS: []netip.AddrPort{dnsAddr}}, srv)
	echoOn(t, b, ":7")
	for _, name := range []string{"localhost", "echo"} {
		c, err := conn.Dial(a, "tcp", name+":7")
		if err != nil {
			t.Fatalf("Dial %s: %v", name, err)
		}
		if got := c.RemoteAddr().String(); got != "10.0.0.2:7" {
			t.Errorf("Dial %s: connected to %s, want 10.0.0.2:7", name, got)
		}
		if _, err := io.WriteString(c, "ping"); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 4)
		if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "ping" {
			t.Errorf("echo: %q, %v", buf, err)
		}
		c.Close()
	}
	if q := srv.queries(); !slices.Equal(q, []string{"udp localhost.", "udp echo."}) {
		t.Errorf("server saw %q", q)
	}
}
