package netstack

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"syscall"
	"time"

	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/netstack/internal/reasm"
	"github.com/renet-go/renet/netstack/wire"
)

// defaultTTL is the TTL of packets we originate (Linux's ip_default_ttl).
const defaultTTL = 64

// isLocal reports whether a is one of the stack's addresses.
func (s *Stack) isLocal(a netip.Addr) bool {
	for _, p := range s.cfg.Addrs {
		if p.Addr() == a {
			return true
		}
	}
	return false
}

// onLink reports whether a lies inside one of the stack's prefixes.
func (s *Stack) onLink(a netip.Addr) bool {
	for _, p := range s.cfg.Addrs {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// isBroadcast reports whether a is the limited broadcast address or the
// directed broadcast address of one of our prefixes (RFC 919, RFC 922).
func (s *Stack) isBroadcast(a netip.Addr) bool {
	for _, b := range s.broadcasts {
		if a == b {
			return true
		}
	}
	return false
}

// broadcastAddrs lists the limited broadcast address and the directed
// broadcast address of every prefix that has one (/31 and /32 do not,
// RFC 3021).
func broadcastAddrs(prefixes []netip.Prefix) []netip.Addr {
	bs := []netip.Addr{netip.AddrFrom4([4]byte{255, 255, 255, 255})}
	for _, p := range prefixes {
		if p.Addr().Is4() && p.Bits() < 31 {
			bs = append(bs, lastAddr(p))
		}
	}
	return bs
}

// lastAddr returns the highest address of an IPv4 prefix.
func lastAddr(p netip.Prefix) netip.Addr {
	a := p.Masked().Addr().As4()
	host := uint32(1)<<(32-p.Bits()) - 1
	v := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
	v |= host
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// sourceFor picks our address to send to dst from: the one on dst's link,
// else the one on the gateway's link, else the first.
func (s *Stack) sourceFor(dst netip.Addr) netip.Addr {
	if is6(dst) {
		return s.source6(dst)
	}
	var first netip.Addr
	for _, p := range s.cfg.Addrs {
		if p.Contains(dst) {
			return p.Addr()
		}
		if !first.IsValid() && p.Addr().Is4() {
			first = p.Addr()
		}
	}
	if s.cfg.Gateway.IsValid() {
		for _, p := range s.cfg.Addrs {
			if p.Contains(s.cfg.Gateway) {
				return p.Addr()
			}
		}
	}
	return first
}

// route returns the next hop for dst: dst itself when on-link (or local),
// or on a point-to-point link, else the gateway. ENETUNREACH when there is
// neither, as Linux reports.
func (s *Stack) route(dst netip.Addr) (netip.Addr, error) {
	if is6(dst) {
		return s.route6(dst)
	}
	if !dst.Is4() {
		return netip.Addr{}, syscall.EAFNOSUPPORT
	}
	if s.isLocal(dst) || s.onLink(dst) || dst.IsMulticast() || dst == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
		return dst, nil // multicast: the group's MAC on our one link
	}
	if s.medium == link.IP {
		// A point-to-point link (TUN, link/channel) has no next hop: it
		// is the stack's one way out, the default route of a VPN client
		// and the way back to a forwarder's clients at any address.
		return dst, nil
	}
	if s.cfg.Gateway.IsValid() {
		return s.cfg.Gateway, nil
	}
	return netip.Addr{}, syscall.ENETUNREACH
}

// badSource reports a source address no host may send from (RFC 1122
// §3.2.1.3): unspecified, broadcast, multicast, loopback or class E.
func (s *Stack) badSource(a netip.Addr) bool {
	if a.IsUnspecified() || a.IsMulticast() || a.IsLoopback() || s.isBroadcast(a) {
		return true
	}
	return a.As4()[0] >= 240
}

// ipInput handles one IPv4 packet from the link; linkBroadcast is set when
// it came in a link-layer broadcast frame. Called with mu held.
func (s *Stack) ipInput(now time.Time, b []byte, linkBroadcast bool) {
	ip, err := wire.ParseIPv4(b)
	if err != nil {
		switch {
		case errors.Is(err, wire.ErrTruncated):
			s.drop(DropIPTruncated)
		case errors.Is(err, wire.ErrBadChecksum):
			s.drop(DropIPChecksum)
		default:
			s.drop(DropIPMalformed)
		}
		return
	}
	s.stats.IPPacketsIn++
	// RFC 1122 §3.2.1.3 lets a host without an address yet send from
	// 0.0.0.0 while it starts up: a DHCP client's broadcasts.
	bootstrap := ip.Src().IsUnspecified() && s.isBroadcast(ip.Dst()) && ip.Protocol() == wire.IPProtoUDP
	if !bootstrap && s.badSource(ip.Src()) || s.isLocal(ip.Src()) {
		s.drop(DropIPBadSource)
		return
	}
	if linkBroadcast && !s.isBroadcast(ip.Dst()) && !ip.Dst().IsMulticast() {
		// RFC 1122 §3.3.6: a unicast datagram in a link-layer broadcast or
		// multicast is discarded silently (and so draws no ICMP error,
		// §3.2.2).
		s.drop(DropIPLinkBroadcast)
		return
	}
	s.ipDeliver(now, ip)
}

// ipDeliver hands a validated packet addressed to us to its transport
// protocol, reassembling fragments first. Called with mu held.
func (s *Stack) ipDeliver(now time.Time, ip wire.IPv4) {
	dst := ip.Dst()
	bcast := s.isBroadcast(dst) || (dst.IsMulticast() && s.isMember(dst))
	if !bcast && !s.isLocal(dst) && !s.forwards(dst) {
		s.drop(DropIPNotForUs)
		return
	}
	fragment := ip.MoreFragments() || ip.FragmentOffset() > 0
	d := datagram{
		src: ip.Src(), dst: dst, proto: ip.Protocol(), broadcast: bcast, ttl: ip.TTL(),
		header: ip[:ip.HeaderLen()], payload: ip.Payload(),
		firstFragment: ip.FragmentOffset() == 0,
		trusted:       s.inTrusted && !fragment,
	}
	if fragment {
		s.stats.FragmentsIn++
		key := reasm.Key{Src: d.src, Dst: dst, ID: uint32(ip.ID()), Proto: uint8(d.proto)}
		evicted := s.reasm.Evicted()
		whole, done, err := s.reasm.Add(now, key, ip.FragmentOffset(), ip.MoreFragments(), d.payload)
		// Datagrams evicted to make room for this one were dropped too.
		s.stats.Drops[DropFragLimit] += s.reasm.Evicted() - evicted
		if err != nil {
			switch {
			case errors.Is(err, reasm.ErrDuplicate):
				s.drop(DropFragDuplicate)
			case errors.Is(err, reasm.ErrOverlap):
				s.drop(DropFragOverlap)
			case errors.Is(err, reasm.ErrLimit):
				s.drop(DropFragLimit)
			default:
				s.drop(DropFragMalformed)
			}
			return
		}
		if !done {
			return
		}
		s.stats.Reassembled++
		d.payload = whole
		d.firstFragment = true
		d.header = s.wholeHeader(ip[:ip.HeaderLen()], len(whole))
	}
	switch d.proto {
	case wire.IPProtoICMP:
		s.icmpInput(now, &d)
	case wire.IPProtoUDP:
		s.udpInput(now, &d)
	case wire.IPProtoTCP:
		s.tcpInput(now, &d)
	case wire.IPProtoIGMP:
		s.igmpInput(now, &d)
	default:
		s.drop(DropIPUnknownProtocol)
		// RFC 1122 §3.2.2.1: protocol unreachable.
		s.sendICMPError(now, &d, wire.ICMPDestUnreachable, wire.ICMPProtoUnreachable)
	}
}

// datagram is a whole IPv4 datagram addressed to us, as the transport
// protocols see it.
type datagram struct {
	src, dst      netip.Addr
	proto         wire.IPProto
	broadcast     bool   // sent to a broadcast address or a multicast group
	ttl           uint8  // TTL or hop limit as received
	reassembled   bool   // came in fragments
	trusted       bool   // the transport checksum needs no check (see Stack.inTrusted)
	firstFragment bool   // holds the start of the datagram (always after reassembly)
	header        []byte // the IP header as received (of the last fragment, if reassembled)
	payload       []byte
}

// packetHeadroom is where an IPv4 header starts in an outgoing buffer, and
// transportOffset where the transport header starts.
func (s *Stack) packetHeadroom() int                { return s.frameHeaderLen() }
func (s *Stack) transportOffset(dst netip.Addr) int { return s.frameHeaderLen() + netHeaderLen(dst) }

// newPacket is a buffer for a packet to dst whose transport header and
// payload take transportLen bytes.
func (s *Stack) newPacket(dst netip.Addr, transportLen int) *[]byte {
	return s.getBuf(s.transportOffset(dst) + transportLen)
}

// ipv4Fields is the IPv4 header o asks for, its identification and
// source still to be chosen.
func ipv4Fields(o *ipOut) wire.IPv4Fields {
	return wire.IPv4Fields{Protocol: o.proto, Src: o.src, Dst: o.dst, TTL: o.ttl, TOS: o.tos, DontFragment: o.df}
}

// sendIPv4 is sendIPInfo for IPv4 (RFC 791). Called with mu held.
func (s *Stack) sendIPv4(now time.Time, p *[]byte, o *ipOut, n int, info link.PacketInfo) error {
	fields := ipv4Fields(o)
	f := &fields
	nextHop, err := s.route(f.Dst)
	if err != nil {
		s.putBuf(p)
		s.drop(DropIPNoRoute)
		return err
	}
	if !f.Src.IsValid() || f.Src.IsUnspecified() {
		f.Src = s.sourceFor(f.Dst)
	}
	if f.TTL == 0 {
		f.TTL = defaultTTL
	}
	s.ipID++
	f.ID = s.ipID
	hl := s.packetHeadroom()
	s.stats.IPPacketsOut++
	toff := s.transportOffset(f.Dst)
	if s.isLocal(f.Dst) {
		materializeBody((*p)[:toff+n], o.body)
		s.sendLocal(p, f, n)
		return nil
	}
	if wire.IPv4MinHeaderLen+n <= s.mtu || info.GSO != link.GSONone {
		if segs := gsoSegments(info, hl+wire.IPv4MinHeaderLen+n); segs > 1 {
			// The link gives its segments IDs ID, ID+1, ...: skip them,
			// as Linux's ip_select_ident_segs does.
			s.ipID += uint16(segs - 1)
			s.stats.TCPSegmentsOut += uint64(segs - 1)
		}
		f.Encode((*p)[hl:], n)
		*p = (*p)[:hl+wire.IPv4MinHeaderLen+n]
		s.sendFrameOut(now, outPacket{p: p, info: info, body: o.body, owner: o.owner}, nextHop)
		return nil
	}
	materializeBody((*p)[:toff+n], o.body)
	info.CompleteChecksum((*p)[:toff+n]) // fragments are cut in software
	if f.DontFragment {
		s.putBuf(p)
		s.drop(DropIPTooBig)
		return syscall.EMSGSIZE
	}
	// RFC 791 §3.2 fragmentation: every fragment but the last carries a
	// multiple of 8 bytes of the original payload.
	payload := (*p)[toff : toff+n]
	chunk := (s.mtu - wire.IPv4MinHeaderLen) &^ 7
	for off := 0; off < n; off += chunk {
		end := min(off+chunk, n)
		q := s.newPacket(f.Dst, end-off)
		copy((*q)[toff:], payload[off:end])
		ff := *f
		ff.FragmentOffset = off
		ff.MoreFragments = end < n
		ff.Encode((*q)[hl:], end-off)
		*q = (*q)[:toff+end-off]
		s.stats.FragmentsOut++
		s.sendFrame(now, q, nextHop)
	}
	s.putBuf(p)
	return nil
}

// sendLocal delivers an outgoing packet to ourselves without touching the
// link, as the kernel's lo, once the current operation is done (see
// deliverLoopback). f is complete but for the encoding. Called with mu
// held; takes ownership of p.
func (s *Stack) sendLocal(p *[]byte, f *wire.IPv4Fields, n int) {
	hl := s.packetHeadroom()
	f.Encode((*p)[hl:], n)
	s.loopq = append(s.loopq, loopPacket{p: p, off: hl, n: wire.IPv4MinHeaderLen + n})
}

// sendFrame puts the link header on a finished IP packet and queues it.
func (s *Stack) sendFrame(now time.Time, p *[]byte, nextHop netip.Addr) {
	s.sendFrameInfo(now, p, nextHop, link.PacketInfo{})
}

// sendFrameInfo is sendFrame for a packet with offload state.
func (s *Stack) sendFrameInfo(now time.Time, p *[]byte, nextHop netip.Addr, info link.PacketInfo) {
	s.sendFrameOut(now, outPacket{p: p, info: info}, nextHop)
}

// sendFrameOut is sendFrame for a packet that may be in pieces (built
// whole but for the body, which it then leaves out: headersOnly).
func (s *Stack) sendFrameOut(now time.Time, o outPacket, nextHop netip.Addr) {
	s.headersOnly(&o)
	if s.medium == link.IP {
		s.queueOut(o)
		return
	}
	s.sendToNeighbour(now, o, nextHop)
}

// wholeHeader returns the header of a reassembled datagram, for ICMP errors
// to quote (RFC 792: the original datagram's header): the header of one of
// its fragments with the fragment fields cleared, the whole length, and the
// checksum recomputed. The result lives in s.reasmHdr. Called with mu held.
func (s *Stack) wholeHeader(fragHdr []byte, payloadLen int) []byte {
	h := s.reasmHdr[:copy(s.reasmHdr[:], fragHdr)]
	binary.BigEndian.PutUint16(h[2:], uint16(len(h)+payloadLen))
	binary.BigEndian.PutUint16(h[6:], binary.BigEndian.Uint16(h[6:])&0x4000) // keep DF only
	h[10], h[11] = 0, 0
	binary.BigEndian.PutUint16(h[10:], wire.Checksum(h))
	return h
}
