package tcp

import "time"

// Loss recovery: one component owns what the sender knows about loss.
// It keeps the per-segment send records and the SACK scoreboard they
// carry, counts duplicate ACKs for peers without SACK, detects loss with
// RACK-TLP (RFC 8985), chooses what to retransmit (RFC 6675 §4 NextSeg:
// the lowest lost segment first), paces recovery with Proportional Rate
// Reduction (RFC 6937), and undoes congestion responses that D-SACK or
// timestamps prove were spurious. The congestion controller only does
// window arithmetic on the events it is given.

// phase is the sender's recovery state.
type phase uint8

const (
	phaseOpen phase = iota // no loss being repaired
	phaseFast              // fast recovery (RFC 6675 §5), paced by PRR
	phaseLoss              // after a retransmission timeout (RFC 5681 §3.1)
)

// lossRecovery is the loss-recovery component's state.
type lossRecovery struct {
	recs sendRecords

	// dupAcks counts duplicate ACKs (RFC 5681 §2) from a peer that does
	// not SACK; NewReno's recovery (RFC 6582) then stands in for RACK.
	dupAcks int

	// Proportional Rate Reduction (RFC 6937 §3).
	prrDelivered, prrOut, recoverFS int

	// delivered counts bytes the peer has acknowledged or SACKed, ever;
	// sent counts distinct bytes sent, ever.
	delivered, sent int64

	rack rackState
	tlp  tlpState
	undo undoState

	// point is RFC 6675's RecoveryPoint: recovery ends when SND.UNA
	// reaches it.
	point Seq
	// retxHint is at or below the lowest record that may need a
	// retransmission, so finding the next one does not rescan the ring.
	retxHint Seq
	phase    phase
}

// clock returns now as an offset from the connection's clock base, for
// send records.
func (c *Conn) clock(now time.Time) time.Duration { return now.Sub(c.base) }

// pipe is RFC 6675's estimate of the bytes in the network: sent, not
// acknowledged, not SACKed, and not marked lost (a lost segment counts
// again once retransmitted).
func (c *Conn) pipe() int {
	l := &c.loss
	return max(c.sndMax.Sub(c.sndUna)-l.recs.sacked-l.recs.lost-c.renoSACKed(), 0)
}

// renoSACKed stands in for SACK information from a peer without SACK:
// each duplicate ACK reports one segment that has left the network (RFC
// 6675's pipe, as Linux's tcp_add_reno_sack), never more than is
// outstanding less one segment.
func (c *Conn) renoSACKed() int {
	if c.sackOK {
		return 0
	}
	return min(c.loss.dupAcks*c.smss(), max(c.sndMax.Sub(c.sndUna)-c.loss.recs.lost-c.smss(), 0))
}

// markLost marks record rec lost: it will be retransmitted before new
// data.
func (c *Conn) markLost(rec *sendRecord) {
	if rec.has(recSACKed | recLost) {
		return
	}
	c.loss.recs.setFlags(rec, rec.flags|recLost)
	if rec.start.LessThan(c.loss.retxHint) {
		c.loss.retxHint = rec.start
	}
}

// enterRecovery starts fast recovery (RFC 6675 §5, RFC 6937 §3) when loss
// has been detected outside recovery.
func (c *Conn) enterRecovery(now time.Time) {
	l := &c.loss
	if l.phase != phaseOpen || c.cc == nil {
		return
	}
	c.startUndo()
	l.phase = phaseFast
	l.point = c.sndMax
	// RFC 6937 §3: RecoverFS is the FlightSize when recovery starts.
	l.recoverFS = c.sndMax.Sub(c.sndUna)
	l.prrDelivered, l.prrOut = 0, 0
	c.cc.OnCongestion(now, l.recoverFS)
	c.loss.tlp.active = false // this response covers the probe's loss too
	c.stats.FastRetransmits++
}

// exitRecovery ends fast recovery or RTO recovery once SND.UNA reaches the
// recovery point (RFC 6675 §5, RFC 6937 §3: cwnd = ssthresh).
func (c *Conn) exitRecovery() {
	l := &c.loss
	if l.phase == phaseFast {
		c.cc.SetWindow(c.cc.Threshold())
	}
	l.phase = phaseOpen
	l.dupAcks = 0
	l.undo.stamp = 0 // the Eifel test belongs to the episode's own ACKs
	c.rackRecoveryDone()
}

// prrUpdate sets cwnd for the next transmissions of fast recovery from the
// data this ACK delivered (RFC 6937 §3.1, with PRR-SSRB).
func (c *Conn) prrUpdate(delivered int) {
	l := &c.loss
	l.prrDelivered += delivered
	pipe := c.pipe()
	ssthresh := c.cc.Threshold()
	var sndcnt int
	if pipe > ssthresh {
		// Proportional part: send ssthresh/RecoverFS of what was delivered.
		sndcnt = int((int64(l.prrDelivered)*int64(ssthresh)+int64(l.recoverFS)-1)/int64(max(l.recoverFS, 1))) - l.prrOut
	} else {
		// Slow-start reduction bound: back up to ssthresh, at most one
		// segment more than was delivered.
		limit := max(l.prrDelivered-l.prrOut, delivered) + c.smss()
		sndcnt = min(ssthresh-pipe, limit)
	}
	c.cc.SetWindow(pipe + max(sndcnt, 0))
}

// nextLost returns the index of the lowest record marked lost, or -1.
func (c *Conn) nextLost() int {
	l := &c.loss
	if l.recs.lost == 0 {
		return -1
	}
	i := 0
	if l.retxHint.GreaterThan(c.sndUna) && l.retxHint.LessEq(c.sndMax) {
		i = l.recs.search(l.retxHint)
	}
	for ; i < l.recs.n; i++ {
		if rec := l.recs.at(i); rec.has(recLost) && !rec.has(recSACKed) {
			l.retxHint = rec.start
			return i
		}
	}
	l.retxHint = c.sndMax
	return -1
}

// canRetransmit reports whether cwnd lets a retransmission of n bytes out
// now. The first retransmission of fast recovery always goes (RFC 6675
// §5 step 3, "fast retransmit").
func (c *Conn) canRetransmit(n int) bool {
	if c.loss.phase == phaseFast && c.loss.prrOut == 0 {
		return true
	}
	return c.pipe()+n <= c.cc.Window() || c.pipe() == 0
}

// onRecoveryRTO marks every segment not SACKed lost after a
// retransmission timeout, so they are resent in order, skipping what the
// peer has SACKed rather than going back N (RFC 6675 §5.1, RFC 8985 §6.3).
// SACK information is kept: a peer that reneges is caught by the next
// timeout.
func (c *Conn) onRecoveryRTO(now time.Time) {
	l := &c.loss
	if l.phase == phaseOpen {
		c.startUndo()
	}
	c.cc.OnRTO(now, c.pipe(), l.phase != phaseOpen) // in recovery already: keep ssthresh
	for i := 0; i < l.recs.n; i++ {
		c.markLost(l.recs.at(i))
	}
	l.phase = phaseLoss
	l.point = c.sndMax
	l.dupAcks = 0
	c.tlpReset()
}
