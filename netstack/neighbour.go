package netstack

import (
	"net/netip"
	"syscall"
	"time"

	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/netstack/internal/deadline"
	"github.com/renet-go/renet/netstack/wire"
)

// The neighbour cache follows RFC 4861 §7.3's reachability model, which
// Linux uses for ARP as well:
//
//	INCOMPLETE  request broadcast, packets queued; no answer after
//	            ARPRetries requests: dropped, entry deleted
//	REACHABLE   confirmed within ARPTimeout, by an ARP reply or by TCP's
//	            forward progress (new data acknowledged)
//	STALE       not confirmed lately; still used: the first packet sent
//	            moves it to DELAY (packets are never held back)
//	DELAY       waiting delayFirstProbe for a confirmation from above
//	PROBE       unicast requests every ARPRetryInterval; no answer after
//	            maxUnicastProbes: entry deleted
//
// A neighbour in use is therefore never forgotten while it answers, and
// no packet waits for a resolution that was already done.
const (
	maxNeighbours      = 1024
	maxPendingPerNeigh = 256              // packets queued for one unresolved neighbour
	maxPendingTotal    = 1024             // across all neighbours
	delayFirstProbe    = 5 * time.Second  // RFC 4861 §10 DELAY_FIRST_PROBE_TIME
	maxUnicastProbes   = 3                // RFC 4861 §10 MAX_UNICAST_SOLICIT
	staleLifetime      = 60 * time.Second // an unused STALE entry is then forgotten (Linux's gc_stale_time)
)

type neighbourState uint8

const (
	neighIncomplete neighbourState = iota
	neighReachable
	neighStale
	neighDelay
	neighProbe
)

var neighbourStateNames = [...]string{"INCOMPLETE", "REACHABLE", "STALE", "DELAY", "PROBE"}

func (st neighbourState) String() string { return neighbourStateNames[st] }

// neighbour is one entry of the cache.
type neighbour struct {
	slot      deadline.Slot // the entry's next timed transition
	ip        netip.Addr
	state     neighbourState
	probes    uint8       // requests sent in INCOMPLETE or PROBE
	mac       wire.MAC    // valid in every state but INCOMPLETE
	confirmed time.Time   // last confirmation of reachability
	pending   []outPacket // INCOMPLETE: frames waiting for mac, link header not yet filled
}

func (n *neighbour) Slot() *deadline.Slot { return &n.slot }

// neighbourCache maps on-link IPv4 addresses to MAC addresses.
type neighbourCache struct {
	m       map[netip.Addr]*neighbour
	timers  deadline.Heap[*neighbour]
	pending int // frames queued across all entries
}

func (c *neighbourCache) init() { c.m = make(map[netip.Addr]*neighbour) }

func (c *neighbourCache) len() int { return len(c.m) }

// neighDeadline is the earliest timed transition of any entry, or zero.
func (s *Stack) neighDeadline() time.Time {
	at, ok := s.neigh.timers.Next()
	if !ok {
		return time.Time{}
	}
	return s.epoch.Add(time.Duration(at))
}

// setNeighTimer schedules n's next transition at t.
func (s *Stack) setNeighTimer(n *neighbour, t time.Time) { s.neigh.timers.Set(n, s.clock(t)) }

// neighTick runs the transitions that are due. Called with s.mu held.
func (s *Stack) neighTick(now time.Time) {
	for {
		n, ok := s.neigh.timers.PopDue(s.clock(now))
		if !ok {
			return
		}
		s.neighTimeout(now, n)
	}
}

// neighTimeout is one entry's timed transition (RFC 4861 §7.3.3).
func (s *Stack) neighTimeout(now time.Time, n *neighbour) {
	switch n.state {
	case neighIncomplete:
		if int(n.probes) >= s.cfg.ARPRetries {
			// RFC 1122 §2.3.2.1: give up and discard what waited.
			s.deleteNeighbour(n, DropARPUnresolved)
			s.neighbourUnreachable(now, n.ip)
			return
		}
		s.probeNeighbour(now, n, wire.BroadcastMAC)
	case neighReachable:
		if s.fresh(now, n) {
			s.setNeighTimer(n, n.confirmed.Add(s.cfg.ARPTimeout)) // confirmed again since
			return
		}
		n.state = neighStale
		s.setNeighTimer(n, now.Add(staleLifetime))
	case neighStale:
		s.deleteNeighbour(n, DropARPEvicted) // unused for staleLifetime
	case neighDelay:
		if s.fresh(now, n) {
			s.reachable(now, n)
			return
		}
		n.state, n.probes = neighProbe, 0
		s.probeNeighbour(now, n, n.mac)
	case neighProbe:
		if n.probes >= maxUnicastProbes {
			s.deleteNeighbour(n, DropARPUnresolved)
			return
		}
		s.probeNeighbour(now, n, n.mac)
	}
}

// fresh reports whether n was confirmed within ARPTimeout.
func (s *Stack) fresh(now time.Time, n *neighbour) bool {
	return now.Sub(n.confirmed) < s.cfg.ARPTimeout
}

// probeNeighbour sends one more request for n and schedules the next.
func (s *Stack) probeNeighbour(now time.Time, n *neighbour, to wire.MAC) {
	s.solicit(now, n.ip, to)
	n.probes++
	s.setNeighTimer(n, now.Add(s.cfg.ARPRetryInterval))
}

// reachable marks n confirmed now.
func (s *Stack) reachable(now time.Time, n *neighbour) {
	n.state, n.probes, n.confirmed = neighReachable, 0, now
	s.setNeighTimer(n, now.Add(s.cfg.ARPTimeout))
}

// deleteNeighbour forgets n, dropping what waited for it with reason r.
func (s *Stack) deleteNeighbour(n *neighbour, r DropReason) {
	c := &s.neigh
	for _, o := range n.pending {
		s.putBuf(o.p)
		s.drop(r)
	}
	c.pending -= len(n.pending)
	n.pending = nil
	c.timers.Remove(n)
	delete(c.m, n.ip)
}

// newNeighbour makes room for and enters an entry for ip. A full cache
// evicts a STALE entry if it can find one, else any resolved one, else the
// first found; the search is bounded by the cache's size.
func (s *Stack) newNeighbour(ip netip.Addr) *neighbour {
	c := &s.neigh
	if len(c.m) >= maxNeighbours {
		var victim *neighbour
		for _, n := range c.m {
			if victim == nil || n.state == neighStale || (victim.state == neighIncomplete && n.state != neighIncomplete) {
				victim = n
			}
			if n.state == neighStale {
				break
			}
		}
		s.deleteNeighbour(victim, DropARPEvicted)
	}
	n := &neighbour{ip: ip}
	c.m[ip] = n
	return n
}

// learn records that ip is at mac (RFC 826's merge step, RFC 4861 §7.2.5's
// state rules): a confirmation makes the entry REACHABLE; otherwise a new
// entry, a resolution or a changed address makes it STALE, and an
// unchanged one keeps its state. Anything queued is sent. Called with s.mu
// held.
func (s *Stack) learn(now time.Time, ip netip.Addr, mac wire.MAC, create, confirm bool) {
	n := s.neigh.m[ip]
	if n == nil {
		if !create {
			return
		}
		n = s.newNeighbour(ip)
	}
	changed := n.state == neighIncomplete || n.mac != mac
	n.mac = mac
	switch {
	case confirm:
		s.reachable(now, n)
	case changed:
		n.state, n.probes = neighStale, 0
		s.setNeighTimer(n, now.Add(staleLifetime))
	}
	for i, o := range n.pending {
		s.writeEthernet(*o.p, mac, etherTypeOf(ip))
		s.queueOut(o)
		n.pending[i] = outPacket{}
	}
	s.neigh.pending -= len(n.pending)
	n.pending = nil
}

// confirmNeighbour records forward progress towards dst (a TCP peer
// acknowledged new data): the next hop is reachable (RFC 4861 §7.3.1). It
// costs a map lookup; the entry's timer is not touched while it stays
// REACHABLE. Called with s.mu held.
func (s *Stack) confirmNeighbour(now time.Time, dst netip.Addr) {
	if s.medium != link.Ethernet {
		return
	}
	n := s.neigh.m[s.nextHop(dst)]
	if n == nil || n.state == neighIncomplete {
		return
	}
	if n.state == neighReachable {
		n.confirmed = now
		return
	}
	s.reachable(now, n)
}

// sendToNeighbour sends a frame whose IP packet starts at (*p)[14:] to the
// on-link next hop, resolving its MAC address first if need be. Called with
// s.mu held; takes ownership of p.
func (s *Stack) sendToNeighbour(now time.Time, o outPacket, nextHop netip.Addr) {
	if s.isBroadcast(nextHop) {
		s.writeEthernet(*o.p, wire.BroadcastMAC, etherTypeOf(nextHop))
		s.queueOut(o)
		return
	}
	if nextHop.IsMulticast() {
		s.writeEthernet(*o.p, wire.MulticastMAC(nextHop), etherTypeOf(nextHop))
		s.queueOut(o)
		return
	}
	n := s.neigh.m[nextHop]
	if n == nil {
		n = s.newNeighbour(nextHop)
		s.probeNeighbour(now, n, wire.BroadcastMAC)
	}
	if n.state == neighIncomplete {
		s.queueForNeighbour(n, o)
		return
	}
	if n.state == neighReachable && !s.fresh(now, n) {
		n.state = neighStale // its timer has not run yet
	}
	if n.state == neighStale {
		// RFC 4861 §7.3.3: send, and give upper layers a moment to
		// confirm before probing.
		n.state = neighDelay
		s.setNeighTimer(n, now.Add(min(delayFirstProbe, s.cfg.ARPTimeout)))
	}
	s.writeEthernet(*o.p, n.mac, etherTypeOf(nextHop))
	s.queueOut(o)
}

// queueForNeighbour holds o until n resolves, within the queue bounds. A
// packet in pieces is made whole first: it may wait long, and its payload
// must not pin a connection's send buffer meanwhile.
func (s *Stack) queueForNeighbour(n *neighbour, o outPacket) {
	c := &s.neigh
	if len(n.pending) >= maxPendingPerNeigh || c.pending >= maxPendingTotal {
		s.putBuf(o.p)
		s.drop(DropARPQueueFull)
		return
	}
	s.materialize(&o)
	n.pending = append(n.pending, o)
	c.pending++
}

// neighbourUnreachable tells the connections whose next hop is ip that it
// never answered ARP: those still in SYN-SENT fail with EHOSTUNREACH, as a
// connect(2) to a dead on-link host does on Linux, instead of waiting out
// every SYN retry. Only connecting sockets are looked at, so the cost does
// not grow with established connections. (UDP sockets are not told: on
// Linux the host unreachable this amounts to is a soft error, which UDP
// does not report.) Called with s.mu held.
func (s *Stack) neighbourUnreachable(now time.Time, ip netip.Addr) {
	for sk := range s.tcp.connecting {
		if s.nextHop(sk.id.remote.Addr()) == ip {
			sk.tcb.SoftError(syscall.EHOSTUNREACH)
			s.tcpUpdate(now, sk)
		}
	}
}

// nextHop is route without the error: the zero Addr when there is none.
func (s *Stack) nextHop(dst netip.Addr) netip.Addr {
	hop, _ := s.route(dst)
	return hop
}
