package wire

import (
	"encoding/binary"
	"strconv"
)

// EtherType is the type field of an Ethernet II header, naming the
// protocol of the payload (IEEE 802.3 §3.2.6).
type EtherType uint16

// EtherTypes the stack handles or recognises.
const (
	EtherTypeIPv4 EtherType = 0x0800
	EtherTypeARP  EtherType = 0x0806
	EtherTypeVLAN EtherType = 0x8100 // IEEE 802.1Q tag
	EtherTypeIPv6 EtherType = 0x86DD
)

// String names the type as tcpdump does ("IPv4", "ARP", "802.1Q",
// "IPv6"), or prints it in hex ("0x88cc").
func (t EtherType) String() string {
	switch t {
	case EtherTypeIPv4:
		return "IPv4"
	case EtherTypeARP:
		return "ARP"
	case EtherTypeVLAN:
		return "802.1Q"
	case EtherTypeIPv6:
		return "IPv6"
	}
	return "0x" + hex16(uint16(t))
}

// hex16 formats v as four lower-case hex digits.
func hex16(v uint16) string {
	s := strconv.FormatUint(uint64(v), 16)
	return "0000"[len(s):] + s
}

// EthernetHeaderLen is the length of an untagged Ethernet II header.
const EthernetHeaderLen = 14

// vlanTagLen is the length of an 802.1Q tag (TPID and TCI).
const vlanTagLen = 4

// Ethernet is a view of an Ethernet II frame, without preamble or FCS:
//
//	0      6      12         14
//	+------+------+----------+---------
//	| dst  | src  | type     | payload
//	+------+------+----------+---------
//
// or, with one 802.1Q tag, type 0x8100 followed by a 2-byte TCI and the
// inner type, for an 18-byte header. Obtain one from ParseEthernet.
type Ethernet []byte

// ParseEthernet checks that b holds a whole Ethernet header, recognising
// one 802.1Q tag (a second tag is left as the payload's first bytes, with
// EtherType 0x8100). It returns ErrTruncated if b is too short.
func ParseEthernet(b []byte) (Ethernet, error) {
	if len(b) < EthernetHeaderLen {
		return nil, ErrTruncated
	}
	if EtherType(binary.BigEndian.Uint16(b[12:])) == EtherTypeVLAN && len(b) < EthernetHeaderLen+vlanTagLen {
		return nil, ErrTruncated
	}
	return Ethernet(b), nil
}

// Dst is the destination MAC address.
func (e Ethernet) Dst() MAC { return MAC(e[0:6]) }

// Src is the source MAC address.
func (e Ethernet) Src() MAC { return MAC(e[6:12]) }

func (e Ethernet) tagged() bool {
	return EtherType(binary.BigEndian.Uint16(e[12:])) == EtherTypeVLAN
}

// EtherType is the type of the payload: the inner type when the frame
// carries an 802.1Q tag.
func (e Ethernet) EtherType() EtherType {
	if e.tagged() {
		return EtherType(binary.BigEndian.Uint16(e[16:]))
	}
	return EtherType(binary.BigEndian.Uint16(e[12:]))
}

// VLAN returns the 12-bit VLAN identifier of the frame's 802.1Q tag, and
// whether it has one.
func (e Ethernet) VLAN() (id uint16, ok bool) {
	if !e.tagged() {
		return 0, false
	}
	return binary.BigEndian.Uint16(e[14:]) & 0x0fff, true
}

// VLANPriority returns the 3-bit priority code point of the 802.1Q tag, or
// 0 for an untagged frame.
func (e Ethernet) VLANPriority() uint8 {
	if !e.tagged() {
		return 0
	}
	return e[14] >> 5
}

// HeaderLen is 14, or 18 for a frame with an 802.1Q tag.
func (e Ethernet) HeaderLen() int {
	if e.tagged() {
		return EthernetHeaderLen + vlanTagLen
	}
	return EthernetHeaderLen
}

// Payload is everything after the header, including any padding the
// sender added to reach the 60-byte minimum frame.
func (e Ethernet) Payload() []byte { return e[e.HeaderLen():] }

// EthernetFields is the decoded form of an untagged Ethernet II header.
type EthernetFields struct {
	Dst, Src MAC
	Type     EtherType
}

// Len is the encoded length, EthernetHeaderLen.
func (f *EthernetFields) Len() int { return EthernetHeaderLen }

// Encode writes the header to b[0:14].
func (f *EthernetFields) Encode(b []byte) {
	_ = b[13]
	copy(b[0:6], f.Dst[:])
	copy(b[6:12], f.Src[:])
	binary.BigEndian.PutUint16(b[12:], uint16(f.Type))
}
