package tcp

import "time"

// rttEstimator computes the retransmission timeout of RFC 6298.
type rttEstimator struct {
	srtt, rttvar time.Duration
	rto          time.Duration // current timeout, including backoff
	haveSample   bool
	min, max     time.Duration
}

// clockGranularity is G of RFC 6298 §2: our timestamps tick in
// milliseconds.
const clockGranularity = time.Millisecond

func (e *rttEstimator) init(cfg *Config) {
	*e = rttEstimator{rto: cfg.InitialRTO, min: cfg.MinRTO, max: cfg.MaxRTO}
	e.rto = e.clamp(e.rto)
}

func (e *rttEstimator) clamp(d time.Duration) time.Duration {
	return min(max(d, e.min), e.max)
}

// sample folds in one round-trip measurement r (RFC 6298 §2.2-§2.3) and
// recomputes the timeout, which also undoes any backoff (§5.7).
func (e *rttEstimator) sample(r time.Duration) {
	if r < 0 {
		return
	}
	if !e.haveSample {
		e.srtt = r
		e.rttvar = r / 2
		e.haveSample = true
	} else {
		// RTTVAR <- 3/4 RTTVAR + 1/4 |SRTT - R'|; SRTT <- 7/8 SRTT + 1/8 R'.
		d := e.srtt - r
		if d < 0 {
			d = -d
		}
		e.rttvar = (3*e.rttvar + d) / 4
		e.srtt = (7*e.srtt + r) / 8
	}
	// RFC 6298 §2.3 adds max(G, 4*RTTVAR) to SRTT; like Linux we add at
	// least MinRTO instead of flooring the sum at it. Timestamps give a
	// sample per ACK, which shrinks RTTVAR to almost nothing on a steady
	// path, and an RTO barely above SRTT then fires before the ACK of a
	// retransmission sent in fast recovery can return: spurious timeouts
	// on every long path. Linux's tcp_set_rto keeps the same margin.
	e.unbackoff()
}

// unbackoff returns the timeout to its computed value, as a new sample
// would.
func (e *rttEstimator) unbackoff() {
	if e.haveSample {
		e.rto = e.clamp(e.srtt + max(clockGranularity, 4*e.rttvar, e.min))
	}
}

// backoff doubles the timeout after it expires (RFC 6298 §5.5).
func (e *rttEstimator) backoff() {
	e.rto = e.clamp(2 * e.rto)
}
