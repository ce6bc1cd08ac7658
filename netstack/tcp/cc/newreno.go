package cc

import "time"

// NewReno is the congestion control of RFC 5681: slow start and
// congestion avoidance by byte counting, multiplicative decrease on loss.
// The fast recovery of RFC 6582 lives in the sender, which drives cwnd
// with PRR (RFC 6937) instead of inflating it per duplicate ACK.
type NewReno struct {
	w window
	// acc counts bytes acknowledged in congestion avoidance since cwnd last
	// grew (RFC 5681 §3.1, the byte counting alternative to equation 3).
	acc int
	// prior is the state before the last reduction, for Undo.
	prior    window
	priorAcc int
	canUndo  bool
}

// NewNewReno returns a NewReno controller for a sender maximum segment size
// of smss bytes, starting from the initial window of RFC 6928 with an
// "arbitrarily high" ssthresh (RFC 5681 §3.1). HyStart++ is off; see
// SetHyStart.
func NewNewReno(smss int) *NewReno {
	return &NewReno{w: newWindow(smss, false)}
}

// SetHyStart turns HyStart++ (RFC 9406) on or off for the initial slow
// start. Turning it on after the first loss has no effect: HyStart++ only
// runs in the initial slow start (RFC 9406 §4.3).
func (r *NewReno) SetHyStart(on bool) { r.w.setHyStart(on) }

// Name returns "reno".
func (r *NewReno) Name() string { return "reno" }

// Window returns cwnd.
func (r *NewReno) Window() int { return r.w.cwnd }

// Threshold returns ssthresh.
func (r *NewReno) Threshold() int { return r.w.ssthresh }

// OnAck grows cwnd unless a.AppLimited: in slow start by the bytes
// acknowledged (see window.slowStart for why there is no per-ACK cap), in
// congestion avoidance by one SMSS per cwnd of acknowledged bytes (RFC 5681
// §3.1, the byte counting alternative to equation 3).
func (r *NewReno) OnAck(a Ack) {
	acked := min(a.Acked, MaxWindow)
	if r.w.inSlowStart() {
		acked = r.w.slowStart(&a)
	}
	if a.AppLimited || acked <= 0 {
		return
	}
	// acc < MaxWindow and acked <= MaxWindow: the sum fits a 32-bit int.
	r.acc += acked
	if r.acc >= r.w.cwnd {
		// A stretch ACK may cover several windows; count each.
		n := r.acc / r.w.cwnd
		r.acc -= n * r.w.cwnd
		r.w.grow(int64(n) * int64(r.w.smss))
	}
}

// OnCongestion sets ssthresh = max(FlightSize/2, 2*SMSS) (RFC 5681 §3.2
// equation 4) and leaves cwnd to the sender's recovery.
func (r *NewReno) OnCongestion(now time.Time, inFlight int) {
	r.save()
	r.w.reduce(int64(inFlight) / 2)
	r.acc = 0
}

// SetWindow sets cwnd, at least one SMSS.
func (r *NewReno) SetWindow(cwnd int) { r.w.setWindow(cwnd) }

// OnRTO sets ssthresh = max(FlightSize/2, 2*SMSS), unless this is a
// repeated timeout of the same data, and cwnd to the loss window of one
// SMSS (RFC 5681 §3.1 equation 4 and "loss window").
func (r *NewReno) OnRTO(now time.Time, inFlight int, repeat bool) {
	if !repeat {
		r.save()
		r.w.reduce(int64(inFlight) / 2)
	}
	r.w.cwnd = r.w.smss
	r.acc = 0
}

// Undo restores cwnd and ssthresh to at least their values before the last
// OnCongestion or OnRTO; a repeated timeout belongs to the one before it.
// A second Undo does nothing.
func (r *NewReno) Undo() {
	if !r.canUndo {
		return
	}
	r.canUndo = false
	r.w.undo(r.prior)
	r.acc = r.priorAcc
}

// OnIdle restarts from min(cwnd, IW) (RFC 5681 §4.1).
func (r *NewReno) OnIdle(now time.Time) { r.w.restart() }

// SetMSS changes the SMSS used for increments and floors.
func (r *NewReno) SetMSS(smss int) { r.w.setMSS(smss) }

// save records the state a reduction is about to change.
func (r *NewReno) save() {
	r.prior, r.priorAcc, r.canUndo = r.w, r.acc, true
}
