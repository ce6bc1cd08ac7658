package wire

import (
	"encoding/binary"
	"net/netip"
)

// TCPMinHeaderLen is the length of a TCP header without options.
const TCPMinHeaderLen = 20

// TCPMaxOptionsLen is the most option bytes a TCP header can hold: the data
// offset field counts at most 15 words of 4 bytes.
const TCPMaxOptionsLen = 40

// TCP is a view of a TCP segment (RFC 9293 §3.1):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|          Source Port          |       Destination Port        |
//	|                        Sequence Number                        |
//	|                    Acknowledgment Number                      |
//	|  Data |       |C|E|U|A|P|R|S|F|                               |
//	| Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
//	|       |       |R|E|G|K|H|T|N|N|                               |
//	|           Checksum            |         Urgent Pointer        |
//	|                    Options                    |    Padding    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Obtain one from ParseTCP.
type TCP []byte

// ParseTCP checks that b holds the 20-byte header (ErrTruncated), that the
// data offset is at least 5 words (ErrMalformed) and that the header with
// its options fits in b (ErrTruncated). b should end where the IP payload
// ends. The options are not decoded (see ParseTCPOptions) and the checksum
// is not verified (see VerifyChecksum), as both need more than the bytes.
func ParseTCP(b []byte) (TCP, error) {
	if len(b) < TCPMinHeaderLen {
		return nil, ErrTruncated
	}
	hl := int(b[12]>>4) * 4
	if hl < TCPMinHeaderLen {
		return nil, ErrMalformed
	}
	if hl > len(b) {
		return nil, ErrTruncated
	}
	return TCP(b), nil
}

// SrcPort is the source port.
func (t TCP) SrcPort() uint16 { return binary.BigEndian.Uint16(t[0:]) }

// DstPort is the destination port.
func (t TCP) DstPort() uint16 { return binary.BigEndian.Uint16(t[2:]) }

// Seq is the sequence number.
func (t TCP) Seq() uint32 { return binary.BigEndian.Uint32(t[4:]) }

// Ack is the acknowledgment number, meaningful when the ACK flag is set.
func (t TCP) Ack() uint32 { return binary.BigEndian.Uint32(t[8:]) }

// HeaderLen is the header length including options, data offset*4: 20 to
// 60.
func (t TCP) HeaderLen() int { return int(t[12]>>4) * 4 }

// Flags are the eight control bits.
func (t TCP) Flags() TCPFlags { return TCPFlags(t[13]) }

// Window is the window field, not yet scaled.
func (t TCP) Window() uint16 { return binary.BigEndian.Uint16(t[14:]) }

// Checksum is the checksum field as received.
func (t TCP) Checksum() uint16 { return binary.BigEndian.Uint16(t[16:]) }

// Urgent is the urgent pointer, meaningful when the URG flag is set.
func (t TCP) Urgent() uint16 { return binary.BigEndian.Uint16(t[18:]) }

// Options are the raw option bytes; decode them with ParseTCPOptions.
func (t TCP) Options() []byte { return t[TCPMinHeaderLen:t.HeaderLen()] }

// Payload is the data after the header.
func (t TCP) Payload() []byte { return t[t.HeaderLen():] }

// VerifyChecksum reports whether the checksum over the pseudo-header for
// src and dst and the whole segment is correct.
func (t TCP) VerifyChecksum(src, dst netip.Addr) bool {
	return Finish(Sum(t, PseudoHeaderSum(src, dst, IPProtoTCP, len(t)))) == 0
}

// TCPFields is the decoded form of a TCP header. The data offset and the
// checksum are computed by Encode.
type TCPFields struct {
	SrcPort, DstPort uint16
	Seq, Ack         uint32
	Flags            TCPFlags
	Window           uint16
	Urgent           uint16
	Options          TCPOptions
}

// Len is the encoded header length: 20 plus Options.Len().
func (f *TCPFields) Len() int { return TCPMinHeaderLen + f.Options.Len() }

// Encode writes the header and options to b[0:Len()] and the checksum over
// the pseudo-header for src and dst and all of b. The caller places the
// payload at b[Len():] first, and b ends where the segment ends.
func (f *TCPFields) Encode(b []byte, src, dst netip.Addr) {
	f.EncodeHeader(b)
	binary.BigEndian.PutUint16(b[16:], Finish(Sum(b, PseudoHeaderSum(src, dst, IPProtoTCP, len(b)))))
}

// EncodeHeader writes the header and options to b[0:Len()] with a zero
// checksum field and returns Len(). It is Encode for callers that compute
// the checksum themselves, or leave it to a link with checksum offload.
func (f *TCPFields) EncodeHeader(b []byte) int {
	_ = b[TCPMinHeaderLen-1]
	binary.BigEndian.PutUint16(b[0:], f.SrcPort)
	binary.BigEndian.PutUint16(b[2:], f.DstPort)
	binary.BigEndian.PutUint32(b[4:], f.Seq)
	binary.BigEndian.PutUint32(b[8:], f.Ack)
	n := TCPMinHeaderLen + f.Options.Encode(b[TCPMinHeaderLen:])
	b[12] = uint8(n/4) << 4
	b[13] = uint8(f.Flags)
	binary.BigEndian.PutUint16(b[14:], f.Window)
	b[16], b[17] = 0, 0
	binary.BigEndian.PutUint16(b[18:], f.Urgent)
	return n
}
