package netstack

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/netstack/tcp"
	"github.com/renet-go/renet/netstack/wire"
)

func TestGratuitousARPOnStart(t *testing.T) {
	l := newCaptureLink(link.Ethernet, 1500)
	s, err := New(l, Config{Addrs: []netip.Prefix{ourNet}, HardwareAddr: ourMAC[:]})
	if err != nil {
		t.Fatal(err)
	}
	l.settle = s.flushWait
	defer s.Close()
	w := l.take()
	if len(w) != 1 {
		t.Fatalf("got %d frames on start, want 1 gratuitous ARP", len(w))
	}
	eth, _ := wire.ParseEthernet(w[0])
	a, err := wire.ParseARP(eth.Payload())
	if err != nil {
		t.Fatal(err)
	}
	if !eth.Dst().IsBroadcast() || a.Op() != wire.ARPRequest || a.SenderIP() != ourIP || a.TargetIP() != ourIP || a.SenderMAC() != ourMAC {
		t.Errorf("gratuitous ARP = %v", eth)
	}
	if len(w[0]) < 60 {
		t.Errorf("ARP frame is %d bytes, want padded to 60", len(w[0]))
	}
}

func TestARPRequestAnswered(t *testing.T) {
	s, l := newTestStack(t)
	s.inject(t0, frame(wire.BroadcastMAC, peerMAC, wire.EtherTypeARP,
		arpPacket(wire.ARPRequest, peerMAC, peerIP, wire.MAC{}, ourIP)))
	w := l.take()
	if len(w) != 1 {
		t.Fatalf("got %d frames, want 1 ARP reply", len(w))
	}
	eth, _ := wire.ParseEthernet(w[0])
	a, err := wire.ParseARP(eth.Payload())
	if err != nil {
		t.Fatal(err)
	}
	if eth.Dst() != peerMAC || a.Op() != wire.ARPReply || a.SenderMAC() != ourMAC ||
		a.SenderIP() != ourIP || a.TargetMAC() != peerMAC || a.TargetIP() != peerIP {
		t.Errorf("reply = %v", eth)
	}
	// A request for someone else's address is not answered.
	s.inject(t0, frame(wire.BroadcastMAC, peerMAC, wire.EtherTypeARP,
		arpPacket(wire.ARPRequest, peerMAC, peerIP, wire.MAC{}, netip.MustParseAddr("192.168.69.7"))))
	if w := l.take(); len(w) != 0 {
		t.Errorf("answered ARP for another host: %d frames", len(w))
	}
	if st := s.Stats(); st.ARPRequestsIn != 2 || st.ARPRepliesOut != 1 || st.NeighbourEntries != 1 {
		t.Errorf("stats = %+v", st)
	}
}

func TestPingAnswered(t *testing.T) {
	s, l := newTestStack(t)
	resolvePeer(t, s, l)
	data := []byte("abcdefghijklmnopqrstuvwxyz012345")
	s.inject(t0, fromPeer(ipPacket(wire.IPv4Fields{Protocol: wire.IPProtoICMP, Src: peerIP, Dst: ourIP},
		echoRequest(0x1234, 7, data))))
	w := l.take()
	if len(w) != 1 {
		t.Fatalf("got %d frames, want 1 echo reply", len(w))
	}
	p := mustParseIP(t, w[0])
	if p.eth.Dst() != peerMAC || p.eth.Src() != ourMAC || p.ip.Src() != ourIP || p.ip.Dst() != peerIP {
		t.Fatalf("reply addressed wrongly: %v", wire.FormatFrame(w[0]))
	}
	m, err := wire.ParseICMPv4(p.ip.Payload())
	if err != nil {
		t.Fatal(err)
	}
	if m.Type() != wire.ICMPEchoReply || m.ID() != 0x1234 || m.Seq() != 7 || !bytes.Equal(m.Payload(), data) {
		t.Errorf("reply = %v", m)
	}
}

func TestPingFromUnresolvedPeerResolvesFirst(t *testing.T) {
	s, l := newTestStack(t)
	s.inject(t0, fromPeer(ipPacket(wire.IPv4Fields{Protocol: wire.IPProtoICMP, Src: peerIP, Dst: ourIP},
		echoRequest(1, 1, []byte("x")))))
	w := l.take()
	if len(w) != 1 {
		t.Fatalf("got %d frames, want one ARP request", len(w))
	}
	eth, _ := wire.ParseEthernet(w[0])
	if a, err := wire.ParseARP(eth.Payload()); err != nil || a.TargetIP() != peerIP || a.Op() != wire.ARPRequest {
		t.Fatalf("want who-has %v, got %v", peerIP, wire.FormatFrame(w[0]))
	}
	s.inject(t0, frame(ourMAC, peerMAC, wire.EtherTypeARP, arpPacket(wire.ARPReply, peerMAC, peerIP, ourMAC, ourIP)))
	w = l.take()
	if len(w) != 1 {
		t.Fatalf("got %d frames after ARP reply, want the queued echo reply", len(w))
	}
	if p := mustParseIP(t, w[0]); p.eth.Dst() != peerMAC || p.ip.Protocol() != wire.IPProtoICMP {
		t.Errorf("got %v", wire.FormatFrame(w[0]))
	}
}

// RFC 1122 §2.3.2.1: a neighbour that never answers gets a few requests,
// then what waited for it is dropped.
func TestARPRetriesThenGivesUp(t *testing.T) {
	s, l := newTestStack(t)
	s.inject(t0, fromPeer(ipPacket(wire.IPv4Fields{Protocol: wire.IPProtoICMP, Src: peerIP, Dst: ourIP},
		echoRequest(1, 1, nil))))
	if n := len(l.take()); n != 1 {
		t.Fatalf("want 1 ARP request, got %d frames", n)
	}
	for i := 1; i <= 2; i++ {
		s.runTimers(t0.Add(time.Duration(i) * time.Second))
		if n := len(l.take()); n != 1 {
			t.Fatalf("retry %d: got %d frames, want 1", i, n)
		}
	}
	s.runTimers(t0.Add(3 * time.Second))
	if n := len(l.take()); n != 0 {
		t.Fatalf("after giving up: %d frames", n)
	}
	st := s.Stats()
	if st.Dropped(DropARPUnresolved) != 1 || st.NeighbourEntries != 0 {
		t.Errorf("unresolved drops %d, entries %d", st.Dropped(DropARPUnresolved), st.NeighbourEntries)
	}
}

func TestMalformedAndForeignFramesDroppedAndCounted(t *testing.T) {
	s, l := newTestStack(t)
	resolvePeer(t, s, l)
	ping := ipPacket(wire.IPv4Fields{Protocol: wire.IPProtoICMP, Src: peerIP, Dst: ourIP}, echoRequest(1, 1, nil))
	badSum := append([]byte(nil), ping...)
	badSum[10] ^= 0xff
	bogusSrc := ipPacket(wire.IPv4Fields{Protocol: wire.IPProtoICMP, Src: netip.MustParseAddr("224.0.0.1"), Dst: ourIP}, echoRequest(1, 1, nil))
	notUs := ipPacket(wire.IPv4Fields{Protocol: wire.IPProtoICMP, Src: peerIP, Dst: netip.MustParseAddr("192.168.69.2")}, echoRequest(1, 1, nil))
	tagged := frame(ourMAC, peerMAC, wire.EtherTypeVLAN, append([]byte{0, 5, 0x08, 0x00}, ping...))
	cases := []struct {
		name  string
		frame []byte
		want  DropReason
	}{
		{"short", []byte{1, 2, 3}, DropLinkTruncated},
		{"foreign MAC", frame(otherMAC, peerMAC, wire.EtherTypeIPv4, ping), DropLinkForeignMAC},
		{"IPv6 on an IPv4-only stack", frame(ourMAC, peerMAC, wire.EtherTypeIPv6, ping), DropIPv6Off},
		{"unknown EtherType", frame(ourMAC, peerMAC, 0x88b5, ping), DropLinkEtherType},
		{"VLAN", tagged, DropLinkVLAN},
		{"truncated IP", fromPeer(ping[:15]), DropIPTruncated},
		{"bad IP checksum", fromPeer(badSum), DropIPChecksum},
		{"multicast source", fromPeer(bogusSrc), DropIPBadSource},
		{"not for us", fromPeer(notUs), DropIPNotForUs},
		{"short ARP", frame(wire.BroadcastMAC, peerMAC, wire.EtherTypeARP, []byte{0, 1}), DropARPMalformed},
	}
	for _, c := range cases {
		before := s.Stats().Dropped(c.want)
		s.inject(t0, c.frame)
		if got := s.Stats().Dropped(c.want); got != before+1 {
			t.Errorf("%s: %v count %d -> %d", c.name, c.want, before, got)
		}
		if w := l.take(); len(w) != 0 {
			t.Errorf("%s: stack answered with %d frames", c.name, len(w))
		}
	}
	// And the stack still answers.
	s.inject(t0, fromPeer(ping))
	if w := l.take(); len(w) != 1 {
		t.Fatalf("no echo reply after bad frames")
	}
}

func TestUDPToClosedPortGetsPortUnreachable(t *testing.T) {
	s, l := newTestStack(t)
	resolvePeer(t, s, l)
	src := netip.AddrPortFrom(peerIP, 40000)
	dst := netip.AddrPortFrom(ourIP, 7)
	orig := ipPacket(wire.IPv4Fields{Protocol: wire.IPProtoUDP, Src: peerIP, Dst: ourIP}, udpPacket(src, dst, []byte("hello")))
	s.inject(t0, fromPeer(orig))
	w := l.take()
	if len(w) != 1 {
		t.Fatalf("got %d frames, want port unreachable", len(w))
	}
	m, err := wire.ParseICMPv4(mustParseIP(t, w[0]).ip.Payload())
	if err != nil {
		t.Fatal(err)
	}
	if m.Type() != wire.ICMPDestUnreachable || m.Code() != wire.ICMPPortUnreachable {
		t.Fatalf("got %v", m)
	}
	if !bytes.Equal(m.Payload(), orig) {
		t.Errorf("quoted %x, want the whole original %x", m.Payload(), orig)
	}
	if s.Stats().Dropped(DropUDPNoSocket) != 1 {
		t.Error("not counted")
	}
	// Never for a broadcast (RFC 1122 §4.1.3.1).
	bcast := ipPacket(wire.IPv4Fields{Protocol: wire.IPProtoUDP, Src: peerIP, Dst: netip.MustParseAddr("192.168.69.255")},
		udpPacket(src, netip.AddrPortFrom(netip.MustParseAddr("192.168.69.255"), 7), []byte("x")))
	s.inject(t0, frame(wire.BroadcastMAC, peerMAC, wire.EtherTypeIPv4, bcast))
	if w := l.take(); len(w) != 0 {
		t.Errorf("answered a broadcast with %d frames", len(w))
	}
}

func TestUnknownProtocolGetsProtocolUnreachable(t *testing.T) {
	s, l := newTestStack(t)
	resolvePeer(t, s, l)
	s.inject(t0, fromPeer(ipPacket(wire.IPv4Fields{Protocol: 132, Src: peerIP, Dst: ourIP}, []byte("sctp?"))))
	w := l.take()
	if len(w) != 1 {
		t.Fatalf("got %d frames", len(w))
	}
	m, _ := wire.ParseICMPv4(mustParseIP(t, w[0]).ip.Payload())
	if m.Type() != wire.ICMPDestUnreachable || m.Code() != wire.ICMPProtoUnreachable {
		t.Errorf("got %v", m)
	}
}

func TestICMPErrorsAreRateLimited(t *testing.T) {
	s, l := newTestStack(t, func(c *Config) { c.ICMPBurst = 5; c.ICMPRate = 1 })
	resolvePeer(t, s, l)
	pkt := fromPeer(ipPacket(wire.IPv4Fields{Protocol: 132, Src: peerIP, Dst: ourIP}, nil))
	for i := 0; i < 20; i++ {
		s.inject(t0, pkt)
	}
	if n := len(l.take()); n != 5 {
		t.Errorf("sent %d ICMP errors in a burst, want 5", n)
	}
	if s.Stats().Dropped(DropICMPRateLimited) != 15 {
		t.Errorf("rate-limited count %d", s.Stats().Dropped(DropICMPRateLimited))
	}
}

// RFC 1122 §3.3.6: a datagram to our unicast address inside a link-layer
// broadcast frame is dropped silently, with no ICMP error.
func TestUnicastInLinkBroadcastDropped(t *testing.T) {
	s, l := newTestStack(t)
	resolvePeer(t, s, l)
	udp := udpPacket(netip.AddrPortFrom(peerIP, 1), netip.AddrPortFrom(ourIP, 7), []byte("x"))
	s.inject(t0, frame(wire.BroadcastMAC, peerMAC, wire.EtherTypeIPv4,
		ipPacket(wire.IPv4Fields{Protocol: wire.IPProtoUDP, Src: peerIP, Dst: ourIP}, udp)))
	if w := l.take(); len(w) != 0 {
		t.Errorf("answered with %d frames", len(w))
	}
	if s.Stats().Dropped(DropIPLinkBroadcast) != 1 {
		t.Error("not counted")
	}
}

// RFC 792: an ICMP error about a reassembled datagram quotes the original
// datagram's header (offset 0, whole length), so the sender can match it.
func TestPortUnreachableForFragmentedDatagramQuotesWholeHeader(t *testing.T) {
	s, l := newTestStack(t)
	resolvePeer(t, s, l)
	f := wire.IPv4Fields{Protocol: wire.IPProtoUDP, Src: peerIP, Dst: ourIP, ID: 99}
	udp := udpPacket(netip.AddrPortFrom(peerIP, 4000), netip.AddrPortFrom(ourIP, 7), make([]byte, 3000))
	for _, fr := range fragments(f, udp, 1480) {
		s.inject(t0, fromPeer(fr))
	}
	w := l.take()
	if len(w) != 1 {
		t.Fatalf("%d frames, want one port unreachable", len(w))
	}
	m, err := wire.ParseICMPv4(mustParseIP(t, w[0]).ip.Payload())
	if err != nil {
		t.Fatal(err)
	}
	inner, err := m.Inner()
	if err != nil {
		t.Fatal(err)
	}
	if inner.SrcPort != 4000 || inner.DstPort != 7 {
		t.Errorf("quoted ports %d -> %d, want 4000 -> 7", inner.SrcPort, inner.DstPort)
	}
	quoted, err := wire.ParseIPv4(append(m.Payload()[:20:20], make([]byte, 3008)...))
	if err != nil {
		t.Fatalf("quoted header: %v", err)
	}
	if quoted.FragmentOffset() != 0 || quoted.MoreFragments() || quoted.TotalLen() != 20+3008 {
		t.Errorf("quoted header: offset %d, MF %v, length %d", quoted.FragmentOffset(), quoted.MoreFragments(), quoted.TotalLen())
	}
}

// Two goroutines waiting on one UDP socket both get woken when two
// datagrams arrive: a read that leaves data queued passes the token on.
func TestUDPReadPassesWakeupOn(t *testing.T) {
	s, _ := newTestStack(t)
	u, err := s.BindUDP(netip.AddrPortFrom(ourIP, 6969))
	if err != nil {
		t.Fatal(err)
	}
	s.inject(t0, udpFrame(10))
	s.inject(t0, udpFrame(10))
	<-u.Readable()
	if _, _, err := u.TryReadFrom(make([]byte, 100)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-u.Readable():
	default:
		t.Fatal("a datagram is queued but no wake-up is pending")
	}
}

// An unknown congestion control name is refused when the stack is made,
// not discovered later on the first connection.
func TestNewRejectsUnknownCongestionControl(t *testing.T) {
	_, err := New(newCaptureLink(link.Ethernet, 1500), Config{Addrs: []netip.Prefix{ourNet},
		TCP: tcp.Config{CongestionControl: "vegas"}})
	if err == nil || !strings.Contains(err.Error(), "vegas") {
		t.Fatalf("New with congestion control %q: %v", "vegas", err)
	}
}
