package wire

import (
	"net/netip"
	"strconv"
)

// IPProto is the protocol field of an IPv4 header (the IANA "Assigned
// Internet Protocol Numbers").
type IPProto uint8

// Protocol numbers the stack handles.
const (
	IPProtoICMP IPProto = 1
	IPProtoIGMP IPProto = 2
	IPProtoTCP  IPProto = 6
	IPProtoUDP  IPProto = 17
)

// String is "icmp", "igmp", "tcp", "udp", or "ip-proto-N" for others, as tcpdump
// prints them.
func (p IPProto) String() string {
	switch p {
	case IPProtoICMP:
		return "icmp"
	case IPProtoIGMP:
		return "igmp"
	case IPProtoTCP:
		return "tcp"
	case IPProtoUDP:
		return "udp"
	}
	return "ip-proto-" + strconv.Itoa(int(p))
}

// addr4 returns the four bytes of an IPv4 (or IPv4-mapped IPv6) address,
// and zeros for anything else, so that building a header from a zero or
// IPv6 netip.Addr writes 0.0.0.0 instead of panicking in As4.
func addr4(a netip.Addr) [4]byte {
	a = a.Unmap()
	if !a.Is4() {
		return [4]byte{}
	}
	return a.As4()
}

// putAddr4 writes addr4(a) to b[0:4].
func putAddr4(b []byte, a netip.Addr) {
	v := addr4(a)
	copy(b[:4], v[:])
}

// getAddr4 reads an IPv4 address from b[0:4].
func getAddr4(b []byte) netip.Addr {
	return netip.AddrFrom4([4]byte(b[:4]))
}
