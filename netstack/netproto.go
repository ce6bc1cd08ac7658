package netstack

import (
	"net/netip"
	"syscall"
	"time"

	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/netstack/wire"
)

// The network-layer seam.
//
// Transports (TCP, UDP, ICMP echo, ping sockets, the forwarder) build a
// packet behind the room transportOffset(dst) leaves for the link and
// network headers, and hand it to sendIP, which writes the network header
// of dst's family in front of it. IPv4 is ipv4.go; an address of another
// family is refused with EAFNOSUPPORT until IPv6 joins it.

// netHeaderLen is the length of the network header of a packet to dst,
// without options: 20 for IPv4, 40 for IPv6.
func netHeaderLen(dst netip.Addr) int {
	if dst.Is6() && !dst.Is4In6() {
		return wire.IPv6HeaderLen
	}
	return wire.IPv4MinHeaderLen
}

// ipOut is the network header a transport asks sendIP for, in either
// family.
type ipOut struct {
	proto    wire.IPProto
	src, dst netip.Addr // an unset src is chosen by sourceFor
	ttl      uint8      // TTL or hop limit; 0 means defaultTTL
	tos      uint8      // TOS or traffic class
	df       bool       // IPv4: don't fragment (RFC 1191); IPv6 paths never fragment
	body     [2][]byte  // the payload's last bytes, held outside p (outPacket)
	owner    *TCPSocket // the connection whose packet this is (smallqueue.go)
}

// sendIP writes the network header of an outgoing packet whose transport
// header and payload, n bytes, already sit at (*p)[transportOffset(dst):],
// fragmenting it if it exceeds the MTU, and sends it to the next hop. It
// takes ownership of p. Called with mu held.
func (s *Stack) sendIP(now time.Time, p *[]byte, o *ipOut, n int) error {
	return s.sendIPInfo(now, p, o, n, link.PacketInfo{})
}

// sendIPInfo is sendIP for a packet with offload state, such as a partial
// transport checksum (see offload.go). Called with mu held.
func (s *Stack) sendIPInfo(now time.Time, p *[]byte, o *ipOut, n int, info link.PacketInfo) error {
	switch {
	case o.dst.Is4():
		return s.sendIPv4(now, p, o, n, info)
	case is6(o.dst):
		return s.sendIPv6(now, p, o, n, info)
	}
	s.putBuf(p)
	s.drop(DropIPNoRoute)
	return syscall.EAFNOSUPPORT
}

// etherTypeOf is the EtherType of a frame carrying a packet to dst.
func etherTypeOf(dst netip.Addr) wire.EtherType {
	if dst.Is6() && !dst.Is4In6() {
		return wire.EtherTypeIPv6
	}
	return wire.EtherTypeIPv4
}

// solicit asks who has ip, to (broadcast, or the MAC to probe): with ARP
// for IPv4, with a neighbour solicitation (RFC 4861 §7.2.2) for IPv6, to
// ip's solicited-node group or, probing, to ip itself. Called with s.mu
// held.
func (s *Stack) solicit(now time.Time, ip netip.Addr, to wire.MAC) {
	if ip.Is4() {
		s.sendARPRequest(ip, to)
		return
	}
	dst := ip
	if to == wire.BroadcastMAC {
		dst = wire.SolicitedNodeAddr(ip)
	}
	s.sendNeighborSolicit(now, ip, dst, netip.Addr{})
}
