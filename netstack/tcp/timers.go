package tcp

import (
	"math"
	"time"
)

// mono is an instant kept as its offset from the connection's clock base,
// plus one nanosecond so that the zero value means "unset". Every timer and
// every other instant a Conn keeps is one: 8 bytes where a time.Time takes
// 24, and no pointer for the garbage collector to scan, which is most of
// what an idle connection costs.
type mono int64

// mono returns t as a mono. An instant too far from base to be expressed
// (about 292 years) saturates: a timer armed that far out never fires.
func (c *Conn) mono(t time.Time) mono {
	d := t.Sub(c.base) // saturates at math.MaxInt64
	if d == math.MaxInt64 {
		return mono(d)
	}
	return mono(d) + 1
}

// at returns the instant d after now, as a timer is armed.
func (c *Conn) at(now time.Time, d time.Duration) mono { return c.mono(now.Add(d)) }

// time returns the time.Time of m, which must be set.
func (c *Conn) time(m mono) time.Time { return c.base.Add(time.Duration(m - 1)) }

// set reports whether m holds an instant.
func (m mono) set() bool { return m != 0 }

// elapsed returns the time from m to now.
func (c *Conn) elapsed(now time.Time, m mono) time.Duration { return time.Duration(c.mono(now) - m) }

// Deadline returns the earliest time at which Tick has work to do: the
// retransmission, delayed ACK, persist, keepalive or TIME-WAIT timer. The
// zero time means no timer is armed.
func (c *Conn) Deadline() time.Time {
	var d mono
	for _, t := range [...]mono{c.rtoAt, c.ackAt, c.probeAt, c.keepaliveAt, c.timeWaitAt, c.reclaimAt,
		c.loss.tlp.at, c.loss.rack.reorderAt} {
		if t.set() && (!d.set() || t < d) {
			d = t
		}
	}
	if !d.set() {
		return time.Time{}
	}
	return c.time(d)
}

// Tick runs the timers due at now. The caller then drains Output.
func (c *Conn) Tick(now time.Time) {
	n := c.mono(now)
	due := func(t mono) bool { return t.set() && n >= t }
	if due(c.timeWaitAt) {
		c.timeWaitAt = 0
		if c.state == TimeWait || c.state == FinWait2 {
			c.close()
			return
		}
	}
	if due(c.loss.tlp.at) {
		c.onPTO(now) // before the RTO it was clamped to; it restarts the RTO
	}
	if due(c.rtoAt) {
		c.loss.tlp.at, c.loss.rack.reorderAt = 0, 0
		c.onRTO(now)
	}
	if due(c.loss.rack.reorderAt) {
		c.onReorderTimer(now)
	}
	if due(c.ackAt) {
		c.ackAt = 0
		c.ackNow = true
	}
	if due(c.probeAt) && !c.onProbeTimer(now) {
		return
	}
	if due(c.keepaliveAt) {
		c.onKeepalive(now)
	}
	if due(c.reclaimAt) {
		c.onReclaim(now)
	}
}

// onPersist handles the persist timer (RFC 9293 §3.8.6.1): a zero-window
// probe, unless the peer is given up on. It reports false when the
// connection ended.
func (c *Conn) onPersist(now time.Time) bool {
	if c.userClose && c.probeBackoff >= orphanProbes {
		// A peer may hold its window shut forever (RFC 9293
		// §3.8.6.1), but a connection the user has closed must not
		// stay pinned by one: give up as Linux does after
		// tcp_orphan_retries probes.
		c.Abort()
		if c.err == nil {
			c.err = errTimedOut
		}
		return false
	}
	if c.probesOut >= c.cfg.MaxRetries || (c.probesOut > 0 && c.silentTimedOut(now)) {
		// A peer that answers probes may keep its window shut for
		// ever, but one that stops answering is gone (Linux's
		// tcp_probe_timer gives up after tcp_retries2 probes, or
		// once the user timeout passes).
		c.fail(c.timeoutErr())
		return false
	}
	c.probeNow = true
	c.probeBackoff++
	c.probesOut++
	c.probeAt = c.at(now, c.clampToUserTimeout(now, c.persistInterval(), c.lastRecv))
	c.stats.Probes++
	return true
}

// orphanProbes is how many zero-window probes a closed connection sends
// before it is reset (Linux's tcp_orphan_retries default).
const orphanProbes = 8

// onRTO handles the retransmission timer (RFC 6298 §5.4-§5.6).
func (c *Conn) onRTO(now time.Time) {
	c.rtoAt = 0
	limit := c.cfg.MaxRetries
	switch c.state {
	case SynSent:
		limit = c.cfg.SynRetries
	case SynReceived:
		limit = c.cfg.SynAckRetries
	case Closed, Listen, TimeWait:
		return
	default:
		if c.sndUna == c.sndMax {
			return
		}
		if c.userClose {
			// An orphan gets no patience from a peer that keeps its
			// window shut (Linux's tcp_orphan_retries).
			limit = min(limit, orphanProbes)
		} else if c.sndWnd == 0 {
			c.zeroWindowRTO(now)
			return
		} else if c.userTimeout() > 0 {
			limit = math.MaxInt32 // the user timeout replaces the count
		}
	}
	// A passive half-open connection is the listener's business: like
	// Linux's request sockets, it ignores the user timeout (rtoTimeout
	// too).
	userTimeout := !(c.state == SynReceived && c.passive) && c.rtxTimedOut(now)
	if c.retries >= limit || userTimeout {
		c.fail(c.timeoutErr())
		return
	}
	c.retries++
	c.stats.Timeouts++
	c.rtt.backoff()
	c.suspectBlackhole(now)
	c.timing = false
	c.rtoAt = c.at(now, c.rtoTimeout(now))
	if c.state == SynSent || c.state == SynReceived {
		c.sndNxt = c.iss // Output resends the SYN or SYN-ACK
		c.synRetransmitted = true
		return
	}
	// RFC 5681 §3.1: collapse to the loss window and resend everything
	// not SACKed.
	c.onRecoveryRTO(now)
}

// zeroWindowRTO handles a retransmission timeout while the peer's window is
// zero, as Linux's tcp_retransmit_timer does: the data in flight was sent
// into a window the peer has since closed, so silence is expected. The
// retransmission goes out as a window probe and the timer backs off, but
// the retry count does not grow. Like the persist timer's probes, these
// count as unanswered until any acceptable segment arrives: a peer that
// keeps answering is never timed out, even if one answer is lost, and one
// that stops is, after MaxRetries probes.
func (c *Conn) zeroWindowRTO(now time.Time) {
	if c.probesOut >= c.cfg.MaxRetries || (c.probesOut > 0 && c.silentTimedOut(now)) {
		c.fail(c.timeoutErr())
		return
	}
	c.probesOut++
	c.stats.Timeouts++
	c.stats.Probes++
	c.rtt.backoff()
	c.rtoAt = c.at(now, c.rtoTimeout(now))
	c.onRecoveryRTO(now)
}

// timeoutErr is the error a timed-out connection reports: the last ICMP
// soft error if there was one, as Linux does, else ETIMEDOUT.
func (c *Conn) timeoutErr() error {
	if c.softErr != nil {
		return c.softErr
	}
	return errTimedOut
}

// persistInterval is the persist timer's period: the RTO, doubled per
// unanswered probe, capped at MaxRTO (RFC 9293 §3.8.6.1).
func (c *Conn) persistInterval() time.Duration {
	d := c.rtt.rto
	for i := int32(0); i < c.probeBackoff && d < c.cfg.MaxRTO; i++ {
		d *= 2
	}
	return min(d, c.cfg.MaxRTO)
}

// onKeepalive handles the keepalive timer (RFC 9293 §3.8.4, RFC 1122
// §4.2.3.6).
func (c *Conn) onKeepalive(now time.Time) {
	c.keepaliveAt = 0
	switch c.state {
	case Established, CloseWait, FinWait1, FinWait2:
	default:
		return
	}
	if !c.keepAlive {
		return
	}
	if c.sndUna != c.sndMax || c.snd.end().GreaterThan(c.sndMax) {
		// Data is in flight or queued: the retransmission and persist
		// timers watch the peer instead.
		c.keepaliveAt = c.at(now, c.kaIdle)
		return
	}
	if c.keepaliveExhausted(now) {
		c.queueRST(c.sndMax, c.rcvNxt, true) // as Linux does
		c.fail(c.timeoutErr())
		return
	}
	c.kaProbes++
	c.probeNow = true
	c.stats.Probes++
	c.keepaliveAt = c.at(now, c.kaInterval)
}

// keepaliveExhausted reports that keepalive gives up on the peer: after
// KeepAliveCount unanswered probes, or, under a user timeout, once a probe
// is unanswered and the peer has been silent for the user timeout
// (Linux's tcp_keepalive_timer).
func (c *Conn) keepaliveExhausted(now time.Time) bool {
	if c.userTimeout() > 0 {
		return c.kaProbes > 0 && c.silentTimedOut(now)
	}
	return c.kaProbes >= c.kaCount
}

// armTimers arms the timers whose need depends on the state left by the
// last call: the persist timer and the FIN-WAIT-2 timeout of an orphaned
// connection.
func (c *Conn) armTimers(now time.Time) {
	c.updatePersist(now)
	if c.state != Closed {
		c.armReclaim(now)
	}
	if c.state == FinWait2 && c.userClose && !c.timeWaitAt.set() {
		c.timeWaitAt = c.at(now, c.finWait2Timeout())
	}
	if c.keepAlive && !c.keepaliveAt.set() && (c.state == Established || c.state == CloseWait || c.state == FinWait2) {
		c.keepaliveAt = c.at(now, c.kaIdle)
	}
}

// updatePersist arms the persist timer while the peer's window is zero,
// data or a FIN waits, and nothing is in flight to elicit a window update
// (RFC 9293 §3.8.6.1), and disarms it otherwise.
func (c *Conn) updatePersist(now time.Time) {
	waiting := false
	switch c.state {
	case Established, CloseWait, FinWait1, Closing, LastAck:
		waiting = c.sndWnd == 0 && c.sndUna == c.sndMax &&
			(c.snd.end().GreaterThan(c.sndMax) || (c.finQueued && c.sndMax.LessEq(c.snd.end())))
	}
	if !waiting {
		if c.sndWnd > 0 {
			c.probeBackoff = 0
			if c.armCork(now) {
				return
			}
		}
		c.probeAt = 0
		return
	}
	if !c.probeAt.set() {
		c.probeAt = c.at(now, c.persistInterval())
	}
}
