package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/netip"
	"testing"
)

// ipWithFix returns a copy of the IPv4 header in b with edit applied and
// the header checksum recomputed, so a test can reach the checks after it.
func ipWithFix(b []byte, edit func([]byte)) []byte {
	c := append([]byte(nil), b...)
	edit(c)
	hl := min(int(c[0]&0xf)*4, len(c))
	c[10], c[11] = 0, 0
	binary.BigEndian.PutUint16(c[10:], Checksum(c[:hl]))
	return c
}

func TestParseIPv4(t *testing.T) {
	echo := echoRequestFrame[14:] // 84 bytes: 20 header + 64 ICMP
	withOpts := unhex(`
		46 00 00 20        # ihl 6, total 32
		00 07 00 00  40 11 00 00  c0 a8 45 64  c0 a8 45 01
		01 01 01 00        # options: NOP NOP NOP EOL
		13 88 17 70 00 08 00 00  # UDP header
	`)
	withOpts = ipWithFix(withOpts, func([]byte) {})
	type want struct {
		hl, total, tos, ttl int
		id                  uint16
		df, mf              bool
		off                 int
		proto               IPProto
		src, dst            netip.Addr
		optLen, payloadLen  int
	}
	tests := []struct {
		desc string
		b    []byte
		want want
		err  error
	}{
		{"Linux echo request", echo,
			want{20, 84, 0, 64, 0x20ff, true, false, 0, IPProtoICMP, ipA, ipB, 0, 64}, nil},
		{"Ethernet padding is cut off", append(append([]byte(nil), echo...), 0, 0, 0, 0),
			want{20, 84, 0, 64, 0x20ff, true, false, 0, IPProtoICMP, ipA, ipB, 0, 64}, nil},
		{"options", withOpts,
			want{24, 32, 0, 64, 7, false, false, 0, IPProtoUDP, ipA, ipB, 4, 8}, nil},
		{"fragment: MF, offset 1480", ipWithFix(echo, func(b []byte) { binary.BigEndian.PutUint16(b[6:], 0x2000|185) }),
			want{20, 84, 0, 64, 0x20ff, false, true, 1480, IPProtoICMP, ipA, ipB, 0, 64}, nil},
		{"19 bytes", echo[:19], want{}, ErrTruncated},
		{"version 6", ipWithFix(echo, func(b []byte) { b[0] = 0x65 }), want{}, ErrMalformed},
		{"IHL 4", ipWithFix(echo, func(b []byte) { b[0] = 0x44 }), want{}, ErrMalformed},
		{"IHL 15 in 20 bytes", ipWithFix(echo[:20], func(b []byte) { b[0] = 0x4f }), want{}, ErrTruncated},
		{"total length 19", ipWithFix(echo, func(b []byte) { b[3] = 19 }), want{}, ErrMalformed},
		{"total length beyond the bytes", echo[:83], want{}, ErrTruncated},
		{"bad header checksum", func() []byte { b := append([]byte(nil), echo...); b[8]--; return b }(), want{}, ErrBadChecksum},
	}
	for _, tt := range tests {
		p, err := ParseIPv4(tt.b)
		if !errors.Is(err, tt.err) {
			t.Errorf("%s: err %v, want %v", tt.desc, err, tt.err)
			continue
		}
		if err != nil {
			continue
		}
		got := want{p.HeaderLen(), p.TotalLen(), int(p.TOS()), int(p.TTL()), p.ID(), p.DontFragment(), p.MoreFragments(),
			p.FragmentOffset(), p.Protocol(), p.Src(), p.Dst(), len(p.Options()), len(p.Payload())}
		if got != tt.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.desc, got, tt.want)
		}
		if len(p) != tt.want.total || !bytes.Equal(p.Payload(), tt.b[tt.want.hl:tt.want.total]) {
			t.Errorf("%s: view %d bytes, payload not b[hl:total]", tt.desc, len(p))
		}
		if p.IsFragment() != (tt.want.mf || tt.want.off != 0) {
			t.Errorf("%s: IsFragment %v", tt.desc, p.IsFragment())
		}
		if p.Checksum() != binary.BigEndian.Uint16(tt.b[10:]) {
			t.Errorf("%s: Checksum %#04x", tt.desc, p.Checksum())
		}
	}
}

func TestIPv4FieldsEncode(t *testing.T) {
	// Linux's echo request header, rebuilt byte for byte.
	f := IPv4Fields{ID: 0x20ff, DontFragment: true, TTL: 64, Protocol: IPProtoICMP, Src: ipA, Dst: ipB}
	b := make([]byte, f.Len())
	f.Encode(b, 64)
	if want := echoRequestFrame[14:34]; !bytes.Equal(b, want) {
		t.Errorf("Encode\n% x\nwant\n% x", b, want)
	}
	// Round trip of every field, the fragment fields included.
	f = IPv4Fields{TOS: 0xb8, ID: 0xbeef, MoreFragments: true, FragmentOffset: 65528, TTL: 1, Protocol: 99,
		Src: netip.MustParseAddr("10.1.2.3"), Dst: netip.MustParseAddr("255.255.255.255")}
	b = make([]byte, 20+100)
	f.Encode(b, 100)
	p := must(ParseIPv4(b))
	got := IPv4Fields{p.TOS(), p.ID(), p.DontFragment(), p.MoreFragments(), p.FragmentOffset(), p.TTL(), p.Protocol(), p.Src(), p.Dst(), p.RouterAlert()}
	if got != f || p.TotalLen() != 120 || p.HeaderLen() != 20 {
		t.Errorf("round trip:\n got %+v (total %d)\nwant %+v", got, p.TotalLen(), f)
	}
	// Addresses that are not IPv4 are written as zeros, not a panic.
	f = IPv4Fields{Src: netip.MustParseAddr("::1")}
	f.Encode(b, 0)
	if p := must(ParseIPv4(b[:20])); p.Src() != netip.IPv4Unspecified() || p.Dst() != netip.IPv4Unspecified() {
		t.Errorf("non-IPv4 addresses: %v > %v", p.Src(), p.Dst())
	}
}

func TestIPProtoString(t *testing.T) {
	for p, want := range map[IPProto]string{IPProtoICMP: "icmp", IPProtoIGMP: "igmp", IPProtoTCP: "tcp", IPProtoUDP: "udp", 99: "ip-proto-99"} {
		if got := p.String(); got != want {
			t.Errorf("%d: %q, want %q", uint8(p), got, want)
		}
	}
}
