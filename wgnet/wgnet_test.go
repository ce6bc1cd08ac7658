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
	"testing"
	"time"

	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
	"golang.zx2c4.com/wireguard/tun"

	"github.com/renet-go/renet/conn"
)

// pair returns two Nets, 10.0.0.1 (a, the client, whose DNS server is b)
// and 10.0.0.2 (b), joined by a wire between their devices.
func pair(t *testing.T) (a, b *Net) {
	devA, a := newNet(t, "10.0.0.1", "10.0.0.2")
	devB, b := newNet(t, "10.0.0.2")
	wire(t, devA, devB)
	return a, b
}

func serveHTTP(t testing.TB, l net.Listener, h http.Handler) {
	srv := &http.Server{Handler: h}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
}

func hello(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintf(w, "hello %s from %s", r.RemoteAddr, r.Host)
}

func TestHTTP(t *testing.T) {
	a, b := pair(t)
	l, err := b.ListenTCP(&net.TCPAddr{Port: 80})
	if err != nil {
		t.Fatal(err)
	}
	serveHTTP(t, l, http.HandlerFunc(hello))

	client := http.Client{Transport: &http.Transport{DialContext: a.DialContext}}
	defer client.CloseIdleConnections()
	resp, err := client.Get("http://10.0.0.2/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.HasPrefix(body, []byte("hello 10.0.0.1:")) {
		t.Errorf("body %q", body)
	}
}

func TestLookupAndDialByName(t *testing.T) {
	a, b := pair(t)
	pc, err := b.ListenUDPAddrPort(netip.MustParseAddrPort("10.0.0.2:53"))
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	dl, err := b.ListenTCPAddrPort(netip.MustParseAddrPort("10.0.0.2:53"))
	if err != nil {
		t.Fatal(err)
	}
	defer dl.Close()
	dnsServer(t, pc, dl, map[string][]netip.Addr{
		"web.test.": rrs("10.0.0.2"),
		"big.test.": rrs("10.0.0.9"),
	}, map[string]bool{"big.test.": true})

	addrs, err := a.LookupHost("web.test")
	if err != nil || len(addrs) != 1 || addrs[0] != "10.0.0.2" {
		t.Errorf("LookupHost(web.test) = %v, %v", addrs, err)
	}
	addrs, err = a.LookupContextHost(context.Background(), "big.test.")
	if err != nil || len(addrs) != 1 || addrs[0] != "10.0.0.9" {
		t.Errorf("LookupHost(big.test.), truncated over UDP = %v, %v", addrs, err)
	}
	_, err = a.LookupHost("missing.test")
	var dnsErr *net.DNSError
	if !errors.As(err, &dnsErr) || !dnsErr.IsNotFound {
		t.Errorf("LookupHost(missing.test) error = %#v, want IsNotFound", err)
	}
	if addrs, err := a.LookupHost("192.0.2.1"); err != nil || addrs[0] != "192.0.2.1" {
		t.Errorf("LookupHost(literal) = %v, %v", addrs, err)
	}
	// b was given no DNS servers: a name fails at once, a literal does not.
	if _, err := b.LookupHost("web.test"); !errors.As(err, &dnsErr) || !errors.Is(err, conn.ErrNoDNSServers) {
		t.Errorf("LookupHost without DNS servers: %v, want a *net.DNSError wrapping conn.ErrNoDNSServers", err)
	}
	if addrs, err := b.LookupHost("10.0.0.1"); err != nil || addrs[0] != "10.0.0.1" {
		t.Errorf("LookupHost(literal) without DNS servers = %v, %v", addrs, err)
	}

	l, err := b.ListenTCPAddrPort(netip.AddrPort{})
	if err != nil {
		t.Fatal(err)
	}
	serveHTTP(t, l, http.HandlerFunc(hello))
	port := l.Addr().(*net.TCPAddr).Port
	client := http.Client{Transport: &http.Transport{DialContext: a.DialContext}}
	defer client.CloseIdleConnections()
	resp, err := client.Get(fmt.Sprintf("http://web.test:%d/", port))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Contains(body, []byte("from web.test:")) {
		t.Errorf("body %q", body)
	}
}

func TestUDPEcho(t *testing.T) {
	a, b := pair(t)
	srv, err := b.ListenUDP(&net.UDPAddr{Port: 7})
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

	c, err := a.DialUDP(nil, &net.UDPAddr{IP: net.IPv4(10, 0, 0, 2), Port: 7})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 2000)
	for i := range 10 {
		msg := fmt.Appendf(nil, "datagram %d", i)
		if _, err := c.Write(msg); err != nil {
			t.Fatal(err)
		}
		n, err := c.Read(buf)
		if err != nil || !bytes.Equal(buf[:n], msg) {
			t.Fatalf("echo %d = %q, %v", i, buf[:n], err)
		}
	}

	// An unconnected socket, by string dial of "udp".
	uc, err := a.Dial("udp4", "10.0.0.2:7")
	if err != nil {
		t.Fatal(err)
	}
	defer uc.Close()
	uc.SetDeadline(time.Now().Add(10 * time.Second))
	uc.Write([]byte("via Dial"))
	if n, err := uc.Read(buf); err != nil || string(buf[:n]) != "via Dial" {
		t.Errorf("Dial udp4 echo = %q, %v", buf[:n], err)
	}
}

// echoRequest builds an ICMP echo request as a wireguard-go user does.
func echoRequest(t testing.TB, seq int, data []byte) []byte {
	b, err := (&icmp.Message{Type: ipv4.ICMPTypeEcho, Body: &icmp.Echo{Seq: seq, Data: data}}).Marshal(nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkReply parses an echo reply and compares it with what was sent.
func checkReply(t testing.TB, b []byte, seq int, data []byte) {
	t.Helper()
	m, err := icmp.ParseMessage(1, b)
	if err != nil {
		t.Fatal(err)
	}
	echo, ok := m.Body.(*icmp.Echo)
	if m.Type != ipv4.ICMPTypeEchoReply || !ok || echo.Seq != seq || !bytes.Equal(echo.Data, data) {
		t.Fatalf("reply %v %+v, want echo reply seq %d data %q", m.Type, m.Body, seq, data)
	}
}

func TestPing(t *testing.T) {
	a, _ := pair(t)
	data := []byte("gopher burrow")

	// As wireguard-go's ping_client example: Dial("ping4", host).
	c, err := a.Dial("ping4", "10.0.0.2")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write(echoRequest(t, 7, data)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1500)
	n, err := c.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	checkReply(t, buf[:n], 7, data)

	// Unconnected, with WriteTo and ReadFrom.
	pc, err := a.ListenPingAddr(netip.MustParseAddr("10.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	if got := pc.LocalAddr().String(); got != "10.0.0.1" {
		t.Errorf("LocalAddr = %s", got)
	}
	pc.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := pc.WriteTo(echoRequest(t, 8, data), &net.IPAddr{IP: net.IPv4(10, 0, 0, 2)}); err != nil {
		t.Fatal(err)
	}
	n, from, err := pc.ReadFrom(buf)
	if err != nil {
		t.Fatal(err)
	}
	if pa, ok := from.(*PingAddr); !ok || pa.Addr() != netip.MustParseAddr("10.0.0.2") || pa.Network() != "ping4" {
		t.Errorf("ReadFrom address %#v", from)
	}
	checkReply(t, buf[:n], 8, data)

	// A read deadline in the past ends a blocked read.
	done := make(chan error, 1)
	pc.SetReadDeadline(time.Time{})
	go func() { _, _, err := pc.ReadFrom(buf); done <- err }()
	pc.SetReadDeadline(time.Now())
	if err := <-done; !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("ReadFrom after deadline: %v", err)
	}
	// Close ends a blocked read.
	pc.SetReadDeadline(time.Time{})
	go func() { _, _, err := pc.ReadFrom(buf); done <- err }()
	pc.Close()
	if err := <-done; !errors.Is(err, net.ErrClosed) {
		t.Errorf("ReadFrom after Close: %v", err)
	}
}

func TestListenerShutdown(t *testing.T) {
	_, b := pair(t)
	l, err := b.ListenTCPAddrPort(netip.MustParseAddrPort("10.0.0.2:8080"))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := l.Accept(); done <- err }()
	l.Shutdown()
	if err := <-done; err == nil {
		t.Error("Accept returned a connection after Shutdown")
	}
	// The port is free again.
	l2, err := b.ListenTCPAddrPort(netip.MustParseAddrPort("10.0.0.2:8080"))
	if err != nil {
		t.Fatal(err)
	}
	l2.Close()
}

func TestDevice(t *testing.T) {
	dev, n := newNet(t, "10.0.0.1")
	if ev := <-dev.Events(); ev != tun.EventUp {
		t.Errorf("first event %v, want EventUp", ev)
	}
	if mtu, _ := dev.MTU(); mtu != 1420 {
		t.Errorf("MTU %d", mtu)
	}
	if dev.BatchSize() != 128 || dev.File() != nil {
		t.Errorf("BatchSize %d, File %v", dev.BatchSize(), dev.File())
	}
	// A dial sends a SYN into the device.
	go n.DialTCPAddrPort(netip.MustParseAddrPort("192.0.2.1:80"))
	bufs, sizes := [][]byte{make([]byte, 1500)}, []int{0}
	if k, err := dev.Read(bufs, sizes, 16); err != nil || k != 1 {
		t.Fatalf("Read = %d, %v", k, err)
	}
	if h, err := ipv4.ParseHeader(bufs[0][16 : 16+sizes[0]]); err != nil || !h.Dst.Equal(net.IPv4(192, 0, 2, 1)) || h.Protocol != 6 {
		t.Errorf("read %v, %v; want a TCP packet to 192.0.2.1", h, err)
	}

	done := make(chan error, 1)
	go func() {
		for {
			if _, err := dev.Read(bufs, sizes, 16); err != nil {
				done <- err
				return
			}
		}
	}()
	dev.Close()
	if err := <-done; !errors.Is(err, os.ErrClosed) {
		t.Errorf("Read after Close: %v", err)
	}
	if _, err := dev.Write([][]byte{make([]byte, 40)}, 0); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Write after Close: %v", err)
	}
	if _, ok := <-dev.Events(); ok {
		t.Error("Events not closed")
	}
	if err := dev.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
