package wire

import (
	"encoding/binary"
	"net/netip"
)

// IPv6HeaderLen is the length of the fixed IPv6 header (RFC 8200 §3).
const IPv6HeaderLen = 40

// IPv6MinMTU is the smallest MTU a link carrying IPv6 may have (RFC 8200
// §5): every IPv6 node must accept packets of this size without
// fragmentation, and ICMPv6 errors are cut to fit it (RFC 4443 §2.4(c)).
const IPv6MinMTU = 1280

// IPv6 is a view of an IPv6 packet (RFC 8200 §3):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|Version| Traffic Class |           Flow Label                  |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|         Payload Length        |  Next Header  |   Hop Limit   |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                  Source Address (16 bytes)                    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                Destination Address (16 bytes)                 |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// The payload starts with the extension headers, if any: walk them with
// WalkIPv6. Obtain a view from ParseIPv6; it then ends at 40 bytes plus
// the payload length.
type IPv6 []byte

// ParseIPv6 validates an IPv6 header: version 6 (else ErrMalformed), b
// holding the 40-byte header and the payload length it declares
// (ErrTruncated). The returned view is cut to 40 bytes plus the payload
// length, which removes Ethernet padding.
//
// A payload length of 0 with a hop-by-hop header first is a jumbogram (RFC
// 2675 §3) if the header carries a Jumbo Payload option, which this
// package does not handle (ErrUnsupported); without one it is
// ErrMalformed, since the declared empty payload cannot hold the
// hop-by-hop header.
func ParseIPv6(b []byte) (IPv6, error) {
	if len(b) < IPv6HeaderLen {
		return nil, ErrTruncated
	}
	if b[0]>>4 != 6 {
		return nil, ErrMalformed
	}
	n := int(binary.BigEndian.Uint16(b[4:]))
	if n == 0 && IPProto(b[6]) == IPProtoIPv6HopByHop {
		if hasJumboOption(b[IPv6HeaderLen:]) {
			return nil, ErrUnsupported
		}
		return nil, ErrMalformed
	}
	if len(b) < IPv6HeaderLen+n {
		return nil, ErrTruncated
	}
	return IPv6(b[:IPv6HeaderLen+n]), nil
}

// hasJumboOption reports whether b starts with a complete hop-by-hop
// options header holding a Jumbo Payload option (RFC 2675 §2).
func hasJumboOption(b []byte) bool {
	if len(b) < ipv6ExtMinLen || len(b) < ipv6ExtLen(b) {
		return false
	}
	for it := newIPv6OptionsIter(b[:ipv6ExtLen(b)]); ; {
		o, ok := it.Next()
		if !ok {
			return false
		}
		if o.Type == IPv6OptJumbo {
			return true
		}
	}
}

// TrafficClass is the traffic class byte: DSCP in the high six bits, ECN
// in the low two (RFC 2474, RFC 3168).
func (p IPv6) TrafficClass() uint8 { return uint8(binary.BigEndian.Uint16(p[0:]) >> 4) }

// FlowLabel is the 20-bit flow label (RFC 6437).
func (p IPv6) FlowLabel() uint32 { return binary.BigEndian.Uint32(p[0:]) & 0xfffff }

// PayloadLen is the payload length field: the bytes after the fixed
// header, extension headers included.
func (p IPv6) PayloadLen() int { return int(binary.BigEndian.Uint16(p[4:])) }

// NextHeader is the type of the header after the fixed header: an
// extension header or the upper-layer protocol.
func (p IPv6) NextHeader() IPProto { return IPProto(p[6]) }

// HopLimit is the hop limit field.
func (p IPv6) HopLimit() uint8 { return p[7] }

// Src is the source address.
func (p IPv6) Src() netip.Addr { return getAddr16(p[8:24]) }

// Dst is the destination address.
func (p IPv6) Dst() netip.Addr { return getAddr16(p[24:40]) }

// Payload is everything after the fixed header, extension headers
// included, up to the payload length.
func (p IPv6) Payload() []byte { return p[IPv6HeaderLen:] }

// IPv6Fields is the decoded form of the fixed IPv6 header. Extension
// headers are written separately, after it, with their own Fields types.
type IPv6Fields struct {
	TrafficClass uint8
	// FlowLabel is cut to its low 20 bits.
	FlowLabel  uint32
	NextHeader IPProto
	HopLimit   uint8
	// Src and Dst are written in their 16-byte form: IPv4 addresses as
	// IPv4-mapped, the zero Addr as ::.
	Src, Dst netip.Addr
}

// Len is the encoded header length, IPv6HeaderLen.
func (f *IPv6Fields) Len() int { return IPv6HeaderLen }

// Encode writes the header to b[0:40] with payload length payloadLen,
// which counts the extension headers and must be at most 65535. IPv6 has
// no header checksum; the payload need not be in b yet.
func (f *IPv6Fields) Encode(b []byte, payloadLen int) {
	_ = b[IPv6HeaderLen-1]
	binary.BigEndian.PutUint32(b[0:], 6<<28|uint32(f.TrafficClass)<<20|f.FlowLabel&0xfffff)
	binary.BigEndian.PutUint16(b[4:], uint16(payloadLen))
	b[6] = uint8(f.NextHeader)
	b[7] = f.HopLimit
	putAddr16(b[8:24], f.Src)
	putAddr16(b[24:40], f.Dst)
}
