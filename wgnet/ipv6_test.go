package wgnet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv6"
	"golang.zx2c4.com/wireguard/tun/netstack"
)

// pair6 returns two Nets joined by a wire: a (fd00::1, the client, whose
// DNS server is fd00::2) and b (fd00::2), with the IPv4 addresses
// 10.0.0.1 and 10.0.0.2 too when dual.
func pair6(t *testing.T, dual bool) (a, b *Net) {
	la, lb := "fd00::1", "fd00::2"
	if dual {
		la, lb = "10.0.0.1,"+la, "10.0.0.2,"+lb
	}
	devA, a := newNet(t, la, "fd00::2")
	devB, b := newNet(t, lb)
	wire(t, devA, devB)
	return a, b
}

// serveDNS6 serves records on b's [fd00::2]:53, over UDP and TCP.
func serveDNS6(t *testing.T, b *Net, records map[string][]netip.Addr, truncate map[string]bool) {
	t.Helper()
	pc, err := b.ListenUDPAddrPort(netip.MustParseAddrPort("[fd00::2]:53"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	l, err := b.ListenTCPAddrPort(netip.MustParseAddrPort("[fd00::2]:53"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	dnsServer(t, pc, l, records, truncate)
}

func TestCreateNetTUNIPv6(t *testing.T) {
	_, n := newNet(t, "10.0.0.1,fd00::1,::ffff:10.0.0.3,fe80::1%wg0", "fd00::53", "10.0.0.53")
	want := []netip.Prefix{
		netip.MustParsePrefix("10.0.0.1/32"), netip.MustParsePrefix("fd00::1/128"),
		netip.MustParsePrefix("10.0.0.3/32"), netip.MustParsePrefix("fe80::1/128"),
	}
	if got := n.Stack().Addrs(); !slices.Equal(got, want) {
		t.Errorf("Addrs = %v, want %v", got, want)
	}
	wantDNS := []netip.AddrPort{netip.MustParseAddrPort("[fd00::53]:53"), netip.MustParseAddrPort("10.0.0.53:53")}
	if got := n.Stack().DNS(); !slices.Equal(got, wantDNS) {
		t.Errorf("DNS = %v, want %v", got, wantDNS)
	}
	if _, _, err := CreateNetTUN([]netip.Addr{{}}, nil, 1420); err == nil {
		t.Error("the zero Addr accepted as a local address")
	}
	if _, _, err := CreateNetTUN([]netip.Addr{netip.MustParseAddr("fd00::1")}, []netip.Addr{{}}, 1420); err == nil {
		t.Error("the zero Addr accepted as a DNS server")
	}
}

func TestHTTP6(t *testing.T) {
	for _, dual := range []bool{false, true} {
		t.Run(fmt.Sprint("dual=", dual), func(t *testing.T) {
			a, b := pair6(t, dual)
			// The zero address listens on ::, both families.
			l, err := b.ListenTCP(&net.TCPAddr{Port: 80})
			if err != nil {
				t.Fatal(err)
			}
			if got := l.Addr().String(); got != "[::]:80" {
				t.Errorf("listener address %s, want [::]:80", got)
			}
			serveHTTP(t, l, http.HandlerFunc(hello))
			client := http.Client{Transport: &http.Transport{DialContext: a.DialContext}}
			defer client.CloseIdleConnections()
			urls := map[string]string{"http://[fd00::2]/": "hello [fd00::1]:"}
			if dual {
				urls["http://10.0.0.2/"] = "hello 10.0.0.1:"
			}
			for url, want := range urls {
				resp, err := client.Get(url)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if !bytes.HasPrefix(body, []byte(want)) {
					t.Errorf("GET %s: body %q, want %q...", url, body, want)
				}
			}

			// DialTCP with a *net.TCPAddr, and "tcp6" by string.
			c, err := a.DialTCP(&net.TCPAddr{IP: net.ParseIP("fd00::2"), Port: 80})
			if err != nil {
				t.Fatal(err)
			}
			if got := c.LocalAddr().(*net.TCPAddr).AddrPort().Addr(); got != netip.MustParseAddr("fd00::1") {
				t.Errorf("LocalAddr %v", c.LocalAddr())
			}
			c.Close()
			c2, err := a.Dial("tcp6", "[fd00::2]:80")
			if err != nil {
				t.Fatal(err)
			}
			c2.Close()
			if _, err := a.Dial("tcp4", "[fd00::2]:80"); err == nil {
				t.Error(`Dial("tcp4", "[fd00::2]:80") succeeded`)
			}
			// Nothing listens on 81: refused.
			if _, err := a.DialTCPAddrPort(netip.MustParseAddrPort("[fd00::2]:81")); err == nil {
				t.Error("dial to a closed port succeeded")
			}

			// 0.0.0.0 takes IPv4 only, fd00::2 IPv6 only.
			l4, err := b.ListenTCPAddrPort(netip.MustParseAddrPort("0.0.0.0:82"))
			if err != nil {
				t.Fatal(err)
			}
			defer l4.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if _, err := a.DialContextTCPAddrPort(ctx, netip.MustParseAddrPort("[fd00::2]:82")); err == nil {
				t.Error("an IPv6 dial reached a 0.0.0.0 listener")
			}
		})
	}
}

func TestUDPEcho6(t *testing.T) {
	a, b := pair6(t, false)
	srv, err := b.ListenUDP(&net.UDPAddr{IP: net.ParseIP("fd00::2"), Port: 7})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	go func() {
		buf := make([]byte, 2000)
		for {
			n, from, err := srv.ReadFrom(buf)
			if err != nil {
				return
			}
			srv.WriteTo(buf[:n], from)
		}
	}()
	buf := make([]byte, 2000)
	echo := func(c net.Conn, msg string) {
		t.Helper()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := c.Write([]byte(msg)); err != nil {
			t.Fatal(err)
		}
		if n, err := c.Read(buf); err != nil || string(buf[:n]) != msg {
			t.Errorf("echo %q = %q, %v", msg, buf[:n], err)
		}
	}

	c, err := a.DialUDP(nil, &net.UDPAddr{IP: net.ParseIP("fd00::2"), Port: 7})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if la := c.LocalAddr().(*net.UDPAddr).AddrPort(); la.Addr() != netip.MustParseAddr("fd00::1") {
		t.Errorf("LocalAddr %v", la)
	}
	echo(c, "DialUDP")

	uc, err := a.Dial("udp6", "[fd00::2]:7")
	if err != nil {
		t.Fatal(err)
	}
	defer uc.Close()
	echo(uc, "Dial udp6")

	// A local port of the caller's choosing, no address.
	pc, err := a.DialUDPAddrPort(netip.AddrPortFrom(netip.Addr{}, 4242), netip.MustParseAddrPort("[fd00::2]:7"))
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	if la := pc.LocalAddr().(*net.UDPAddr).AddrPort(); la.Port() != 4242 || !la.Addr().Is6() {
		t.Errorf("LocalAddr %v, want an IPv6 address, port 4242", la)
	}
	echo(pc, "local port")

	// Unconnected, on the wildcard (::).
	lc, err := a.ListenUDPAddrPort(netip.AddrPort{})
	if err != nil {
		t.Fatal(err)
	}
	defer lc.Close()
	lc.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := lc.WriteTo([]byte("unconnected"), &net.UDPAddr{IP: net.ParseIP("fd00::2"), Port: 7}); err != nil {
		t.Fatal(err)
	}
	n, from, err := lc.ReadFrom(buf)
	if err != nil || string(buf[:n]) != "unconnected" || from.(*net.UDPAddr).AddrPort() != netip.MustParseAddrPort("[fd00::2]:7") {
		t.Errorf("ReadFrom = %q, %v, %v", buf[:n], from, err)
	}
}

// echoRequest6 builds an ICMPv6 echo request as a wireguard-go user does.
func echoRequest6(t testing.TB, seq int, data []byte) []byte {
	b, err := (&icmp.Message{Type: ipv6.ICMPTypeEchoRequest, Body: &icmp.Echo{ID: 1234, Seq: seq, Data: data}}).Marshal(nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkReply6 parses an ICMPv6 echo reply and compares it with what was
// sent.
func checkReply6(t testing.TB, b []byte, seq int, data []byte) {
	t.Helper()
	m, err := icmp.ParseMessage(58, b)
	if err != nil {
		t.Fatal(err)
	}
	echo, ok := m.Body.(*icmp.Echo)
	if m.Type != ipv6.ICMPTypeEchoReply || !ok || echo.Seq != seq || !bytes.Equal(echo.Data, data) {
		t.Fatalf("reply %v %+v, want ICMPv6 echo reply seq %d data %q", m.Type, m.Body, seq, data)
	}
}

func TestPing6(t *testing.T) {
	a, _ := pair6(t, true)
	data := []byte("gopher burrow, v6")
	buf := make([]byte, 1500)

	// As wireguard-go's ping_client example, with "ping6".
	c, err := a.Dial("ping6", "fd00::2")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if la, ra := c.LocalAddr(), c.RemoteAddr(); la.String() != "::" || la.Network() != "ping6" || ra.String() != "fd00::2" {
		t.Errorf("LocalAddr %s/%s, RemoteAddr %s", la.Network(), la, ra)
	}
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write(echoRequest6(t, 7, data)); err != nil {
		t.Fatal(err)
	}
	n, err := c.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	checkReply6(t, buf[:n], 7, data)

	// An ICMPv4 request on an ICMPv6 socket is refused.
	if _, err := c.Write(echoRequest(t, 8, data)); err == nil {
		t.Error("an ICMPv4 echo request written to a ping6 socket")
	}

	// DialPing with *PingAddrs; "ping" picks the family of the address.
	for _, dial := range []func() (*PingConn, error){
		func() (*PingConn, error) { return a.DialPing(nil, PingAddrFromAddr(netip.MustParseAddr("fd00::2"))) },
		func() (*PingConn, error) {
			c, err := a.Dial("ping", "fd00::2")
			if err != nil {
				return nil, err
			}
			return c.(*PingConn), nil
		},
	} {
		pc, err := dial()
		if err != nil {
			t.Fatal(err)
		}
		pc.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := pc.Write(echoRequest6(t, 9, data)); err != nil {
			t.Fatal(err)
		}
		n, err := pc.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		checkReply6(t, buf[:n], 9, data)
		pc.Close()
	}

	// Unconnected, bound to our address, with WriteTo and ReadFrom.
	pc, err := a.ListenPingAddr(netip.MustParseAddr("fd00::1"))
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	pc.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := pc.WriteTo(echoRequest6(t, 10, data), &net.IPAddr{IP: net.ParseIP("fd00::2")}); err != nil {
		t.Fatal(err)
	}
	n, from, err := pc.ReadFrom(buf)
	if err != nil {
		t.Fatal(err)
	}
	if pa, ok := from.(*PingAddr); !ok || pa.Addr() != netip.MustParseAddr("fd00::2") || pa.Network() != "ping6" {
		t.Errorf("ReadFrom address %#v", from)
	}
	checkReply6(t, buf[:n], 10, data)

	// The other family is refused, both ways.
	_, err = pc.WriteTo(echoRequest(t, 11, data), PingAddrFromAddr(netip.MustParseAddr("10.0.0.2")))
	var opErr *net.OpError
	if !errors.As(err, &opErr) || opErr.Net != "ping6" {
		t.Errorf("WriteTo an IPv4 address on a ping6 socket: %v", err)
	}
	p4, err := a.ListenPingAddr(netip.IPv4Unspecified())
	if err != nil {
		t.Fatal(err)
	}
	defer p4.Close()
	if _, err := p4.WriteTo(echoRequest6(t, 12, data), PingAddrFromAddr(netip.MustParseAddr("fd00::2"))); err == nil {
		t.Error("WriteTo an IPv6 address on a ping4 socket succeeded")
	}
	if _, err := a.DialPingAddr(netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("fd00::2")); err == nil {
		t.Error("DialPingAddr(10.0.0.1, fd00::2) succeeded")
	}

	// ping4 still works on the dual-stack Net.
	c4, err := a.Dial("ping4", "10.0.0.2")
	if err != nil {
		t.Fatal(err)
	}
	defer c4.Close()
	c4.SetReadDeadline(time.Now().Add(10 * time.Second))
	c4.Write(echoRequest(t, 13, data))
	if n, err := c4.Read(buf); err != nil {
		t.Fatal(err)
	} else {
		checkReply(t, buf[:n], 13, data)
	}

	// A read deadline ends a blocked read on an ICMPv6 socket too.
	pc.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if _, _, err := pc.ReadFrom(buf); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("ReadFrom after deadline: %v", err)
	}
}

// TestPing6IPv6Only: on a Net with IPv6 addresses only, a zero
// ListenPingAddr is ::.
func TestPing6IPv6Only(t *testing.T) {
	a, _ := pair6(t, false)
	pc, err := a.ListenPing(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	if la := pc.LocalAddr(); la.String() != "::" || la.Network() != "ping6" {
		t.Errorf("LocalAddr %s/%s, want ping6/::", la.Network(), la)
	}
	pc.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := pc.WriteTo(echoRequest6(t, 1, nil), PingAddrFromAddr(netip.MustParseAddr("fd00::2"))); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1500)
	n, _, err := pc.ReadFrom(buf)
	if err != nil {
		t.Fatal(err)
	}
	checkReply6(t, buf[:n], 1, nil)
}

var records6 = map[string][]netip.Addr{
	"dual.test.": rrs("10.0.0.2", "fd00::2", "fd00::99"),
	"v6.test.":   rrs("fd00::2"),
	"v4.test.":   rrs("10.0.0.2"),
	"big6.test.": rrs("fd00::2"),
}

func TestLookup6(t *testing.T) {
	for _, dual := range []bool{false, true} {
		t.Run(fmt.Sprint("dual=", dual), func(t *testing.T) {
			a, b := pair6(t, dual)
			serveDNS6(t, b, records6, map[string]bool{"big6.test.": true})
			want := map[string][]string{
				"dual.test": {"fd00::2", "fd00::99"},
				"v6.test":   {"fd00::2"},
				"big6.test": {"fd00::2"}, // over TCP, the UDP answer truncated
				"v4.test":   nil,         // no address of a's families
				"no.test":   nil,
			}
			if dual {
				// IPv6 first, as tun/netstack on a Net with IPv6.
				want["dual.test"] = []string{"fd00::2", "fd00::99", "10.0.0.2"}
				want["v4.test"] = []string{"10.0.0.2"}
			}
			for host, w := range want {
				got, err := a.LookupHost(host)
				if w == nil {
					var dnsErr *net.DNSError
					if !errors.As(err, &dnsErr) || !dnsErr.IsNotFound {
						t.Errorf("LookupHost(%s) = %v, %v; want IsNotFound", host, got, err)
					}
					continue
				}
				if err != nil || !slices.Equal(got, w) {
					t.Errorf("LookupHost(%s) = %v, %v; want %v", host, got, err, w)
				}
			}

			// Dial by name: the first address that answers, IPv6 first.
			l, err := b.ListenTCPAddrPort(netip.AddrPortFrom(netip.Addr{}, 80))
			if err != nil {
				t.Fatal(err)
			}
			serveHTTP(t, l, http.HandlerFunc(hello))
			c, err := a.Dial("tcp", "v6.test:80")
			if err != nil {
				t.Fatal(err)
			}
			if got := c.RemoteAddr().String(); got != "[fd00::2]:80" {
				t.Errorf("Dial tcp v6.test: RemoteAddr %s", got)
			}
			c.Close()
			if _, err := a.Dial("tcp4", "v6.test:80"); err == nil {
				t.Error(`Dial("tcp4", "v6.test:80") succeeded`)
			}
			p, err := a.Dial("ping6", "v6.test")
			if err != nil {
				t.Fatal(err)
			}
			if got := p.RemoteAddr().String(); got != "fd00::2" {
				t.Errorf("Dial ping6 v6.test: RemoteAddr %s", got)
			}
			p.Close()
			client := http.Client{Transport: &http.Transport{DialContext: a.DialContext}}
			defer client.CloseIdleConnections()
			resp, err := client.Get("http://v6.test/")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !strings.HasPrefix(string(body), "hello [fd00::1]:") || !strings.Contains(string(body), "from v6.test") {
				t.Errorf("body %q", body)
			}
			if dual {
				c, err := a.Dial("tcp4", "dual.test:80")
				if err != nil {
					t.Fatal(err)
				}
				if got := c.RemoteAddr().String(); got != "10.0.0.2:80" {
					t.Errorf("Dial tcp4 dual.test: RemoteAddr %s", got)
				}
				c.Close()
			}
		})
	}
}

// TestLookupOrderAsGVisor asks tun/netstack's Net and wgnet's the same
// names from the same server and expects the same answers.
func TestLookupOrderAsGVisor(t *testing.T) {
	for _, locals := range []string{"fd00::1", "10.0.0.1,fd00::1", "10.0.0.1"} {
		t.Run(locals, func(t *testing.T) {
			var addrs []netip.Addr
			for s := range strings.SplitSeq(locals, ",") {
				addrs = append(addrs, netip.MustParseAddr(s))
			}
			dns := []netip.Addr{netip.MustParseAddr("fd00::2")}
			if !strings.Contains(locals, ":") || strings.Contains(locals, ".") {
				dns = []netip.Addr{netip.MustParseAddr("10.0.0.2")}
			}
			gdev, gn, err := netstack.CreateNetTUN(addrs, dns, 1420)
			if err != nil {
				t.Fatal(err)
			}
			defer gdev.Close()
			wdev, wn := newNet(t, locals, dns[0].String())
			bdev, b := newNet(t, "10.0.0.2,fd00::2")
			bdev2, b2 := newNet(t, "10.0.0.2,fd00::2")
			wire(t, gdev, bdev)
			wire(t, wdev, bdev2)
			for _, srv := range []*Net{b, b2} {
				pc, err := srv.ListenUDPAddrPort(netip.AddrPortFrom(netip.Addr{}, 53))
				if err != nil {
					t.Fatal(err)
				}
				defer pc.Close()
				dnsServer(t, pc, nil, records6, nil)
			}
			for _, host := range []string{"dual.test", "v6.test", "v4.test"} {
				g, gerr := gn.LookupHost(host)
				w, werr := wn.LookupHost(host)
				t.Logf("LookupHost(%s): tun/netstack %v, %v; wgnet %v, %v", host, g, gerr, w, werr)
				if !slices.Equal(g, w) || (gerr == nil) != (werr == nil) {
					t.Errorf("LookupHost(%s): tun/netstack %v, %v; wgnet %v, %v", host, g, gerr, w, werr)
				}
			}
		})
	}
}

func TestDevice6(t *testing.T) {
	dev, n := newNet(t, "fd00::1")
	go n.DialTCPAddrPort(netip.MustParseAddrPort("[2001:db8::1]:80"))
	bufs, sizes := [][]byte{make([]byte, 1500)}, []int{0}
	if k, err := dev.Read(bufs, sizes, 16); err != nil || k != 1 {
		t.Fatalf("Read = %d, %v", k, err)
	}
	p := bufs[0][16 : 16+sizes[0]]
	if len(p) < 40 || p[0]>>4 != 6 || p[6] != 6 || netip.AddrFrom16([16]byte(p[24:40])) != netip.MustParseAddr("2001:db8::1") ||
		netip.AddrFrom16([16]byte(p[8:24])) != netip.MustParseAddr("fd00::1") {
		t.Errorf("read % x; want a TCP packet from fd00::1 to 2001:db8::1", p)
	}
}

// TestIPv6WithGVisor joins a wgnet Net (fd00::2) to tun/netstack's
// (fd00::1): pings and HTTP both ways, and each side's ping6 socket
// reads what the other's does.
func TestIPv6WithGVisor(t *testing.T) {
	gdev, g, err := netstack.CreateNetTUN([]netip.Addr{netip.MustParseAddr("fd00::1")}, nil, 1420)
	if err != nil {
		t.Fatal(err)
	}
	defer gdev.Close()
	wdev, w := newNet(t, "fd00::2")
	wire(t, gdev, wdev)

	data := []byte("between stacks")
	// tun/netstack's PingConn.ReadFrom waits for the next arrival, not
	// looking at what is queued: a reply that comes before it registers is
	// read only when a later one arrives. So read from the start, and ask
	// again until a reply (to any request) is read.
	ping := func(name string, c net.Conn) []byte {
		t.Helper()
		defer c.Close()
		got := make(chan []byte, 1)
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		go func() {
			buf := make([]byte, 1500)
			n, err := c.Read(buf)
			if err != nil {
				close(got)
				return
			}
			got <- buf[:n]
		}()
		for seq := range 40 {
			if _, err := c.Write(echoRequest6(t, seq, data)); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			select {
			case b, ok := <-got:
				if !ok {
					t.Fatalf("%s: no reply", name)
				}
				m, err := icmp.ParseMessage(58, b)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				e, ok := m.Body.(*icmp.Echo)
				if !ok || e.Seq > seq {
					t.Fatalf("%s: read %v %+v", name, m.Type, m.Body)
				}
				checkReply6(t, b, e.Seq, data)
				return b
			case <-time.After(250 * time.Millisecond):
			}
		}
		t.Fatalf("%s: no reply", name)
		return nil
	}
	gc, err := g.DialPingAddr(netip.Addr{}, netip.MustParseAddr("fd00::2"))
	if err != nil {
		t.Fatal(err)
	}
	wc, err := w.DialPingAddr(netip.Addr{}, netip.MustParseAddr("fd00::1"))
	if err != nil {
		t.Fatal(err)
	}
	gr, wr := ping("tun/netstack pings wgnet", gc), ping("wgnet pings tun/netstack", wc)
	// The same message but for the identifier and checksum.
	if len(gr) != len(wr) || !bytes.Equal(gr[:2], wr[:2]) || !bytes.Equal(gr[6:], wr[6:]) {
		t.Errorf("replies read differ: tun/netstack % x, wgnet % x", gr, wr)
	}

	for _, c := range []struct {
		name   string
		listen func(netip.AddrPort) (net.Listener, error)
		dial   dialFunc
		url    string
		want   string
	}{
		{"tun/netstack to wgnet", func(ap netip.AddrPort) (net.Listener, error) { return w.ListenTCPAddrPort(ap) }, g.DialContext, "http://[fd00::2]:8080/", "hello [fd00::1]:"},
		{"wgnet to tun/netstack", func(ap netip.AddrPort) (net.Listener, error) { return g.ListenTCPAddrPort(ap) }, w.DialContext, "http://[fd00::1]:8080/", "hello [fd00::2]:"},
	} {
		l, err := c.listen(netip.AddrPortFrom(netip.Addr{}, 8080))
		if err != nil {
			t.Fatal(err)
		}
		serveHTTP(t, l, http.HandlerFunc(hello))
		if body := get(t, c.dial, c.url); !strings.HasPrefix(body, c.want) {
			t.Errorf("%s: body %q", c.name, body)
		}
	}
}

// TestDualStackUDP: on a Net with both families a zero UDP address binds
// ::, which answers IPv4 and IPv6 clients alike.
func TestDualStackUDP(t *testing.T) {
	a, b := pair6(t, true)
	srv, err := b.ListenUDP(&net.UDPAddr{Port: 9})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if got := srv.LocalAddr().String(); got != "[::]:9" {
		t.Errorf("LocalAddr %s, want [::]:9", got)
	}
	go func() {
		buf := make([]byte, 2000)
		for {
			n, from, err := srv.ReadFrom(buf)
			if err != nil {
				return
			}
			srv.WriteTo(buf[:n], from)
		}
	}()
	for _, dst := range []string{"10.0.0.2:9", "[fd00::2]:9"} {
		c, err := a.Dial("udp", dst)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		c.Write([]byte(dst))
		buf := make([]byte, 100)
		if n, err := c.Read(buf); err != nil || string(buf[:n]) != dst {
			t.Errorf("echo via %s = %q, %v", dst, buf[:n], err)
		}
		c.Close()
	}
}
