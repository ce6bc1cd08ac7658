package wire

import (
	"net/netip"
	"strconv"
)

// IPProto is the protocol field of an IPv4 header or the Next Header field
// of an IPv6 header or extension header (the IANA "Assigned Internet
// Protocol Numbers").
type IPProto uint8

// Protocol numbers the stack handles.
const (
	IPProtoICMP IPProto = 1
	IPProtoIGMP IPProto = 2
	IPProtoTCP  IPProto = 6
	IPProtoUDP  IPProto = 17
)

// Next Header values of IPv6 (RFC 8200 §4, RFC 4443 §1): the extension
// headers IPv6ExtHeaders walks, ICMPv6, and "no next header".
const (
	IPProtoIPv6HopByHop IPProto = 0
	IPProtoIPv6Route    IPProto = 43
	IPProtoIPv6Frag     IPProto = 44
	IPProtoICMPv6       IPProto = 58
	IPProtoIPv6NoNext   IPProto = 59
	IPProtoIPv6Opts     IPProto = 60
)

// String is the protocol's name in tcpdump's table of netdb names ("icmp",
// "igmp", "tcp", "udp", "hopopt", "ipv6-route", "ipv6-frag", "ipv6-icmp",
// "ipv6-nonxt", "ipv6-opts"), or "ip-proto-N" for others.
func (p IPProto) String() string {
	switch p {
	case IPProtoIPv6HopByHop:
		return "hopopt"
	case IPProtoIPv6Route:
		return "ipv6-route"
	case IPProtoIPv6Frag:
		return "ipv6-frag"
	case IPProtoICMPv6:
		return "ipv6-icmp"
	case IPProtoIPv6NoNext:
		return "ipv6-nonxt"
	case IPProtoIPv6Opts:
		return "ipv6-opts"
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

// getAddr16 reads an IPv6 address from b[0:16].
func getAddr16(b []byte) netip.Addr {
	return netip.AddrFrom16([16]byte(b[:16]))
}

// putAddr16 writes a as 16 bytes to b[0:16]: an IPv4 address as its
// IPv4-mapped form, the zero Addr as ::.
func putAddr16(b []byte, a netip.Addr) {
	v := a.As16()
	copy(b[:16], v[:])
}
