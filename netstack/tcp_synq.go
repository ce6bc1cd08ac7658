package netstack

import (
	"time"

	"github.com/renet-go/renet/netstack/tcp"
	"github.com/renet-go/renet/netstack/wire"
)

// tcpListenInput handles a segment for a listener with no connection yet
// (RFC 9293 §3.10.7.2): a SYN enters the SYN queue, or is answered with a
// cookie when the queue is full; an ACK may complete a cookie handshake.
func (s *Stack) tcpListenInput(now time.Time, l *TCPListener, id tuple, seg *tcp.Segment) {
	switch seg.Flags & (wire.TCPFlagSYN | wire.TCPFlagACK | wire.TCPFlagRST) {
	case wire.TCPFlagSYN:
		s.tcpListenSYN(now, l, id, seg)
	case wire.TCPFlagACK:
		if !s.tcpCookieACK(now, l, id, seg) {
			s.sendReset(now, id, seg)
		}
	default:
		if seg.Flags&wire.TCPFlagRST == 0 { // an RST to a listener is ignored
			s.sendReset(now, id, seg)
		}
	}
}

// tcpListenSYN takes a SYN for l. A full accept queue drops it, as Linux
// does: the client retries, and by then Accept may have made room.
func (s *Stack) tcpListenSYN(now time.Time, l *TCPListener, id tuple, seg *tcp.Segment) {
	if l.acceptFull() {
		s.drop(DropTCPAcceptQueueFull)
		return
	}
	if l.synFull() {
		l.overflowAt = now
		if s.cfg.DisableSYNCookies {
			s.drop(DropTCPSYNQueueFull)
			return
		}
		t := &s.tcp
		t.isn.CookieSYNACK(s.clampMSS(l.cfg, id.remote.Addr()), id.local, id.remote, seg, now, &t.seg)
		s.stats.TCPSYNCookiesSent++
		s.sendTCP(now, id, &t.seg)
		return
	}
	sk := s.newTCPSocket(id, s.clampMSS(l.cfg, id.remote.Addr()))
	sk.tcb.SetISS(s.tcp.isn.ISN(id.local, id.remote, now))
	sk.tcb.SetTSOffset(s.tcp.isn.TSOffset(id.local, id.remote))
	sk.tcb.Listen()
	l.addChild(sk)
	s.addConn(sk)
	sk.tcb.Input(now, seg)
	s.tcpUpdate(now, sk)
}

// tcpCookieACK completes a handshake answered with a SYN cookie, if seg is
// the final ACK of one. It reports false when l has sent no cookie lately,
// so seg is an ordinary stray ACK. A cookie that fails the check is
// dropped and counted rather than reset: during a flood, resets for
// forged ACKs would only add to the load.
func (s *Stack) tcpCookieACK(now time.Time, l *TCPListener, id tuple, seg *tcp.Segment) bool {
	if s.cfg.DisableSYNCookies || l.overflowAt.IsZero() || now.Sub(l.overflowAt) > tcp.CookiePeriod {
		return false
	}
	c := s.tcp.isn.CookieConn(s.clampMSS(l.cfg, id.remote.Addr()), id.local, id.remote, seg, now)
	switch {
	case c == nil:
		s.drop(DropTCPBadCookie)
		return true
	case l.acceptFull():
		s.drop(DropTCPAcceptQueueFull)
		return true
	}
	s.stats.TCPSYNCookiesValid++
	sk := s.newTCPSocketWith(id, c)
	l.addChild(sk)
	s.addConn(sk)
	sk.tcb.Input(now, seg)
	s.tcpUpdate(now, sk)
	return true
}
