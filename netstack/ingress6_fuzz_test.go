package netstack

import (
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/renet-go/renet/netstack/wire"
)

// The whole-ingress fuzzers for IPv6: a dual-stack stack fed IPv6 frames
// (neighbour discovery, router advertisements, extension-header chains,
// fragment storms, ICMPv6 errors, TCP and UDP) must never panic, leak, or
// grow its tables without bound.

// ingress6Seeds are well-formed IPv6 frames for the stack at fdaa::1.
func ingress6Seeds() [][]byte {
	to := func(dstMAC wire.MAC, src, dst netip.Addr, hop uint8, proto wire.IPProto, payload []byte) []byte {
		return packet6(dstMAC, src, dst, hop, proto, payload)
	}
	sn := wire.SolicitedNodeAddr(ourIP6)
	ns := wire.NDPNeighborSolicitFields{Target: ourIP6, SourceLinkAddr: peerMAC}
	nsb := make([]byte, ns.Len())
	ns.Encode(nsb, peerIP6, sn)
	na := wire.NDPNeighborAdvertFields{Solicited: true, Override: true, Target: peerIP6, TargetLinkAddr: peerMAC}
	nab := make([]byte, na.Len())
	na.Encode(nab, peerIP6, ourIP6)
	prefix := make([]byte, 32)
	prefix[0], prefix[1], prefix[2], prefix[3] = 3, 4, 64, 0xc0
	copy(prefix[4:], []byte{0, 0, 0x0e, 0x10, 0, 0, 0x0e, 0x10})
	p := netip.MustParseAddr("2001:db8:1::").As16()
	copy(prefix[16:], p[:])
	ra := icmp6(wire.ICMPv6RouterAdvert, 64<<24|1800, append(make([]byte, 8), append([]byte{5, 1, 0, 0, 0, 0, 5, 0}, prefix...)...), peerLL, wire.IPv6AllNodes)
	syn := wire.TCPFields{SrcPort: 40000, DstPort: 80, Seq: 1000, Flags: wire.TCPFlagSYN, Window: 65535, Options: wire.TCPOptions{MSS: 1440}}
	synb := make([]byte, syn.Len())
	syn.Encode(synb, peerIP6, ourIP6)
	big := make([]byte, 2000)
	udp := udpPacket(netip.AddrPortFrom(peerIP6, 5000), netip.AddrPortFrom(ourIP6, 6969), big)
	frag1, frag2 := make([]byte, 8+1232), make([]byte, 8+len(udp)-1232)
	(&wire.IPv6FragmentFields{NextHeader: wire.IPProtoUDP, Offset: 0, More: true, ID: 77}).Encode(frag1)
	copy(frag1[8:], udp[:1232])
	(&wire.IPv6FragmentFields{NextHeader: wire.IPProtoUDP, Offset: 1232, ID: 77}).Encode(frag2)
	copy(frag2[8:], udp[1232:])
	hbh := append([]byte{uint8(wire.IPProtoUDP), 0, 1, 4, 0, 0, 0, 0}, udpPacket(netip.AddrPortFrom(peerIP6, 5000), netip.AddrPortFrom(ourIP6, 9), []byte("x"))...)
	quote := make([]byte, wire.IPv6HeaderLen+8)
	(&wire.IPv6Fields{NextHeader: wire.IPProtoTCP, HopLimit: 64, Src: ourIP6, Dst: peerIP6}).Encode(quote, 8)
	return [][]byte{
		to(wire.MulticastMAC(sn), peerIP6, sn, 255, wire.IPProtoICMPv6, nsb),
		to(ourMAC, peerIP6, ourIP6, 255, wire.IPProtoICMPv6, nab),
		to(wire.MulticastMAC(wire.IPv6AllNodes), peerLL, wire.IPv6AllNodes, 255, wire.IPProtoICMPv6, ra),
		to(ourMAC, peerIP6, ourIP6, 64, wire.IPProtoICMPv6, icmp6(wire.ICMPv6EchoRequest, 1, []byte("ping"), peerIP6, ourIP6)),
		to(ourMAC, peerIP6, ourIP6, 64, wire.IPProtoICMPv6, icmp6(wire.ICMPv6PacketTooBig, 1280, quote, peerIP6, ourIP6)),
		to(ourMAC, peerIP6, ourIP6, 64, wire.IPProtoTCP, synb),
		to(ourMAC, peerIP6, ourIP6, 64, wire.IPProtoIPv6Frag, frag1),
		to(ourMAC, peerIP6, ourIP6, 64, wire.IPProtoIPv6Frag, frag2),
		to(ourMAC, peerIP6, ourIP6, 64, wire.IPProtoIPv6HopByHop, hbh),
	}
}

// fuzz6Stack is the dual-stack stack the IPv6 fuzzers feed.
func fuzz6Stack(t testing.TB) (*Stack, *captureLink) {
	s, l := newTestStack(t, func(c *Config) {
		c.Addrs = append(c.Addrs, netip.MustParsePrefix("fdaa::1/64"))
		c.ICMPBurst, c.SYNBacklog = 1<<30, 16
	})
	if _, err := s.ListenTCP(netip.AddrPortFrom(netip.IPv6Unspecified(), 80), 16); err != nil {
		t.Fatal(err)
	}
	if _, err := s.BindUDP(netip.AddrPortFrom(netip.IPv6Unspecified(), 6969)); err != nil {
		t.Fatal(err)
	}
	return s, l
}

func FuzzIngress6(f *testing.F) {
	for _, b := range ingress6Seeds() {
		f.Add(b)
	}
	s, l := fuzz6Stack(f)
	now := time.Now()
	f.Fuzz(func(t *testing.T, b []byte) {
		now = now.Add(time.Millisecond)
		s.inject(now, b)
		if len(b) > wire.EthernetHeaderLen {
			s.inject(now, frame(ourMAC, peerMAC, wire.EtherTypeIPv6, b[wire.EthernetHeaderLen:]))
		}
		s.runTimers(now)
		checkAlive6(t, s, l, now)
	})
}

// TestIngressRandomFrames6 is FuzzIngress6's deterministic cousin.
func TestIngressRandomFrames6(t *testing.T) {
	s, l := fuzz6Stack(t)
	seeds := ingress6Seeds()
	rng := rand.New(rand.NewPCG(6, 6))
	now := time.Now()
	for i := range 30000 {
		b := append([]byte(nil), seeds[rng.IntN(len(seeds))]...)
		for k := rng.IntN(3); k > 0 && len(b) > 0; k-- {
			switch rng.IntN(3) {
			case 0:
				b[rng.IntN(len(b))] = byte(rng.Uint32())
			case 1:
				b = b[:rng.IntN(len(b))]
			case 2: // where the headers and extension headers are
				if j := wire.EthernetHeaderLen + rng.IntN(80); j < len(b) {
					b[j] ^= 1 << rng.IntN(8)
				}
			}
		}
		if rng.IntN(4) == 0 { // a fragment storm: many IDs, never completed
			f := append([]byte(nil), seeds[6]...)
			f[wire.EthernetHeaderLen+wire.IPv6HeaderLen+4] = byte(i)
			f[wire.EthernetHeaderLen+wire.IPv6HeaderLen+5] = byte(i >> 8)
			b = f
		}
		now = now.Add(time.Millisecond)
		s.inject(now, b)
		if i%1000 == 0 {
			s.runTimers(now)
			l.take()
		}
	}
	checkAlive6(t, s, l, now)
}

// checkAlive6 asks the stack for a ping over IPv6 and checks its tables
// kept their bounds.
func checkAlive6(t *testing.T, s *Stack, l *captureLink, now time.Time) {
	t.Helper()
	checkAlive(t, s, l, now)
	// A forged advertisement during duplicate address detection may
	// rightly take an address away: ask on one the stack still holds,
	// after the peer has introduced itself.
	for _, a := range []netip.Addr{ourIP6, linkLocalFrom(ourMAC)} {
		if !s.isLocalLocked(a) {
			continue
		}
		sn := wire.SolicitedNodeAddr(a)
		ns := wire.NDPNeighborSolicitFields{Target: a, SourceLinkAddr: peerMAC}
		b := make([]byte, ns.Len())
		ns.Encode(b, peerIP6, sn)
		s.inject(now, packet6(wire.MulticastMAC(sn), peerIP6, sn, 255, wire.IPProtoICMPv6, b))
		l.take()
		s.inject(now, packet6(ourMAC, peerIP6, a, 64, wire.IPProtoICMPv6, icmp6(wire.ICMPv6EchoRequest, 9<<16, []byte("alive?"), peerIP6, a)))
		if len(sent6(t, l, icmp6Type(wire.ICMPv6EchoReply))) != 1 {
			t.Fatalf("stack stopped answering ping over IPv6 at %v", a)
		}
		break
	}
	s.mu.Lock()
	addrs, slaac, pmtu := len(s.cfg.Addrs), len(s.ip6.slaac), len(s.ip6.pmtu)
	s.mu.Unlock()
	if addrs > 3+maxSLAAC || slaac > maxSLAAC || pmtu > maxPathMTUs {
		t.Fatalf("IPv6 state grew past its bounds: %d addresses, %d SLAAC, %d path MTUs", addrs, slaac, pmtu)
	}
}
