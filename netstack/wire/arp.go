package wire

import (
	"encoding/binary"
	"net/netip"
	"strconv"
)

// ARPOp is the operation field of an ARP packet (RFC 826).
type ARPOp uint16

// ARP operations.
const (
	ARPRequest ARPOp = 1
	ARPReply   ARPOp = 2
)

// String is "Request", "Reply", or "op N".
func (o ARPOp) String() string {
	switch o {
	case ARPRequest:
		return "Request"
	case ARPReply:
		return "Reply"
	}
	return "op " + strconv.Itoa(int(o))
}

// ARPLen is the length of an ARP packet for IPv4 over Ethernet.
const ARPLen = 28

// Values of the fixed ARP fields for IPv4 over Ethernet (RFC 826).
const (
	arpHTypeEthernet = 1
	arpHLen          = 6
	arpPLen          = 4
)

// ARP is a view of an ARP packet for IPv4 over Ethernet (RFC 826):
//
//	0     2     4    5    6    8      14     18     24     28
//	+-----+-----+----+----+----+------+------+------+------+
//	|htype|ptype|hlen|plen| op | sha  | spa  | tha  | tpa  |
//	+-----+-----+----+----+----+------+------+------+------+
//
// Obtain one from ParseARP.
type ARP []byte

// ParseARP checks that b holds an ARP packet for IPv4 over Ethernet
// (hardware type 1, protocol type 0x0800, address lengths 6 and 4). Other
// hardware or protocol types give ErrUnsupported; fewer than 28 bytes give
// ErrTruncated. The view is cut to 28 bytes, dropping Ethernet padding.
func ParseARP(b []byte) (ARP, error) {
	if len(b) < 8 {
		return nil, ErrTruncated
	}
	if binary.BigEndian.Uint16(b[0:]) != arpHTypeEthernet ||
		EtherType(binary.BigEndian.Uint16(b[2:])) != EtherTypeIPv4 ||
		b[4] != arpHLen || b[5] != arpPLen {
		return nil, ErrUnsupported
	}
	if len(b) < ARPLen {
		return nil, ErrTruncated
	}
	return ARP(b[:ARPLen]), nil
}

// Op is the operation, request or reply.
func (a ARP) Op() ARPOp { return ARPOp(binary.BigEndian.Uint16(a[6:])) }

// SenderMAC is the sender hardware address.
func (a ARP) SenderMAC() MAC { return MAC(a[8:14]) }

// SenderIP is the sender protocol address.
func (a ARP) SenderIP() netip.Addr { return getAddr4(a[14:18]) }

// TargetMAC is the target hardware address (zero in most requests).
func (a ARP) TargetMAC() MAC { return MAC(a[18:24]) }

// TargetIP is the target protocol address.
func (a ARP) TargetIP() netip.Addr { return getAddr4(a[24:28]) }

// ARPFields is the decoded form of an ARP packet for IPv4 over Ethernet.
// Addresses that are not IPv4 are written as 0.0.0.0.
type ARPFields struct {
	Op        ARPOp
	SenderMAC MAC
	SenderIP  netip.Addr
	TargetMAC MAC
	TargetIP  netip.Addr
}

// Len is the encoded length, ARPLen.
func (f *ARPFields) Len() int { return ARPLen }

// Encode writes the packet to b[0:28].
func (f *ARPFields) Encode(b []byte) {
	_ = b[ARPLen-1]
	binary.BigEndian.PutUint16(b[0:], arpHTypeEthernet)
	binary.BigEndian.PutUint16(b[2:], uint16(EtherTypeIPv4))
	b[4] = arpHLen
	b[5] = arpPLen
	binary.BigEndian.PutUint16(b[6:], uint16(f.Op))
	copy(b[8:14], f.SenderMAC[:])
	putAddr4(b[14:18], f.SenderIP)
	copy(b[18:24], f.TargetMAC[:])
	putAddr4(b[24:28], f.TargetIP)
}
