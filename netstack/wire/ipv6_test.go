package wire

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"
)

// ip6With returns a copy of b with edit applied.
func ip6With(b []byte, edit func([]byte)) []byte {
	c := append([]byte(nil), b...)
	edit(c)
	return c
}

func TestParseIPv6(t *testing.T) {
	echo := echo6Frame[14:] // 104 bytes: 40 header + 64 ICMPv6
	type want struct {
		tc         uint8
		flow       uint32
		plen       int
		nh         IPProto
		hops       uint8
		src, dst   netip.Addr
		payloadLen int
	}
	jumbo := unhex(`
		60 00 00 00  00 00 00 40  # payload length 0, hop-by-hop
		00000000000000000000000000000001 00000000000000000000000000000002
		3a 00  c2 04 00 01 00 00  # hop-by-hop: Jumbo Payload 65536
	`)
	tests := []struct {
		desc string
		b    []byte
		want want
		err  error
	}{
		{"Linux echo request", echo, want{0, 0x80b5c, 64, IPProtoICMPv6, 64, ip6A, ip6B, 64}, nil},
		{"Ethernet padding is cut off", append(append([]byte(nil), echo...), 0, 0, 0, 0),
			want{0, 0x80b5c, 64, IPProtoICMPv6, 64, ip6A, ip6B, 64}, nil},
		{"traffic class 0xb8 (EF)", ip6With(echo, func(b []byte) { b[0], b[1] = 0x6b, 0x88 }),
			want{0xb8, 0x80b5c, 64, IPProtoICMPv6, 64, ip6A, ip6B, 64}, nil},
		{"no next header, empty", ip6With(echo[:40], func(b []byte) { b[4], b[5], b[6] = 0, 0, 59 }),
			want{0, 0x80b5c, 0, IPProtoIPv6NoNext, 64, ip6A, ip6B, 0}, nil},
		{"39 bytes", echo[:39], want{}, ErrTruncated},
		{"version 4", ip6With(echo, func(b []byte) { b[0] = 0x40 }), want{}, ErrMalformed},
		{"payload length beyond the bytes", echo[:103], want{}, ErrTruncated},
		{"jumbogram", jumbo, want{}, ErrUnsupported},
		{"payload length 0 with hop-by-hop, no jumbo option", ip6With(jumbo, func(b []byte) { b[42] = 1 }), want{}, ErrMalformed},
	}
	for _, tt := range tests {
		p, err := ParseIPv6(tt.b)
		if !errors.Is(err, tt.err) {
			t.Errorf("%s: err %v, want %v", tt.desc, err, tt.err)
			continue
		}
		if err != nil {
			continue
		}
		got := want{p.TrafficClass(), p.FlowLabel(), p.PayloadLen(), p.NextHeader(), p.HopLimit(), p.Src(), p.Dst(), len(p.Payload())}
		if got != tt.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.desc, got, tt.want)
		}
	}
}

// TestIPv6FieldsEncode rebuilds Linux's header byte for byte.
func TestIPv6FieldsEncode(t *testing.T) {
	p := must(ParseIPv6(echo6Frame[14:]))
	f := IPv6Fields{TrafficClass: p.TrafficClass(), FlowLabel: p.FlowLabel(), NextHeader: p.NextHeader(),
		HopLimit: p.HopLimit(), Src: p.Src(), Dst: p.Dst()}
	b := make([]byte, f.Len())
	f.Encode(b, 64)
	if !bytes.Equal(b, p[:IPv6HeaderLen]) {
		t.Errorf("rebuilt\n% x\nwant\n% x", b, []byte(p[:IPv6HeaderLen]))
	}
	// Out-of-range values are cut, IPv4 addresses mapped.
	f = IPv6Fields{TrafficClass: 0xff, FlowLabel: 0xffffffff, Src: ipA}
	f.Encode(b, 0x1234)
	q := must(ParseIPv6(append(b, make([]byte, 0x1234)...)))
	if q.TrafficClass() != 0xff || q.FlowLabel() != 0xfffff || q.PayloadLen() != 0x1234 || q.Src() != netip.AddrFrom16(ipA.As16()) || q.Dst() != netip.IPv6Unspecified() {
		t.Errorf("got tc %#x flow %#x plen %d src %v dst %v", q.TrafficClass(), q.FlowLabel(), q.PayloadLen(), q.Src(), q.Dst())
	}
}

func TestIPProtoString6(t *testing.T) {
	for p, want := range map[IPProto]string{0: "hopopt", 43: "ipv6-route", 44: "ipv6-frag", 58: "ipv6-icmp", 59: "ipv6-nonxt", 60: "ipv6-opts"} {
		if got := p.String(); got != want {
			t.Errorf("IPProto(%d) = %q, want %q", p, got, want)
		}
	}
}

// ip6Packet builds an IPv6 packet from src fdaa::100 to dst with the given
// next header and payload.
func ip6Packet(dst netip.Addr, nh IPProto, payload []byte) []byte {
	f := IPv6Fields{NextHeader: nh, HopLimit: 64, Src: ip6A, Dst: dst}
	b := make([]byte, IPv6HeaderLen+len(payload))
	f.Encode(b, len(payload))
	copy(b[IPv6HeaderLen:], payload)
	return b
}

func TestWalkIPv6(t *testing.T) {
	udp := unhex(`a0 28 00 09 00 08 00 00`)
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	hbh := func(nh IPProto, opts string) []byte {
		return append([]byte{byte(nh), byte((len(unhex(opts))+2)/8 - 1)}, unhex(opts)...)
	}
	frag := func(nh IPProto, off int, more bool, id uint32) []byte {
		f := IPv6FragmentFields{NextHeader: nh, Offset: off, More: more, ID: id}
		b := make([]byte, f.Len())
		f.Encode(b)
		return b
	}
	route := func(nh IPProto, typ, left byte) []byte {
		return cat([]byte{byte(nh), 2, typ, left, 0, 0, 0, 0}, make([]byte, 16))
	}
	mcast := netip.MustParseAddr("ff02::1")
	type res struct {
		proto      IPProto
		off, field int
		count      int
		fragOff    int
		ra         bool
	}
	tests := []struct {
		desc string
		p    []byte
		want res
		err  error
		prob IPv6Problem
	}{
		{"no extension headers", ip6Packet(ip6B, IPProtoUDP, udp), res{IPProtoUDP, 40, 6, 0, 0, false}, nil, IPv6Problem{}},
		{"MLD: hop-by-hop Router Alert (Linux)", mldReport6Frame[14:], res{IPProtoICMPv6, 48, 40, 1, 0, true}, nil, IPv6Problem{}},
		{"unknown upper layer is returned with its field", ip6Packet(ip6B, 99, udp), res{99, 40, 6, 0, 0, false}, nil, IPv6Problem{}},
		{"hop-by-hop, destination options, routing (segments left 0), UDP",
			ip6Packet(ip6B, 0, cat(hbh(60, "01 04 00000000"), hbh(43, "01 04 00000000"), route(17, 0, 0), udp)),
			res{IPProtoUDP, 40 + 8 + 8 + 24, 56, 3, 0, false}, nil, IPv6Problem{}},
		{"atomic fragment is walked through", ip6Packet(ip6B, 44, cat(frag(17, 0, false, 7), udp)),
			res{IPProtoUDP, 48, 40, 1, 40, false}, nil, IPv6Problem{}},
		{"first fragment is walked through", ip6Packet(ip6B, 44, cat(frag(17, 0, true, 7), udp)),
			res{IPProtoUDP, 48, 40, 1, 40, false}, nil, IPv6Problem{}},
		{"later fragment stops at the fragment header", ip6Packet(ip6B, 44, cat(frag(17, 1448, false, 7), udp)),
			res{IPProtoUDP, 48, 40, 1, 40, false}, nil, IPv6Problem{}},
		{"unknown option 00: skipped", ip6Packet(ip6B, 60, cat(hbh(17, "1e 04 00000000"), udp)),
			res{IPProtoUDP, 48, 40, 1, 0, false}, nil, IPv6Problem{}},
		{"unknown option 01: discard", ip6Packet(ip6B, 60, cat(hbh(17, "01 00 5e 02 0000"), udp)),
			res{}, ErrUnsupported, IPv6Problem{}},
		{"unknown option 10: discard and ICMP, even to multicast", ip6Packet(mcast, 60, cat(hbh(17, "01 00 9e 02 0000"), udp)),
			res{}, ErrUnsupported, IPv6Problem{true, ICMPv6UnrecognizedOption, 44}},
		{"unknown option 11: discard and ICMP to unicast", ip6Packet(ip6B, 0, cat(hbh(17, "de 04 00000000"), udp)),
			res{}, ErrUnsupported, IPv6Problem{true, ICMPv6UnrecognizedOption, 42}},
		{"unknown option 11: silent to multicast", ip6Packet(mcast, 0, cat(hbh(17, "de 04 00000000"), udp)),
			res{}, ErrUnsupported, IPv6Problem{}},
		{"Router Alert of the wrong length", ip6Packet(ip6B, 0, cat(hbh(17, "05 01 00 01 00 00"), udp)),
			res{}, ErrMalformed, IPv6Problem{}},
		{"option longer than the header", ip6Packet(ip6B, 0, cat(hbh(17, "01 05 00000000"), udp)),
			res{}, ErrMalformed, IPv6Problem{}},
		{"hop-by-hop not first", ip6Packet(ip6B, 60, cat(hbh(0, "01 04 00000000"), hbh(17, "01 04 00000000"), udp)),
			res{}, ErrMalformed, IPv6Problem{true, ICMPv6UnrecognizedNextHdr, 40}},
		{"header past the packet", ip6Packet(ip6B, 60, hbh(17, "01 04 00000000")[:6]),
			res{}, ErrTruncated, IPv6Problem{}},
		{"header chain past a first fragment", ip6Packet(ip6B, 44, cat(frag(60, 0, true, 7), []byte{17, 1, 1, 0, 0, 0, 0, 0})),
			res{}, ErrTruncated, IPv6Problem{true, ICMPv6IncompleteHeaderChain, 0}},
		{"routing with segments left", ip6Packet(ip6B, 43, cat(route(17, 0, 1), udp)),
			res{}, ErrUnsupported, IPv6Problem{true, ICMPv6ErroneousHeader, 42}},
		{"fragment with M not a multiple of 8", ip6Packet(ip6B, 44, cat(frag(17, 0, true, 7), udp, []byte{1})),
			res{}, ErrMalformed, IPv6Problem{true, ICMPv6ErroneousHeader, 4}},
		{"fragment ending beyond 65535", ip6Packet(ip6B, 44, cat(frag(17, 65528, false, 7), udp)),
			res{}, ErrMalformed, IPv6Problem{true, ICMPv6ErroneousHeader, 42}},
		{"two fragment headers", ip6Packet(ip6B, 44, cat(frag(44, 0, false, 7), frag(17, 0, false, 8), udp)),
			res{}, ErrUnsupported, IPv6Problem{}},
		{"nine headers", ip6Packet(ip6B, 60, bytes.Repeat(hbh(60, "01 04 00000000"), 9)),
			res{}, ErrUnsupported, IPv6Problem{}},
	}
	for _, tt := range tests {
		p := must(ParseIPv6(tt.p))
		h, err := WalkIPv6(p)
		if !errors.Is(err, tt.err) {
			t.Errorf("%s: err %v, want %v", tt.desc, err, tt.err)
			continue
		}
		if h.Problem != tt.prob {
			t.Errorf("%s: problem %+v, want %+v", tt.desc, h.Problem, tt.prob)
		}
		if err != nil {
			continue
		}
		got := res{h.Proto, h.Offset, h.ProtoField, h.Count, h.FragOffset, h.RouterAlert}
		if got != tt.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.desc, got, tt.want)
		}
		if h.RouterAlert && h.RouterAlertValue != IPv6RouterAlertMLD {
			t.Errorf("%s: router alert %d", tt.desc, h.RouterAlertValue)
		}
	}
}

func TestIPv6Fragment(t *testing.T) {
	p := must(ParseIPv6(append(append([]byte(nil), frag6Header...), make([]byte, 1448)...)))
	h, err := WalkIPv6(p)
	if err != nil {
		t.Fatal(err)
	}
	f := h.Frag
	if f == nil || f.NextHeader() != IPProtoICMPv6 || f.Offset() != 0 || !f.More() || f.ID() != 0xfe2c3863 || f.IsAtomic() || h.FragField != 6 {
		t.Fatalf("fragment %x: next %v offset %d more %v id %#x", []byte(f), f.NextHeader(), f.Offset(), f.More(), f.ID())
	}
	fl := IPv6FragmentFields{NextHeader: f.NextHeader(), Offset: f.Offset(), More: f.More(), ID: f.ID()}
	b := make([]byte, fl.Len())
	fl.Encode(b)
	if !bytes.Equal(b, f) {
		t.Errorf("rebuilt % x, want % x", b, []byte(f))
	}
	// Reserved bits are ignored; offset 1448 with M clear.
	g := must(ParseIPv6Fragment(unhex(`11 ff 05 ae 00 00 00 01`)))
	if g.Offset() != 1448 || g.More() || g.IsAtomic() || g.NextHeader() != IPProtoUDP {
		t.Errorf("offset %d more %v atomic %v", g.Offset(), g.More(), g.IsAtomic())
	}
	if a := must(ParseIPv6Fragment(unhex(`11 00 00 06 00 00 00 01`))); !a.IsAtomic() {
		t.Error("offset 0 without M (reserved bits set) is atomic")
	}
	if _, err := ParseIPv6Fragment(b[:7]); err != ErrTruncated {
		t.Errorf("7 bytes: %v", err)
	}
}

func TestIPv6OptionsHeader(t *testing.T) {
	h := must(ParseIPv6OptionsHeader(unhex(`3a 01  00  01 01 00  05 02 0000  c2 04 00010000`)))
	var got []IPv6Option
	for it := h.Options(); ; {
		o, ok := it.Next()
		if !ok {
			break
		}
		got = append(got, o)
	}
	if len(got) != 4 || got[0].Type != IPv6OptPad1 || got[1].Offset != 3 || got[2].Type != IPv6OptRouterAlert || got[3].Offset != 10 || len(got[3].Data) != 4 {
		t.Errorf("options %+v", got)
	}
	if v, ok := h.RouterAlert(); !ok || v != 0 {
		t.Errorf("RouterAlert() = %d, %v", v, ok)
	}
	if off, a, ok := h.Unrecognized(); !ok || off != 10 || a != IPv6OptDiscardICMPUnicast {
		t.Errorf("Unrecognized() = %d, %v, %v", off, a, ok)
	}
	var rb [IPv6RouterAlertLen]byte
	f := IPv6RouterAlertFields{NextHeader: IPProtoICMPv6}
	f.Encode(rb[:])
	if want := mldReport6Frame[54:62]; !bytes.Equal(rb[:], want) {
		t.Errorf("router alert header % x, want % x (Linux)", rb, want)
	}
	for _, bad := range []string{`3a 00 01 05 0000 0000`, `3a 00 01 03 000000 05`} {
		if _, err := ParseIPv6OptionsHeader(unhex(bad)); err != ErrMalformed {
			t.Errorf("%s: %v", bad, err)
		}
	}
	if _, err := ParseIPv6OptionsHeader(unhex(`3a 01 01 04 0000 0000`)); err != ErrTruncated {
		t.Errorf("truncated: %v", err)
	}
}
