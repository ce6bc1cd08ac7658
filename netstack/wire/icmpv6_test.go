package wire

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"
)

func TestParseICMPv6(t *testing.T) {
	echo := echo6Frame[54:]
	tests := []struct {
		desc     string
		b        []byte
		src, dst netip.Addr
		typ      ICMPv6Type
		code     uint8
		rest     uint32
		err      error
	}{
		{"Linux echo request", echo, ip6A, ip6B, ICMPv6EchoRequest, 0, 0x71d00001, nil},
		{"Linux port unreachable", portUnreachable6Frame[54:], ip6B, ip6A, ICMPv6DestUnreachable, ICMPv6PortUnreachable, 0, nil},
		{"Linux neighbor solicitation", ns6Frame[54:], ip6A, netip.MustParseAddr("ff02::1:ff00:1"), ICMPv6NeighborSolicit, 0, 0, nil},
		{"swapped addresses sum the same", echo, ip6B, ip6A, 0, 0, 0, nil},
		{"checksum covers the pseudo-header", echo, ip6A, ip6LLB, 0, 0, 0, ErrBadChecksum},
		{"7 bytes", echo[:7], ip6A, ip6B, 0, 0, 0, ErrTruncated},
		{"bad checksum", ip6With(echo, func(b []byte) { b[9]++ }), ip6A, ip6B, 0, 0, 0, ErrBadChecksum},
	}
	for _, tt := range tests {
		m, err := ParseICMPv6(tt.b, tt.src, tt.dst)
		if !errors.Is(err, tt.err) {
			t.Errorf("%s: err %v, want %v", tt.desc, err, tt.err)
			continue
		}
		if err != nil || tt.typ == 0 {
			continue
		}
		if m.Type() != tt.typ || m.Code() != tt.code || m.Rest() != tt.rest {
			t.Errorf("%s: type %v code %d rest %#x", tt.desc, m.Type(), m.Code(), m.Rest())
		}
		f := ICMPv6Fields{Type: m.Type(), Code: m.Code(), Rest: m.Rest()}
		b := append([]byte(nil), m...)
		clear(b[:ICMPv6HeaderLen])
		f.Encode(b, tt.src, tt.dst)
		if !bytes.Equal(b, m) {
			t.Errorf("%s: rebuilt\n% x\nwant\n% x", tt.desc, b, []byte(m))
		}
	}
	m := must(ParseICMPv6(echo, ip6A, ip6B))
	if m.ID() != 29136 || m.Seq() != 1 || len(m.Payload()) != 56 || m.Checksum() != 0xcedb {
		t.Errorf("echo: id %d seq %d len %d", m.ID(), m.Seq(), len(m.Payload()))
	}
}

// icmpv6Error builds an ICMPv6 error of type typ quoting q.
func icmpv6Error(typ ICMPv6Type, code uint8, rest uint32, q []byte) ICMPv6 {
	b := make([]byte, ICMPv6HeaderLen+len(q))
	copy(b[ICMPv6HeaderLen:], q)
	f := ICMPv6Fields{Type: typ, Code: code, Rest: rest}
	f.Encode(b, ip6B, ip6A)
	return must(ParseICMPv6(b, ip6B, ip6A))
}

func TestICMPv6Inner(t *testing.T) {
	tcp := unhex(`a1 12 1b 39  a8 4c 48 fa  0000 0000`)
	frag := func(nh IPProto, off int) []byte {
		f := IPv6FragmentFields{NextHeader: nh, Offset: off, More: true, ID: 9}
		b := make([]byte, 8)
		f.Encode(b)
		return b
	}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	tests := []struct {
		desc string
		m    ICMPv6
		want IPv6Inner
		err  error
	}{
		{"Linux port unreachable", must(ParseICMPv6(portUnreachable6Frame[54:], ip6B, ip6A)),
			IPv6Inner{Src: ip6A, Dst: ip6B, Protocol: IPProtoUDP, SrcPort: 41000, DstPort: 9}, nil},
		{"packet too big for TCP behind a destination options header",
			icmpv6Error(ICMPv6PacketTooBig, 0, 1280, ip6Packet(ip6B, 60, cat([]byte{6, 0, 1, 4, 0, 0, 0, 0}, tcp))),
			IPv6Inner{Src: ip6A, Dst: ip6B, Protocol: IPProtoTCP, SrcPort: 41234, DstPort: 6969, TCPSeq: 0xa84c48fa}, nil},
		{"first fragment of an echo request",
			icmpv6Error(ICMPv6TimeExceeded, 1, 0, ip6Packet(ip6B, 44, cat(frag(58, 0), unhex(`80 00 0000 1234 0001`)))),
			IPv6Inner{Src: ip6A, Dst: ip6B, Protocol: IPProtoICMPv6, EchoID: 0x1234}, nil},
		{"later fragment", icmpv6Error(ICMPv6TimeExceeded, 1, 0, ip6Packet(ip6B, 44, cat(frag(17, 8), tcp))),
			IPv6Inner{Src: ip6A, Dst: ip6B, Protocol: IPProtoUDP, Fragment: true}, nil},
		{"quote cut inside the UDP header", icmpv6Error(ICMPv6DestUnreachable, 4, 0, ip6Packet(ip6B, 17, tcp)[:47]), IPv6Inner{}, ErrTruncated},
		{"quote cut inside an extension header", icmpv6Error(ICMPv6DestUnreachable, 4, 0, ip6Packet(ip6B, 60, cat([]byte{6, 1}, make([]byte, 14)))[:50]), IPv6Inner{}, ErrTruncated},
		{"quote is IPv4", icmpv6Error(ICMPv6DestUnreachable, 4, 0, ip6With(ip6Packet(ip6B, 17, tcp), func(b []byte) { b[0] = 0x45 })), IPv6Inner{}, ErrMalformed},
		{"hop-by-hop not first", icmpv6Error(ICMPv6ParamProblem, 1, 40, ip6Packet(ip6B, 60, cat([]byte{0, 0, 1, 4, 0, 0, 0, 0}, []byte{17, 0, 1, 4, 0, 0, 0, 0}, tcp))), IPv6Inner{}, ErrMalformed},
		{"not an error", must(ParseICMPv6(echo6Frame[54:], ip6A, ip6B)), IPv6Inner{}, ErrUnsupported},
		{"39 bytes quoted", icmpv6Error(ICMPv6DestUnreachable, 4, 0, make([]byte, 39)), IPv6Inner{}, ErrTruncated},
	}
	for _, tt := range tests {
		in, err := tt.m.Inner()
		if !errors.Is(err, tt.err) || in != tt.want {
			t.Errorf("%s: Inner() = %+v, %v\nwant %+v, %v", tt.desc, in, err, tt.want, tt.err)
		}
	}
	m := icmpv6Error(ICMPv6PacketTooBig, 0, 1280, make([]byte, 48))
	if m.MTU() != 1280 || m.Pointer() != 1280 {
		t.Errorf("MTU %d", m.MTU())
	}
}

func TestICMPv6TypeString(t *testing.T) {
	for typ, want := range map[ICMPv6Type]string{1: "destination unreachable", 128: "echo request", 135: "neighbor solicitation", 143: "multicast listener report v2", 200: "type-#200"} {
		if got := typ.String(); got != want {
			t.Errorf("%d: %q, want %q", typ, got, want)
		}
	}
	if !ICMPv6PacketTooBig.IsError() || ICMPv6EchoReply.IsError() {
		t.Error("IsError")
	}
}
