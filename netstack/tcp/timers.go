package tcp

import "time"

// Deadline returns the earliest time at which Tick has work to do: the
// retransmission, delayed ACK, persist, keepalive or TIME-WAIT timer. The
// zero time means no timer is armed.
func (c *Conn) Deadline() time.Time {
	var d time.Time
	for _, t := range [...]time.Time{c.rtoAt, c.ackAt, c.probeAt, c.keepaliveAt, c.timeWaitAt, c.reclaimAt,
		c.loss.tlp.at, c.loss.rack.reorderAt} {
		if !t.IsZero() && (d.IsZero() || t.Before(d)) {
			d = t
		}
	}
	return d
}

// Tick runs the timers due at now. The caller then drains Output.
func (c *Conn) Tick(now time.Time) {
	if due(c.timeWaitAt, now) {
		c.timeWaitAt = time.Time{}
		if c.state == TimeWait || c.state == FinWait2 {
			c.close()
			return
		}
	}
	if due(c.loss.tlp.at, now) {
		c.onPTO(now) // before the RTO it was clamped to; it restarts the RTO
	}
	if due(c.rtoAt, now) {
		c.loss.tlp.at, c.loss.rack.reorderAt = time.Time{}, time.Time{}
		c.onRTO(now)
	}
	if due(c.loss.rack.reorderAt, now) {
		c.onReorderTimer(now)
	}
	if due(c.ackAt, now) {
		c.ackAt = time.Time{}
		c.ackNow = true
	}
	if due(c.probeAt, now) {
		if c.userClose && c.probeBackoff >= orphanProbes {
			// A peer may hold its window shut forever (RFC 9293
			// §3.8.6.1), but a connection the user has closed must not
			// stay pinned by one: give up as Linux does after
			// tcp_orphan_retries probes.
			c.Abort()
			if c.err == nil {
				c.err = errTimedOut
			}
			return
		}
		if c.probesOut >= c.cfg.MaxRetries {
			// A peer that answers probes may keep its window shut for
			// ever, but one that stops answering is gone (Linux's
			// tcp_probe_timer gives up after tcp_retries2 probes).
			c.fail(c.timeoutErr())
			return
		}
		c.probeNow = true
		c.probeBackoff++
		c.probesOut++
		c.probeAt = now.Add(c.persistInterval())
		c.stats.Probes++
	}
	if due(c.keepaliveAt, now) {
		c.onKeepalive(now)
	}
	if due(c.reclaimAt, now) {
		c.onReclaim(now)
	}
}

// orphanProbes is how many zero-window probes a closed connection sends
// before it is reset (Linux's tcp_orphan_retries default).
const orphanProbes = 8

func due(t, now time.Time) bool { return !t.IsZero() && !now.Before(t) }

// onRTO handles the retransmission timer (RFC 6298 §5.4-§5.6).
func (c *Conn) onRTO(now time.Time) {
	c.rtoAt = time.Time{}
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
		}
	}
	if c.retries >= limit {
		c.fail(c.timeoutErr())
		return
	}
	c.retries++
	c.stats.Timeouts++
	c.rtt.backoff()
	c.suspectBlackhole(now)
	c.timing = false
	c.rtoAt = now.Add(c.rtt.rto)
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
	if c.probesOut >= c.cfg.MaxRetries {
		c.fail(c.timeoutErr())
		return
	}
	c.probesOut++
	c.stats.Timeouts++
	c.stats.Probes++
	c.rtt.backoff()
	c.rtoAt = now.Add(c.rtt.rto)
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
	for i := 0; i < c.probeBackoff && d < c.cfg.MaxRTO; i++ {
		d *= 2
	}
	return min(d, c.cfg.MaxRTO)
}

// onKeepalive handles the keepalive timer (RFC 9293 §3.8.4, RFC 1122
// §4.2.3.6).
func (c *Conn) onKeepalive(now time.Time) {
	c.keepaliveAt = time.Time{}
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
		c.keepaliveAt = now.Add(c.kaIdle)
		return
	}
	if c.kaProbes >= c.kaCount {
		c.queueRST(c.sndMax, c.rcvNxt, true) // as Linux does
		c.fail(c.timeoutErr())
		return
	}
	c.kaProbes++
	c.probeNow = true
	c.stats.Probes++
	c.keepaliveAt = now.Add(c.kaInterval)
}

// armTimers arms the timers whose need depends on the state left by the
// last call: the persist timer and the FIN-WAIT-2 timeout of an orphaned
// connection.
func (c *Conn) armTimers(now time.Time) {
	c.updatePersist(now)
	if c.state != Closed {
		c.armReclaim(now)
	}
	if c.state == FinWait2 && c.userClose && c.timeWaitAt.IsZero() {
		c.timeWaitAt = now.Add(c.cfg.TimeWait)
	}
	if c.keepAlive && c.keepaliveAt.IsZero() && (c.state == Established || c.state == CloseWait || c.state == FinWait2) {
		c.keepaliveAt = now.Add(c.kaIdle)
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
		c.probeAt = time.Time{}
		if c.sndWnd > 0 {
			c.probeBackoff = 0
		}
		return
	}
	if c.probeAt.IsZero() {
		c.probeAt = now.Add(c.persistInterval())
	}
}
