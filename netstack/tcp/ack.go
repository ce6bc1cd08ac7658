package tcp

import (
	"time"

	"github.com/renet-go/renet/netstack/tcp/cc"
	"github.com/renet-go/renet/netstack/wire"
)

// processAck is the ACK check of RFC 9293 §3.10.7.4 for ESTABLISHED and
// the states after it. It reports false when the segment must be dropped.
func (c *Conn) processAck(now time.Time, seg *Segment, dataLen int, flags wire.TCPFlags) bool {
	ack := seg.Ack
	// RFC 5961 §5.2: an ACK outside [SND.UNA - MAX.SND.WND, SND.NXT] is
	// dropped with a challenge ACK (this covers RFC 9293's "ACK of
	// something not yet sent").
	if ack.GreaterThan(c.sndMax) || ack.LessThan(c.sndUna.Add(-c.maxSndWnd)) {
		c.challengeACK(now)
		c.stats.Dropped++
		return false
	}
	wnd := int(seg.Window) << c.sndWscale
	// RFC 5681 §2: a duplicate ACK.
	dup := ack == c.sndUna && dataLen == 0 && flags&(synFlag|finFlag) == 0 &&
		wnd == c.sndWnd && c.sndMax != c.sndUna
	if ack.GreaterEq(c.sndUna) {
		c.onAck(now, seg, dup)
	}
	// Window update, guarded by SND.WL1/SND.WL2 against reordered old
	// segments (RFC 9293 §3.10.7.4).
	if ack.GreaterEq(c.sndUna) &&
		(c.sndWl1.LessThan(seg.Seq) || (c.sndWl1 == seg.Seq && c.sndWl2.LessEq(ack))) {
		if c.sndWnd == 0 && wnd > 0 && c.loss.phase == phaseLoss {
			c.windowReopened(now)
		}
		c.setSndWnd(seg, wnd)
	}
	return true
}

// windowReopened resends at once what was probing a closed window. The
// retransmission timeouts that ran while the peer's window was zero sent
// data the peer had to drop (nothing beyond a zero window is accepted):
// it is all lost, and waiting for the backed-off timer to learn that again
// would stall the connection for up to MaxRTO.
func (c *Conn) windowReopened(now time.Time) {
	for i := 0; i < c.loss.recs.n; i++ {
		c.markLost(c.loss.recs.at(i))
	}
	c.rtt.unbackoff()
	c.rtoAt = c.at(now, c.rtt.rto)
}

// onAck runs loss recovery for an acceptable ACK: SACK blocks, the
// cumulative ACK, loss detection, recovery and undo, then congestion
// window growth and the timers.
func (c *Conn) onAck(now time.Time, seg *Segment, dup bool) {
	l := &c.loss
	before := l.delivered
	if c.sackOK && seg.Options.NumSACK > 0 {
		c.takeSACK(now, seg)
	}
	advanced := seg.Ack.GreaterThan(c.sndUna)
	credit := 0 // bytes a duplicate ACK reports delivered, for PRR
	switch {
	case advanced:
		credit = c.ackData(now, seg)
	case dup:
		c.stats.DupAcksIn++
		if !c.sackOK {
			l.dupAcks++
			credit = c.smss()
		}
	}
	delivered := int(l.delivered - before)
	if advanced && c.eifelSpurious(seg) {
		c.stats.SpuriousRetransmits += uint64(l.undo.retrans)
		c.undoRecovery()
	}
	c.detectLoss(now, advanced)
	// The ACK that ends fast recovery sets cwnd to ssthresh and does not
	// grow it (RFC 6937 §3, RFC 6582 §3.2 step 6).
	fast := l.phase == phaseFast
	switch {
	case l.phase != phaseOpen && c.sndUna.GreaterEq(l.point):
		c.exitRecovery()
	case l.phase == phaseFast && delivered+credit > 0:
		// RFC 6937 §3.1: PRR acts on ACKs that report delivery; one that
		// reports none (a window update, data) must not release any.
		c.prrUpdate(delivered + credit)
	}
	if !fast && delivered > 0 {
		c.growWindow(now, delivered)
	}
	c.tlpOnAck(now)
	if advanced && l.phase == phaseOpen {
		// The retransmission episode is over (Linux clears
		// retrans_stamp on returning to the Open state).
		c.retransStamp = 0
	}
	if advanced {
		// RFC 6298 §5.2-§5.3: stop the timer when everything is
		// acknowledged, otherwise restart it.
		c.rtoAt = 0
		if c.sndUna != c.sndMax {
			c.rtoAt = c.at(now, c.rtt.rto)
		}
		c.armPTO(now)
	}
}

// ackData handles an ACK that moves SND.UNA: the records it covers are
// delivered, the send buffer gives up their bytes, and the RTT is
// measured. It returns the PRR credit for a peer without SACK (negative
// when duplicate ACKs already counted these bytes).
func (c *Conn) ackData(now time.Time, seg *Segment) int {
	ack := seg.Ack
	acked := ack.Sub(c.sndUna)
	recs := &c.loss.recs
	var karn time.Duration = -1 // RTT of the newest never-resent record
	full := false               // a full-sized segment arrived the first time
	for recs.n > 0 && recs.at(0).end.LessEq(ack) {
		rec := recs.at(0)
		if !rec.has(recSACKed) {
			c.delivered(now, rec, seg.Options.TSEcr)
		}
		if !rec.has(recRetrans) {
			karn = c.clock(now) - rec.sentAt
			full = full || rec.len() >= c.smss()
		}
		recs.popFront()
	}
	c.blackholeCheck(now, full)
	if recs.n > 0 && recs.at(0).start.LessThan(ack) {
		if !recs.at(0).has(recSACKed) {
			c.loss.delivered += int64(ack.Sub(recs.at(0).start))
		}
		recs.trimFront(ack)
	}
	c.measureRTT(now, seg, karn)
	c.snd.ackTo(ack)
	c.stats.BytesAcked += uint64(acked)
	c.events |= EventWritable | EventAcked
	c.sndUna = ack
	c.sndNxt = seqMax(c.sndNxt, ack)
	c.retries = 0
	if c.loss.retxHint.LessThan(ack) {
		c.loss.retxHint = ack
	}
	// A peer without SACK: the duplicate ACKs that announced these bytes
	// already credited PRR with them (RFC 6937 §3).
	credit := 0
	if !c.sackOK && c.loss.dupAcks > 0 {
		used := min(c.loss.dupAcks, acked/max(c.smss(), 1))
		c.loss.dupAcks -= used
		credit = -used * c.smss()
		if c.loss.phase == phaseOpen {
			c.loss.dupAcks = 0
		}
	}
	return credit
}

// detectLoss marks segments lost: by RACK when the peer SACKs, otherwise
// by RFC 5681's third duplicate ACK and, in recovery, RFC 6582's partial
// ACK (the next hole is lost too). Loss outside recovery starts it.
func (c *Conn) detectLoss(now time.Time, advanced bool) {
	l := &c.loss
	if l.recs.n == 0 {
		return
	}
	if c.sackOK {
		if c.rackDetectLoss(now) {
			c.enterRecovery(now)
		}
		return
	}
	switch {
	case l.phase == phaseOpen && l.dupAcks >= dupThresh:
		c.markLost(l.recs.at(0))
		c.enterRecovery(now)
	case l.phase == phaseFast && advanced && c.sndUna.LessThan(l.point):
		c.markLost(l.recs.at(0))
	}
}

// growWindow tells the congestion controller about delivered data outside
// fast recovery. Growth counts only while the window is being used (RFC
// 7661's concern, Linux's tcp_is_cwnd_limited): an application that sends
// little must not build up a cwnd it never tested.
func (c *Conn) growWindow(now time.Time, delivered int) {
	pipe := c.pipe()
	c.cc.OnAck(cc.Ack{
		Now:        now,
		Acked:      delivered,
		RTT:        c.lastRTT,
		SRTT:       c.rtt.srtt,
		MinRTT:     c.loss.rack.minRTT,
		InFlight:   pipe,
		AppLimited: 2*(pipe+delivered) < c.cc.Window(),
		Delivered:  c.loss.delivered,
		SentHigh:   c.loss.sent,
	})
	c.lastRTT = 0
	c.tuneSendBuf()
}

// measureRTT takes a round-trip sample from an ACK of new data: from the
// echoed timestamp when timestamps are in use (RFC 7323 §4.1), otherwise
// from the newest acknowledged segment that was never retransmitted
// (Karn's algorithm, RFC 6298 §3), or from the SYN.
func (c *Conn) measureRTT(now time.Time, seg *Segment, karn time.Duration) {
	switch {
	case c.tsOK && seg.Options.HasTimestamps && seg.Options.TSEcr != 0:
		if d := int32(c.tsClock(now) - seg.Options.TSEcr); d >= 0 {
			c.rttSample(time.Duration(d) * time.Millisecond)
		}
	case karn >= 0:
		c.rttSample(karn)
	case c.timing && seg.Ack.GreaterEq(c.timedSeq):
		c.rttSample(c.elapsed(now, c.timedAt))
	}
	c.timing = false
}

// rttSample feeds one RTT measurement to the estimator and to the
// congestion controller's next ACK.
func (c *Conn) rttSample(d time.Duration) {
	c.rtt.sample(d)
	c.lastRTT = max(d, time.Microsecond)
}
