package netstack

import (
	"net/netip"
	"syscall"
	"time"

	"github.com/renet-go/renet/netstack/tcp"
	"github.com/renet-go/renet/netstack/wire"
)

// Limits on the neighbour cache, so an ARP flood or a scan of a whole subnet
// cannot grow memory without bound.
const (
	maxNeighbours      = 1024
	maxPendingPerNeigh = 16  // packets queued for one unresolved neighbour
	maxPendingTotal    = 256 // across all neighbours
)

type neighbourState uint8

const (
	neighIncomplete neighbourState = iota // request sent, no answer yet
	neighReachable                        // mac is valid until expires
)

// neighbour is one entry of the ARP cache (RFC 826's translation table).
type neighbour struct {
	state   neighbourState
	mac     wire.MAC
	expires time.Time // reachable: when the entry is forgotten
	probeAt time.Time // incomplete: when the next request goes out
	probes  int       // requests sent so far
	pending []*[]byte // frames waiting for mac, link header not yet filled
}

// neighbourCache maps on-link IPv4 addresses to MAC addresses.
type neighbourCache struct {
	m       map[netip.Addr]*neighbour
	next    time.Time // no entry has a deadline before this (zero: none)
	pending int       // frames queued across all entries
}

func (c *neighbourCache) init() { c.m = make(map[netip.Addr]*neighbour) }

func (c *neighbourCache) len() int { return len(c.m) }

func (c *neighbourCache) deadline() time.Time { return c.next }

func (c *neighbourCache) noteDeadline(t time.Time) {
	if c.next.IsZero() || t.Before(c.next) {
		c.next = t
	}
}

// tick retries or fails incomplete entries and forgets expired ones.
// Called with s.mu held.
func (c *neighbourCache) tick(s *Stack, now time.Time) {
	c.next = time.Time{}
	for ip, n := range c.m {
		switch n.state {
		case neighReachable:
			if !now.Before(n.expires) {
				delete(c.m, ip)
				continue
			}
			c.noteDeadline(n.expires)
		case neighIncomplete:
			if now.Before(n.probeAt) {
				c.noteDeadline(n.probeAt)
				continue
			}
			if n.probes >= s.cfg.ARPRetries {
				// RFC 1122 §2.3.2.1: give up and discard what waited.
				for _, p := range n.pending {
					s.putBuf(p)
					s.drop(DropARPUnresolved)
				}
				c.pending -= len(n.pending)
				delete(c.m, ip)
				s.neighbourUnreachable(now, ip)
				continue
			}
			s.sendARPRequest(ip)
			n.probes++
			n.probeAt = now.Add(s.cfg.ARPRetryInterval)
			c.noteDeadline(n.probeAt)
		}
	}
}

// evictOne makes room for a new entry by forgetting a resolved one (or, if
// every entry is unresolved, the first found with its queue).
func (c *neighbourCache) evictOne(s *Stack) {
	var victim netip.Addr
	for ip, n := range c.m {
		victim = ip
		if n.state == neighReachable {
			break
		}
	}
	if n := c.m[victim]; n != nil {
		for _, p := range n.pending {
			s.putBuf(p)
			s.drop(DropARPUnresolved)
		}
		c.pending -= len(n.pending)
		delete(c.m, victim)
	}
}

// learn records that ip is at mac and sends anything that was waiting for
// it. Called with s.mu held.
func (s *Stack) learn(now time.Time, ip netip.Addr, mac wire.MAC, create bool) {
	c := &s.neigh
	n := c.m[ip]
	if n == nil {
		if !create {
			return
		}
		if len(c.m) >= maxNeighbours {
			c.evictOne(s)
		}
		n = &neighbour{}
		c.m[ip] = n
	}
	n.state = neighReachable
	n.mac = mac
	n.expires = now.Add(s.cfg.ARPTimeout)
	c.noteDeadline(n.expires)
	for i, p := range n.pending {
		s.writeEthernet(*p, mac, wire.EtherTypeIPv4)
		s.queue(p)
		n.pending[i] = nil
	}
	c.pending -= len(n.pending)
	n.pending = n.pending[:0]
}

// sendToNeighbour sends a frame whose IPv4 packet starts at (*p)[14:] to the
// on-link next hop, resolving its MAC address first if need be. Called with
// s.mu held; takes ownership of p.
func (s *Stack) sendToNeighbour(now time.Time, p *[]byte, nextHop netip.Addr) {
	if s.isBroadcast(nextHop) {
		s.writeEthernet(*p, wire.BroadcastMAC, wire.EtherTypeIPv4)
		s.queue(p)
		return
	}
	c := &s.neigh
	n := c.m[nextHop]
	if n != nil && n.state == neighReachable {
		s.writeEthernet(*p, n.mac, wire.EtherTypeIPv4)
		s.queue(p)
		return
	}
	if n == nil {
		if len(c.m) >= maxNeighbours {
			c.evictOne(s)
		}
		n = &neighbour{state: neighIncomplete, probes: 1, probeAt: now.Add(s.cfg.ARPRetryInterval)}
		c.m[nextHop] = n
		c.noteDeadline(n.probeAt)
		s.sendARPRequest(nextHop)
	}
	if len(n.pending) >= maxPendingPerNeigh || c.pending >= maxPendingTotal {
		s.putBuf(p)
		s.drop(DropARPQueueFull)
		return
	}
	n.pending = append(n.pending, p)
	c.pending++
}

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
		// for; create one only when the packet is addressed to us.
		s.learn(now, sender, senderMAC, forUs && s.onLink(sender))
	}
	if forUs && a.Op() == wire.ARPRequest {
		s.sendARP(wire.ARPReply, senderMAC, target, senderMAC, sender)
	}
}

// sendARPRequest broadcasts a who-has for ip. Called with s.mu held.
func (s *Stack) sendARPRequest(ip netip.Addr) {
	src := s.sourceFor(ip)
	s.sendARP(wire.ARPRequest, wire.BroadcastMAC, src, wire.MAC{}, ip)
}

// sendGratuitousARPs announces each of our addresses (RFC 5227 §3): a
// request whose sender and target are both our address, so neighbours
// update stale entries for us.
func (s *Stack) sendGratuitousARPs() {
	for _, p := range s.cfg.Addrs {
		s.sendARP(wire.ARPRequest, wire.BroadcastMAC, p.Addr(), wire.MAC{}, p.Addr())
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

// neighbourUnreachable tells the sockets whose next hop is ip that it never
// answered ARP: connections still in SYN-SENT fail with EHOSTUNREACH, as a
// connect(2) to a dead on-link host does on Linux, instead of waiting out
// every SYN retry; connected UDP sockets see EHOSTUNREACH on their next
// call. Called with s.mu held.
func (s *Stack) neighbourUnreachable(now time.Time, ip netip.Addr) {
	for _, sk := range s.tcp.conns {
		if sk.tcb.State() == tcp.SynSent && s.nextHop(sk.id.remote.Addr()) == ip {
			sk.tcb.SoftError(syscall.EHOSTUNREACH)
			s.tcpUpdate(now, sk)
		}
	}
	for _, u := range s.udp.bound {
		if u.remote.IsValid() && s.nextHop(u.remote.Addr()) == ip {
			u.softErr = syscall.EHOSTUNREACH
			notify(u.readable)
		}
	}
}

// nextHop is route without the error: the zero Addr when there is none.
func (s *Stack) nextHop(dst netip.Addr) netip.Addr {
	hop, _ := s.route(dst)
	return hop
}
