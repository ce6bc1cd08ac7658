package netstack

import (
	"net/netip"
	"time"

	"github.com/renet-go/renet/netstack/wire"
)

// arpInput handles an ARP packet (RFC 826, "Packet Reception").
func (s *Stack) arpInput(now time.Time, b []byte) {
	a, err := wire.ParseARP(b)
	if err != nil {
		s.drop(DropARPMalformed)
		return
	}
	switch a.Op() {
	case wire.ARPRequest:
		s.stats.ARPRequestsIn++
	case wire.ARPReply:
		s.stats.ARPRepliesIn++
	default:
		s.drop(DropARPMalformed)
		return
	}
	sender, target := a.SenderIP(), a.TargetIP()
	senderMAC := a.SenderMAC()
	// Probes (RFC 5227) have sender 0.0.0.0; claims of our own addresses and
	// broadcast or multicast sender hardware addresses are never learned.
	learnable := sender.IsValid() && !sender.IsUnspecified() && !s.isLocal(sender) &&
		!senderMAC.IsBroadcast() && !senderMAC.IsMulticast()
	forUs := s.isLocal(target)
	if learnable {
		// RFC 826's merge: update an existing entry whoever the packet is
		// for; create one only when the packet is addressed to us. A reply
		// to us confirms reachability; a request only tells us the
		// sender's address (RFC 4861 §7.2.3, §7.2.5 and Linux's arp_process
		// treat them so).
		reply := a.Op() == wire.ARPReply && forUs
		s.learn(now, sender, senderMAC, forUs && s.onLink(sender), reply)
	}
	if forUs && a.Op() == wire.ARPRequest {
		s.sendARP(wire.ARPReply, senderMAC, target, senderMAC, sender)
	}
}

// sendARPRequest asks who has ip: broadcast while unresolved, or unicast
// to the MAC we hold when probing a known neighbour (RFC 4861 §7.3.3's
// PROBE state; Linux's ucast_solicit). Called with s.mu held.
func (s *Stack) sendARPRequest(ip netip.Addr, to wire.MAC) {
	src := s.sourceFor(ip)
	s.sendARP(wire.ARPRequest, to, src, wire.MAC{}, ip)
}

// sendGratuitousARPs announces each of our addresses (RFC 5227 §3): a
// request whose sender and target are both our address, so neighbours
// update stale entries for us.
func (s *Stack) sendGratuitousARPs() {
	for _, p := range s.cfg.Addrs {
		if p.Addr().Is4() {
			s.sendARP(wire.ARPRequest, wire.BroadcastMAC, p.Addr(), wire.MAC{}, p.Addr())
		}
	}
}

// sendARP queues one ARP packet. Called with s.mu held.
func (s *Stack) sendARP(op wire.ARPOp, ethDst wire.MAC, spa netip.Addr, tha wire.MAC, tpa netip.Addr) {
	p := s.getBuf(wire.EthernetHeaderLen + wire.ARPLen)
	b := *p
	s.writeEthernet(b, ethDst, wire.EtherTypeARP)
	f := wire.ARPFields{Op: op, SenderMAC: s.mac, SenderIP: spa, TargetMAC: tha, TargetIP: tpa}
	f.Encode(b[wire.EthernetHeaderLen:])
	// Pad to the 60-byte Ethernet minimum; tap devices do not pad for us.
	n := wire.EthernetHeaderLen + wire.ARPLen
	for n < 60 {
		b[n] = 0
		n++
	}
	*p = b[:n]
	if op == wire.ARPRequest {
		s.stats.ARPRequestsOut++
	} else {
		s.stats.ARPRepliesOut++
	}
	s.queue(p)
}
