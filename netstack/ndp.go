package netstack

import (
	"net/netip"
	"slices"
	"time"

	"github.com/renet-go/renet/netstack/wire"
)

// Neighbour discovery (RFC 4861), duplicate address detection and address
// autoconfiguration (RFC 4862) and multicast listener reports (RFC 3810),
// on Ethernet links. Neighbour entries are the ARP ones (neighbour.go):
// the same states and timers, solicited with neighbour solicitations.

const (
	// maxRouterSolicitations and rsInterval: RFC 4861 §10's
	// MAX_RTR_SOLICITATIONS and RTR_SOLICITATION_INTERVAL.
	maxRouterSolicitations = 3
	rsInterval             = 4 * time.Second
	// dadTime is how long an address is watched for a duplicate after its
	// probe (RFC 4862 §5.1: DupAddrDetectTransmits 1, RetransTimer 1 s).
	dadTime = time.Second
	// maxSLAAC bounds the addresses router advertisements may give us.
	maxSLAAC = 16
	// maxOnLink bounds the on-link prefixes they may announce.
	maxOnLink = 16
)

// dadProbe is an address under duplicate address detection.
type dadProbe struct {
	addr  netip.Addr
	until time.Time
}

// startDAD probes for a duplicate of a (RFC 4862 §5.4.2): a neighbour
// solicitation from the unspecified address to its solicited-node group.
// The address is used meanwhile (optimistic DAD, RFC 4429). Called with
// s.mu held.
func (s *Stack) startDAD(now time.Time, a netip.Addr) {
	s.ip6.dad = append(s.ip6.dad, dadProbe{addr: a, until: now.Add(dadTime)})
	s.sendNeighborSolicit(now, a, wire.SolicitedNodeAddr(a), netip.IPv6Unspecified())
	s.ip6.mldAt = now // join its solicited-node group on the bridges
}

// checking reports whether a is under duplicate address detection.
// Called with s.mu held.
func (s *Stack) checking(a netip.Addr) bool {
	return slices.ContainsFunc(s.ip6.dad, func(d dadProbe) bool { return d.addr == a })
}

// dadTick ends the probes whose time is up: no duplicate was seen.
// Called with s.mu held.
func (s *Stack) dadTick(now time.Time) {
	s.ip6.dad = slices.DeleteFunc(s.ip6.dad, func(d dadProbe) bool { return !now.Before(d.until) })
}

// duplicate handles proof that another node holds a, one of our
// addresses under detection: the address is given up (RFC 4862 §5.4.5).
// Called with s.mu held.
func (s *Stack) duplicate(now time.Time, a netip.Addr) bool {
	i := slices.IndexFunc(s.ip6.dad, func(d dadProbe) bool { return d.addr == a })
	if i < 0 {
		return false
	}
	s.ip6.dad = slices.Delete(s.ip6.dad, i, i+1)
	s.stats.DADConflicts++
	if s.log != nil {
		s.log.Warn("duplicate IPv6 address: another node holds it; giving it up", "addr", a)
	}
	s.removeAddr(now, a)
	if a == s.ip6.linkLocal {
		// RFC 4862 §5.4.5: without its link-local address the interface
		// cannot speak NDP; sources, solicitations and reports stop.
		s.ip6.linkLocal = netip.Addr{}
	}
	return true
}

// sendNeighborSolicit asks who has target, to dst (its solicited-node
// group, or target itself to probe a known neighbour), from src (the
// unspecified address for duplicate address detection, which carries no
// link-layer address option, RFC 4861 §4.3). Called with s.mu held.
func (s *Stack) sendNeighborSolicit(now time.Time, target, dst, src netip.Addr) {
	f := wire.NDPNeighborSolicitFields{Target: target}
	if !src.IsUnspecified() {
		f.SourceLinkAddr = s.mac
		if !src.IsValid() {
			src = s.source6(target)
		}
	}
	s.sendNDP(now, dst, src, f.Len(), f.Encode)
}

// sendNDP sends an NDP message of n bytes, written by encode, with the
// hop limit of 255 that proves it came from the link (RFC 4861 §6.1.2).
// Called with s.mu held.
func (s *Stack) sendNDP(now time.Time, dst, src netip.Addr, n int, encode func(b []byte, src, dst netip.Addr)) {
	p := s.newPacket(dst, n)
	off := s.transportOffset(dst)
	encode((*p)[off:off+n], src, dst)
	if s.sendIP(now, p, &ipOut{proto: wire.IPProtoICMPv6, src: src, dst: dst, ttl: wire.NDPHopLimit}, n) == nil {
		s.stats.ICMPOut++
	}
}

// ndpInput handles the NDP messages (RFC 4861 §7.1, §6.1.2: every one
// must come with hop limit 255, which no router forwards). Called with
// s.mu held.
func (s *Stack) ndpInput(now time.Time, d *datagram, m wire.ICMPv6) {
	// RFC 6980: NDP never comes in fragments; fragments could hide a
	// forged message from a switch's RA guard.
	if d.ttl != wire.NDPHopLimit || m.Code() != 0 || d.reassembled {
		s.drop(DropNDPInvalid)
		return
	}
	switch m.Type() {
	case wire.ICMPv6NeighborSolicit:
		s.neighborSolicitInput(now, d, m)
	case wire.ICMPv6NeighborAdvert:
		s.neighborAdvertInput(now, d, m)
	case wire.ICMPv6RouterAdvert:
		s.routerAdvertInput(now, d, m)
	}
}

// neighborSolicitInput answers a solicitation for one of our addresses
// (RFC 4861 §7.2.3) and learns its sender's link-layer address. One from
// the unspecified address is another node's duplicate address detection:
// for an address we are still checking, it means both want it (RFC 4862
// §5.4.3); for one we hold, it is answered to all nodes.
func (s *Stack) neighborSolicitInput(now time.Time, d *datagram, m wire.ICMPv6) {
	ns, err := wire.ParseNDPNeighborSolicit(m)
	if err != nil {
		s.drop(DropNDPInvalid)
		return
	}
	target := ns.Target()
	mac, hasMAC := ns.SourceLinkAddr()
	dadProbe := d.src.IsUnspecified()
	if dadProbe && (hasMAC || d.dst != wire.SolicitedNodeAddr(target)) {
		s.drop(DropNDPInvalid)
		return
	}
	if dadProbe && s.duplicate(now, target) || !s.isLocal(target) {
		return
	}
	dst, solicited := d.src, true
	if dadProbe {
		dst, solicited = wire.IPv6AllNodes, false
	} else if hasMAC {
		s.learn(now, d.src, mac, true, false)
	}
	f := wire.NDPNeighborAdvertFields{Solicited: solicited, Override: true, Target: target, TargetLinkAddr: s.mac}
	s.sendNDP(now, dst, target, f.Len(), f.Encode)
}

// neighborAdvertInput takes an advertisement (RFC 4861 §7.2.5): for a
// neighbour being resolved or probed, its link-layer address; solicited,
// it confirms reachability. One for an address we are checking proves it
// a duplicate.
func (s *Stack) neighborAdvertInput(now time.Time, d *datagram, m wire.ICMPv6) {
	na, err := wire.ParseNDPNeighborAdvert(m)
	if err != nil || na.Solicited() && d.dst.IsMulticast() {
		s.drop(DropNDPInvalid)
		return
	}
	target := na.Target()
	if s.duplicate(now, target) || s.isLocal(target) {
		return
	}
	n := s.neigh.m[target]
	if n == nil {
		return // unsolicited news of a node we do not talk to
	}
	mac, ok := na.TargetLinkAddr()
	if !ok {
		if n.state == neighIncomplete {
			return // RFC 4861 §7.2.5: no address, nothing to learn
		}
		mac = n.mac
	}
	if mac != n.mac && !na.Override() && n.state != neighIncomplete {
		return // an unconfirmed change does not replace a known address
	}
	s.learn(now, target, mac, false, na.Solicited())
}

// routerAdvertInput takes a router advertisement (RFC 4861 §6.3.4): the
// default router and its lifetime, the link MTU, on-link prefixes, and
// prefixes to make addresses from (RFC 4862 §5.5.3).
func (s *Stack) routerAdvertInput(now time.Time, d *datagram, m wire.ICMPv6) {
	ra, err := wire.ParseNDPRouterAdvert(m)
	if err != nil || !d.src.IsLinkLocalUnicast() {
		s.drop(DropNDPInvalid)
		return
	}
	s.ip6.rsLeft = 0 // a router spoke: no need to ask again
	if !s.cfg.Gateway6.IsValid() {
		if life := time.Duration(ra.RouterLifetime()) * time.Second; life > 0 {
			s.ip6.router, s.ip6.routerUntil = d.src, now.Add(life)
		} else if s.ip6.router == d.src {
			s.ip6.router, s.ip6.routerUntil = netip.Addr{}, time.Time{}
		}
	}
	for it := ra.Options(); ; {
		o, ok := it.Next()
		if !ok {
			break
		}
		switch o.Type() {
		case wire.NDPOptSourceLinkAddr:
			if mac, ok := o.LinkAddr(); ok {
				s.learn(now, d.src, mac, true, false)
			}
		case wire.NDPOptMTU:
			if mtu, ok := o.MTU(); ok && mtu >= wire.IPv6MinMTU && int(mtu) <= s.mtu {
				s.ip6.mtu = int(mtu)
			}
		case wire.NDPOptPrefixInfo:
			if pi, ok := o.PrefixInfo(); ok {
				s.prefixInput(now, pi)
			}
		}
	}
}

// prefixInput takes one advertised prefix: on-link, and with the A flag
// and a /64, an address with our interface identifier (SLAAC). Lifetimes
// are honoured, but an advertisement cannot cut a valid lifetime below
// two hours (RFC 4862 §5.5.3 e), so a forged one cannot take an address
// away at once. Called with s.mu held.
func (s *Stack) prefixInput(now time.Time, pi wire.NDPPrefixInfo) {
	p := pi.Prefix.Masked()
	if p.Addr().IsLinkLocalUnicast() || p.Addr().IsMulticast() {
		return
	}
	valid := lifetimeOf(now, pi.ValidLifetime)
	if pi.OnLink {
		s.ip6.onLink = upsertLifetime(s.ip6.onLink, p, valid, maxOnLink)
	}
	if !pi.Autonomous || p.Bits() != 64 || pi.PreferredLifetime > pi.ValidLifetime {
		return
	}
	a := withIID(p, s.mac)
	i := slices.IndexFunc(s.ip6.slaac, func(l lifetime) bool { return l.prefix.Addr() == a })
	if i >= 0 {
		if min2h := now.Add(2 * time.Hour); valid.After(min2h) || valid.After(s.ip6.slaac[i].until) {
			s.ip6.slaac[i].until = valid
		} else if s.ip6.slaac[i].until.After(min2h) {
			s.ip6.slaac[i].until = min2h
		}
		return
	}
	if s.isLocal(a) || len(s.ip6.slaac) >= maxSLAAC || !valid.After(now) {
		return
	}
	pa := netip.PrefixFrom(a, 64)
	s.cfg.Addrs = append(s.cfg.Addrs, pa)
	s.ip6.slaac = append(s.ip6.slaac, lifetime{prefix: pa, until: valid})
	s.startDAD(now, a)
}

// lifetimeOf is when a lifetime in seconds from now ends; the all-ones
// value is infinity.
func lifetimeOf(now time.Time, secs uint32) time.Time {
	if secs == 0xffffffff {
		return now.Add(100 * 365 * 24 * time.Hour)
	}
	return now.Add(time.Duration(secs) * time.Second)
}

// upsertLifetime sets p's expiry in ls, adding it if there is room.
func upsertLifetime(ls []lifetime, p netip.Prefix, until time.Time, limit int) []lifetime {
	if i := slices.IndexFunc(ls, func(l lifetime) bool { return l.prefix == p }); i >= 0 {
		ls[i].until = until
		return ls
	}
	if len(ls) >= limit {
		return ls
	}
	return append(ls, lifetime{prefix: p, until: until})
}

// sendRouterSolicit asks the routers on the link to advertise (RFC 4861
// §6.3.7), from our link-local address. Called with s.mu held.
func (s *Stack) sendRouterSolicit(now time.Time) {
	s.ip6.rsLeft--
	s.ip6.rsAt = now.Add(rsInterval)
	f := wire.NDPRouterSolicitFields{SourceLinkAddr: s.mac}
	s.sendNDP(now, wire.IPv6AllRouters, s.ip6.linkLocal, f.Len(), f.Encode)
}

// sendMLDReport announces the groups we listen to, so that snooping
// switches and bridges forward them to us (RFC 3810 §5.2): the
// solicited-node groups of our addresses and the groups sockets joined.
// It goes from the link-local address with hop limit 1 and the Router
// Alert option. Called with s.mu held.
func (s *Stack) sendMLDReport(now time.Time) {
	if !s.ip6.linkLocal.IsValid() {
		return
	}
	var groups []netip.Addr
	for _, a := range s.solicitedFor() {
		if g := wire.SolicitedNodeAddr(a); !slices.Contains(groups, g) {
			groups = append(groups, g)
		}
	}
	for g := range s.mcast.groups {
		if is6(g) {
			groups = append(groups, g)
		}
	}
	src, dst := s.ip6.linkLocal, wire.MLDv2AllRouters
	rec := wire.MLDv2GroupsReportFields{RecordType: wire.MLDModeIsExclude, Groups: groups}
	ra := wire.IPv6RouterAlertFields{NextHeader: wire.IPProtoICMPv6, Value: wire.IPv6RouterAlertMLD}
	n := ra.Len() + rec.Len()
	p := s.newPacket(dst, n)
	off := s.transportOffset(dst)
	ra.Encode((*p)[off:])
	rec.Encode((*p)[off+ra.Len():off+n], src, dst)
	if s.sendIP(now, p, &ipOut{proto: wire.IPProtoIPv6HopByHop, src: src, dst: dst, ttl: 1}, n) == nil {
		s.stats.ICMPOut++
	}
}

// mldQueryInput answers a listener query (RFC 3810 §7.2) with a report,
// soon after, as a snooping switch expects. Called with s.mu held.
func (s *Stack) mldQueryInput(now time.Time, d *datagram) {
	if d.ttl != 1 || !d.src.IsLinkLocalUnicast() || d.reassembled {
		return
	}
	if at := now.Add(100 * time.Millisecond); s.ip6.mldAt.IsZero() || at.Before(s.ip6.mldAt) {
		s.ip6.mldAt = at
	}
}
