package cc

// window is what every controller keeps: the two windows of RFC 5681, the
// SMSS their floors and increments use, and HyStart++ for the initial slow
// start. NewReno and CUBIC differ only in congestion avoidance and in how
// they reduce; slow start is this one function.
type window struct {
	smss     int
	cwnd     int
	ssthresh int
	hs       HyStart
	// cssAcc holds acknowledged bytes not yet turned into growth in
	// Conservative Slow Start, where cwnd grows by a quarter of them.
	cssAcc int
}

func newWindow(smss int, hystart bool) window {
	smss = clampSMSS(smss)
	w := window{smss: smss, cwnd: InitialWindow(smss), ssthresh: MaxWindow}
	if !hystart {
		w.hs.Stop()
	}
	return w
}

// setHyStart is SetHyStart for both controllers. Turning HyStart++ on
// works only before the first reduction, while ssthresh is still
// "arbitrarily high" (RFC 9406 §4.3).
func (w *window) setHyStart(on bool) {
	switch {
	case !on:
		w.hs.Stop()
	case w.ssthresh == MaxWindow && w.hs.Phase() == HyStartDone:
		w.hs = HyStart{}
	}
}

// inSlowStart reports cwnd < ssthresh (RFC 5681 §3.1).
func (w *window) inSlowStart() bool { return w.cwnd < w.ssthresh }

// slowStart grows cwnd by the bytes a acknowledges (RFC 3465 byte
// counting), a quarter of them in HyStart++'s CSS, never past ssthresh. It
// returns the acknowledged bytes left over once cwnd reaches ssthresh, for
// congestion avoidance to count.
//
// RFC 5681 caps slow-start growth at one SMSS per ACK and RFC 3465 §2.3 at
// L = 2 SMSS; RFC 9406 §4.3 suggests L = 8 SMSS for unpaced senders. Like
// Linux we apply no cap: receivers that process packets in batches (our
// own stack, or any with GRO) send one "stretch" ACK per batch, and a
// per-ACK cap then turns slow start into a crawl. The burst this allows is
// bounded by what the ACK says has left the network.
func (w *window) slowStart(a *Ack) int {
	before := w.hs.Phase()
	phase := w.hs.OnAck(a)
	if phase == HyStartDone && before != HyStartDone {
		// RFC 9406 §4.2: CSS_ROUNDS rounds of CSS are over; enter
		// congestion avoidance with ssthresh at the current cwnd.
		w.ssthresh = max(w.cwnd, 2*w.smss)
		return 0
	}
	if a.AppLimited || a.Acked <= 0 {
		return 0
	}
	acked := min(a.Acked, MaxWindow)
	used := min(acked, w.ssthresh-w.cwnd)
	grow := used
	if phase == HyStartCSS {
		// RFC 9406 §4.2: cwnd += N / CSS_GROWTH_DIVISOR, remainder kept.
		w.cssAcc += used
		grow = w.cssAcc / cssGrowthDivisor
		w.cssAcc %= cssGrowthDivisor
	}
	w.cwnd += grow // cannot pass ssthresh <= MaxWindow
	return acked - used
}

// grow adds by bytes to cwnd, saturating at MaxWindow.
func (w *window) grow(by int64) {
	if by <= 0 {
		return
	}
	w.cwnd = int(min(int64(w.cwnd)+by, MaxWindow))
}

// setWindow is SetWindow for both controllers.
func (w *window) setWindow(cwnd int) {
	w.cwnd = min(max(cwnd, w.smss), MaxWindow)
}

// reduce sets ssthresh to reduced bytes, floored at 2*SMSS and capped at
// MaxWindow (RFC 5681 §3.1 equation 4's floor). HyStart++ is used only in
// the initial slow start (RFC 9406 §4.3): later slow starts stop at the
// ssthresh a loss has discovered.
func (w *window) reduce(reduced int64) {
	w.ssthresh = int(min(max(reduced, 2*int64(w.smss)), MaxWindow))
	w.hs.Stop()
	w.cssAcc = 0
}

// restart applies the restart window of RFC 5681 §4.1: after an idle
// period longer than the RTO, cwnd = min(cwnd, IW).
func (w *window) restart() {
	w.cwnd = min(w.cwnd, InitialWindow(w.smss))
}

// setMSS changes the SMSS and re-applies the floors that depend on it.
func (w *window) setMSS(smss int) {
	w.smss = clampSMSS(smss)
	w.cwnd = max(w.cwnd, w.smss)
	w.ssthresh = max(w.ssthresh, 2*w.smss)
}

// undo returns to the state prior held before a reduction, except that
// neither window shrinks and the current SMSS stays.
func (w *window) undo(prior window) {
	cur := *w
	*w = prior
	w.setMSS(cur.smss)
	w.cwnd = max(w.cwnd, cur.cwnd)
	w.ssthresh = max(w.ssthresh, cur.ssthresh)
}
