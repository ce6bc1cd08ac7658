package wire

import (
	"net/netip"
	"testing"
)

// allocGroups6 are the groups of the MLDv2 report encoder.
var allocGroups6 = []netip.Addr{SolicitedNodeAddr(ip6LLA), SolicitedNodeAddr(ip6A), netip.MustParseAddr("ff12::1234")}

// encoders6 builds one packet of each IPv6 kind into a fixed buffer.
var encoders6 = []struct {
	name string
	fn   func(b []byte)
}{
	{"IPv6", func(b []byte) {
		f := IPv6Fields{FlowLabel: 0x12345, NextHeader: IPProtoTCP, HopLimit: 64, Src: ip6A, Dst: ip6B}
		f.Encode(b, 1440)
	}},
	{"IPv6 fragment", func(b []byte) {
		f := IPv6FragmentFields{NextHeader: IPProtoUDP, Offset: 1448, More: true, ID: 7}
		f.Encode(b)
	}},
	{"IPv6 Router Alert", func(b []byte) {
		f := IPv6RouterAlertFields{NextHeader: IPProtoICMPv6}
		f.Encode(b)
	}},
	{"ICMPv6", func(b []byte) {
		f := ICMPv6Fields{Type: ICMPv6EchoReply, Rest: EchoRest(1, 2)}
		f.Encode(b[:64], ip6B, ip6A)
	}},
	{"NDP NS", func(b []byte) {
		f := NDPNeighborSolicitFields{Target: ip6B, SourceLinkAddr: macA}
		f.Encode(b, ip6A, SolicitedNodeAddr(ip6B))
	}},
	{"NDP NA", func(b []byte) {
		f := NDPNeighborAdvertFields{Solicited: true, Override: true, Target: ip6B, TargetLinkAddr: macB}
		f.Encode(b, ip6B, ip6A)
	}},
	{"NDP RS", func(b []byte) {
		f := NDPRouterSolicitFields{SourceLinkAddr: macA}
		f.Encode(b, ip6LLA, IPv6AllRouters)
	}},
	{"MLDv2 report", func(b []byte) {
		f := MLDv2GroupsReportFields{RecordType: MLDChangeToExcludeMode, Groups: allocGroups6}
		f.Encode(b, ip6LLA, MLDv2AllRouters)
	}},
}

// TestZeroAllocs6 extends TestZeroAllocs to IPv6: parsing, the extension
// header walk, NDP and MLD iteration, and every Encode allocate nothing.
func TestZeroAllocs6(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() {
		p := must(ParseIPv6(mldReport6Frame[14:]))
		h := must(WalkIPv6(p))
		m := must(ParseMLD(must(ParseICMPv6(p[h.Offset:], p.Src(), p.Dst()))))
		for it := m.Records(); ; {
			r, ok := it.Next()
			if !ok {
				break
			}
			sink.ok = r.Group().IsMulticast()
		}
		q := must(ParseIPv6(ra6Frame[14:]))
		ra := must(ParseNDPRouterAdvert(must(ParseICMPv6(q.Payload(), q.Src(), q.Dst()))))
		for it := ra.Options(); ; {
			o, ok := it.Next()
			if !ok {
				break
			}
			pi, _ := o.PrefixInfo()
			mtu, _ := o.MTU()
			mac, _ := o.LinkAddr()
			sink.n = pi.Prefix.Bits() + int(mtu) + int(mac[5])
		}
		u := must(ParseICMPv6(portUnreachable6Frame[54:], ip6B, ip6A))
		in, _ := u.Inner()
		sink.ok = in.DstPort == 9 && MulticastMAC(SolicitedNodeAddr(in.Dst)) != MAC{}
	}); n != 0 {
		t.Errorf("parsing IPv6, MLD, NDP, ICMPv6: %v allocs, want 0", n)
	}
	buf := make([]byte, 1500)
	for _, e := range encoders6 {
		if n := testing.AllocsPerRun(100, func() { e.fn(buf) }); n != 0 {
			t.Errorf("%s Encode: %v allocs, want 0", e.name, n)
		}
	}
}
