package conn

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"

	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/link/pipe"
	"github.com/renet-go/renet/netstack"
)

// A tunnel in memory: client stack A (10.0.0.1) sends everything over a
// point-to-point link to stack B (10.0.0.2), whose forwarder takes flows
// to every other address.
var farAway = netip.MustParseAddrPort("203.0.113.7:80")

func newTunnel(t *testing.T) (client *netstack.Stack, f *Forwarder) {
	t.Helper()
	a, b := newPair(t, pipe.Config{Medium: link.IP, MTU: 1500})
	f, err := NewForwarder(b, ForwarderConfig{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return a, f
}

func TestForwarderTCPRelay(t *testing.T) {
	client, f := newTunnel(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go func() {
		req, err := f.AcceptTCP(ctx)
		if err != nil {
			return
		}
		c, err := req.Accept(ctx)
		if err != nil {
			return
		}
		defer c.Close()
		c.Write([]byte(req.Src.Addr().String() + " -> " + c.LocalAddr().String()))
	}()
	c, err := Dial(client, "tcp", farAway.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	if want := "10.0.0.1 -> " + farAway.String(); string(got) != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if st := f.Stats(); st.TCPAccepted != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestForwarderTCPReject(t *testing.T) {
	for _, upstream := range []syscall.Errno{syscall.ECONNREFUSED, syscall.EHOSTUNREACH, syscall.ENETUNREACH} {
		client, f := newTunnel(t)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		go func() {
			if req, err := f.AcceptTCP(ctx); err == nil {
				req.Reject(&net.OpError{Op: "dial", Net: "tcp", Err: upstream})
			}
		}()
		_, err := DialContext(ctx, client, "tcp", farAway.String())
		cancel()
		if !errors.Is(err, upstream) {
			t.Fatalf("upstream %v: the client's dial got %v", upstream, err)
		}
	}
}

func TestForwarderUDPFlow(t *testing.T) {
	client, f := newTunnel(t)
	u, err := ListenPacket(client, "udp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	dns := netip.MustParseAddrPort("198.51.100.53:53")
	for _, dst := range []netip.AddrPort{farAway, dns} {
		if _, err := u.WriteTo([]byte("to "+dst.String()), net.UDPAddrFromAddrPort(dst)); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	flow, err := f.AcceptUDP(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer flow.Close()
	if flow.Client().Port() != u.LocalAddr().(*net.UDPAddr).AddrPort().Port() || flow.Client().Addr() != addrA {
		t.Fatalf("flow of %v, want the client's socket %v", flow.Client(), u.LocalAddr())
	}
	buf := make([]byte, 64)
	for _, want := range []netip.AddrPort{farAway, dns} {
		n, dst, err := flow.ReadFrom(buf)
		if err != nil || dst.(*net.UDPAddr).AddrPort() != want || string(buf[:n]) != "to "+want.String() {
			t.Fatalf("flow read %q to %v (%v), want the datagram to %v", buf[:n], dst, err, want)
		}
	}
	from := netip.MustParseAddrPort("192.0.2.1:5")
	if _, err := flow.WriteTo([]byte("full cone"), net.UDPAddrFromAddrPort(from)); err != nil {
		t.Fatal(err)
	}
	u.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, src, err := u.ReadFrom(buf)
	if err != nil || src.(*net.UDPAddr).AddrPort() != from || string(buf[:n]) != "full cone" {
		t.Fatalf("client read %q from %v (%v)", buf[:n], src, err)
	}
}

func TestForwarderEcho(t *testing.T) {
	client, f := newTunnel(t)
	p, err := ListenPing(client, netip.Addr{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ping := func(seq int) {
		m := icmp.Message{Type: ipv4.ICMPTypeEcho, Body: &icmp.Echo{ID: 1, Seq: seq, Data: []byte("are you there")}}
		b, _ := m.Marshal(nil)
		if _, err := p.WriteTo(b, &net.IPAddr{IP: farAway.Addr().AsSlice()}); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	buf := make([]byte, 128)

	// Nobody answers the first: no reply, ever.
	ping(1)
	if _, err := f.AcceptEcho(ctx); err != nil {
		t.Fatal(err)
	}
	p.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if _, _, err := p.ReadFrom(buf); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("a ping nobody answered got %v, want no reply", err)
	}

	// The second the destination "answered".
	ping(2)
	e, err := f.AcceptEcho(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if e.Dst != farAway.Addr() || e.Seq != 2 {
		t.Fatalf("echo request %+v", e)
	}
	if err := e.Reply(); err != nil {
		t.Fatal(err)
	}
	p.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, from, err := p.ReadFrom(buf)
	if err != nil {
		t.Fatal(err)
	}
	m, err := icmp.ParseMessage(1, buf[:n])
	if err != nil || m.Type != ipv4.ICMPTypeEchoReply || from.String() != farAway.Addr().String() {
		t.Fatalf("reply %+v from %v (%v)", m, from, err)
	}
	if echo := m.Body.(*icmp.Echo); echo.Seq != 2 || echo.ID != int(p.ID()) || string(echo.Data) != "are you there" {
		t.Fatalf("reply body %+v", echo)
	}
}

// TestPingConnDial pings the other stack itself, which answers.
func TestPingConnDial(t *testing.T) {
	a, _ := newPair(t, pipe.Config{})
	p, err := DialPing(a, netip.Addr{}, addrB)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	m := icmp.Message{Type: ipv4.ICMPTypeEcho, Body: &icmp.Echo{Seq: 9, Data: []byte("x")}}
	b, _ := m.Marshal(nil)
	if _, err := p.Write(b); err != nil {
		t.Fatal(err)
	}
	p.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 64)
	n, err := p.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	r, err := icmp.ParseMessage(1, buf[:n])
	if err != nil || r.Type != ipv4.ICMPTypeEchoReply || r.Body.(*icmp.Echo).Seq != 9 {
		t.Fatalf("reply %+v (%v)", r, err)
	}
	if _, err := p.WriteTo(b, &net.IPAddr{IP: addrA.AsSlice()}); !errors.Is(err, net.ErrWriteToConnected) {
		t.Fatalf("WriteTo on a connected socket: %v", err)
	}
}

func TestUDPFlowWait(t *testing.T) {
	client, f := newTunnel(t)
	u, err := ListenPacket(client, "udp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	u.WriteTo([]byte("one"), net.UDPAddrFromAddrPort(farAway))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	flow, err := f.AcceptUDP(ctx)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 16)
	if err := flow.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _, err := flow.ReadFrom(buf); err != nil || string(buf[:n]) != "one" {
		t.Fatalf("read %q after Wait: %v", buf[:n], err)
	}
	short, stop := context.WithTimeout(ctx, 20*time.Millisecond)
	defer stop()
	if err := flow.Wait(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait with nothing queued: %v, want the context's deadline", err)
	}
	go u.WriteTo([]byte("two"), net.UDPAddrFromAddrPort(farAway))
	if err := flow.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	flow.Close()
	if err := flow.Wait(ctx); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Wait after Close: %v", err)
	}
}
