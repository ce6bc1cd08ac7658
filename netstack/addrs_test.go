package netstack

import (
	"net/netip"
	"syscall"
	"testing"
	"time"

	"github.com/renet-go/renet/link"
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
