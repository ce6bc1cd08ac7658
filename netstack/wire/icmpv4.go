package wire

import (
	"encoding/binary"
	"net/netip"
	"strconv"
)

// ICMPType is the type field of an ICMPv4 message (RFC 792).
type ICMPType uint8

// ICMPv4 message types the stack sends or handles.
const (
	ICMPEchoReply        ICMPType = 0
	ICMPDestUnreachable  ICMPType = 3
	ICMPSourceQuench     ICMPType = 4
	ICMPRedirect         ICMPType = 5
	ICMPEchoRequest      ICMPType = 8
	ICMPTimeExceeded     ICMPType = 11
	ICMPParameterProblem ICMPType = 12
)

// String names the type as tcpdump does ("echo request", "unreachable",
// ...), or "type-#N".
func (t ICMPType) String() string {
	switch t {
	case ICMPEchoReply:
		return "echo reply"
	case ICMPDestUnreachable:
		return "unreachable"
	case ICMPSourceQuench:
		return "source quench"
	case ICMPRedirect:
		return "redirect"
	case ICMPEchoRequest:
		return "echo request"
	case ICMPTimeExceeded:
		return "time exceeded"
	case ICMPParameterProblem:
		return "parameter problem"
	}
	return "type-#" + strconv.Itoa(int(t))
}

// IsError reports whether messages of this type carry the start of the
// datagram that caused them (RFC 792, RFC 1812 §4.3.2.3).
func (t ICMPType) IsError() bool {
	switch t {
	case ICMPDestUnreachable, ICMPSourceQuench, ICMPRedirect, ICMPTimeExceeded, ICMPParameterProblem:
		return true
	}
	return false
}

// Codes of ICMPDestUnreachable messages (RFC 792, RFC 1191 for
// fragmentation needed).
const (
	ICMPNetUnreachable   = 0
	ICMPHostUnreachable  = 1
	ICMPProtoUnreachable = 2
	ICMPPortUnreachable  = 3
	ICMPFragNeeded       = 4
)

// Codes of ICMPTimeExceeded messages (RFC 792).
const (
	ICMPTTLExceeded        = 0
	ICMPReassemblyExceeded = 1
)

// ICMPv4HeaderLen is the length of the fixed ICMPv4 header: type, code,
// checksum and four type-specific bytes.
const ICMPv4HeaderLen = 8

// ICMPv4 is a view of an ICMPv4 message (RFC 792):
//
//	0      1      2          4                   8
//	+------+------+----------+-------------------+---------
//	| type | code | checksum | rest of header    | payload
//	+------+------+----------+-------------------+---------
//
// where the rest of the header is identifier and sequence number for
// echo, a pointer for parameter problem, the next-hop MTU for
// fragmentation needed, and unused otherwise. Obtain one from ParseICMPv4.
type ICMPv4 []byte

// ParseICMPv4 checks that b holds at least the 8-byte header
// (ErrTruncated) and that the checksum over all of b is correct
// (ErrBadChecksum). b should be the whole IP payload of an unfragmented
// (or reassembled) datagram.
func ParseICMPv4(b []byte) (ICMPv4, error) {
	if len(b) < ICMPv4HeaderLen {
		return nil, ErrTruncated
	}
	if Checksum(b) != 0 {
		return nil, ErrBadChecksum
	}
	return ICMPv4(b), nil
}

// Type is the message type.
func (m ICMPv4) Type() ICMPType { return ICMPType(m[0]) }

// Code is the message code, whose meaning depends on Type.
func (m ICMPv4) Code() uint8 { return m[1] }

// Checksum is the checksum field as received.
func (m ICMPv4) Checksum() uint16 { return binary.BigEndian.Uint16(m[2:]) }

// ID is the identifier of an echo request or reply.
func (m ICMPv4) ID() uint16 { return binary.BigEndian.Uint16(m[4:]) }

// Seq is the sequence number of an echo request or reply.
func (m ICMPv4) Seq() uint16 { return binary.BigEndian.Uint16(m[6:]) }

// Pointer is the octet offset of the problem in the original datagram, for
// a parameter problem message.
func (m ICMPv4) Pointer() uint8 { return m[4] }

// NextHopMTU is the MTU of the next-hop network for a fragmentation needed
// message (RFC 1191 §4); 0 from routers older than RFC 1191.
func (m ICMPv4) NextHopMTU() uint16 { return binary.BigEndian.Uint16(m[6:]) }

// Rest is bytes 4 to 8 of the header, as a big-endian number.
func (m ICMPv4) Rest() uint32 { return binary.BigEndian.Uint32(m[4:]) }

// Payload is everything after the 8-byte header: the data of an echo, or
// the start of the original datagram in an error message.
func (m ICMPv4) Payload() []byte { return m[ICMPv4HeaderLen:] }

// IPv4Inner is what the stack needs from the original datagram quoted in an
// ICMP error, to find the connection or socket it concerns.
type IPv4Inner struct {
	Src, Dst         netip.Addr
	Protocol         IPProto
	SrcPort, DstPort uint16
	// TCPSeq is the sequence number of the quoted TCP segment, for the
	// check of RFC 5927 §4.1 that it lies in the send window; zero unless
	// Protocol is TCP.
	TCPSeq uint32
}

// Inner decodes the original datagram quoted in an error message: its IPv4
// header and, for TCP and UDP, its ports (and TCP sequence number) from the
// first 8 bytes of its payload, which RFC 792 guarantees are present. The
// quoted header is parsed leniently: its checksum is not verified and its
// total length is not compared with what is left, since the quote is
// usually cut short. It returns ErrUnsupported for a message type that is
// not an error, ErrMalformed for a quoted header that is not IPv4 or has a
// bad header length, and ErrTruncated when the quote is too short for the
// header or, for TCP and UDP, the 8 bytes after it. Ports are zero when the
// original was not the first fragment of its datagram.
func (m ICMPv4) Inner() (hdr IPv4Inner, err error) {
	if !m.Type().IsError() {
		return IPv4Inner{}, ErrUnsupported
	}
	b := m[ICMPv4HeaderLen:]
	if len(b) < IPv4MinHeaderLen {
		return IPv4Inner{}, ErrTruncated
	}
	if b[0]>>4 != 4 {
		return IPv4Inner{}, ErrMalformed
	}
	hl := int(b[0]&0x0f) * 4
	if hl < IPv4MinHeaderLen {
		return IPv4Inner{}, ErrMalformed
	}
	if len(b) < hl {
		return IPv4Inner{}, ErrTruncated
	}
	p := IPv4(b)
	hdr = IPv4Inner{Src: p.Src(), Dst: p.Dst(), Protocol: p.Protocol()}
	if p.FragmentOffset() != 0 {
		return hdr, nil
	}
	switch hdr.Protocol {
	case IPProtoTCP, IPProtoUDP:
		t := b[hl:]
		if len(t) < 8 {
			return IPv4Inner{}, ErrTruncated
		}
		hdr.SrcPort = binary.BigEndian.Uint16(t[0:])
		hdr.DstPort = binary.BigEndian.Uint16(t[2:])
		if hdr.Protocol == IPProtoTCP {
			hdr.TCPSeq = binary.BigEndian.Uint32(t[4:])
		}
	}
	return hdr, nil
}

// ICMPv4Fields is the decoded form of an ICMPv4 header.
type ICMPv4Fields struct {
	Type ICMPType
	Code uint8
	// Rest is bytes 4 to 8 of the header, big-endian: see EchoRest,
	// MTURest and PointerRest.
	Rest uint32
}

// EchoRest packs an echo identifier and sequence number into
// ICMPv4Fields.Rest.
func EchoRest(id, seq uint16) uint32 { return uint32(id)<<16 | uint32(seq) }

// MTURest packs the next-hop MTU of a fragmentation needed message into
// ICMPv4Fields.Rest (RFC 1191 §4).
func MTURest(mtu uint16) uint32 { return uint32(mtu) }

// PointerRest packs the pointer of a parameter problem message into
// ICMPv4Fields.Rest.
func PointerRest(ptr uint8) uint32 { return uint32(ptr) << 24 }

// Len is the encoded header length, ICMPv4HeaderLen.
func (f *ICMPv4Fields) Len() int { return ICMPv4HeaderLen }

// Encode writes the header to b[0:8] and the checksum over all of b: the
// caller places the payload at b[8:] first, and b ends where the message
// ends.
func (f *ICMPv4Fields) Encode(b []byte) {
	_ = b[ICMPv4HeaderLen-1]
	b[0] = uint8(f.Type)
	b[1] = f.Code
	b[2], b[3] = 0, 0
	binary.BigEndian.PutUint32(b[4:], f.Rest)
	binary.BigEndian.PutUint16(b[2:], Checksum(b))
}
