package wire

import (
	"bytes"
	"testing"
)

// Fuzz targets for the IPv6 formats, seeded with the frames of
// testdata/linux6.pcap and testdata/crafted6.pcap. ICMPv6 messages carry a
// checksum over the pseudo-header that random bytes never match, so the
// targets for ICMPv6, NDP and MLD compute it before parsing.

// seedPackets6 returns the IPv6 packets of the IPv6 captures and fixtures.
func seedPackets6(f *testing.F) [][]byte {
	frames := [][]byte{echo6Frame, mldReport6Frame, ns6Frame, na6Frame, ra6Frame, portUnreachable6Frame}
	frames = append(frames, readPcap(f, "testdata/linux6.pcap")...)
	frames = append(frames, readPcap(f, "testdata/crafted6.pcap")...)
	var ps [][]byte
	for _, fr := range frames {
		if e, err := ParseEthernet(fr); err == nil && e.EtherType() == EtherTypeIPv6 {
			ps = append(ps, e.Payload())
		}
	}
	return append(ps, frag6Header)
}

// seedICMPv6 adds the ICMPv6 messages of the seed packets.
func seedICMPv6(f *testing.F) {
	for _, b := range seedPackets6(f) {
		p, err := ParseIPv6(b)
		if err != nil {
			continue
		}
		if h, err := WalkIPv6(p); err == nil && h.Proto == IPProtoICMPv6 && (h.Frag == nil || h.Frag.IsAtomic()) {
			f.Add([]byte(p[h.Offset:]))
		}
	}
}

// checksummed returns a copy of b with its ICMPv6 checksum for
// fdaa::100 > fdaa::1 set, or nil if b is too short to hold one.
func checksummed(b []byte) ICMPv6 {
	if len(b) < ICMPv6HeaderLen {
		return nil
	}
	c := append([]byte(nil), b...)
	icmpv6Checksum(c, ip6A, ip6B)
	return must(ParseICMPv6(c, ip6A, ip6B))
}

func FuzzIPv6(f *testing.F) {
	for _, b := range seedPackets6(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkLine(t, FormatIPv6Packet(b))
		p, err := ParseIPv6(b)
		if err != nil {
			return
		}
		checkLine(t, p.String())
		if len(p) != IPv6HeaderLen+p.PayloadLen() || len(p.Payload()) != p.PayloadLen() || p.FlowLabel() > 0xfffff {
			t.Fatalf("view %d, payload length %d", len(p), p.PayloadLen())
		}
		fl := IPv6Fields{p.TrafficClass(), p.FlowLabel(), p.NextHeader(), p.HopLimit(), p.Src(), p.Dst()}
		out := make([]byte, len(p))
		copy(out[IPv6HeaderLen:], p.Payload())
		fl.Encode(out, p.PayloadLen())
		if !bytes.Equal(out, p) {
			t.Fatalf("rebuilt\n% x\nwant\n% x", out, []byte(p))
		}
		h, err := WalkIPv6(p)
		if h.Count > IPv6MaxExtHeaders || h.Problem.ICMP && (err == nil || int(h.Problem.Pointer) >= len(p)) {
			t.Fatalf("walk: %+v, %v", h, err)
		}
		if err != nil {
			return
		}
		if h.Offset > len(p) || h.ProtoField >= h.Offset || IPProto(p[h.ProtoField]) != h.Proto {
			t.Fatalf("walk: proto %v at %d, field %d, packet %d", h.Proto, h.Offset, h.ProtoField, len(p))
		}
		if h.Frag != nil && (IPProto(p[h.FragField]) != IPProtoIPv6Frag || !bytes.Equal(h.Frag, p[h.FragOffset:h.FragOffset+8])) {
			t.Fatalf("fragment header at %d, field %d", h.FragOffset, h.FragField)
		}
	})
}

func FuzzIPv6Fragment(f *testing.F) {
	f.Add(frag6Header[40:48])
	f.Add(unhex(`11 ff 05 af 00 00 00 01`))
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := ParseIPv6Fragment(b)
		if err != nil {
			return
		}
		fl := IPv6FragmentFields{NextHeader: g.NextHeader(), Offset: g.Offset(), More: g.More(), ID: g.ID()}
		out := make([]byte, fl.Len())
		fl.Encode(out)
		want := append([]byte(nil), g...)
		want[1], want[3] = 0, want[3]&^6 // reserved fields are sent as zeros
		if !bytes.Equal(out, want) {
			t.Fatalf("rebuilt % x, want % x", out, want)
		}
		if g.IsAtomic() != (g.Offset() == 0 && !g.More()) {
			t.Fatalf("atomic %v offset %d more %v", g.IsAtomic(), g.Offset(), g.More())
		}
	})
}

func FuzzIPv6Options(f *testing.F) {
	f.Add(mldReport6Frame[54:62])
	f.Add(unhex(`3a 01  00  01 01 00  05 02 0000  c2 04 00010000`))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := ParseIPv6OptionsHeader(b)
		if err != nil {
			return
		}
		end := 2
		for it := h.Options(); ; {
			o, ok := it.Next()
			if !ok {
				break
			}
			if o.Offset != end {
				t.Fatalf("option at %d, want %d", o.Offset, end)
			}
			if o.Type == IPv6OptPad1 {
				end++
			} else {
				end += 2 + len(o.Data)
			}
		}
		if end != len(h) {
			t.Fatalf("options end at %d of %d", end, len(h))
		}
		if off, a, ok := h.Unrecognized(); ok && (off < 2 || off >= len(h) || a > IPv6OptDiscardICMPUnicast) {
			t.Fatalf("unrecognized at %d: %v", off, a)
		}
		_, _ = h.RouterAlert()
	})
}

func FuzzICMPv6(f *testing.F) {
	seedICMPv6(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		m := checksummed(b)
		if m == nil {
			return
		}
		checkLine(t, m.String())
		checkLine(t, string(appendICMPv6(nil, ip6A, ip6B, m, true)))
		in, err := m.Inner()
		if err == nil && (!in.Src.Is6() || !in.Dst.Is6()) {
			t.Fatalf("Inner gave %+v", in)
		}
		_, _, _, _ = m.ID(), m.Seq(), m.MTU(), m.Pointer()
		fl := ICMPv6Fields{Type: m.Type(), Code: m.Code(), Rest: m.Rest()}
		out := append([]byte(nil), m...)
		clear(out[:ICMPv6HeaderLen])
		fl.Encode(out, ip6A, ip6B)
		if !bytes.Equal(out, m) {
			t.Fatalf("rebuilt\n% x\nwant\n% x", out, []byte(m))
		}
	})
}

func FuzzNDP(f *testing.F) {
	seedICMPv6(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		m := checksummed(b)
		if m == nil {
			return
		}
		var opts NDPOptionsIter
		switch m.Type() {
		case ICMPv6NeighborSolicit:
			ns, err := ParseNDPNeighborSolicit(m)
			if err != nil {
				return
			}
			opts = ns.Options()
			mac, ok := ns.SourceLinkAddr()
			if len(ns) == NDPNeighborSolicitLen || ok && len(ns) == NDPNeighborSolicitLen+8 && !mac.IsZero() {
				fl := NDPNeighborSolicitFields{Target: ns.Target(), SourceLinkAddr: mac}
				checkRebuilt(t, m, fl.Len(), func(out []byte) { fl.Encode(out, ip6A, ip6B) }, 4, 5, 6, 7)
			}
		case ICMPv6NeighborAdvert:
			na, err := ParseNDPNeighborAdvert(m)
			if err != nil {
				return
			}
			opts = na.Options()
			mac, ok := na.TargetLinkAddr()
			if len(na) == NDPNeighborAdvertLen || ok && len(na) == NDPNeighborAdvertLen+8 && !mac.IsZero() {
				fl := NDPNeighborAdvertFields{Router: na.Router(), Solicited: na.Solicited(), Override: na.Override(), Target: na.Target(), TargetLinkAddr: mac}
				flags := append(ICMPv6(nil), m...)
				flags[4] &= 0xe0 // the 29 reserved bits
				checkRebuilt(t, flags, fl.Len(), func(out []byte) { fl.Encode(out, ip6A, ip6B) }, 5, 6, 7)
			}
		case ICMPv6RouterSolicit:
			rs, err := ParseNDPRouterSolicit(m)
			if err != nil {
				return
			}
			opts = rs.Options()
			mac, ok := rs.SourceLinkAddr()
			if len(rs) == NDPRouterSolicitLen || ok && len(rs) == NDPRouterSolicitLen+8 && !mac.IsZero() {
				fl := NDPRouterSolicitFields{SourceLinkAddr: mac}
				checkRebuilt(t, m, fl.Len(), func(out []byte) { fl.Encode(out, ip6A, ip6B) }, 4, 5, 6, 7)
			}
		case ICMPv6RouterAdvert:
			ra, err := ParseNDPRouterAdvert(m)
			if err != nil {
				return
			}
			_, _, _, _, _, _ = ra.CurHopLimit(), ra.Managed(), ra.Other(), ra.RouterLifetime(), ra.ReachableTime(), ra.RetransTimer()
			opts = ra.Options()
		case ICMPv6Redirect:
			r, err := ParseNDPRedirect(m)
			if err != nil {
				return
			}
			_, _ = r.Target(), r.Dst()
			opts = r.Options()
		default:
			return
		}
		for {
			o, ok := opts.Next()
			if !ok {
				break
			}
			if len(o) == 0 || len(o)%8 != 0 || int(o[1])*8 != len(o) {
				t.Fatalf("option % x", []byte(o))
			}
			_, _ = o.LinkAddr()
			_, _ = o.MTU()
			if p, ok := o.PrefixInfo(); ok && !p.Prefix.IsValid() {
				t.Fatalf("prefix %+v", p)
			}
		}
	})
}

// checkRebuilt builds n bytes with enc and compares them with m, but for
// the reserved bytes, which Encode writes as zeros.
func checkRebuilt(t *testing.T, m ICMPv6, n int, enc func([]byte), reserved ...int) {
	t.Helper()
	out := make([]byte, n)
	enc(out)
	want := append([]byte(nil), m...)
	for _, i := range reserved {
		want[i] = 0
	}
	icmpv6Checksum(want, ip6A, ip6B)
	if !bytes.Equal(out, want) {
		t.Fatalf("rebuilt\n% x\nwant\n% x", out, want)
	}
}

func FuzzMLD(f *testing.F) {
	seedICMPv6(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		m0 := checksummed(b)
		if m0 == nil {
			return
		}
		m, err := ParseMLD(m0)
		if err != nil {
			return
		}
		_, _, _ = m.MaxRespCode(), m.MaxRespDelay(), m.Group()
		for i := -1; i <= m.NumSources(); i++ {
			if m.Source(i).IsValid() != (i >= 0 && i < m.NumSources()) {
				t.Fatalf("Source(%d) of %d", i, m.NumSources())
			}
		}
		var groups []MLDRecord
		simple := true
		for it := m.Records(); ; {
			r, ok := it.Next()
			if !ok {
				break
			}
			if r.Source(r.NumSources()).IsValid() {
				t.Fatal("source past the end")
			}
			simple = simple && len(r) == MLDv2RecordMinLen && r.Type() == groupsType(groups, r)
			groups = append(groups, r)
		}
		if len(groups) != m.NumRecords() {
			t.Fatalf("%d records, %d counted", len(groups), m.NumRecords())
		}
		if m.Type() != ICMPv6MLDv2Report || !simple || len(groups) == 0 {
			return
		}
		fl := MLDv2GroupsReportFields{RecordType: groups[0].Type()}
		for _, r := range groups {
			fl.Groups = append(fl.Groups, r.Group())
		}
		reserved := []int{1, 4, 5}
		for i := range groups {
			reserved = append(reserved, MLDv2ReportHeaderLen+MLDv2RecordMinLen*i+1)
		}
		checkRebuilt(t, ICMPv6(m[:fl.Len()]), fl.Len(), func(out []byte) { fl.Encode(out, ip6A, ip6B) }, reserved...)
	})
}

// groupsType is the record type a groups report of the records so far
// and r would have: that of the first.
func groupsType(so []MLDRecord, r MLDRecord) MLDRecordType {
	if len(so) == 0 {
		return r.Type()
	}
	return so[0].Type()
}
