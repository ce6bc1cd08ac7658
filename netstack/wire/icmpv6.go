package wire

import (
	"encoding/binary"
	"net/netip"
	"strconv"
)

// ICMPv6Type is the type field of an ICMPv6 message (RFC 4443 §2.1).
// Types below 128 are errors, the others informational.
type ICMPv6Type uint8

// ICMPv6 message types: errors and echo (RFC 4443 §3, §4), MLD (RFC 2710
// §3, RFC 3810 §5), neighbour discovery (RFC 4861 §4).
const (
	ICMPv6DestUnreachable ICMPv6Type = 1
	ICMPv6PacketTooBig    ICMPv6Type = 2
	ICMPv6TimeExceeded    ICMPv6Type = 3
	ICMPv6ParamProblem    ICMPv6Type = 4
	ICMPv6EchoRequest     ICMPv6Type = 128
	ICMPv6EchoReply       ICMPv6Type = 129
	ICMPv6MLDQuery        ICMPv6Type = 130
	ICMPv6MLDReport       ICMPv6Type = 131
	ICMPv6MLDDone         ICMPv6Type = 132
	ICMPv6RouterSolicit   ICMPv6Type = 133
	ICMPv6RouterAdvert    ICMPv6Type = 134
	ICMPv6NeighborSolicit ICMPv6Type = 135
	ICMPv6NeighborAdvert  ICMPv6Type = 136
	ICMPv6Redirect        ICMPv6Type = 137
	ICMPv6MLDv2Report     ICMPv6Type = 143
)

// String names the type as tcpdump does ("echo request", "neighbor
// solicitation", "multicast listener report v2", ...), or "type-#N".
func (t ICMPv6Type) String() string {
	switch t {
	case ICMPv6DestUnreachable:
		return "destination unreachable"
	case ICMPv6PacketTooBig:
		return "packet too big"
	case ICMPv6TimeExceeded:
		return "time exceeded in-transit"
	case ICMPv6ParamProblem:
		return "parameter problem"
	case ICMPv6EchoRequest:
		return "echo request"
	case ICMPv6EchoReply:
		return "echo reply"
	case ICMPv6MLDQuery:
		return "multicast listener query"
	case ICMPv6MLDReport:
		return "multicast listener report"
	case ICMPv6MLDDone:
		return "multicast listener done"
	case ICMPv6RouterSolicit:
		return "router solicitation"
	case ICMPv6RouterAdvert:
		return "router advertisement"
	case ICMPv6NeighborSolicit:
		return "neighbor solicitation"
	case ICMPv6NeighborAdvert:
		return "neighbor advertisement"
	case ICMPv6Redirect:
		return "redirect"
	case ICMPv6MLDv2Report:
		return "multicast listener report v2"
	}
	return "type-#" + strconv.Itoa(int(t))
}

// IsError reports whether the type is an error message, which quotes the
// packet that caused it (RFC 4443 §2.1: types 0 to 127).
func (t ICMPv6Type) IsError() bool { return t < 128 }

// Codes of ICMPv6DestUnreachable messages (RFC 4443 §3.1).
const (
	ICMPv6NoRoute            = 0
	ICMPv6AdminProhibited    = 1
	ICMPv6BeyondScope        = 2
	ICMPv6AddressUnreachable = 3
	ICMPv6PortUnreachable    = 4
	ICMPv6SourcePolicy       = 5
	ICMPv6RejectRoute        = 6
)

// Codes of ICMPv6TimeExceeded messages (RFC 4443 §3.3).
const (
	ICMPv6HopLimitExceeded   = 0
	ICMPv6ReassemblyExceeded = 1
)

// ICMPv6HeaderLen is the length of the fixed part of an ICMPv6 message
// this package reads: type, code, checksum and four type-specific bytes.
const ICMPv6HeaderLen = 8

// ICMPv6 is a view of an ICMPv6 message (RFC 4443 §2.1):
//
//	0      1      2          4                   8
//	+------+------+----------+-------------------+---------
//	| type | code | checksum | rest of header    | payload
//	+------+------+----------+-------------------+---------
//
// where the rest of the header is identifier and sequence number for
// echo, the MTU for packet too big, a pointer for parameter problem, and
// for NDP and MLD the start of the message body. Obtain one from
// ParseICMPv6.
type ICMPv6 []byte

// ParseICMPv6 checks that b holds at least the 8-byte header
// (ErrTruncated) and that the checksum over the IPv6 pseudo-header of src
// and dst (RFC 8200 §8.1) and all of b is correct (ErrBadChecksum): unlike
// ICMPv4's, it is mandatory and covers the addresses (RFC 4443 §2.3). b
// should be the upper-layer payload of an unfragmented (or reassembled)
// packet, src and dst the packet's addresses.
func ParseICMPv6(b []byte, src, dst netip.Addr) (ICMPv6, error) {
	if len(b) < ICMPv6HeaderLen {
		return nil, ErrTruncated
	}
	if Finish(Sum(b, PseudoHeaderSum(src, dst, IPProtoICMPv6, len(b)))) != 0 {
		return nil, ErrBadChecksum
	}
	return ICMPv6(b), nil
}

// Type is the message type.
func (m ICMPv6) Type() ICMPv6Type { return ICMPv6Type(m[0]) }

// Code is the message code, whose meaning depends on Type.
func (m ICMPv6) Code() uint8 { return m[1] }

// Checksum is the checksum field as received.
func (m ICMPv6) Checksum() uint16 { return binary.BigEndian.Uint16(m[2:]) }

// ID is the identifier of an echo request or reply.
func (m ICMPv6) ID() uint16 { return binary.BigEndian.Uint16(m[4:]) }

// Seq is the sequence number of an echo request or reply.
func (m ICMPv6) Seq() uint16 { return binary.BigEndian.Uint16(m[6:]) }

// MTU is the MTU of the next-hop link of a packet too big message (RFC
// 4443 §3.2).
func (m ICMPv6) MTU() uint32 { return binary.BigEndian.Uint32(m[4:]) }

// Pointer is the offset of the problem in the quoted packet, from the
// start of its IPv6 header, for a parameter problem message (RFC 4443
// §3.4).
func (m ICMPv6) Pointer() uint32 { return binary.BigEndian.Uint32(m[4:]) }

// Rest is bytes 4 to 8 of the header, as a big-endian number.
func (m ICMPv6) Rest() uint32 { return binary.BigEndian.Uint32(m[4:]) }

// Payload is everything after the 8-byte header: the data of an echo, the
// start of the original packet in an error message, or the rest of an NDP
// or MLD message's body.
func (m ICMPv6) Payload() []byte { return m[ICMPv6HeaderLen:] }

// IPv6Inner is what the stack needs from the original packet quoted in an
// ICMPv6 error, to find the connection or socket it concerns.
type IPv6Inner struct {
	Src, Dst netip.Addr
	// Protocol is the upper-layer protocol after the quoted extension
	// headers.
	Protocol         IPProto
	SrcPort, DstPort uint16
	// TCPSeq is the sequence number of the quoted TCP segment (RFC 5927
	// §4.1); zero unless Protocol is TCP.
	TCPSeq uint32
	// EchoID is the identifier of a quoted echo request, for ping
	// sockets; zero unless Protocol is ICMPv6 and the quote an echo
	// request.
	EchoID uint16
	// Fragment reports that the quoted packet was a fragment other than
	// the first, which has no upper-layer header to read.
	Fragment bool
}

// Inner decodes the original packet quoted in an error message: its IPv6
// header, its extension headers (at most IPv6MaxExtHeaders, each inside
// the quote) and, for TCP and UDP, the ports (and TCP sequence number)
// from the first 8 bytes of its upper-layer header, or the identifier of
// an echo request. The quote is parsed leniently: its payload length is
// not compared with what is left, since RFC 4443 §2.4(c) cuts the quote
// to fit 1280 bytes. It returns ErrUnsupported for a message type that is
// not an error, ErrMalformed for a quote that is not IPv6 or holds a
// hop-by-hop header anywhere but first or more than IPv6MaxExtHeaders
// headers, and ErrTruncated when the quote ends inside a header or, for
// TCP, UDP and echo, before 8 bytes of the upper-layer header.
func (m ICMPv6) Inner() (IPv6Inner, error) {
	if !m.Type().IsError() {
		return IPv6Inner{}, ErrUnsupported
	}
	b := m[ICMPv6HeaderLen:]
	if len(b) < IPv6HeaderLen {
		return IPv6Inner{}, ErrTruncated
	}
	if b[0]>>4 != 6 {
		return IPv6Inner{}, ErrMalformed
	}
	p := IPv6(b)
	in := IPv6Inner{Src: p.Src(), Dst: p.Dst()}
	nh, off := p.NextHeader(), IPv6HeaderLen
	for n := 0; ; n++ {
		if n > IPv6MaxExtHeaders {
			return IPv6Inner{}, ErrMalformed
		}
		h := b[off:]
		switch nh {
		case IPProtoIPv6HopByHop, IPProtoIPv6Opts, IPProtoIPv6Route:
			if nh == IPProtoIPv6HopByHop && off != IPv6HeaderLen {
				return IPv6Inner{}, ErrMalformed
			}
			if len(h) < ipv6ExtMinLen || len(h) < ipv6ExtLen(h) {
				return IPv6Inner{}, ErrTruncated
			}
			nh, off = IPProto(h[0]), off+ipv6ExtLen(h)
			continue
		case IPProtoIPv6Frag:
			f, err := ParseIPv6Fragment(h)
			if err != nil {
				return IPv6Inner{}, err
			}
			nh, off = f.NextHeader(), off+IPv6FragmentLen
			if f.Offset() != 0 {
				in.Protocol, in.Fragment = nh, true
				return in, nil
			}
			continue
		}
		break
	}
	in.Protocol = nh
	t := b[off:]
	switch nh {
	case IPProtoTCP, IPProtoUDP:
		if len(t) < 8 {
			return IPv6Inner{}, ErrTruncated
		}
		in.SrcPort = binary.BigEndian.Uint16(t[0:])
		in.DstPort = binary.BigEndian.Uint16(t[2:])
		if nh == IPProtoTCP {
			in.TCPSeq = binary.BigEndian.Uint32(t[4:])
		}
	case IPProtoICMPv6:
		if len(t) < ICMPv6HeaderLen {
			return IPv6Inner{}, ErrTruncated
		}
		if ICMPv6Type(t[0]) == ICMPv6EchoRequest {
			in.EchoID = binary.BigEndian.Uint16(t[4:])
		}
	}
	return in, nil
}

// ICMPv6Fields is the decoded form of an ICMPv6 header.
type ICMPv6Fields struct {
	Type ICMPv6Type
	Code uint8
	// Rest is bytes 4 to 8 of the header, big-endian: EchoRest(id, seq)
	// for echo, the MTU for packet too big, the pointer for parameter
	// problem, zero for the other errors.
	Rest uint32
}

// Len is the encoded header length, ICMPv6HeaderLen.
func (f *ICMPv6Fields) Len() int { return ICMPv6HeaderLen }

// Encode writes the header to b[0:8] and the checksum over the IPv6
// pseudo-header of src and dst and all of b: the caller places the
// payload at b[8:] first, and b ends where the message ends.
func (f *ICMPv6Fields) Encode(b []byte, src, dst netip.Addr) {
	_ = b[ICMPv6HeaderLen-1]
	b[0] = uint8(f.Type)
	b[1] = f.Code
	binary.BigEndian.PutUint32(b[4:], f.Rest)
	icmpv6Checksum(b, src, dst)
}

// icmpv6Checksum writes the checksum of the ICMPv6 message b, whose
// checksum field is overwritten.
func icmpv6Checksum(b []byte, src, dst netip.Addr) {
	b[2], b[3] = 0, 0
	binary.BigEndian.PutUint16(b[2:], Finish(Sum(b, PseudoHeaderSum(src, dst, IPProtoICMPv6, len(b)))))
}
