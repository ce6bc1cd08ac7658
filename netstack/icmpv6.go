package netstack

import (
	"errors"
	"syscall"
	"time"

	"github.com/renet-go/renet/netstack/wire"
)

// icmpv6Input handles an ICMPv6 message addressed to us (RFC 4443).
// Called with s.mu held.
func (s *Stack) icmpv6Input(now time.Time, d *datagram) {
	m, err := wire.ParseICMPv6(d.payload, d.src, d.dst)
	if err != nil {
		if errors.Is(err, wire.ErrBadChecksum) {
			s.drop(DropICMPChecksum)
		} else {
			s.drop(DropICMPMalformed)
		}
		return
	}
	s.stats.ICMPIn++
	switch t := m.Type(); {
	case t == wire.ICMPv6EchoRequest:
		s.stats.EchoRequestsIn++
		if s.fwd != nil && !d.broadcast && !s.isLocal(d.dst) {
			s.forwardEcho(now, d, m.ID(), m.Seq(), m.Payload())
			return
		}
		s.sendEchoReply6(now, d, m)
	case t == wire.ICMPv6EchoReply:
		s.pingInput(d, m, m.ID())
	case t.IsError():
		s.stats.ICMPErrorsIn++
		s.icmpv6ErrorInput(now, m)
	case t >= wire.ICMPv6RouterSolicit && t <= wire.ICMPv6Redirect:
		s.ndpInput(now, d, m)
	case t == wire.ICMPv6MLDQuery:
		s.mldQueryInput(now, d)
	}
}

// sendEchoReply6 answers an echo request (RFC 4443 §4.2), from the
// address it was sent to, or, for a multicast request, from our address
// towards its sender.
func (s *Stack) sendEchoReply6(now time.Time, d *datagram, req wire.ICMPv6) {
	if !s.echo.allow(now) {
		s.drop(DropICMPRateLimited)
		return
	}
	src := d.dst
	if d.broadcast {
		src = s.source6(d.src)
	}
	n := len(req)
	p := s.newPacket(d.src, n)
	b := (*p)[s.transportOffset(d.src):]
	copy(b[wire.ICMPv6HeaderLen:n], req.Payload())
	f := wire.ICMPv6Fields{Type: wire.ICMPv6EchoReply, Rest: req.Rest()}
	f.Encode(b[:n], src, d.src)
	if s.sendIP(now, p, &ipOut{proto: wire.IPProtoICMPv6, src: src, dst: d.src}, n) == nil {
		s.stats.ICMPOut++
		s.stats.EchoRepliesOut++
	}
}

// sendICMPv6Error reports a problem with datagram d to its sender under
// RFC 4443 §2.4's rules: never about an ICMPv6 error or a redirect, never
// to a multicast destination or link-layer group (unless toGroups: a
// Parameter Problem about an unrecognized option whose type asks for one,
// or Packet Too Big), never to a source that is not a unicast host, rate
// limited; the quote is as much of the datagram (header included) as fits
// in the minimum MTU. Called with s.mu held.
func (s *Stack) sendICMPv6Error(now time.Time, d *datagram, typ wire.ICMPv6Type, code uint8, rest uint32, toGroups bool) {
	if d.broadcast && !toGroups || !d.src.IsValid() || d.src.IsUnspecified() || d.src.IsMulticast() {
		return
	}
	if d.proto == wire.IPProtoICMPv6 && len(d.payload) > 0 {
		if t := wire.ICMPv6Type(d.payload[0]); t.IsError() || t == wire.ICMPv6Redirect {
			return
		}
	}
	if !s.icmp.allow(now) {
		s.drop(DropICMPRateLimited)
		return
	}
	quoted := min(len(d.header)+len(d.payload), wire.IPv6MinMTU-wire.IPv6HeaderLen-wire.ICMPv6HeaderLen)
	n := wire.ICMPv6HeaderLen + quoted
	src := d.dst // a forwarder answers as the address it stands for
	if d.broadcast || !s.isLocal(src) && !s.forwards(src) {
		src = s.source6(d.src)
	}
	p := s.newPacket(d.src, n)
	b := (*p)[s.transportOffset(d.src):]
	k := copy(b[wire.ICMPv6HeaderLen:n], d.header)
	copy(b[wire.ICMPv6HeaderLen+k:n], d.payload)
	f := wire.ICMPv6Fields{Type: typ, Code: code, Rest: rest}
	f.Encode(b[:n], src, d.src)
	if s.sendIP(now, p, &ipOut{proto: wire.IPProtoICMPv6, src: src, dst: d.src}, n) == nil {
		s.stats.ICMPOut++
		s.stats.ICMPUnreachablesOut++
	}
}

// icmpv6ErrorInput passes an ICMPv6 error to the socket that sent the
// packet it quotes; Packet Too Big lowers the path MTU (RFC 8201) and the
// segment size of TCP connections to that destination.
func (s *Stack) icmpv6ErrorInput(now time.Time, m wire.ICMPv6) {
	in6, err := m.Inner()
	if err != nil || !s.isLocal(in6.Src) && s.fwd == nil {
		return
	}
	inner := wire.IPv4Inner{Src: in6.Src, Dst: in6.Dst, Protocol: in6.Protocol, SrcPort: in6.SrcPort, DstPort: in6.DstPort, TCPSeq: in6.TCPSeq}
	if m.Type() == wire.ICMPv6PacketTooBig {
		// The path MTU is the destination's, whichever fragment the
		// router quoted.
		mtu := s.lowerPathMTU6(now, in6.Dst, int(m.MTU()))
		if inner.Protocol == wire.IPProtoTCP && !in6.Fragment {
			s.tcpPathMTU(now, inner, mtu)
		}
		return
	}
	if in6.Fragment {
		return // no upper-layer header to find the socket by
	}
	errno, hard := icmpv6Errno(m)
	switch inner.Protocol {
	case wire.IPProtoUDP:
		s.udpICMPError(inner, errno, hard)
	case wire.IPProtoTCP:
		s.tcpICMPError(now, inner, errno)
	}
}

// icmpv6Errno maps an ICMPv6 error to the errno Linux reports for it and
// whether it is fatal (net/ipv6/icmp.c's icmpv6_err_convert).
func icmpv6Errno(m wire.ICMPv6) (syscall.Errno, bool) {
	switch m.Type() {
	case wire.ICMPv6DestUnreachable:
		switch m.Code() {
		case wire.ICMPv6NoRoute:
			return syscall.ENETUNREACH, false
		case wire.ICMPv6AdminProhibited, wire.ICMPv6SourcePolicy, wire.ICMPv6RejectRoute:
			return syscall.EACCES, true
		case wire.ICMPv6PortUnreachable:
			return syscall.ECONNREFUSED, true
		}
		return syscall.EHOSTUNREACH, false
	case wire.ICMPv6ParamProblem:
		return syscall.EPROTO, true
	}
	return syscall.EHOSTUNREACH, false
}
