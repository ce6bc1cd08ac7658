package netstack

import (
	"time"

	"github.com/renet-go/renet/netstack/wire"
)

// ethernetInput handles one Ethernet frame. Called with mu held.
func (s *Stack) ethernetInput(now time.Time, b []byte) {
	eth, err := wire.ParseEthernet(b)
	if err != nil {
		s.drop(DropLinkTruncated)
		return
	}
	// Accept frames to us, to broadcast and to the groups we joined;
	// multicast we never joined and other hosts' unicast (seen on a
	// promiscuous or shared link) are not ours.
	dst := eth.Dst()
	group := dst.IsBroadcast() || dst.IsMulticast()
	if dst != s.mac && !dst.IsBroadcast() {
		if !dst.IsMulticast() {
			s.drop(DropLinkForeignMAC)
			return
		}
		if !s.acceptsMAC(dst) {
			s.drop(DropLinkMulticast)
			return
		}
	}
	if eth.Src() == s.mac {
		// Our own frame, reflected by a hub, a flooding bridge or a
		// looped tap: our own duplicate address probe must not count
		// as another node's (RFC 7527's problem).
		s.drop(DropLinkLooped)
		return
	}
	if _, tagged := eth.VLAN(); tagged {
		s.drop(DropLinkVLAN)
		return
	}
	switch eth.EtherType() {
	case wire.EtherTypeIPv4:
		s.ipInput(now, eth.Payload(), group)
	case wire.EtherTypeIPv6:
		s.ipv6Input(now, eth.Payload(), group)
	case wire.EtherTypeARP:
		s.arpInput(now, eth.Payload())
	default:
		s.drop(DropLinkEtherType)
	}
}

// frameHeaderLen is the link header the stack writes in front of IP
// packets: 14 bytes on Ethernet, none on an IP link.
func (s *Stack) frameHeaderLen() int {
	return s.medium.HeaderLen()
}

// writeEthernet writes an Ethernet header at b[0:14].
func (s *Stack) writeEthernet(b []byte, dst wire.MAC, t wire.EtherType) {
	f := wire.EthernetFields{Dst: dst, Src: s.mac, Type: t}
	f.Encode(b)
}
