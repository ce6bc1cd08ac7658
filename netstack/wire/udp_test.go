package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/netip"
	"testing"
)

var (
	vlanSrc = netip.MustParseAddr("10.0.0.1")
	vlanDst = netip.MustParseAddr("10.0.0.2")
)

func TestParseUDP(t *testing.T) {
	dgram := vlanFrame[38:48] // 5000 > 6000 "hi"
	withLen := func(n uint16) []byte {
		b := append([]byte(nil), dgram...)
		binary.BigEndian.PutUint16(b[4:], n)
		return b
	}
	type want struct {
		src, dst  uint16
		length    int
		checksum  uint16
		payload   string
		verifyOK  bool
		viewBytes int
	}
	tests := []struct {
		desc string
		b    []byte
		want want
		err  error
	}{
		{"hand-built datagram", dgram, want{5000, 6000, 10, 0x5876, "hi", true, 10}, nil},
		{"trailing padding is cut off", vlanFrame[38:], want{5000, 6000, 10, 0x5876, "hi", true, 10}, nil},
		{"no checksum (0) verifies", func() []byte { b := append([]byte(nil), dgram...); b[6], b[7] = 0, 0; return b }(),
			want{5000, 6000, 10, 0, "hi", true, 10}, nil},
		{"corrupted payload does not verify", func() []byte { b := append([]byte(nil), dgram...); b[9] ^= 0x20; return b }(),
			want{5000, 6000, 10, 0x5876, "hI", false, 10}, nil},
		{"header only", withLen(8)[:8], want{5000, 6000, 8, 0x5876, "", false, 8}, nil},
		{"7 bytes", dgram[:7], want{}, ErrTruncated},
		{"length 7", withLen(7), want{}, ErrMalformed},
		{"length 0", withLen(0), want{}, ErrMalformed},
		{"length beyond the bytes", withLen(11), want{}, ErrTruncated},
	}
	for _, tt := range tests {
		u, err := ParseUDP(tt.b)
		if !errors.Is(err, tt.err) {
			t.Errorf("%s: err %v, want %v", tt.desc, err, tt.err)
			continue
		}
		if err != nil {
			continue
		}
		got := want{u.SrcPort(), u.DstPort(), u.Length(), u.Checksum(), string(u.Payload()), u.VerifyChecksum(vlanSrc, vlanDst), len(u)}
		if got != tt.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.desc, got, tt.want)
		}
	}
	// The checksum covers the pseudo-header: other addresses fail.
	if must(ParseUDP(dgram)).VerifyChecksum(vlanDst, vlanSrc.Next()) {
		t.Error("checksum verified with the wrong addresses")
	}
}

func TestUDPFieldsEncode(t *testing.T) {
	want := vlanFrame[38:48]
	b := make([]byte, 10)
	copy(b[8:], "hi")
	f := UDPFields{SrcPort: 5000, DstPort: 6000}
	f.Encode(b, vlanSrc, vlanDst)
	if f.Len() != UDPHeaderLen || !bytes.Equal(b, want) {
		t.Errorf("Encode\n% x\nwant\n% x", b, want)
	}

	// RFC 768: a computed checksum of zero is sent as all ones. Choose the
	// last payload word so that the sum comes to exactly 0xffff.
	b = make([]byte, 12)
	f.Encode(b, vlanSrc, vlanDst)
	binary.BigEndian.PutUint16(b[10:], binary.BigEndian.Uint16(b[6:]))
	f.Encode(b, vlanSrc, vlanDst)
	u := must(ParseUDP(b))
	if u.Checksum() != 0xffff {
		t.Errorf("zero checksum sent as %#04x, want 0xffff", u.Checksum())
	}
	if !u.VerifyChecksum(vlanSrc, vlanDst) {
		t.Error("0xffff checksum does not verify")
	}
}
