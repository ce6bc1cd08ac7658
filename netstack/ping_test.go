package netstack

import (
	"errors"
	"net"
	"net/netip"
	"syscall"
	"testing"
	"time"

	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/netstack/wire"
)

func TestPingSocket(t *testing.T) {
	l := newCaptureLink(link.IP, 1500)
	s, err := New(l, Config{Addrs: []netip.Prefix{ourNet}})
	if err != nil {
		t.Fatal(err)
	}
	l.settle = s.flushWait
	defer s.Close()
	p, err := s.OpenPing(netip.Addr{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.WriteTo(echoRequest(999, 5, []byte("abc")), peerIP); err != nil {
		t.Fatal(err)
	}
	ip := onlyPacket(t, l)
	m, err := wire.ParseICMPv4(ip.Payload())
	if err != nil || m.Type() != wire.ICMPEchoRequest || m.ID() != p.ID() || m.Seq() != 5 || string(m.Payload()) != "abc" {
		t.Fatalf("sent %v (%v), want an echo request with the socket's id %d", ip, err, p.ID())
	}
	reply := func(id uint16) []byte {
		b := echoRequest(id, 5, []byte("abc"))
		b[0] = byte(wire.ICMPEchoReply)
		(&wire.ICMPv4Fields{Type: wire.ICMPEchoReply, Rest: wire.EchoRest(id, 5)}).Encode(b)
		return ipPacket(wire.IPv4Fields{Protocol: wire.IPProtoICMP, Src: peerIP, Dst: ourIP}, b)
	}
	s.inject(time.Now(), reply(p.ID()+1)) // someone else's
	s.inject(time.Now(), reply(p.ID()))
	buf := make([]byte, 100)
	n, from, err := p.TryReadFrom(buf)
	if err != nil || from != peerIP {
		t.Fatalf("read from %v: %v", from, err)
	}
	if m := wire.ICMPv4(buf[:n]); m.Type() != wire.ICMPEchoReply || m.ID() != p.ID() || string(m.Payload()) != "abc" {
		t.Fatalf("read %x", buf[:n])
	}
	if _, _, err := p.TryReadFrom(buf); err != ErrWouldBlock {
		t.Fatalf("a reply with another identifier was delivered (%v)", err)
	}
	if _, err := p.WriteTo([]byte{0, 0, 0, 0, 0, 0, 0, 0}, peerIP); err != syscall.EINVAL {
		t.Fatalf("writing an echo reply: %v, want EINVAL", err)
	}
	p.Close()
	if _, _, err := p.TryReadFrom(buf); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("read after Close: %v", err)
	}
}

func TestPingOurselves(t *testing.T) {
	s, _ := newTestStack(t)
	p, err := s.OpenPing(ourIP)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.WriteTo(echoRequest(0, 1, []byte("me")), ourIP); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	n, from, err := p.TryReadFrom(buf)
	if err != nil || from != ourIP || string(wire.ICMPv4(buf[:n]).Payload()) != "me" {
		t.Fatalf("read %x from %v: %v", buf[:n], from, err)
	}
	if _, err := s.OpenPing(netip.MustParseAddr("10.1.1.1")); err != syscall.EADDRNOTAVAIL {
		t.Fatalf("binding a foreign address: %v", err)
	}
}
