package wire

import (
	"bytes"
	"errors"
	"net"
	"testing"
)

func TestParseEthernet(t *testing.T) {
	type want struct {
		dst, src   MAC
		typ        EtherType
		vlan       uint16
		tagged     bool
		prio       uint8
		hdrLen     int
		payloadLen int
	}
	doubleTag := unhex(`020000000002 020000000001  8100 0005  8100 0007  0800`)
	tests := []struct {
		desc string
		b    []byte
		want want
		err  error
	}{
		{"Linux ARP request, broadcast", arpRequestFrame,
			want{BroadcastMAC, macA, EtherTypeARP, 0, false, 0, 14, 28}, nil},
		{"Linux TCP SYN", synFrame,
			want{macB, macA, EtherTypeIPv4, 0, false, 0, 14, 60}, nil},
		{"802.1Q tag, VLAN 5 priority 3, padded", vlanFrame,
			want{MAC{2, 0, 0, 0, 0, 2}, MAC{2, 0, 0, 0, 0, 1}, EtherTypeIPv4, 5, true, 3, 18, 42}, nil},
		{"header only", arpRequestFrame[:14],
			want{BroadcastMAC, macA, EtherTypeARP, 0, false, 0, 14, 0}, nil},
		{"tag only", vlanFrame[:18],
			want{MAC{2, 0, 0, 0, 0, 2}, MAC{2, 0, 0, 0, 0, 1}, EtherTypeIPv4, 5, true, 3, 18, 0}, nil},
		{"second tag is left in the payload", doubleTag,
			want{MAC{2, 0, 0, 0, 0, 2}, MAC{2, 0, 0, 0, 0, 1}, EtherTypeVLAN, 5, true, 0, 18, 4}, nil},
		{"13 bytes", arpRequestFrame[:13], want{}, ErrTruncated},
		{"empty", nil, want{}, ErrTruncated},
		{"tagged, tag cut short", vlanFrame[:17], want{}, ErrTruncated},
	}
	for _, tt := range tests {
		e, err := ParseEthernet(tt.b)
		if !errors.Is(err, tt.err) {
			t.Errorf("%s: err %v, want %v", tt.desc, err, tt.err)
			continue
		}
		if err != nil {
			continue
		}
		id, tagged := e.VLAN()
		got := want{e.Dst(), e.Src(), e.EtherType(), id, tagged, e.VLANPriority(), e.HeaderLen(), len(e.Payload())}
		if got != tt.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.desc, got, tt.want)
		}
		if !bytes.Equal(e.Payload(), tt.b[tt.want.hdrLen:]) {
			t.Errorf("%s: payload is not the bytes after the header", tt.desc)
		}
	}
}

func TestEthernetFieldsEncode(t *testing.T) {
	f := EthernetFields{Dst: macB, Src: macA, Type: EtherTypeIPv4}
	b := make([]byte, f.Len())
	f.Encode(b)
	if f.Len() != EthernetHeaderLen || !bytes.Equal(b, synFrame[:14]) {
		t.Errorf("Encode = % x, want % x", b, synFrame[:14])
	}
	f = EthernetFields{Dst: BroadcastMAC, Src: macA, Type: EtherTypeARP}
	f.Encode(b)
	if !bytes.Equal(b, arpRequestFrame[:14]) {
		t.Errorf("Encode = % x, want % x", b, arpRequestFrame[:14])
	}
}

func TestMAC(t *testing.T) {
	if s := macB.String(); s != "02:00:00:00:00:01" {
		t.Errorf("String = %q", s)
	}
	if s := (MAC{0xde, 0xad, 0xbe, 0xef, 0x0a, 0xff}).String(); s != "de:ad:be:ef:0a:ff" {
		t.Errorf("String = %q", s)
	}
	hw, _ := net.ParseMAC("02:00:00:00:00:64")
	if MACFrom(hw) != macA {
		t.Errorf("MACFrom(%v) = %v", hw, MACFrom(hw))
	}
	if MACFrom([]byte{1, 2, 3, 4, 5, 6, 7, 8}) != (MAC{1, 2, 3, 4, 5, 6}) {
		t.Error("MACFrom of 8 bytes should keep the first 6")
	}
	if !MACFrom(nil).IsZero() || !MACFrom(hw[:5]).IsZero() {
		t.Error("MACFrom of fewer than 6 bytes should be zero")
	}
	for _, c := range []struct {
		m                 MAC
		bcast, mcast, zer bool
	}{
		{BroadcastMAC, true, true, false},
		{MAC{0x01, 0x00, 0x5e, 0, 0, 1}, false, true, false},
		{macA, false, false, false},
		{MAC{}, false, false, true},
	} {
		if c.m.IsBroadcast() != c.bcast || c.m.IsMulticast() != c.mcast || c.m.IsZero() != c.zer {
			t.Errorf("%v: broadcast %v multicast %v zero %v", c.m, c.m.IsBroadcast(), c.m.IsMulticast(), c.m.IsZero())
		}
	}
}

func TestEtherTypeString(t *testing.T) {
	for typ, want := range map[EtherType]string{
		EtherTypeIPv4: "IPv4", EtherTypeARP: "ARP", EtherTypeVLAN: "802.1Q", EtherTypeIPv6: "IPv6",
		0x88cc: "0x88cc", 0x0001: "0x0001",
	} {
		if got := typ.String(); got != want {
			t.Errorf("%#04x: %q, want %q", uint16(typ), got, want)
		}
	}
}
