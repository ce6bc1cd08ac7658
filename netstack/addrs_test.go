package netstack

import (
	"net/netip"
	"syscall"
	"testing"
	"time"

	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/netstack/tcp"
	"github.com/renet-go/renet/netstack/wire"
)

// TestNoAddressThenAdd is a DHCP client's life: a stack with no address
// broadcasts from 0.0.0.0 and hears broadcasts; then it is given an
// address, which it announces and answers on; then the lease ends.
func TestNoAddressThenAdd(t *testing.T) {
	l := newCaptureLink(link.Ethernet, 1500)
	s, err := New(l, Config{HardwareAddr: ourMAC[:]})
	if err != nil {
		t.Fatal(err)
	}
	l.settle = s.flushWait
	defer s.Close()
	u, err := s.BindUDP(netip.AddrPortFrom(netip.Addr{}, 68))
	if err != nil {
		t.Fatal(err)
	}
	u.SetBroadcast(true)
	if _, err := u.WriteTo([]byte("discover"), netip.MustParseAddrPort("255.255.255.255:67")); err != nil {
		t.Fatal(err)
	}
	out := l.take()
	if len(out) != 1 {
		t.Fatalf("%d frames for one broadcast", len(out))
	}
	p := mustParseIP(t, out[0])
	if p.eth.Dst() != wire.BroadcastMAC || p.ip.Src() != netip.IPv4Unspecified() {
		t.Fatalf("sent %v to %v; want from 0.0.0.0 to the broadcast MAC", p.ip, p.eth.Dst())
	}
	if ud, err := wire.ParseUDP(p.ip.Payload()); err != nil || ud.Checksum() == 0 || !ud.VerifyChecksum(p.ip.Src(), p.ip.Dst()) {
		t.Fatalf("the datagram from 0.0.0.0 has a bad checksum (%v)", err)
	}
	offer := ipPacket(wire.IPv4Fields{Protocol: wire.IPProtoUDP, Src: peerIP, Dst: netip.MustParseAddr("255.255.255.255")},
		udpPacket(netip.AddrPortFrom(peerIP, 67), netip.MustParseAddrPort("255.255.255.255:68"), []byte("offer")))
	s.inject(time.Now(), frame(wire.BroadcastMAC, peerMAC, wire.EtherTypeIPv4, offer))
	buf := make([]byte, 16)
	if n, _, err := u.TryReadFrom(buf); err != nil || string(buf[:n]) != "offer" {
		t.Fatalf("the broadcast reply: %q, %v", buf[:n], err)
	}

	if err := s.AddAddr(ourNet); err != nil {
		t.Fatal(err)
	}
	if err := s.AddAddr(ourNet); err != syscall.EEXIST {
		t.Fatalf("adding it twice: %v", err)
	}
	if err := s.SetGateway(netip.MustParseAddr("192.168.69.254")); err != nil {
		t.Fatal(err)
	}
	if err := s.SetGateway(netip.MustParseAddr("10.9.9.9")); err != syscall.EHOSTUNREACH {
		t.Fatalf("an off-link gateway: %v", err)
	}
	arp := l.take()
	if len(arp) != 1 {
		t.Fatalf("%d frames after AddAddr, want a gratuitous ARP", len(arp))
	}
	s.inject(time.Now(), frame(wire.BroadcastMAC, peerMAC, wire.EtherTypeARP, arpPacket(wire.ARPRequest, peerMAC, peerIP, wire.MAC{}, ourIP)))
	if len(l.take()) != 1 {
		t.Fatal("no ARP reply for the new address")
	}
	if err := s.RemoveAddr(ourIP); err != nil {
		t.Fatal(err)
	}
	s.inject(time.Now(), fromPeer(ipPacket(wire.IPv4Fields{Protocol: wire.IPProtoICMP, Src: peerIP, Dst: ourIP}, echoRequest(1, 1, nil))))
	if len(l.take()) != 0 || len(s.Addrs()) != 0 {
		t.Fatalf("still answering after RemoveAddr: %v", s.Addrs())
	}
}

// TestBroadcastFromUnspecifiedTaken: a DHCP server on a renet stack hears
// clients that have no address yet.
func TestBroadcastFromUnspecifiedTaken(t *testing.T) {
	s, l := newTestStack(t)
	u, err := s.BindUDP(netip.AddrPortFrom(netip.Addr{}, 67))
	if err != nil {
		t.Fatal(err)
	}
	bcast := netip.MustParseAddr("255.255.255.255")
	d := ipPacket(wire.IPv4Fields{Protocol: wire.IPProtoUDP, Src: netip.IPv4Unspecified(), Dst: bcast},
		udpPacket(netip.AddrPortFrom(netip.IPv4Unspecified(), 68), netip.AddrPortFrom(bcast, 67), []byte("discover")))
	s.inject(time.Now(), frame(wire.BroadcastMAC, peerMAC, wire.EtherTypeIPv4, d))
	buf := make([]byte, 16)
	if n, from, err := u.TryReadFrom(buf); err != nil || string(buf[:n]) != "discover" || !from.Addr().IsUnspecified() {
		t.Fatalf("read %q from %v: %v", buf[:n], from, err)
	}
	// Unicast, or anything but UDP, from 0.0.0.0 is still a bad source.
	s.inject(time.Now(), fromPeer(ipPacket(wire.IPv4Fields{Protocol: wire.IPProtoICMP, Src: netip.IPv4Unspecified(), Dst: ourIP}, echoRequest(1, 1, nil))))
	if s.Stats().Dropped(DropIPBadSource) != 1 || len(l.take()) != 0 {
		t.Fatal("an echo request from 0.0.0.0 was taken")
	}
}

// TestSetMTU lowers the MTU as a DHCP server's option 26 asks: datagrams
// are then fragmented to it and new connections take a smaller MSS.
func TestSetMTU(t *testing.T) {
	s, l := newTestStack(t)
	resolvePeer(t, s, l)
	if err := s.SetMTU(2000); err == nil {
		t.Fatal("an MTU above the link's was taken")
	}
	if err := s.SetMTU(576); err != nil {
		t.Fatal(err)
	}
	u, _ := s.BindUDP(netip.AddrPortFrom(ourIP, 5000))
	u.WriteTo(make([]byte, 1000), netip.AddrPortFrom(peerIP, 5001))
	out := l.take()
	if len(out) != 2 {
		t.Fatalf("%d frames for 1000 bytes at MTU 576, want 2 fragments", len(out))
	}
	for _, f := range out {
		if len(f)-wire.EthernetHeaderLen > 576 {
			t.Fatalf("a %d-byte packet at MTU 576", len(f)-wire.EthernetHeaderLen)
		}
	}
	if c := s.tcpConfigLocked(); c.MSS != 536 {
		t.Fatalf("MSS %d at MTU 576, want 536", c.MSS)
	}
}

func (s *Stack) tcpConfigLocked() tcp.Config {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tcpConfig()
}
