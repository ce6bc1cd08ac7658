package wire

import (
	"bytes"
	"strings"
	"testing"
)

// TestLinuxCapture6 parses every frame Linux sent in testdata/linux6.pcap
// (duplicate address detection, router solicitation, MLDv2 reports,
// neighbour discovery, pings with and without fragmentation, UDP, an
// ICMPv6 port unreachable, a TCP connection and a RST, a router
// advertisement), walks its extension headers, checks that every
// checksum verifies, and rebuilds each IPv6 and fragment header from its
// decoded fields, which must give Linux's bytes back exactly.
func TestLinuxCapture6(t *testing.T) {
	frames := readPcap(t, "testdata/linux6.pcap")
	counts := map[string]int{}
	for i, f := range frames {
		e := must(ParseEthernet(f))
		p := must(ParseIPv6(e.Payload()))
		if p.Dst().IsMulticast() && e.Dst() != MulticastMAC(p.Dst()) {
			t.Errorf("frame %d: sent to %v for %v", i, e.Dst(), p.Dst())
		}
		fl := IPv6Fields{TrafficClass: p.TrafficClass(), FlowLabel: p.FlowLabel(), NextHeader: p.NextHeader(),
			HopLimit: p.HopLimit(), Src: p.Src(), Dst: p.Dst()}
		var hdr [IPv6HeaderLen]byte
		fl.Encode(hdr[:], p.PayloadLen())
		if !bytes.Equal(hdr[:], p[:IPv6HeaderLen]) {
			t.Errorf("frame %d: rebuilt IPv6 header\n% x\nwant\n% x", i, hdr, []byte(p[:IPv6HeaderLen]))
		}
		h, err := WalkIPv6(p)
		if err != nil {
			t.Fatalf("frame %d: walk: %v (%+v)", i, err, h.Problem)
		}
		if h.Frag != nil {
			fr := IPv6FragmentFields{NextHeader: h.Frag.NextHeader(), Offset: h.Frag.Offset(), More: h.Frag.More(), ID: h.Frag.ID()}
			var b [IPv6FragmentLen]byte
			fr.Encode(b[:])
			if !bytes.Equal(b[:], h.Frag) {
				t.Errorf("frame %d: rebuilt fragment header % x, want % x", i, b, []byte(h.Frag))
			}
			counts["frag"]++
			continue
		}
		up := p[h.Offset:]
		switch h.Proto {
		case IPProtoICMPv6:
			m := must(ParseICMPv6(up, p.Src(), p.Dst()))
			counts[m.Type().String()]++
			switch m.Type() {
			case ICMPv6MLDv2Report:
				if !h.RouterAlert || h.RouterAlertValue != IPv6RouterAlertMLD || p.HopLimit() != 1 {
					t.Errorf("frame %d: MLD without Router Alert or hop limit 1", i)
				}
				must(ParseMLD(m))
			case ICMPv6NeighborSolicit:
				ns := must(ParseNDPNeighborSolicit(m))
				if p.Dst() != SolicitedNodeAddr(ns.Target()) || p.HopLimit() != NDPHopLimit {
					t.Errorf("frame %d: NS for %v sent to %v", i, ns.Target(), p.Dst())
				}
			case ICMPv6NeighborAdvert:
				must(ParseNDPNeighborAdvert(m))
			case ICMPv6RouterSolicit:
				must(ParseNDPRouterSolicit(m))
			case ICMPv6RouterAdvert:
				must(ParseNDPRouterAdvert(m))
			case ICMPv6DestUnreachable:
				if in := must(m.Inner()); in.DstPort != 9 || in.Protocol != IPProtoUDP {
					t.Errorf("frame %d: inner %+v", i, in)
				}
			}
		case IPProtoUDP:
			if u := must(ParseUDP(up)); !u.VerifyChecksum(p.Src(), p.Dst()) {
				t.Errorf("frame %d: UDP checksum does not verify", i)
			}
			counts["udp"]++
		case IPProtoTCP:
			if s := must(ParseTCP(up)); !s.VerifyChecksum(p.Src(), p.Dst()) {
				t.Errorf("frame %d: TCP checksum does not verify", i)
			}
			counts["tcp"]++
		default:
			t.Errorf("frame %d: protocol %v", i, h.Proto)
		}
	}
	var got []string
	for _, k := range []string{"multicast listener report v2", "neighbor solicitation", "neighbor advertisement", "router solicitation",
		"router advertisement", "echo request", "echo reply", "frag", "udp", "destination unreachable", "tcp"} {
		if counts[k] == 0 {
			got = append(got, k)
		}
	}
	if len(got) > 0 {
		t.Errorf("capture lacks %s", strings.Join(got, ", "))
	}
}
