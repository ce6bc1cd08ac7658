package tcp

// NewReno is the congestion control of RFC 5681 with the fast recovery
// modification of RFC 6582: slow start, congestion avoidance by byte
// counting, multiplicative decrease on loss.
type NewReno struct {
	smss     int
	cwnd     int
	ssthresh int
	// acc counts bytes acknowledged in congestion avoidance since cwnd last
	// grew (RFC 5681 §3.1, the byte counting alternative to equation 3).
	acc int
}

// noThreshold is the "arbitrarily high" initial ssthresh of RFC 5681 §3.1.
const noThreshold = 1 << 30

// NewNewReno returns a NewReno controller for a sender maximum segment size
// of smss bytes, starting from the initial window of RFC 6928.
func NewNewReno(smss int) *NewReno {
	return &NewReno{smss: smss, cwnd: initialWindow(smss), ssthresh: noThreshold}
}

// Window returns cwnd.
func (r *NewReno) Window() int { return r.cwnd }

// Threshold returns ssthresh.
func (r *NewReno) Threshold() int { return r.ssthresh }

// OnAck grows cwnd: in slow start by the number of bytes acknowledged (RFC
// 3465 byte counting), in congestion avoidance by one SMSS per cwnd of
// acknowledged bytes (RFC 5681 §3.1, the byte counting alternative to
// equation 3).
//
// RFC 5681 caps slow-start growth at one SMSS per ACK, and RFC 3465 §2.3
// at L = 2 SMSS. Like Linux we do not: receivers that process packets in
// batches (our own stack, or any with GRO) send one "stretch" ACK per
// batch, and a per-ACK cap then turns slow start into a crawl. The burst
// this allows is bounded by what the ACK says has left the network.
func (r *NewReno) OnAck(acked int) {
	if r.cwnd < r.ssthresh {
		r.cwnd = min(r.cwnd+acked, r.ssthresh)
		return
	}
	r.acc += acked
	if r.acc >= r.cwnd {
		r.acc -= r.cwnd
		r.cwnd += r.smss
	}
}

// OnEnterRecovery halves the window: ssthresh = max(FlightSize/2, 2*SMSS)
// (RFC 5681 §3.2 equation 4) and cwnd = ssthresh + 3*SMSS, inflated by the
// three segments that have left the network (RFC 6582 §3.2 step 3).
func (r *NewReno) OnEnterRecovery(flight int) {
	r.ssthresh = max(flight/2, 2*r.smss)
	r.cwnd = r.ssthresh + 3*r.smss
	r.acc = 0
}

// OnRecoveryDupAck inflates cwnd by one SMSS (RFC 6582 §3.2 step 4).
func (r *NewReno) OnRecoveryDupAck() { r.cwnd += r.smss }

// OnPartialAck deflates cwnd by the amount acknowledged and adds back one
// SMSS if at least that much was acknowledged (RFC 6582 §3.2 step 6).
func (r *NewReno) OnPartialAck(acked int) {
	r.cwnd -= acked
	if acked >= r.smss {
		r.cwnd += r.smss
	}
	r.cwnd = max(r.cwnd, r.smss)
}

// OnExitRecovery sets cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS)
// (RFC 6582 §3.2 step 6, option 1), which avoids a burst.
func (r *NewReno) OnExitRecovery(flight int) {
	r.cwnd = min(r.ssthresh, max(flight, r.smss)+r.smss)
}

// OnRTO sets ssthresh = max(FlightSize/2, 2*SMSS), unless this is a
// repeated timeout of the same data, and cwnd to the loss window of one
// SMSS (RFC 5681 §3.1 equation 4 and "loss window").
func (r *NewReno) OnRTO(flight int, repeat bool) {
	if !repeat {
		r.ssthresh = max(flight/2, 2*r.smss)
	}
	r.cwnd = r.smss
	r.acc = 0
}

// OnIdle restarts from min(IW, cwnd) (RFC 5681 §4.1).
func (r *NewReno) OnIdle() {
	r.cwnd = min(r.cwnd, initialWindow(r.smss))
}
