package tcp

import "time"

// Undoing spurious recoveries. Reordering or a delayed ACK can make the
// sender believe a segment was lost when it was not. Two signals show it
// afterwards, and on either the congestion response is undone, as Linux
// does: D-SACKs (RFC 2883 §5) reporting that every retransmission of the
// episode arrived twice, or a timestamp echo older than the first
// retransmission on the ACK that moves SND.UNA (the Eifel detection of RFC
// 3522), which shows the original, not the retransmission, arrived.

// undoState tracks one recovery episode.
type undoState struct {
	// recent holds the ranges of the latest retransmissions, so a D-SACK
	// is matched to one of ours and not to a duplicate the network made:
	// nrecent slots are in use, and once all are, next is the oldest. It
	// is allocated at the first retransmission and freed when idle.
	recent  *[maxRecentRetransmits]seqRange
	retrans int    // retransmissions not yet shown spurious
	marker  Seq    // SND.UNA when the episode began
	stamp   uint32 // our timestamp on the first retransmission; 0: none yet
	first   Seq    // where the first retransmission starts
	on      bool   // the episode may still be undone
	nrecent uint8
	next    uint8
}

// maxRecentRetransmits bounds undoState.recent.
const maxRecentRetransmits = 32

// startUndo begins a new episode at the start of fast or RTO recovery.
func (c *Conn) startUndo() {
	u := &c.loss.undo
	*u = undoState{on: true, marker: c.sndUna, recent: u.recent}
}

// noteRetransmit records a retransmission of [start, end).
func (c *Conn) noteRetransmit(now time.Time, start, end Seq) {
	u := &c.loss.undo
	if u.recent == nil {
		u.recent = new([maxRecentRetransmits]seqRange)
	}
	if u.nrecent < maxRecentRetransmits {
		u.recent[u.nrecent] = seqRange{start, end}
		u.nrecent++
	} else {
		u.recent[u.next] = seqRange{start, end}
		u.next = (u.next + 1) % maxRecentRetransmits
	}
	if !u.on {
		return
	}
	u.retrans++
	if u.stamp == 0 && c.tsOK {
		u.stamp, u.first = max(c.tsClock(now), 1), start
	}
}

// dsackSpurious takes a D-SACK for [start, end), data the peer received
// twice. If it covers one of our recent retransmissions, that one was
// needless; once every retransmission of the episode is shown needless,
// the episode is undone.
func (c *Conn) dsackSpurious(start, end Seq) {
	u := &c.loss.undo
	i := 0
	for ; i < int(u.nrecent); i++ {
		if r := u.recent[i]; r.start != r.end && r.start.LessThan(end) && start.LessThan(r.end) {
			break
		}
	}
	if i == int(u.nrecent) {
		return // a duplicate the network made, not a retransmission of ours
	}
	u.recent[i] = seqRange{} // each retransmission is counted once
	c.stats.SpuriousRetransmits++
	if !u.on || start.LessThan(u.marker) || u.retrans == 0 {
		return
	}
	if u.retrans--; u.retrans == 0 {
		c.undoRecovery()
	}
}

// eifelSpurious reports whether the ACK that first covers the episode's
// first retransmission echoes a timestamp from before it: the original
// transmission, not the retransmission, filled the hole (RFC 3522 §3.2).
// Only that ACK can tell: ACKs that move SND.UNA below it acknowledge
// originals that were merely queued, and rightly echo older timestamps.
// The test is made once per episode.
func (c *Conn) eifelSpurious(seg *Segment) bool {
	u := &c.loss.undo
	if !u.on || u.stamp == 0 || !seg.Ack.GreaterThan(u.first) {
		return false
	}
	stamp := u.stamp
	u.stamp = 0
	return c.tsOK && seg.Options.HasTimestamps && seg.Options.TSEcr != 0 && int32(seg.Options.TSEcr-stamp) < 0
}

// undoRecovery reverses the congestion response of the current episode:
// the window comes back, segments marked lost are no longer, and the
// reordering that caused it is remembered so RACK waits longer next time.
func (c *Conn) undoRecovery() {
	l := &c.loss
	if !l.undo.on || c.cc == nil {
		return
	}
	l.undo.on = false
	c.cc.Undo()
	c.stats.Undos++
	for i := 0; i < l.recs.n; i++ {
		if rec := l.recs.at(i); rec.has(recLost) {
			l.recs.setFlags(rec, rec.flags&^recLost)
		}
	}
	l.rack.hint = c.sndUna // unmarked records are to be judged again
	if l.phase != phaseOpen {
		l.phase = phaseOpen
		l.dupAcks = 0
	}
	l.rack.reorderingSeen = true
	c.retries = 0
}
