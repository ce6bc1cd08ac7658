package netstack

import (
	"errors"
	"syscall"
	"time"

	"github.com/renet-go/renet/netstack/wire"
)

// icmpQuoteLimit is how much of an offending datagram an ICMP error quotes:
// as much as fits in 576 bytes (RFC 1812 §4.3.2.3), which is what Linux does.
const icmpQuoteLimit = 576 - wire.IPv4MinHeaderLen - wire.ICMPv4HeaderLen

// tokenBucket limits the rate of ICMP messages we originate (RFC 1812
// §4.3.2.8).
type tokenBucket struct {
	rate, burst, tokens float64
	last                time.Time
}

func newTokenBucket(rate, burst int) tokenBucket {
	return tokenBucket{rate: float64(rate), burst: float64(burst), tokens: float64(burst)}
}

func (t *tokenBucket) allow(now time.Time) bool {
	if !t.last.IsZero() {
		t.tokens += now.Sub(t.last).Seconds() * t.rate
		if t.tokens > t.burst {
			t.tokens = t.burst
		}
	}
	t.last = now
	if t.tokens < 1 {
		return false
	}
	t.tokens--
	return true
}

// icmpInput handles an ICMPv4 message addressed to us. Called with mu held.
func (s *Stack) icmpInput(now time.Time, d *datagram) {
	m, err := wire.ParseICMPv4(d.payload)
	if err != nil {
		if errors.Is(err, wire.ErrBadChecksum) {
			s.drop(DropICMPChecksum)
		} else {
			s.drop(DropICMPMalformed)
		}
		return
	}
	s.stats.ICMPIn++
	switch m.Type() {
	case wire.ICMPEchoRequest:
		s.stats.EchoRequestsIn++
		if s.fwd != nil && !d.broadcast && !s.isLocal(d.dst) {
			s.forwardEcho(now, d, m.ID(), m.Seq(), m.Payload())
			return
		}
		s.sendEchoReply(now, d, m)
	case wire.ICMPEchoReply:
		s.pingInput(d, m, m.ID())
	case wire.ICMPDestUnreachable, wire.ICMPTimeExceeded, wire.ICMPParameterProblem:
		s.stats.ICMPErrorsIn++
		s.icmpErrorInput(now, m)
	}
}

// sendEchoReply answers an echo request (RFC 792; RFC 1122 §3.2.2.6: same
// identifier, sequence number and data). Requests to a broadcast address are
// ignored, as Linux does by default (icmp_echo_ignore_broadcasts), so the
// stack cannot be used as a smurf amplifier.
func (s *Stack) sendEchoReply(now time.Time, d *datagram, req wire.ICMPv4) {
	if d.broadcast {
		return
	}
	if !s.echo.allow(now) {
		s.drop(DropICMPRateLimited)
		return
	}
	n := len(req)
	p := s.newPacket(d.src, n)
	b := (*p)[s.transportOffset(d.src):]
	copy(b[wire.ICMPv4HeaderLen:n], req.Payload())
	f := wire.ICMPv4Fields{Type: wire.ICMPEchoReply, Rest: wire.EchoRest(req.ID(), req.Seq())}
	f.Encode(b[:n])
	if s.sendIP(now, p, &ipOut{proto: wire.IPProtoICMP, src: d.dst, dst: d.src}, n) == nil {
		s.stats.ICMPOut++
		s.stats.EchoRepliesOut++
	}
}

// sendICMPError reports a problem with datagram d to its sender, subject to
// RFC 1122 §3.2.2's rules: never about an ICMP error, a broadcast, a
// non-initial fragment, or a source that is not a unicast host.
func (s *Stack) sendICMPError(now time.Time, d *datagram, typ wire.ICMPType, code uint8) {
	if d.broadcast || !d.firstFragment || s.badSource(d.src) {
		return
	}
	if d.proto == wire.IPProtoICMP {
		if len(d.payload) < 1 {
			return
		}
		switch wire.ICMPType(d.payload[0]) {
		case wire.ICMPEchoRequest, wire.ICMPEchoReply:
		default:
			return
		}
	}
	if !s.icmp.allow(now) {
		s.drop(DropICMPRateLimited)
		return
	}
	quoted := len(d.header) + len(d.payload)
	if quoted > icmpQuoteLimit {
		quoted = icmpQuoteLimit
	}
	n := wire.ICMPv4HeaderLen + quoted
	p := s.newPacket(d.src, n)
	b := (*p)[s.transportOffset(d.src):]
	k := copy(b[wire.ICMPv4HeaderLen:n], d.header)
	copy(b[wire.ICMPv4HeaderLen+k:n], d.payload)
	f := wire.ICMPv4Fields{Type: typ, Code: code}
	f.Encode(b[:n])
	if s.sendIP(now, p, &ipOut{proto: wire.IPProtoICMP, src: d.dst, dst: d.src}, n) == nil {
		s.stats.ICMPOut++
		s.stats.ICMPUnreachablesOut++
	}
}

// icmpErrorInput passes an ICMP error to the socket that sent the datagram
// it quotes (RFC 1122 §3.2.2.1, §4.1.3.3).
func (s *Stack) icmpErrorInput(now time.Time, m wire.ICMPv4) {
	inner, err := m.Inner()
	// With a forwarder, we also send as addresses that are not ours.
	if err != nil || !s.isLocal(inner.Src) && s.fwd == nil {
		return
	}
	switch inner.Protocol {
	case wire.IPProtoUDP:
		s.udpICMPError(inner, icmpErrno(m), icmpHard(m))
	case wire.IPProtoTCP:
		if m.Type() == wire.ICMPDestUnreachable && m.Code() == wire.ICMPFragNeeded {
			s.tcpPathMTU(now, inner, int(m.NextHopMTU()))
			return
		}
		s.tcpICMPError(now, inner, icmpErrno(m))
	}
}

// icmpErrno maps an ICMP error to the errno Linux reports for it
// (net/ipv4/icmp.c's icmp_err_convert).
func icmpErrno(m wire.ICMPv4) syscall.Errno {
	switch m.Type() {
	case wire.ICMPDestUnreachable:
		if c := int(m.Code()); c < len(unreachableErrno) {
			return unreachableErrno[c]
		}
		return syscall.EHOSTUNREACH
	case wire.ICMPTimeExceeded:
		return syscall.EHOSTUNREACH
	case wire.ICMPParameterProblem:
		return syscall.EPROTO
	}
	return syscall.EHOSTUNREACH
}

// icmpHard reports whether an ICMP error says the destination will not
// answer at all rather than that the path failed for now: Linux's "fatal"
// column of icmp_err_convert, plus parameter problems. Only these reach a
// UDP socket.
func icmpHard(m wire.ICMPv4) bool {
	switch m.Type() {
	case wire.ICMPDestUnreachable:
		switch m.Code() {
		case 2, 3, 6, 7, 8, 9, 10, 13, 14, 15:
			return true
		}
	case wire.ICMPParameterProblem:
		return true
	}
	return false
}

// unreachableErrno is the errno of each destination unreachable code (RFC
// 792, RFC 1122 §3.2.2.1, RFC 1812 §5.2.7.1), as Linux maps them.
var unreachableErrno = [...]syscall.Errno{
	0:  syscall.ENETUNREACH,  // net unreachable
	1:  syscall.EHOSTUNREACH, // host unreachable
	2:  syscall.ENOPROTOOPT,  // protocol unreachable
	3:  syscall.ECONNREFUSED, // port unreachable
	4:  syscall.EMSGSIZE,     // fragmentation needed and DF set
	5:  syscall.EOPNOTSUPP,   // source route failed
	6:  syscall.ENETUNREACH,  // destination network unknown
	7:  syscall.EHOSTDOWN,    // destination host unknown
	8:  syscall.ENONET,       // source host isolated
	9:  syscall.ENETUNREACH,  // network administratively prohibited
	10: syscall.EHOSTUNREACH, // host administratively prohibited
	11: syscall.ENETUNREACH,  // network unreachable for TOS
	12: syscall.EHOSTUNREACH, // host unreachable for TOS
	13: syscall.EHOSTUNREACH, // communication administratively prohibited
	14: syscall.EHOSTUNREACH, // host precedence violation
	15: syscall.EHOSTUNREACH, // precedence cutoff in effect
}
