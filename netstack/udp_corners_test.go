package netstack

import (
	"errors"
	"net/netip"
	"syscall"
	"testing"

	"github.com/renet-go/renet/netstack/wire"
)

// udpFromPeer frames a datagram from peer:src to dst:port.
func udpFromPeer(srcPort uint16, dst netip.AddrPort, payload string) []byte {
	eth := ourMAC
	if dst.Addr().Is4() && dst.Addr().As4()[3] == 255 {
		eth = wire.BroadcastMAC
	}
	return frame(eth, peerMAC, wire.EtherTypeIPv4, ipPacket(wire.IPv4Fields{Protocol: wire.IPProtoUDP, Src: peerIP, Dst: dst.Addr()},
		udpPacket(netip.AddrPortFrom(peerIP, srcPort), dst, []byte(payload))))
}

// readAllUDP drains a socket: each datagram's text, or the error's.
func readAllUDP(u *UDPSocket) []string {
	var got []string
	buf := make([]byte, 100)
	for {
		n, _, err := u.TryReadFrom(buf)
		switch {
		case errors.Is(err, ErrWouldBlock):
			return got
		case err != nil:
			got = append(got, err.Error())
		default:
			got = append(got, string(buf[:n]))
		}
	}
}

// Linux (__udp4_lib_err without IP_RECVERR): a connected socket is told of
// hard ICMP errors only, once, by the next receive, ahead of the datagrams
// already queued (__skb_recv_udp checks the socket error first; see
// conn's TestUDPErrorOrderAgainstLinux); host unreachable and time
// exceeded are not reported.
func TestUDPICMPErrorsInOrder(t *testing.T) {
	s, l := newTestStack(t)
	resolvePeer(t, s, l)
	u, err := s.BindUDP(netip.AddrPortFrom(ourIP, 5000))
	if err != nil {
		t.Fatal(err)
	}
	if err := u.Connect(netip.AddrPortFrom(peerIP, 7000)); err != nil {
		t.Fatal(err)
	}
	if _, err := u.WriteTo([]byte("x"), netip.AddrPort{}); err != nil {
		t.Fatal(err)
	}
	sent := l.take()[0]
	s.inject(t0, udpFromPeer(7000, netip.AddrPortFrom(ourIP, 5000), "one"))
	s.inject(t0, icmpAbout(t, sent, wire.ICMPDestUnreachable, wire.ICMPHostUnreachable))
	s.inject(t0, icmpAbout(t, sent, wire.ICMPTimeExceeded, wire.ICMPTTLExceeded))
	s.inject(t0, udpFromPeer(7000, netip.AddrPortFrom(ourIP, 5000), "two"))
	s.inject(t0, icmpAbout(t, sent, wire.ICMPDestUnreachable, wire.ICMPPortUnreachable))
	s.inject(t0, udpFromPeer(7000, netip.AddrPortFrom(ourIP, 5000), "three"))
	got := readAllUDP(u)
	want := []string{syscall.ECONNREFUSED.Error(), "one", "two", "three"}
	if len(got) != len(want) {
		t.Fatalf("read %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("read %q, want %q", got, want)
		}
	}
}

// Broadcast (Linux): a socket may bind to the subnet's broadcast address or
// 255.255.255.255 and receives what is sent there; a wildcard socket
// receives broadcasts too; sending to a broadcast address needs the
// SO_BROADCAST permission (EACCES without) and leaves from our address to
// the broadcast MAC.
func TestUDPBroadcast(t *testing.T) {
	s, l := newTestStack(t)
	resolvePeer(t, s, l)
	subnet := netip.MustParseAddr("192.168.69.255")
	limited := netip.MustParseAddr("255.255.255.255")
	bs, err := s.BindUDP(netip.AddrPortFrom(subnet, 67))
	if err != nil {
		t.Fatalf("bind to the subnet broadcast: %v", err)
	}
	bl, err := s.BindUDP(netip.AddrPortFrom(limited, 67))
	if err != nil {
		t.Fatalf("bind to 255.255.255.255: %v", err)
	}
	wild, err := s.BindUDP(netip.AddrPortFrom(netip.Addr{}, 68))
	if err != nil {
		t.Fatal(err)
	}
	s.inject(t0, udpFromPeer(1, netip.AddrPortFrom(subnet, 67), "subnet"))
	s.inject(t0, udpFromPeer(1, netip.AddrPortFrom(limited, 67), "limited"))
	s.inject(t0, udpFromPeer(1, netip.AddrPortFrom(limited, 68), "wild"))
	for _, c := range []struct {
		u    *UDPSocket
		want string
	}{{bs, "subnet"}, {bl, "limited"}, {wild, "wild"}} {
		if got := readAllUDP(c.u); len(got) != 1 || got[0] != c.want {
			t.Errorf("socket %v read %q, want %q", c.u.local, got, c.want)
		}
	}
	if _, err := wild.WriteTo([]byte("x"), netip.AddrPortFrom(limited, 67)); !errors.Is(err, syscall.EACCES) {
		t.Fatalf("broadcast without permission: %v, want EACCES", err)
	}
	if err := wild.Connect(netip.AddrPortFrom(subnet, 67)); !errors.Is(err, syscall.EACCES) {
		t.Fatalf("connect to broadcast without permission: %v, want EACCES", err)
	}
	bl.SetBroadcast(true)
	if _, err := bl.WriteTo([]byte("x"), netip.AddrPortFrom(limited, 68)); err != nil {
		t.Fatal(err)
	}
	w := l.take()
	if len(w) != 1 {
		t.Fatalf("%d frames for a broadcast", len(w))
	}
	p := mustParseIP(t, w[0])
	if p.eth.Dst() != wire.BroadcastMAC || p.ip.Src() != ourIP || p.ip.Dst() != limited {
		t.Fatalf("broadcast sent as %v", wire.FormatFrame(w[0]))
	}
}
