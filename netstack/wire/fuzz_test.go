package wire

import (
	"bytes"
	"strings"
	"testing"
)

// Fuzz targets, one per parser. Each parses; on success calls every
// accessor and String (none may panic); then builds from the decoded
// fields, re-parses, and compares. Seeds are the fixtures and the frames of
// testdata/linux.pcap. Run one with, e.g.,
//
//	go test -fuzz=FuzzTCP -fuzztime=20s ./netstack/wire

// seedFrames returns every test frame: fixtures and captured.
func seedFrames(f *testing.F) [][]byte {
	frames := [][]byte{arpRequestFrame, arpReplyFrame, echoRequestFrame, portUnreachableFrame, synFrame, vlanFrame}
	frames = append(frames, readPcap(f, "testdata/linux.pcap")...)
	frames = append(frames, readPcap(f, "testdata/igmp.pcap")...)
	frames = append(frames, readPcap(f, "testdata/linux6.pcap")...)
	frames = append(frames, readPcap(f, "testdata/crafted6.pcap")...)
	return append(frames, readPcap(f, "testdata/crafted.pcap")...)
}

// layer returns the bytes of the given kind inside frame, or nil.
func layer(frame []byte, kind string) []byte {
	e, err := ParseEthernet(frame)
	if err != nil {
		return nil
	}
	if kind == "arp" {
		if e.EtherType() == EtherTypeARP {
			return e.Payload()
		}
		return nil
	}
	if e.EtherType() != EtherTypeIPv4 {
		return nil
	}
	p, err := parseIPv4NoChecksum(e.Payload())
	if err != nil {
		return nil
	}
	switch {
	case kind == "ip":
		return p
	case p.FragmentOffset() != 0:
		return nil
	case kind == "icmp" && p.Protocol() == IPProtoICMP,
		kind == "igmp" && p.Protocol() == IPProtoIGMP,
		kind == "udp" && p.Protocol() == IPProtoUDP,
		kind == "tcp" && p.Protocol() == IPProtoTCP:
		return p.Payload()
	}
	return nil
}

func addSeeds(f *testing.F, kind string) {
	for _, fr := range seedFrames(f) {
		if kind == "ether" {
			f.Add(fr)
		} else if b := layer(fr, kind); b != nil {
			f.Add(b)
		}
	}
}

// checkLine fails if a printer produced nothing or more than one line.
func checkLine(t *testing.T, s string) {
	if s == "" || strings.ContainsRune(s, '\n') {
		t.Fatalf("printer output %q", s)
	}
}

func FuzzEthernet(f *testing.F) {
	addSeeds(f, "ether")
	f.Fuzz(func(t *testing.T, b []byte) {
		checkLine(t, FormatFrame(b))
		e, err := ParseEthernet(b)
		if err != nil {
			return
		}
		checkLine(t, e.String())
		id, tagged := e.VLAN()
		if e.HeaderLen()+len(e.Payload()) != len(b) || tagged != (e.HeaderLen() == 18) || id > 0xfff || e.VLANPriority() > 7 {
			t.Fatalf("header %d payload %d vlan %d %v", e.HeaderLen(), len(e.Payload()), id, tagged)
		}
		fl := EthernetFields{Dst: e.Dst(), Src: e.Src(), Type: e.EtherType()}
		var h [EthernetHeaderLen]byte
		fl.Encode(h[:])
		if !tagged && !bytes.Equal(h[:], b[:EthernetHeaderLen]) {
			t.Fatalf("rebuilt % x, want % x", h, b[:EthernetHeaderLen])
		}
		rebuilt := h[:]
		if fl.Type == EtherTypeVLAN {
			// The inner type of a double-tagged (QinQ) frame: the rebuilt
			// header announces a tag of its own, which must be present.
			rebuilt = append(rebuilt, 0, 0, 0, 0)
		}
		if e2 := must(ParseEthernet(rebuilt)); e2.Dst() != e.Dst() || e2.Src() != e.Src() || (!tagged && e2.EtherType() != e.EtherType()) {
			t.Fatalf("re-parse differs")
		}
	})
}

func FuzzARP(f *testing.F) {
	addSeeds(f, "arp")
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := ParseARP(b)
		if err != nil {
			return
		}
		checkLine(t, a.String())
		fl := ARPFields{Op: a.Op(), SenderMAC: a.SenderMAC(), SenderIP: a.SenderIP(), TargetMAC: a.TargetMAC(), TargetIP: a.TargetIP()}
		out := make([]byte, fl.Len())
		fl.Encode(out)
		if !bytes.Equal(out, b[:ARPLen]) {
			t.Fatalf("rebuilt\n% x\nwant\n% x", out, b[:ARPLen])
		}
	})
}

func FuzzIPv4(f *testing.F) {
	addSeeds(f, "ip")
	f.Fuzz(func(t *testing.T, b []byte) {
		checkLine(t, FormatIPv4Packet(b))
		p, err := ParseIPv4(b)
		if err != nil {
			return
		}
		checkLine(t, p.String())
		if p.TotalLen() != len(p) || p.HeaderLen() < 20 || len(p.Options()) != p.HeaderLen()-20 ||
			len(p.Payload()) != p.TotalLen()-p.HeaderLen() || p.FragmentOffset()%8 != 0 {
			t.Fatalf("inconsistent lengths: total %d header %d view %d", p.TotalLen(), p.HeaderLen(), len(p))
		}
		fl := IPv4Fields{TOS: p.TOS(), ID: p.ID(), DontFragment: p.DontFragment(), MoreFragments: p.MoreFragments(),
			FragmentOffset: p.FragmentOffset(), TTL: p.TTL(), Protocol: p.Protocol(), Src: p.Src(), Dst: p.Dst(),
			RouterAlert: p.RouterAlert()}
		out := make([]byte, fl.Len()+len(p.Payload()))
		copy(out[fl.Len():], p.Payload())
		fl.Encode(out, len(p.Payload()))
		q, err := ParseIPv4(out)
		if err != nil {
			t.Fatalf("rebuilt packet does not parse: %v", err)
		}
		got := IPv4Fields{q.TOS(), q.ID(), q.DontFragment(), q.MoreFragments(), q.FragmentOffset(), q.TTL(), q.Protocol(), q.Src(), q.Dst(), q.RouterAlert()}
		if got != fl || !bytes.Equal(q.Payload(), p.Payload()) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, fl)
		}
		// Without options and the reserved flag, only the checksum may
		// differ, and then only between its two one's-complement zeros.
		if p.HeaderLen() == 20 && p[6]&0x80 == 0 {
			a, c := append([]byte(nil), p[:20]...), append([]byte(nil), out[:20]...)
			a[10], a[11], c[10], c[11] = 0, 0, 0, 0
			if !bytes.Equal(a, c) {
				t.Fatalf("rebuilt header\n% x\nwant\n% x", out[:20], []byte(p[:20]))
			}
		}
	})
}

func FuzzICMPv4(f *testing.F) {
	addSeeds(f, "icmp")
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseICMPv4(b)
		if err != nil {
			return
		}
		checkLine(t, m.String())
		in, err := m.Inner()
		if err == nil && (!in.Src.Is4() || !in.Dst.Is4()) {
			t.Fatalf("Inner gave non-IPv4 addresses %v", in)
		}
		_, _, _, _, _ = m.ID(), m.Seq(), m.Pointer(), m.NextHopMTU(), m.Checksum()
		fl := ICMPv4Fields{Type: m.Type(), Code: m.Code(), Rest: m.Rest()}
		out := append([]byte(nil), b...)
		clear(out[:ICMPv4HeaderLen])
		fl.Encode(out)
		m2, err := ParseICMPv4(out)
		if err != nil {
			t.Fatalf("rebuilt message does not parse: %v", err)
		}
		if m2.Type() != m.Type() || m2.Code() != m.Code() || m2.Rest() != m.Rest() || !bytes.Equal(m2.Payload(), m.Payload()) {
			t.Fatalf("round trip differs")
		}
	})
}

func FuzzUDP(f *testing.F) {
	addSeeds(f, "udp")
	f.Fuzz(func(t *testing.T, b []byte) {
		u, err := ParseUDP(b)
		if err != nil {
			return
		}
		checkLine(t, u.String())
		if u.Length() != len(u) || len(u.Payload()) != len(u)-8 {
			t.Fatalf("length %d view %d", u.Length(), len(u))
		}
		_ = u.VerifyChecksum(ipA, ipB)
		fl := UDPFields{SrcPort: u.SrcPort(), DstPort: u.DstPort()}
		out := append([]byte(nil), u...)
		fl.Encode(out, ipA, ipB)
		u2, err := ParseUDP(out)
		if err != nil || !u2.VerifyChecksum(ipA, ipB) || u2.Checksum() == 0 {
			t.Fatalf("rebuilt datagram: %v, checksum %#04x", err, u2.Checksum())
		}
		if u2.SrcPort() != u.SrcPort() || u2.DstPort() != u.DstPort() || u2.Length() != u.Length() || !bytes.Equal(u2.Payload(), u.Payload()) {
			t.Fatalf("round trip differs")
		}
	})
}

func FuzzTCP(f *testing.F) {
	addSeeds(f, "tcp")
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseTCP(b)
		if err != nil {
			return
		}
		checkLine(t, s.String())
		if s.HeaderLen() < 20 || s.HeaderLen()+len(s.Payload()) != len(s) || len(s.Options()) != s.HeaderLen()-20 {
			t.Fatalf("header %d payload %d", s.HeaderLen(), len(s.Payload()))
		}
		_, _ = s.Checksum(), s.VerifyChecksum(ipA, ipB)
		var o TCPOptions
		if ParseTCPOptions(s.Options(), &o) != nil {
			return
		}
		fl := TCPFields{SrcPort: s.SrcPort(), DstPort: s.DstPort(), Seq: s.Seq(), Ack: s.Ack(), Flags: s.Flags(),
			Window: s.Window(), Urgent: s.Urgent(), Options: o}
		out := make([]byte, fl.Len()+len(s.Payload()))
		copy(out[fl.Len():], s.Payload())
		fl.Encode(out, ipA, ipB)
		s2, err := ParseTCP(out)
		if err != nil || !s2.VerifyChecksum(ipA, ipB) {
			t.Fatalf("rebuilt segment: %v", err)
		}
		var o2 TCPOptions
		if err := ParseTCPOptions(s2.Options(), &o2); err != nil {
			t.Fatalf("rebuilt options: %v", err)
		}
		got := TCPFields{s2.SrcPort(), s2.DstPort(), s2.Seq(), s2.Ack(), s2.Flags(), s2.Window(), s2.Urgent(), o2}
		want := fl
		want.Options = sentOptions(o)
		if got != want || !bytes.Equal(s2.Payload(), s.Payload()) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, want)
		}
	})
}

// sentOptions is o as Encode sends it: only the SACK blocks that fit.
func sentOptions(o TCPOptions) TCPOptions {
	w := o
	w.NumSACK = o.sackBlocks()
	w.SACK = [MaxSACKBlocks]SACKBlock{}
	copy(w.SACK[:], o.SACK[:w.NumSACK])
	return w
}

func FuzzTCPOptions(f *testing.F) {
	for _, fr := range seedFrames(f) {
		if b := layer(fr, "tcp"); b != nil {
			if s, err := ParseTCP(b); err == nil {
				f.Add([]byte(s.Options()))
			}
		}
	}
	f.Add(unhex(`6304 abcd 0101 050a 00000001 00000002 00`))
	f.Fuzz(func(t *testing.T, b []byte) {
		checkLine(t, string(appendTCPOptions([]byte("options "), b)))
		var o TCPOptions
		if ParseTCPOptions(b, &o) != nil {
			return
		}
		if o.NumSACK < 0 || o.NumSACK > MaxSACKBlocks || o.WindowScale > MaxWindowScale {
			t.Fatalf("decoded out of range: %+v", o)
		}
		n := o.Len()
		if n%4 != 0 || n > TCPMaxOptionsLen {
			t.Fatalf("Len %d", n)
		}
		out := make([]byte, n)
		if o.Encode(out) != n {
			t.Fatal("Encode length differs from Len")
		}
		var o2 TCPOptions
		if err := ParseTCPOptions(out, &o2); err != nil {
			t.Fatalf("re-parse: %v", err)
		}
		if want := sentOptions(o); o2 != want {
			t.Fatalf("round trip:\n got %+v\nwant %+v", o2, want)
		}
	})
}

func FuzzIGMP(f *testing.F) {
	addSeeds(f, "igmp")
	f.Add(igmpV2Report)
	f.Add(igmpV3Query)
	f.Add(igmpV3Report)
	f.Fuzz(func(t *testing.T, b []byte) {
		checkLine(t, IGMP(b).String())
		m, err := ParseIGMP(b)
		if err != nil {
			return
		}
		_, _, _, _ = m.Checksum(), m.MaxRespTime(), m.QueryInterval(), m.SuppressRouterProcessing()
		for i := -1; i <= m.NumSources(); i++ {
			if m.Source(i).IsValid() != (i >= 0 && i < m.NumSources()) {
				t.Fatalf("Source(%d) of %d", i, m.NumSources())
			}
		}
		// Rebuild with the Fields type for the message's version, then
		// compare everything but the checksum and the reserved bits,
		// which Encode writes as zeros.
		var out []byte
		mask := map[int]byte{2: 0, 3: 0}
		switch {
		case m.Type() == IGMPv3MembershipReport:
			fl := IGMPv3ReportFields{}
			for it := m.GroupRecords(); ; {
				r, ok := it.Next()
				if !ok {
					break
				}
				rf := IGMPGroupRecordFields{Type: r.Type(), Group: r.Group(), AuxData: r.AuxData()}
				for i := range r.NumSources() {
					rf.Sources = append(rf.Sources, r.Source(i))
				}
				if len(r) != rf.Len() || r.Source(r.NumSources()).IsValid() {
					t.Fatalf("record of %d bytes rebuilds to %d", len(r), rf.Len())
				}
				fl.Records = append(fl.Records, rf)
			}
			if len(fl.Records) != m.NumGroupRecords() {
				t.Fatalf("%d records, %d counted", len(fl.Records), m.NumGroupRecords())
			}
			out = make([]byte, fl.Len())
			fl.Encode(out)
			mask[1], mask[4], mask[5] = 0, 0, 0
		case m.Version() == 3:
			fl := IGMPv3QueryFields{MaxRespCode: m.MaxRespCode(), Group: m.Group(), SuppressRouterProcessing: m.SuppressRouterProcessing(),
				QRV: m.QRV(), QQIC: m.QQIC()}
			for i := range m.NumSources() {
				fl.Sources = append(fl.Sources, m.Source(i))
			}
			out = make([]byte, fl.Len())
			fl.Encode(out)
			mask[8] = 0x0f
		default:
			fl := IGMPFields{Type: m.Type(), MaxRespCode: m.MaxRespCode(), Group: m.Group()}
			out = make([]byte, fl.Len())
			fl.Encode(out)
		}
		m2, err := ParseIGMP(out)
		if err != nil {
			t.Fatalf("rebuilt message does not parse: %v\n% x", err, out)
		}
		if len(out) > len(b) {
			t.Fatalf("rebuilt %d bytes from %d", len(out), len(b))
		}
		want := append([]byte(nil), b[:len(out)]...)
		for i, keep := range mask {
			want[i] &= keep
			out[i] &= keep
		}
		if !bytes.Equal(out, want) {
			t.Fatalf("rebuilt\n% x\nwant\n% x", out, want)
		}
		if m2.Type() != m.Type() || m2.Version() != m.Version() {
			t.Fatalf("round trip: type %v version %d, want %v %d", m2.Type(), m2.Version(), m.Type(), m.Version())
		}
	})
}
