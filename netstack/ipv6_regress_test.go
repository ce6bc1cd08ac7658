package netstack

import (
	"net/netip"
	"testing"
	"time"

	"github.com/renet-go/renet/netstack/wire"
)

// A packet to ff02::1 carrying a routing header with segments left: RFC
// 4443 §2.4(e) forbids an error to a multicast destination except Packet
// Too Big and Parameter Problem code 2 (option type 10xxxxxx).
func TestNoParamProblemToMulticast(t *testing.T) {
	s, l := newTestStack6(t)
	teachPeer6(t, s, l)
	rh := []byte{byte(wire.IPProtoUDP), 0, 4, 1, 0, 0, 0, 0}
	pl := append(rh, make([]byte, 8)...)
	s.inject(t0, packet6(wire.MulticastMAC(wire.IPv6AllNodes), peerIP6, wire.IPv6AllNodes, 64, wire.IPProtoIPv6Route, pl))
	if pp := sent6(t, l, icmp6Type(wire.ICMPv6ParamProblem)); len(pp) != 0 {
		t.Fatalf("Parameter Problem code 0 sent about a packet to ff02::1 (%d)", len(pp))
	}
}

// Our own DAD probe reflected by the link (a hub, a bridge that floods
// back, a looped tap) must not make us give up our own address: frames
// from our own MAC are dropped (the problem RFC 7527's nonce solves).
func TestLoopedDADProbeIgnored(t *testing.T) {
	s, l := newTestStack6(t)
	l.take()
	a := netip.MustParseAddr("fdaa::5")
	if err := s.AddAddr(netip.MustParsePrefix("fdaa::5/64")); err != nil {
		t.Fatal(err)
	}
	for _, f := range l.take() { // reflect what we sent
		s.inject(t0, f)
	}
	if !s.isLocalLocked(a) {
		t.Fatalf("our own reflected DAD probe took fdaa::5 away (conflicts %d)", s.Stats().DADConflicts)
	}
}

// A duplicate link-local address is given up entirely: never again a
// source (RFC 4862 §5.4.5).
func TestDuplicateLinkLocalNotUsed(t *testing.T) {
	s, l := newTestStack6(t)
	l.take()
	ll := linkLocalFrom(ourMAC)
	na := wire.NDPNeighborAdvertFields{Override: true, Target: ll, TargetLinkAddr: peerMAC}
	b := make([]byte, na.Len())
	na.Encode(b, peerLL, wire.IPv6AllNodes)
	s.inject(t0, packet6(wire.MulticastMAC(wire.IPv6AllNodes), peerLL, wire.IPv6AllNodes, 255, wire.IPProtoICMPv6, b))
	if s.isLocalLocked(ll) {
		t.Skip("link-local kept")
	}
	s.mu.Lock()
	src := s.source6(netip.MustParseAddr("fe80::99"))
	s.mu.Unlock()
	if src == ll {
		t.Fatalf("link-local %v given up as duplicate, still chosen as source", ll)
	}
}

// With every IPv6 ping identifier taken, OpenPing fails with EADDRINUSE
// rather than searching forever under the stack's lock.
func TestPingIdentifiersExhausted(t *testing.T) {
	s, _ := newTestStack6(t)
	for i := 0; i < 1<<16; i++ {
		if _, err := s.OpenPing(ourIP6); err != nil {
			t.Fatalf("socket %d: %v", i, err)
		}
	}
	done := make(chan error, 1)
	go func() { _, err := s.OpenPing(ourIP6); done <- err }()
	select {
	case err := <-done:
		t.Logf("65537th: %v", err)
	case <-time.After(3 * time.Second):
		t.Fatal("OpenPing hangs holding s.mu when the IPv6 identifiers are all taken")
	}
}

// A Packet Too Big quoting a non-first fragment of our datagram still
// lowers the path MTU to its destination.
func TestPacketTooBigQuotingLaterFragment(t *testing.T) {
	s, l := newTestStack6(t)
	teachPeer6(t, s, l)
	quote := make([]byte, wire.IPv6HeaderLen+8+64)
	(&wire.IPv6Fields{NextHeader: wire.IPProtoIPv6Frag, HopLimit: 64, Src: ourIP6, Dst: peerIP6}).Encode(quote, 8+64)
	(&wire.IPv6FragmentFields{NextHeader: wire.IPProtoUDP, Offset: 1448, More: true, ID: 7}).Encode(quote[40:])
	ptb := icmp6(wire.ICMPv6PacketTooBig, 1400, quote, peerIP6, ourIP6)
	now := time.Now()
	s.inject(now, packet6(ourMAC, peerIP6, ourIP6, 64, wire.IPProtoICMPv6, ptb))
	s.mu.Lock()
	mtu := s.pathMTU6(now, peerIP6)
	s.mu.Unlock()
	if mtu != 1400 {
		t.Fatalf("path MTU %d after a Packet Too Big of 1400 quoting a fragment", mtu)
	}
}

// A solicitation from a unicast source outside our prefixes (the peer's
// address from a prefix announced without L) is answered straight to the
// solicitor's link-layer address (RFC 4861 §7.2.4), not routed.
func TestAdvertisementToOffPrefixSolicitor(t *testing.T) {
	s, l := newTestStack6(t)
	l.take()
	src := netip.MustParseAddr("2001:db8::5")
	ns := wire.NDPNeighborSolicitFields{Target: ourIP6, SourceLinkAddr: peerMAC}
	b := make([]byte, ns.Len())
	ns.Encode(b, src, wire.SolicitedNodeAddr(ourIP6))
	s.inject(t0, packet6(wire.MulticastMAC(wire.SolicitedNodeAddr(ourIP6)), src, wire.SolicitedNodeAddr(ourIP6), 255, wire.IPProtoICMPv6, b))
	if nas := sent6(t, l, icmp6Type(wire.ICMPv6NeighborAdvert)); len(nas) != 1 {
		t.Fatalf("%d advertisements to %v (drops no-route %d)", len(nas), src, s.Stats().Dropped(DropIPNoRoute))
	}
}
