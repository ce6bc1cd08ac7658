package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

// icmpWithFix returns a copy of the ICMP message in b with edit applied
// and its checksum recomputed.
func icmpWithFix(b []byte, edit func([]byte)) []byte {
	c := append([]byte(nil), b...)
	edit(c)
	c[2], c[3] = 0, 0
	binary.BigEndian.PutUint16(c[2:], Checksum(c))
	return c
}

func TestParseICMPv4(t *testing.T) {
	echo := echoRequestFrame[34:]
	unreach := portUnreachableFrame[34:]
	type want struct {
		typ        ICMPType
		code       uint8
		id, seq    uint16
		rest       uint32
		payloadLen int
	}
	tests := []struct {
		desc string
		b    []byte
		want want
		err  error
	}{
		{"Linux echo request", echo, want{ICMPEchoRequest, 0, 5134, 1, 5134<<16 | 1, 56}, nil},
		{"Linux port unreachable", unreach, want{ICMPDestUnreachable, ICMPPortUnreachable, 0, 0, 0, 40}, nil},
		{"header only", icmpWithFix(echo[:8], func([]byte) {}), want{ICMPEchoRequest, 0, 5134, 1, 5134<<16 | 1, 0}, nil},
		{"7 bytes", echo[:7], want{}, ErrTruncated},
		{"empty", nil, want{}, ErrTruncated},
		{"data changed after checksumming", func() []byte { b := append([]byte(nil), echo...); b[20] ^= 1; return b }(), want{}, ErrBadChecksum},
		{"cut short (checksum covers all of b)", echo[:40], want{}, ErrBadChecksum},
	}
	for _, tt := range tests {
		m, err := ParseICMPv4(tt.b)
		if !errors.Is(err, tt.err) {
			t.Errorf("%s: err %v, want %v", tt.desc, err, tt.err)
			continue
		}
		if err != nil {
			continue
		}
		got := want{m.Type(), m.Code(), m.ID(), m.Seq(), m.Rest(), len(m.Payload())}
		if got != tt.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.desc, got, tt.want)
		}
		if m.Checksum() != binary.BigEndian.Uint16(tt.b[2:]) {
			t.Errorf("%s: Checksum %#04x", tt.desc, m.Checksum())
		}
	}
}

func TestICMPv4Inner(t *testing.T) {
	unreach := portUnreachableFrame[34:]
	quoteTCP := icmpWithFix(unreach, func(b []byte) {
		b[8+9] = uint8(IPProtoTCP)
		binary.BigEndian.PutUint32(b[8+20+4:], 0xa84c48fa)
	})
	tests := []struct {
		desc string
		b    []byte
		want IPv4Inner
		err  error
	}{
		{"Linux port unreachable, quoting UDP", unreach,
			IPv4Inner{Src: ipA, Dst: ipB, Protocol: IPProtoUDP, SrcPort: 41000, DstPort: 9}, nil},
		{"quoting TCP gives the sequence number (RFC 5927)", quoteTCP,
			IPv4Inner{Src: ipA, Dst: ipB, Protocol: IPProtoTCP, SrcPort: 41000, DstPort: 9, TCPSeq: 0xa84c48fa}, nil},
		{"header and 8 bytes, as RFC 792 requires", icmpWithFix(unreach[:36], func([]byte) {}),
			IPv4Inner{Src: ipA, Dst: ipB, Protocol: IPProtoUDP, SrcPort: 41000, DstPort: 9}, nil},
		{"time exceeded", icmpWithFix(unreach, func(b []byte) { b[0], b[1] = 11, 0 }),
			IPv4Inner{Src: ipA, Dst: ipB, Protocol: IPProtoUDP, SrcPort: 41000, DstPort: 9}, nil},
		{"quoted later fragment has no ports", icmpWithFix(unreach, func(b []byte) { b[8+7] = 1 }),
			IPv4Inner{Src: ipA, Dst: ipB, Protocol: IPProtoUDP}, nil},
		{"quoted other protocol has no ports", icmpWithFix(unreach, func(b []byte) { b[8+9] = 47 }),
			IPv4Inner{Src: ipA, Dst: ipB, Protocol: 47}, nil},
		{"echo request is not an error", echoRequestFrame[34:], IPv4Inner{}, ErrUnsupported},
		{"quote shorter than an IP header", icmpWithFix(unreach[:27], func([]byte) {}), IPv4Inner{}, ErrTruncated},
		{"quote of UDP without 8 transport bytes", icmpWithFix(unreach[:35], func([]byte) {}), IPv4Inner{}, ErrTruncated},
		{"quoted IPv6", icmpWithFix(unreach, func(b []byte) { b[8] = 0x60 }), IPv4Inner{}, ErrMalformed},
		{"quoted IHL 3", icmpWithFix(unreach, func(b []byte) { b[8] = 0x43 }), IPv4Inner{}, ErrMalformed},
		{"quoted IHL 15 beyond the quote", icmpWithFix(unreach[:40], func(b []byte) { b[8] = 0x4f }), IPv4Inner{}, ErrTruncated},
	}
	for _, tt := range tests {
		m := must(ParseICMPv4(tt.b))
		got, err := m.Inner()
		if !errors.Is(err, tt.err) || got != tt.want {
			t.Errorf("%s: Inner() = %+v, %v\nwant %+v, %v", tt.desc, got, err, tt.want, tt.err)
		}
	}
}

func TestICMPv4FieldsEncode(t *testing.T) {
	// Linux's echo request, rebuilt byte for byte around its data.
	want := echoRequestFrame[34:]
	b := append([]byte(nil), want...)
	clear(b[:8])
	f := ICMPv4Fields{Type: ICMPEchoRequest, Rest: EchoRest(5134, 1)}
	f.Encode(b)
	if f.Len() != ICMPv4HeaderLen || !bytes.Equal(b, want) {
		t.Errorf("Encode\n% x\nwant\n% x", b, want)
	}
	// Fragmentation needed with an MTU, and a parameter problem pointer.
	b = make([]byte, 8+28)
	f = ICMPv4Fields{Type: ICMPDestUnreachable, Code: ICMPFragNeeded, Rest: MTURest(1400)}
	f.Encode(b)
	if m := must(ParseICMPv4(b)); m.NextHopMTU() != 1400 || m.Code() != ICMPFragNeeded {
		t.Errorf("frag needed: mtu %d code %d", m.NextHopMTU(), m.Code())
	}
	f = ICMPv4Fields{Type: ICMPParameterProblem, Rest: PointerRest(20)}
	f.Encode(b)
	if m := must(ParseICMPv4(b)); m.Pointer() != 20 || m.Type() != ICMPParameterProblem {
		t.Errorf("parameter problem: pointer %d type %v", m.Pointer(), m.Type())
	}
	// An odd-length message checksums with the last byte padded.
	b = make([]byte, 8+3)
	b[8], b[9], b[10] = 'a', 'b', 'c'
	f = ICMPv4Fields{Type: ICMPEchoReply, Rest: EchoRest(1, 2)}
	f.Encode(b)
	if m := must(ParseICMPv4(b)); m.ID() != 1 || m.Seq() != 2 || string(m.Payload()) != "abc" {
		t.Errorf("odd echo reply: %v", m)
	}
}

func TestICMPTypeString(t *testing.T) {
	for typ, want := range map[ICMPType]string{
		ICMPEchoReply: "echo reply", ICMPDestUnreachable: "unreachable", ICMPEchoRequest: "echo request",
		ICMPTimeExceeded: "time exceeded", ICMPParameterProblem: "parameter problem", 42: "type-#42",
	} {
		if got := typ.String(); got != want {
			t.Errorf("%d: %q, want %q", uint8(typ), got, want)
		}
	}
}
