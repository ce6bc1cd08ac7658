package cc

import "time"

// HyStart++ constants, RFC 9406 §4.3.
const (
	minRTTThresh     = 4 * time.Millisecond  // MIN_RTT_THRESH
	maxRTTThresh     = 16 * time.Millisecond // MAX_RTT_THRESH
	minRTTDivisor    = 8                     // MIN_RTT_DIVISOR
	nRTTSample       = 8                     // N_RTT_SAMPLE
	cssGrowthDivisor = 4                     // CSS_GROWTH_DIVISOR
	cssRounds        = 5                     // CSS_ROUNDS
)

// HyStartPhase is where HyStart++ stands in slow start.
type HyStartPhase uint8

// The phases of HyStart++ (RFC 9406 §4.2):
//
//	HyStartSlowStart --RTT rose by RttThresh--> HyStartCSS
//	HyStartCSS --RTT fell below the baseline--> HyStartSlowStart
//	HyStartCSS --CSS_ROUNDS rounds--> HyStartDone (ssthresh = cwnd)
//
// Loss in either phase also ends HyStart++ (Stop).
const (
	// HyStartSlowStart is standard slow start, watching for a rise in RTT.
	HyStartSlowStart HyStartPhase = iota
	// HyStartCSS is Conservative Slow Start: growth at a quarter of the
	// slow-start rate while HyStart++ decides whether the RTT rise was real.
	HyStartCSS
	// HyStartDone means HyStart++ no longer acts: it has sent the
	// connection to congestion avoidance, a loss ended slow start, or it
	// was never enabled.
	HyStartDone
)

// String returns the phase's name.
func (p HyStartPhase) String() string {
	switch p {
	case HyStartSlowStart:
		return "slow-start"
	case HyStartCSS:
		return "css"
	case HyStartDone:
		return "done"
	}
	return "unknown"
}

// HyStart is the HyStart++ state machine of RFC 9406: it watches the
// minimum RTT of each round during slow start and, when it rises by more
// than RttThresh, moves to Conservative Slow Start (CSS) and from there to
// congestion avoidance, so slow start ends before it fills the bottleneck
// queue and overflows it.
//
// A round is one window of data: it starts with SentHigh recorded and ends
// at the first ACK whose Delivered reaches that mark. The caller feeds
// every ACK of slow start to OnAck and grows cwnd as the returned phase
// says; HyStart itself never touches a window.
//
// The zero value is in HyStartSlowStart, ready for a connection's first
// slow start.
type HyStart struct {
	phase    HyStartPhase
	started  bool  // a round is being measured; windowEnd is valid
	cssRound uint8 // CSS rounds completed, at most CSS_ROUNDS
	// samples is rttSampleCount, which is only ever compared with
	// N_RTT_SAMPLE: it stops counting there.
	samples uint8
	endAt   int64 // windowEnd: the round ends when Delivered >= endAt
	// Round minimum RTTs; zero stands for the RFC's "infinity" (no sample),
	// which is safe because zero samples are ignored.
	lastRoundMin time.Duration // lastRoundMinRTT
	curRoundMin  time.Duration // currentRoundMinRTT
	cssBaseline  time.Duration // cssBaselineMinRtt; zero when not in CSS
}

// Phase returns the current phase.
func (h *HyStart) Phase() HyStartPhase { return h.phase }

// Stop ends HyStart++ for the rest of the connection: RFC 9406 §4.2 on
// loss in slow start or CSS, and §4.3 which uses HyStart++ only in the
// initial slow start.
func (h *HyStart) Stop() { h.phase = HyStartDone }

// OnAck takes one ACK that arrived in slow start (cwnd < ssthresh) and
// returns the phase to grow cwnd in: HyStartSlowStart grows by the bytes
// acknowledged, HyStartCSS by a quarter of them, and a change to
// HyStartDone means "set ssthresh = cwnd and enter congestion avoidance".
// Application-limited ACKs are fed too: their RTT samples are as good.
func (h *HyStart) OnAck(a *Ack) HyStartPhase {
	if h.phase == HyStartDone {
		return h.phase
	}
	if !h.started {
		h.started = true
		h.endAt = a.SentHigh
	}
	if a.RTT > 0 {
		h.sample(a.RTT)
	}
	switch h.phase {
	case HyStartSlowStart:
		if h.delayIncreased() {
			h.phase = HyStartCSS
			h.cssBaseline = h.curRoundMin
			h.cssRound = 0
		}
	case HyStartCSS:
		if h.samples >= nRTTSample && h.curRoundMin < h.cssBaseline {
			// The RTT rise was jitter: RFC 9406 §4.2 resumes slow start.
			h.phase = HyStartSlowStart
			h.cssBaseline = 0
		}
	}
	if a.Delivered >= h.endAt {
		h.endRound(a.SentHigh)
	}
	return h.phase
}

// sample folds one RTT sample into the current round.
func (h *HyStart) sample(rtt time.Duration) {
	if h.curRoundMin == 0 || rtt < h.curRoundMin {
		h.curRoundMin = rtt
	}
	h.samples = min(h.samples+1, nRTTSample)
}

// delayIncreased is RFC 9406 §4.2's exit test: with at least N_RTT_SAMPLE
// samples this round and a minimum from the last, has the round's minimum
// RTT risen by RttThresh = clamp(lastRoundMinRTT/8, 4ms, 16ms)?
func (h *HyStart) delayIncreased() bool {
	if h.samples < nRTTSample || h.curRoundMin == 0 || h.lastRoundMin == 0 {
		return false
	}
	thresh := min(max(h.lastRoundMin/minRTTDivisor, minRTTThresh), maxRTTThresh)
	return h.curRoundMin >= h.lastRoundMin+thresh
}

// endRound closes the current round and opens the next, which ends once
// everything sent so far (sentHigh) has been delivered. In CSS it counts
// the round; the CSS_ROUNDS-th ends HyStart++. The partial round in which
// CSS began counts as the first.
func (h *HyStart) endRound(sentHigh int64) {
	if h.phase == HyStartCSS {
		h.cssRound++
		if h.cssRound >= cssRounds {
			h.phase = HyStartDone
			return
		}
	}
	h.lastRoundMin = h.curRoundMin
	h.curRoundMin = 0
	h.samples = 0
	h.endAt = sentHigh
}
