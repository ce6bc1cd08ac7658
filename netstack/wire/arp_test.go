package wire

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"
)

func TestParseARP(t *testing.T) {
	padded := append(append([]byte(nil), arpReplyFrame[14:]...), make([]byte, 18)...)
	patch := func(i int, v byte) []byte {
		b := append([]byte(nil), arpRequestFrame[14:]...)
		b[i] = v
		return b
	}
	tests := []struct {
		desc string
		b    []byte
		want ARPFields
		err  error
	}{
		{"Linux request", arpRequestFrame[14:],
			ARPFields{ARPRequest, macA, ipA, MAC{}, ipB}, nil},
		{"Linux reply", arpReplyFrame[14:],
			ARPFields{ARPReply, macB, ipB, macA, ipA}, nil},
		{"reply with Ethernet padding", padded,
			ARPFields{ARPReply, macB, ipB, macA, ipA}, nil},
		{"27 bytes", arpRequestFrame[14:41], ARPFields{}, ErrTruncated},
		{"7 bytes", arpRequestFrame[14:21], ARPFields{}, ErrTruncated},
		{"hardware type 6 (IEEE 802)", patch(1, 6), ARPFields{}, ErrUnsupported},
		{"protocol type IPv6", append([]byte{0, 1, 0x86, 0xdd}, arpRequestFrame[18:]...), ARPFields{}, ErrUnsupported},
		{"hardware length 8", patch(4, 8), ARPFields{}, ErrUnsupported},
		{"protocol length 16", patch(5, 16), ARPFields{}, ErrUnsupported},
	}
	for _, tt := range tests {
		a, err := ParseARP(tt.b)
		if !errors.Is(err, tt.err) {
			t.Errorf("%s: err %v, want %v", tt.desc, err, tt.err)
			continue
		}
		if err != nil {
			continue
		}
		got := ARPFields{a.Op(), a.SenderMAC(), a.SenderIP(), a.TargetMAC(), a.TargetIP()}
		if got != tt.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.desc, got, tt.want)
		}
		if len(a) != ARPLen {
			t.Errorf("%s: view is %d bytes, want %d", tt.desc, len(a), ARPLen)
		}
		// Build from the decoded fields: Linux's bytes come back.
		b := make([]byte, tt.want.Len())
		tt.want.Encode(b)
		if !bytes.Equal(b, tt.b[:ARPLen]) {
			t.Errorf("%s: Encode\n% x\nwant\n% x", tt.desc, b, tt.b[:ARPLen])
		}
	}
}

func TestARPFieldsEncodeNonIPv4(t *testing.T) {
	// Zero and IPv6 addresses are written as 0.0.0.0; a mapped IPv4
	// address as its IPv4 form.
	f := ARPFields{Op: ARPRequest, SenderMAC: macA, SenderIP: netip.AddrFrom16(ipA.As16()),
		TargetIP: netip.MustParseAddr("2001:db8::1")}
	b := make([]byte, ARPLen)
	f.Encode(b)
	a := must(ParseARP(b))
	if a.SenderIP() != ipA || a.TargetIP() != netip.IPv4Unspecified() {
		t.Errorf("sender %v target %v", a.SenderIP(), a.TargetIP())
	}
	f = ARPFields{}
	f.Encode(b)
	if a := must(ParseARP(b)); a.Op() != 0 || a.SenderIP() != netip.IPv4Unspecified() {
		t.Errorf("zero fields: op %v sender %v", a.Op(), a.SenderIP())
	}
}
