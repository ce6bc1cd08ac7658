package wire

import (
	"encoding/binary"
	"net/netip"
)

// UDPHeaderLen is the length of a UDP header.
const UDPHeaderLen = 8

// UDP is a view of a UDP datagram (RFC 768):
//
//	0          2          4          6          8
//	+----------+----------+----------+----------+---------
//	| src port | dst port |  length  | checksum | payload
//	+----------+----------+----------+----------+---------
//
// Obtain one from ParseUDP; the view then ends at the length field.
type UDP []byte

// ParseUDP checks that b holds the 8-byte header (ErrTruncated) and that
// the length field is at least 8 (ErrMalformed) and at most len(b)
// (ErrTruncated). The returned view is cut to the length field. The
// checksum needs the IP addresses: check it with VerifyChecksum.
func ParseUDP(b []byte) (UDP, error) {
	if len(b) < UDPHeaderLen {
		return nil, ErrTruncated
	}
	n := int(binary.BigEndian.Uint16(b[4:]))
	if n < UDPHeaderLen {
		return nil, ErrMalformed
	}
	if n > len(b) {
		return nil, ErrTruncated
	}
	return UDP(b[:n]), nil
}

// SrcPort is the source port.
func (u UDP) SrcPort() uint16 { return binary.BigEndian.Uint16(u[0:]) }

// DstPort is the destination port.
func (u UDP) DstPort() uint16 { return binary.BigEndian.Uint16(u[2:]) }

// Length is the length field: header plus payload, in bytes.
func (u UDP) Length() int { return int(binary.BigEndian.Uint16(u[4:])) }

// Checksum is the checksum field as received; 0 means the sender computed
// none (RFC 768).
func (u UDP) Checksum() uint16 { return binary.BigEndian.Uint16(u[6:]) }

// Payload is the data after the header.
func (u UDP) Payload() []byte { return u[UDPHeaderLen:] }

// VerifyChecksum reports whether the checksum over the pseudo-header for
// src and dst and the datagram is correct. A zero checksum field means
// none was sent, and verifies.
func (u UDP) VerifyChecksum(src, dst netip.Addr) bool {
	if u.Checksum() == 0 {
		return true
	}
	return Finish(Sum(u, PseudoHeaderSum(src, dst, IPProtoUDP, len(u)))) == 0
}

// UDPFields is the decoded form of a UDP header; the length and checksum
// are computed by Encode.
type UDPFields struct {
	SrcPort, DstPort uint16
}

// Len is the encoded header length, UDPHeaderLen.
func (f *UDPFields) Len() int { return UDPHeaderLen }

// Encode writes the header to b[0:8], with length len(b) and the checksum
// over the pseudo-header for src and dst and all of b. The caller places
// the payload at b[8:] first, and b ends where the datagram ends (at most
// 65535 bytes). A computed checksum of 0 is sent as 0xffff, since 0 means
// "no checksum" (RFC 768).
func (f *UDPFields) Encode(b []byte, src, dst netip.Addr) {
	_ = b[UDPHeaderLen-1]
	binary.BigEndian.PutUint16(b[0:], f.SrcPort)
	binary.BigEndian.PutUint16(b[2:], f.DstPort)
	binary.BigEndian.PutUint16(b[4:], uint16(len(b)))
	b[6], b[7] = 0, 0
	c := Finish(Sum(b, PseudoHeaderSum(src, dst, IPProtoUDP, len(b))))
	if c == 0 {
		c = 0xffff
	}
	binary.BigEndian.PutUint16(b[6:], c)
}
