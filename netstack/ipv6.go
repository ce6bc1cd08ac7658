package netstack

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"math/bits"
	"net/netip"
	"slices"
	"syscall"
	"time"

	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/netstack/internal/reasm"
	"github.com/renet-go/renet/netstack/wire"
)

// IPv6 (RFC 8200) beside IPv4, behind the same seam (netproto.go): the
// transports see a datagram with its addresses whatever the family, and
// hand sendIP an ipOut for either. Neighbour discovery, router discovery
// and address autoconfiguration are in ndp.go, ICMPv6 in icmpv6.go.

// ip6State is the stack's IPv6 state. Guarded by s.mu.
type ip6State struct {
	enabled   bool       // some IPv6 address is configured
	linkLocal netip.Addr // fe80::/64 from the MAC, on Ethernet
	mtu       int        // the link MTU, or less if a router said so

	router      netip.Addr // default router: Config.Gateway6 or advertised
	routerUntil time.Time  // when an advertised router expires; zero: configured
	onLink      []lifetime // prefixes advertised as on-link
	slaac       []lifetime // addresses made from advertised prefixes
	dad         []dadProbe // addresses being checked for duplicates
	rsLeft      int        // router solicitations still to send
	rsAt        time.Time  // when the next one is due
	mldAt       time.Time  // when a membership report is due

	fragID   uint32 // identification of our next fragmented datagram
	pmtu     map[netip.Addr]pathMTU
	reasmBuf []byte // a reassembled datagram with its header, for the walk
}

// lifetime is a prefix, or an address with its prefix, valid until a
// time.
type lifetime struct {
	prefix netip.Prefix
	until  time.Time
}

// pathMTU is what a Packet Too Big said of one destination (RFC 8201).
type pathMTU struct {
	mtu   int
	until time.Time
}

const (
	defaultHopLimit = 64
	// pmtuLifetime is how long a learned path MTU holds before the link
	// MTU is tried again (RFC 8201 §4: at least 5 minutes; Linux: 10).
	pmtuLifetime = 10 * time.Minute
	// maxPathMTUs bounds the path MTU cache; beyond it the oldest entries
	// give way.
	maxPathMTUs = 1024
)

// is6 reports whether a is an IPv6 address (not IPv4-mapped).
func is6(a netip.Addr) bool { return a.Is6() && !a.Is4In6() }

// setupIPv6 turns IPv6 on when an IPv6 address is configured, with a
// link-local address on Ethernet and the configured router. Called from
// New.
func (s *Stack) setupIPv6() error {
	for _, p := range s.cfg.Addrs {
		s.ip6.enabled = s.ip6.enabled || is6(p.Addr())
	}
	if !s.ip6.enabled {
		if s.cfg.Gateway6.IsValid() {
			return errors.New("netstack: Gateway6 without an IPv6 address")
		}
		return nil
	}
	if s.mtu < wire.IPv6MinMTU {
		return errors.New("netstack: link MTU below IPv6's minimum of 1280")
	}
	s.ip6.mtu = s.mtu
	s.ip6.router = s.cfg.Gateway6
	var id [4]byte
	rand.Read(id[:])
	s.ip6.fragID = binary.BigEndian.Uint32(id[:])
	if s.medium != link.Ethernet {
		return nil // a point-to-point link: no neighbours to discover
	}
	s.ip6.linkLocal = linkLocalFrom(s.mac)
	if !s.isLocal(s.ip6.linkLocal) {
		s.cfg.Addrs = append(s.cfg.Addrs, netip.PrefixFrom(s.ip6.linkLocal, 64))
	}
	return nil
}

// startIPv6 begins neighbour discovery on Ethernet: duplicate address
// detection for every IPv6 address, router solicitation unless a router
// is configured, and a membership report. Called from New with s.mu
// held.
func (s *Stack) startIPv6(now time.Time) {
	if !s.ip6.enabled || s.medium != link.Ethernet {
		return
	}
	for _, p := range s.cfg.Addrs {
		if is6(p.Addr()) {
			s.startDAD(now, p.Addr())
		}
	}
	if !s.ip6.router.IsValid() {
		s.ip6.rsLeft, s.ip6.rsAt = maxRouterSolicitations, now
	}
	s.ip6.mldAt = now
}

// linkLocalFrom is fe80::/64 with the interface identifier of mac
// (modified EUI-64, RFC 4291 appendix A).
func linkLocalFrom(mac wire.MAC) netip.Addr {
	return withIID(netip.MustParsePrefix("fe80::/64"), mac)
}

// withIID is the address of a /64 prefix with mac's modified EUI-64
// interface identifier.
func withIID(p netip.Prefix, mac wire.MAC) netip.Addr {
	a := p.Masked().Addr().As16()
	a[8], a[9], a[10] = mac[0]^2, mac[1], mac[2]
	a[11], a[12] = 0xff, 0xfe
	a[13], a[14], a[15] = mac[3], mac[4], mac[5]
	return netip.AddrFrom16(a)
}

// source6 picks our address to send to dst from (RFC 6724 §5, in short):
// the link-local address for link-local and link-scope multicast
// destinations, else one whose prefix holds dst, else a global one, else
// the link-local one. Called with s.mu held.
func (s *Stack) source6(dst netip.Addr) netip.Addr {
	var global netip.Addr
	best := -1
	for _, p := range s.cfg.Addrs {
		a := p.Addr()
		switch {
		case !is6(a):
		case dst.IsLinkLocalUnicast() || dst.IsLinkLocalMulticast() || dst.IsInterfaceLocalMulticast():
			if a.IsLinkLocalUnicast() {
				return a
			}
		case p.Contains(dst):
			return a
		case !a.IsLinkLocalUnicast():
			// Rule 8: the longest matching prefix.
			if n := commonPrefixLen(a, dst); n > best {
				global, best = a, n
			}
		}
	}
	if global.IsValid() {
		return global
	}
	return s.ip6.linkLocal
}

// commonPrefixLen is the number of leading bits a and b share.
func commonPrefixLen(a, b netip.Addr) int {
	x, y := a.As16(), b.As16()
	for i := range x {
		if d := x[i] ^ y[i]; d != 0 {
			return i*8 + bits.LeadingZeros8(d)
		}
	}
	return 128
}

// route6 is route for IPv6: local, on-link, link-local and multicast
// destinations directly, everything on a point-to-point link directly,
// the rest through the default router. Called with s.mu held.
func (s *Stack) route6(dst netip.Addr) (netip.Addr, error) {
	if !s.ip6.enabled {
		return netip.Addr{}, syscall.EAFNOSUPPORT
	}
	if s.isLocal(dst) || s.onLink(dst) || dst.IsMulticast() || dst.IsLinkLocalUnicast() || s.medium == link.IP {
		return dst, nil
	}
	for _, l := range s.ip6.onLink {
		if l.prefix.Contains(dst) {
			return dst, nil
		}
	}
	if s.neigh.m[dst] != nil {
		return dst, nil // it spoke to us on the link (RFC 4861 §7.2.4)
	}
	if s.ip6.router.IsValid() {
		return s.ip6.router, nil
	}
	return netip.Addr{}, syscall.ENETUNREACH
}

// isMember6 reports whether we receive packets to the IPv6 multicast
// group g: all-nodes, the solicited-node group of one of our addresses
// (RFC 4291 §2.7.1), or a group a socket joined. Called with s.mu held.
func (s *Stack) isMember6(g netip.Addr) bool {
	if g == wire.IPv6AllNodes || s.mcast.groups[g] != nil {
		return true
	}
	b := g.As16()
	if b[0] != 0xff || b[1] != 0x02 || b[11] != 1 || b[12] != 0xff {
		return false
	}
	return s.anySolicited(func(a netip.Addr) bool { return wire.SolicitedNodeAddr(a) == g })
}

// anySolicited reports whether f holds for one of the addresses whose
// solicited-node groups we are in, without gathering them. Called with
// s.mu held.
func (s *Stack) anySolicited(f func(netip.Addr) bool) bool {
	for _, p := range s.cfg.Addrs {
		if is6(p.Addr()) && f(p.Addr()) {
			return true
		}
	}
	for _, d := range s.ip6.dad {
		if f(d.addr) {
			return true
		}
	}
	return false
}

// solicitedFor lists the addresses whose solicited-node groups we are in:
// our IPv6 addresses and those under duplicate address detection. Called
// with s.mu held.
func (s *Stack) solicitedFor() []netip.Addr {
	var as []netip.Addr
	for _, p := range s.cfg.Addrs {
		if is6(p.Addr()) {
			as = append(as, p.Addr())
		}
	}
	for _, d := range s.ip6.dad {
		as = append(as, d.addr)
	}
	return as
}

// acceptsMAC6 reports whether a frame to the multicast MAC mac may carry
// one of our IPv6 groups (33:33 and the group's low 32 bits, RFC 2464
// §7). Called with s.mu held.
func (s *Stack) acceptsMAC6(mac wire.MAC) bool {
	if !s.ip6.enabled || mac[0] != 0x33 || mac[1] != 0x33 {
		return false
	}
	if mac == wire.MulticastMAC(wire.IPv6AllNodes) {
		return true
	}
	return s.anySolicited(func(a netip.Addr) bool { return wire.MulticastMAC(wire.SolicitedNodeAddr(a)) == mac })
}

// ipv6Input handles one IPv6 packet from the link; linkGroup is set when
// it came in a link-layer broadcast or multicast frame. Called with s.mu
// held.
func (s *Stack) ipv6Input(now time.Time, b []byte, linkGroup bool) {
	if !s.ip6.enabled {
		s.drop(DropIPv6Off)
		return
	}
	ip, err := wire.ParseIPv6(b)
	if err != nil {
		if errors.Is(err, wire.ErrTruncated) {
			s.drop(DropIPTruncated)
		} else {
			s.drop(DropIPMalformed)
		}
		return
	}
	s.stats.IPPacketsIn++
	src := ip.Src()
	// Our own address as the source is forged or looped back, unless it
	// is under duplicate address detection: then it is the other holder
	// defending it (RFC 4862 §5.4.4).
	if src.IsMulticast() || src.IsLoopback() || src.Is4In6() || s.isLocal(src) && !s.checking(src) {
		s.drop(DropIPBadSource)
		return
	}
	if linkGroup && !ip.Dst().IsMulticast() {
		s.drop(DropIPLinkBroadcast)
		return
	}
	s.ipv6Deliver(now, ip)
}

// ipv6Deliver hands a validated packet addressed to us to its upper
// layer, after its extension headers (RFC 8200 §4) and reassembly.
// Called with s.mu held.
func (s *Stack) ipv6Deliver(now time.Time, ip wire.IPv6) {
	dst := ip.Dst()
	group := dst.IsMulticast()
	if group && !s.isMember6(dst) || !group && !s.isLocal(dst) && !s.forwards(dst) {
		s.drop(DropIPNotForUs)
		return
	}
	h, err := wire.WalkIPv6(ip)
	d := datagram{
		src: ip.Src(), dst: dst, broadcast: group, ttl: ip.HopLimit(),
		firstFragment: true, header: ip[:min(h.Offset, len(ip))], payload: ip[min(h.Offset, len(ip)):],
	}
	if err != nil {
		s.drop(DropIPMalformed)
		if h.Problem.ICMP {
			d.header, d.payload = ip[:0], ip
			// RFC 4443 §2.4(e): to a multicast destination only about an
			// option whose type asks for it (code 2; the walk decided).
			toGroups := h.Problem.Code == wire.ICMPv6UnrecognizedOption
			s.sendICMPv6Error(now, &d, wire.ICMPv6ParamProblem, h.Problem.Code, h.Problem.Pointer, toGroups)
		}
		return
	}
	if h.Frag != nil && !h.Frag.IsAtomic() {
		s.stats.FragmentsIn++
		if ip, h, err = s.reassemble6(now, ip, h); ip == nil || err != nil {
			return
		}
		d.header, d.payload = ip[:h.Offset], ip[h.Offset:]
		d.reassembled = true
	}
	d.proto = h.Proto
	d.trusted = s.inTrusted && h.Frag == nil
	switch h.Proto {
	case wire.IPProtoICMPv6:
		s.icmpv6Input(now, &d)
	case wire.IPProtoUDP:
		s.udpInput(now, &d)
	case wire.IPProtoTCP:
		s.tcpInput(now, &d)
	case wire.IPProtoIPv6NoNext:
	default:
		s.drop(DropIPUnknownProtocol)
		d.header, d.payload = ip[:0], ip
		s.sendICMPv6Error(now, &d, wire.ICMPv6ParamProblem, wire.ICMPv6UnrecognizedNextHdr, uint32(h.ProtoField), false)
	}
}

// reassemble6 adds a fragment (RFC 8200 §4.5) and, once its datagram is
// whole, returns it rebuilt as one packet (the fixed header, then the
// fragmentable part) with its extension headers walked again; nil until
// then. Called with s.mu held.
func (s *Stack) reassemble6(now time.Time, ip wire.IPv6, h wire.IPv6ExtHeaders) (wire.IPv6, wire.IPv6ExtHeaders, error) {
	key := reasm.Key{Src: ip.Src(), Dst: ip.Dst(), ID: h.Frag.ID(), Proto: uint8(wire.IPProtoIPv6Frag)}
	evicted := s.reasm.Evicted()
	whole, done, err := s.reasm.Add(now, key, h.Frag.Offset(), h.Frag.More(), ip[h.FragOffset+wire.IPv6FragmentLen:])
	s.stats.Drops[DropFragLimit] += s.reasm.Evicted() - evicted
	if err != nil {
		switch {
		case errors.Is(err, reasm.ErrDuplicate):
			s.drop(DropFragDuplicate)
		case errors.Is(err, reasm.ErrOverlap):
			s.drop(DropFragOverlap) // RFC 5722: the whole datagram goes
		case errors.Is(err, reasm.ErrLimit):
			s.drop(DropFragLimit)
		default:
			s.drop(DropFragMalformed)
		}
		return nil, h, err
	}
	if !done {
		return nil, h, nil
	}
	s.stats.Reassembled++
	n := wire.IPv6HeaderLen + len(whole)
	if n-wire.IPv6HeaderLen > 65535 {
		s.drop(DropFragMalformed)
		return nil, h, nil
	}
	if cap(s.ip6.reasmBuf) < n {
		s.ip6.reasmBuf = make([]byte, n, 65535+wire.IPv6HeaderLen)
	}
	b := s.ip6.reasmBuf[:n]
	f := wire.IPv6Fields{NextHeader: h.Frag.NextHeader(), HopLimit: ip.HopLimit(), Src: ip.Src(), Dst: ip.Dst()}
	f.Encode(b, len(whole))
	copy(b[wire.IPv6HeaderLen:], whole)
	whole6 := wire.IPv6(b)
	h2, err := wire.WalkIPv6(whole6)
	if err != nil || h2.Frag != nil && !h2.Frag.IsAtomic() {
		s.drop(DropFragMalformed)
		return nil, h, errors.New("bad reassembled datagram")
	}
	return whole6, h2, nil
}

// sendIPv6 is sendIPInfo for IPv6: the fixed header in front of the
// transport header at transportOffset(dst), fragments (RFC 8200 §4.5) when
// the packet exceeds the path MTU. An unset source is chosen; the
// unspecified address is sent as it is (duplicate address detection).
// Called with s.mu held.
func (s *Stack) sendIPv6(now time.Time, p *[]byte, o *ipOut, n int, info link.PacketInfo) error {
	nextHop, err := s.route6(o.dst)
	if err != nil {
		s.putBuf(p)
		s.drop(DropIPNoRoute)
		return err
	}
	src := o.src
	if !src.IsValid() {
		if src = s.source6(o.dst); !src.IsValid() {
			s.putBuf(p)
			s.drop(DropIPNoRoute)
			return syscall.EADDRNOTAVAIL
		}
	}
	hop := o.ttl
	if hop == 0 {
		hop = defaultHopLimit
	}
	f := wire.IPv6Fields{NextHeader: o.proto, HopLimit: hop, Src: src, Dst: o.dst, TrafficClass: o.tos}
	hl := s.packetHeadroom()
	s.stats.IPPacketsOut++
	toff := s.transportOffset(o.dst)
	if s.isLocal(o.dst) {
		materializeBody((*p)[:toff+n], o.body)
		f.Encode((*p)[hl:], n)
		s.loopq = append(s.loopq, loopPacket{p: p, off: hl, n: wire.IPv6HeaderLen + n})
		return nil
	}
	if wire.IPv6HeaderLen+n <= s.pathMTU6(now, o.dst) || info.GSO != link.GSONone {
		f.Encode((*p)[hl:], n)
		*p = (*p)[:hl+wire.IPv6HeaderLen+n]
		s.sendFrameOut(now, outPacket{p: p, info: info, body: o.body, owner: o.owner}, nextHop)
		return nil
	}
	materializeBody((*p)[:toff+n], o.body)
	info.CompleteChecksum((*p)[:toff+n])
	s.fragment6(now, p, &f, n, nextHop)
	return nil
}

// fragment6 cuts the packet in p (n bytes after the fixed header) into
// fragments that fit the path MTU, each a multiple of 8 bytes but the
// last, with a fragment header of a fresh identification. Takes ownership
// of p. Called with s.mu held.
func (s *Stack) fragment6(now time.Time, p *[]byte, f *wire.IPv6Fields, n int, nextHop netip.Addr) {
	hl := s.packetHeadroom()
	toff := hl + wire.IPv6HeaderLen
	payload := (*p)[toff : toff+n]
	chunk := (s.pathMTU6(now, f.Dst) - wire.IPv6HeaderLen - wire.IPv6FragmentLen) &^ 7
	s.ip6.fragID++
	ff := wire.IPv6FragmentFields{NextHeader: f.NextHeader, ID: s.ip6.fragID}
	hdr := *f
	hdr.NextHeader = wire.IPProtoIPv6Frag
	for off := 0; off < n; off += chunk {
		end := min(off+chunk, n)
		m := wire.IPv6FragmentLen + end - off
		q := s.getBuf(toff + m)
		hdr.Encode((*q)[hl:], m)
		ff.Offset, ff.More = off, end < n
		ff.Encode((*q)[toff:])
		copy((*q)[toff+wire.IPv6FragmentLen:], payload[off:end])
		*q = (*q)[:toff+m]
		s.stats.FragmentsOut++
		s.sendFrame(now, q, nextHop)
	}
	s.putBuf(p)
}

// pathMTU6 is the MTU towards dst: what a Packet Too Big said, if it is
// still fresh, else the link's. Called with s.mu held.
func (s *Stack) pathMTU6(now time.Time, dst netip.Addr) int {
	if e, ok := s.ip6.pmtu[dst]; ok {
		if now.Before(e.until) {
			return e.mtu
		}
		delete(s.ip6.pmtu, dst)
	}
	return s.ip6.mtu
}

// lowerPathMTU6 records a Packet Too Big for dst (RFC 8201 §4): never
// below 1280, never above the link MTU. Called with s.mu held.
func (s *Stack) lowerPathMTU6(now time.Time, dst netip.Addr, mtu int) int {
	mtu = max(mtu, wire.IPv6MinMTU)
	if mtu >= s.pathMTU6(now, dst) {
		return s.pathMTU6(now, dst)
	}
	if s.ip6.pmtu == nil {
		s.ip6.pmtu = make(map[netip.Addr]pathMTU)
	}
	if len(s.ip6.pmtu) >= maxPathMTUs {
		for a := range s.ip6.pmtu { // any entry: the map's order is random
			delete(s.ip6.pmtu, a)
			break
		}
	}
	s.ip6.pmtu[dst] = pathMTU{mtu: mtu, until: now.Add(pmtuLifetime)}
	return mtu
}

// ip6Deadline is the earliest IPv6 timer. Called with s.mu held.
func (s *Stack) ip6Deadline() time.Time {
	var t time.Time
	if !s.ip6.enabled {
		return t
	}
	if s.ip6.rsLeft > 0 {
		t = earliest(t, s.ip6.rsAt)
	}
	t = earliest(earliest(t, s.ip6.mldAt), s.ip6.routerUntil)
	for _, d := range s.ip6.dad {
		t = earliest(t, d.until)
	}
	for _, l := range s.ip6.onLink {
		t = earliest(t, l.until)
	}
	for _, l := range s.ip6.slaac {
		t = earliest(t, l.until)
	}
	return t
}

// ip6Tick runs the IPv6 timers that are due. Called with s.mu held.
func (s *Stack) ip6Tick(now time.Time) {
	if !s.ip6.enabled {
		return
	}
	if s.ip6.rsLeft > 0 && !now.Before(s.ip6.rsAt) {
		s.sendRouterSolicit(now)
	}
	if !s.ip6.mldAt.IsZero() && !now.Before(s.ip6.mldAt) {
		s.ip6.mldAt = time.Time{}
		s.sendMLDReport(now)
	}
	s.dadTick(now)
	if !s.ip6.routerUntil.IsZero() && !now.Before(s.ip6.routerUntil) {
		s.ip6.router, s.ip6.routerUntil = s.cfg.Gateway6, time.Time{}
	}
	s.ip6.onLink = slices.DeleteFunc(s.ip6.onLink, func(l lifetime) bool { return !now.Before(l.until) })
	for i := 0; i < len(s.ip6.slaac); {
		if l := s.ip6.slaac[i]; !now.Before(l.until) {
			s.removeAddr(now, l.prefix.Addr()) // takes it out of slaac too
			continue
		}
		i++
	}
}

// removeAddr takes an address away from the stack (its lease or lifetime
// ended, or it turned out to be a duplicate). Connections from it stay
// until they fail. Called with s.mu held.
func (s *Stack) removeAddr(now time.Time, a netip.Addr) {
	s.cfg.Addrs = slices.DeleteFunc(s.cfg.Addrs, func(p netip.Prefix) bool { return p.Addr() == a })
	s.ip6.dad = slices.DeleteFunc(s.ip6.dad, func(d dadProbe) bool { return d.addr == a })
	s.ip6.slaac = slices.DeleteFunc(s.ip6.slaac, func(l lifetime) bool { return l.prefix.Addr() == a })
	if is6(a) && s.ip6.linkLocal.IsValid() {
		s.ip6.mldAt = now // the bridges may forget its group
	}
}
