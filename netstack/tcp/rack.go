package tcp

import "time"

// RACK (RFC 8985 §6): a segment is lost when a segment sent after it has
// been delivered and more than one RTT plus a reordering window has passed
// since it was sent. Time, not duplicate-ACK counts, decides, so a burst
// of reordering does not cause spurious retransmissions and a lost
// retransmission is caught without waiting for a timeout.

// rackState is RFC 8985's RACK.* variables. Fields are ordered by size so
// the struct packs without padding.
type rackState struct {
	xmit   time.Duration // RACK.xmit_ts: send time of the most recently sent delivered segment
	rtt    time.Duration // RACK.rtt: its round-trip time
	endSeq Seq           // RACK.end_seq
	fack   Seq           // highest end of any delivered segment

	minRTT   time.Duration // RACK.min_RTT (also Info.MinRTT)
	minRTTAt time.Duration // when minRTT was taken

	reorderAt mono // the reordering timer (§6.2 step 5)

	// hint is at or below the lowest record neither SACKed nor marked
	// lost: the first one loss detection must judge.
	hint          Seq
	dsackRound    Seq   // RACK.dsack_round; valid when dsackRoundOn
	reorderDist   int32 // largest reordering seen, in segments
	reoWndMult    int32 // RACK.reo_wnd_mult (§6.2 step 4), at most 64
	reoWndPersist int32 // recoveries left before the multiplier resets

	valid          bool // a delivered segment has set xmit
	reorderingSeen bool // RACK.reordering_seen
	dsackRoundOn   bool
}

// minRTTWindow is how long a minimum RTT sample is trusted: paths change,
// and an old minimum would make the reordering window too small forever.
const minRTTWindow = 5 * time.Minute

// init sets the state a new connection starts with.
func (r *rackState) init() { r.reoWndMult, r.reoWndPersist = 1, 16 }

// rackDelivered updates RACK for a segment newly acknowledged or SACKed by
// an ACK arriving at now (§6.2 steps 1-3). tsecr is the ACK's echoed
// timestamp, or zero.
func (c *Conn) rackDelivered(now time.Time, rec *sendRecord, tsecr uint32) {
	r := &c.loss.rack
	if rec.end.GreaterThan(r.fack) || !r.valid {
		r.fack = rec.end
	} else if !rec.has(recRetrans) {
		// Delivered below a later one, and never resent: reordering.
		r.reorderingSeen = true
		r.reorderDist = max(r.reorderDist, int32(r.fack.Sub(rec.end)/max(c.smss(), 1)+1))
		c.stats.ReorderSeen++
	}
	rtt := c.clock(now) - rec.sentAt
	if rec.has(recRetrans) {
		// Step 2: an ACK of a retransmitted segment may be for the
		// original; use it only if it cannot be (timestamps say the echo
		// is of the retransmission, or the RTT is plausible).
		if c.tsOK && tsecr != 0 && int32(tsecr-c.tsAt(rec.sentAt)) < 0 {
			return
		}
		if r.minRTT > 0 && rtt < r.minRTT {
			return
		}
	}
	if rtt >= 0 && (r.minRTT == 0 || rtt < r.minRTT || c.clock(now)-r.minRTTAt > minRTTWindow) {
		r.minRTT, r.minRTTAt = max(rtt, time.Microsecond), c.clock(now)
	}
	if !r.valid || rec.sentAt > r.xmit || (rec.sentAt == r.xmit && rec.end.GreaterThan(r.endSeq)) {
		r.xmit, r.endSeq, r.rtt, r.valid = rec.sentAt, rec.end, rtt, true
	}
}

// tsAt returns our timestamp clock at a record's send time.
func (c *Conn) tsAt(sentAt time.Duration) uint32 { return c.tsClock(c.base.Add(sentAt)) }

// reoWnd is the reordering window (§6.2 step 4): zero until reordering is
// seen while recovering or once three segments are SACKed (so RACK acts
// like the classic three-duplicate-ACK rule), otherwise a quarter of the
// minimum RTT, widened for each round that brought a D-SACK, and never
// more than SRTT.
func (c *Conn) reoWnd() time.Duration {
	r := &c.loss.rack
	if !r.reorderingSeen && (c.loss.phase != phaseOpen || c.loss.recs.sacked >= dupThresh*c.smss()) {
		return 0
	}
	w := time.Duration(r.reoWndMult) * r.minRTT / 4
	if c.rtt.haveSample {
		w = min(w, c.rtt.srtt)
	}
	return w
}

// rackDSACK adapts the reordering window to a D-SACK (§6.2 step 4): one
// more quarter-RTT per round trip that sees one, kept for 16 recoveries.
func (c *Conn) rackDSACK() {
	r := &c.loss.rack
	if r.dsackRoundOn && c.sndUna.GreaterEq(r.dsackRound) {
		r.dsackRoundOn = false
	}
	if r.dsackRoundOn {
		return
	}
	r.dsackRoundOn, r.dsackRound = true, c.sndMax
	r.reoWndMult = min(r.reoWndMult+1, 64)
	r.reoWndPersist = 16
}

// rackRecoveryDone counts a recovery toward resetting the D-SACK-widened
// window.
func (c *Conn) rackRecoveryDone() {
	r := &c.loss.rack
	if r.reoWndPersist--; r.reoWndPersist <= 0 {
		r.reoWndMult, r.reoWndPersist = 1, 16
	}
}

// rackDetectLoss marks lost every segment that was sent before the most
// recently delivered one by more than the reordering window (§6.2 step 5),
// and arms the reordering timer for the earliest one not yet old enough.
// It reports whether anything was newly marked.
func (c *Conn) rackDetectLoss(now time.Time) bool {
	r := &c.loss.rack
	r.reorderAt = 0
	if !r.valid {
		return false
	}
	recs := &c.loss.recs
	reo := c.reoWnd()
	nowc := c.clock(now)
	var wait time.Duration
	marked := false
	// Judged by send time, not sequence (a retransmission may be the
	// RACK segment); the walk stops at the first record sent once, after
	// the RACK segment, since every later one was sent later still. It
	// starts at the hint: below it every record is SACKed or marked lost,
	// so a recovery over a large window does not rescan them per ACK.
	i := 0
	if r.hint.GreaterThan(c.sndUna) && r.hint.LessEq(c.sndMax) {
		i = recs.search(r.hint)
	}
	for ; i < recs.n && recs.at(i).has(recSACKed|recLost); i++ {
	}
	if i < recs.n {
		r.hint = recs.at(i).start
	} else {
		r.hint = c.sndMax
	}
	for ; i < recs.n; i++ {
		rec := recs.at(i)
		after := rec.sentAt > r.xmit || (rec.sentAt == r.xmit && !rec.end.LessThan(r.endSeq))
		if after && !rec.start.LessThan(r.endSeq) && !rec.has(recRetrans) {
			// Sent once, after the RACK segment: so is every record
			// beyond it not retransmitted, and retransmissions later still.
			break
		}
		if after || rec.has(recSACKed|recLost) {
			continue
		}
		if left := rec.sentAt + r.rtt + reo - nowc; left > 0 {
			wait = max(wait, left)
			continue
		}
		c.markLost(rec)
		marked = true
	}
	if wait > 0 {
		r.reorderAt = c.at(now, wait)
	}
	return marked
}

// onReorderTimer runs RACK's detection again when the reordering window of
// a suspect segment has passed (§6.2 step 5, RACK_reo_timeout).
func (c *Conn) onReorderTimer(now time.Time) {
	if c.rackDetectLoss(now) {
		c.enterRecovery(now)
	}
}
