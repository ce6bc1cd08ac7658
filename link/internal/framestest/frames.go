package framestest

import (
	"encoding/binary"
	"net"
	"net/netip"
)

// Broadcast is the Ethernet broadcast address.
var Broadcast = net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

// EtherTypes used by the tests.
const (
	EtherTypeIPv4 = 0x0800
	EtherTypeARP  = 0x0806
	// EtherTypeLocal is the IEEE 802 "local experimental" EtherType: no
	// kernel protocol handles it, so such frames are dropped unseen.
	EtherTypeLocal = 0x88b5
)

// Ethernet returns an Ethernet II frame.
func Ethernet(dst, src net.HardwareAddr, etherType uint16, payload []byte) []byte {
	f := make([]byte, 14+len(payload))
	copy(f[0:6], dst)
	copy(f[6:12], src)
	binary.BigEndian.PutUint16(f[12:14], etherType)
	copy(f[14:], payload)
	return f
}

// EtherType returns the EtherType of an Ethernet II frame.
func EtherType(frame []byte) (uint16, bool) {
	if len(frame) < 14 {
		return 0, false
	}
	return binary.BigEndian.Uint16(frame[12:14]), true
}

// ARP is an Ethernet/IPv4 ARP packet (RFC 826).
type ARP struct {
	Op       uint16 // 1 request, 2 reply
	SHA, THA net.HardwareAddr
	SPA, TPA netip.Addr
}

// Marshal returns the 28-byte ARP packet.
func (a ARP) Marshal() []byte {
	b := make([]byte, 28)
	binary.BigEndian.PutUint16(b[0:2], 1)             // hardware type: Ethernet
	binary.BigEndian.PutUint16(b[2:4], EtherTypeIPv4) // protocol type
	b[4], b[5] = 6, 4
	binary.BigEndian.PutUint16(b[6:8], a.Op)
	copy(b[8:14], a.SHA)
	spa := a.SPA.As4()
	copy(b[14:18], spa[:])
	copy(b[18:24], a.THA)
	tpa := a.TPA.As4()
	copy(b[24:28], tpa[:])
	return b
}

// ParseARP reads the ARP packet in an Ethernet frame.
func ParseARP(frame []byte) (ARP, bool) {
	if et, ok := EtherType(frame); !ok || et != EtherTypeARP || len(frame) < 14+28 {
		return ARP{}, false
	}
	b := frame[14:]
	if binary.BigEndian.Uint16(b[0:2]) != 1 || binary.BigEndian.Uint16(b[2:4]) != EtherTypeIPv4 || b[4] != 6 || b[5] != 4 {
		return ARP{}, false
	}
	return ARP{
		Op:  binary.BigEndian.Uint16(b[6:8]),
		SHA: net.HardwareAddr(b[8:14]),
		SPA: netip.AddrFrom4([4]byte(b[14:18])),
		THA: net.HardwareAddr(b[18:24]),
		TPA: netip.AddrFrom4([4]byte(b[24:28])),
	}, true
}

// Checksum is the Internet checksum (RFC 1071) of b, folded into sum (the
// sum of a pseudo-header, or 0).
func Checksum(b []byte, sum uint32) uint16 {
	for len(b) >= 2 {
		sum += uint32(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		sum += uint32(b[0]) << 8
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	return ^uint16(sum)
}

// pseudoSum is the sum of the IPv4 pseudo-header for UDP (RFC 768).
func pseudoSum(src, dst [4]byte, udpLen int) uint32 {
	sum := uint32(17) + uint32(udpLen)
	for i := 0; i < 4; i += 2 {
		sum += uint32(binary.BigEndian.Uint16(src[i:])) + uint32(binary.BigEndian.Uint16(dst[i:]))
	}
	return sum
}

// IPv4UDP returns an IPv4 packet carrying a UDP datagram, both checksums
// computed.
func IPv4UDP(src, dst netip.AddrPort, payload []byte) []byte {
	p := make([]byte, 20+8+len(payload))
	p[0] = 0x45 // version 4, 5-word header
	binary.BigEndian.PutUint16(p[2:4], uint16(len(p)))
	binary.BigEndian.PutUint16(p[4:6], 0x1234)
	p[6] = 0x40 // don't fragment
	p[8] = 64   // TTL
	p[9] = 17   // UDP
	s, d := src.Addr().As4(), dst.Addr().As4()
	copy(p[12:16], s[:])
	copy(p[16:20], d[:])
	binary.BigEndian.PutUint16(p[10:12], Checksum(p[:20], 0))

	u := p[20:]
	binary.BigEndian.PutUint16(u[0:2], src.Port())
	binary.BigEndian.PutUint16(u[2:4], dst.Port())
	binary.BigEndian.PutUint16(u[4:6], uint16(len(u)))
	copy(u[8:], payload)
	c := Checksum(u, pseudoSum(s, d, len(u)))
	if c == 0 {
		c = 0xffff // RFC 768: a computed zero is sent as all ones
	}
	binary.BigEndian.PutUint16(u[6:8], c)
	return p
}

// UDP4 is what ParseIPv4UDP found.
type UDP4 struct {
	Src, Dst netip.AddrPort
	Payload  []byte
	TTL      uint8
	// IPChecksumOK and UDPChecksumOK say whether the checksums verify
	// (a UDP checksum of zero, meaning none, counts as OK).
	IPChecksumOK, UDPChecksumOK bool
}

// ParseIPv4UDP reads an IPv4 packet carrying UDP.
func ParseIPv4UDP(pkt []byte) (UDP4, bool) {
	if len(pkt) < 20 || pkt[0]>>4 != 4 || pkt[9] != 17 {
		return UDP4{}, false
	}
	ihl := int(pkt[0]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(pkt[2:4]))
	if ihl < 20 || total > len(pkt) || total < ihl+8 {
		return UDP4{}, false
	}
	u := pkt[ihl:total]
	ulen := int(binary.BigEndian.Uint16(u[4:6]))
	if ulen < 8 || ulen > len(u) {
		return UDP4{}, false
	}
	s, d := [4]byte(pkt[12:16]), [4]byte(pkt[16:20])
	return UDP4{
		Src:           netip.AddrPortFrom(netip.AddrFrom4(s), binary.BigEndian.Uint16(u[0:2])),
		Dst:           netip.AddrPortFrom(netip.AddrFrom4(d), binary.BigEndian.Uint16(u[2:4])),
		Payload:       u[8:ulen],
		TTL:           pkt[8],
		IPChecksumOK:  Checksum(pkt[:ihl], 0) == 0,
		UDPChecksumOK: binary.BigEndian.Uint16(u[6:8]) == 0 || Checksum(u[:ulen], pseudoSum(s, d, ulen)) == 0,
	}, true
}
