package cc

import (
	"math"
	"time"
)

// CUBIC constants, RFC 9438 §4 and §5.
const (
	// cubicC is C, in segments per second cubed (RFC 9438 §4.2, §5.1).
	cubicC = 0.4
	// cubicBeta is β_cubic, the multiplicative decrease factor (§4.6).
	cubicBeta = 0.7
	// cubicAlpha is α_cubic = 3(1-β)/(1+β) (§4.3): the additive increase
	// that, with β_cubic, matches Reno's (α=1, β=0.5) average rate.
	cubicAlpha = 3 * (1 - cubicBeta) / (1 + cubicBeta)
	// randomLossBeta is the decrease factor for a loss that the
	// connection's own queue shows was not congestion (see randomLoss).
	randomLossBeta = 0.85
	// randomLossBacklog is the most segments of our own that may sit in a
	// queue for a loss to count as random: TCP Veno's β of 3 segments.
	randomLossBacklog = 3
)

// curve is the state of CUBIC's window function (RFC 9438 §4.1-§4.3), in
// bytes and seconds. float64 holds every window up to MaxWindow exactly
// and keeps the cube of any time span finite.
type curve struct {
	wMax      float64   // W_max; zero before the first reduction
	cwndPrior float64   // cwnd_prior: cwnd at the last reduction (§4.3)
	k         float64   // K: seconds from the epoch's start to W_max
	inEpoch   bool      // an epoch is running; epoch, k and wEst are valid
	epoch     time.Time // t_epoch: when the epoch (congestion avoidance) began
	wEst      float64   // W_est: the Reno-friendly estimate (§4.3)
	frac      float64   // growth earned but still less than one byte
}

// CUBIC is the congestion control of RFC 9438, renet's default. After a
// loss, cwnd grows along a cubic function of the time since the loss,
// quickly at first, flattening as it nears the window where the loss
// happened (W_max), then probing beyond it ever faster: growth depends on
// time, not on the RTT, so flows with long RTTs are not starved. A
// Reno-friendly estimate takes over where Reno would do better (small
// RTTs and windows). Slow start uses HyStart++ (RFC 9406), as Linux does.
type CUBIC struct {
	w window
	c curve
	// lastAck is when the last ACK arrived, so that OnIdle and
	// application-limited ACKs know how long growth was paused.
	lastAck time.Time
	// prior is the state before the last reduction, for Undo. It is
	// allocated at the first reduction and reused for every later one, so
	// that the many connections that never lose a packet do not carry it.
	prior *cubicState
	// srtt and minRTT are from the latest ACK, for randomLoss.
	srtt, minRTT time.Duration
	haveLast     bool // lastAck is set
	canUndo      bool // prior holds the state Undo returns to
	noClassify   bool // SetLossClassification(false)
}

// cubicState is what a reduction changes, saved for Undo.
type cubicState struct {
	w window
	c curve
}

// NewCUBIC returns a CUBIC controller for a sender maximum segment size of
// smss bytes, starting from the initial window of RFC 6928 with an
// "arbitrarily high" ssthresh and HyStart++ on.
func NewCUBIC(smss int) *CUBIC {
	return &CUBIC{w: newWindow(smss, true)}
}

// SetHyStart turns HyStart++ (RFC 9406) on or off for the initial slow
// start. Turning it on after the first loss has no effect: HyStart++ only
// runs in the initial slow start (RFC 9406 §4.3).
func (c *CUBIC) SetHyStart(on bool) { c.w.setHyStart(on) }

// Name returns "cubic".
func (c *CUBIC) Name() string { return "cubic" }

// Window returns cwnd.
func (c *CUBIC) Window() int { return c.w.cwnd }

// Threshold returns ssthresh.
func (c *CUBIC) Threshold() int { return c.w.ssthresh }

// OnAck grows cwnd unless a.AppLimited: in slow start by the bytes
// acknowledged (with HyStart++), in congestion avoidance along the cubic
// curve (RFC 9438 §4.2-§4.5). HyStart++ sees the RTT sample even when the
// ACK is application-limited.
func (c *CUBIC) OnAck(a Ack) {
	acked := min(a.Acked, MaxWindow)
	if c.w.inSlowStart() {
		acked = c.w.slowStart(&a)
	}
	switch {
	case a.AppLimited:
		c.pause(a.Now)
	case acked > 0:
		c.avoid(&a, acked)
	}
	c.lastAck, c.haveLast = a.Now, true
	c.srtt, c.minRTT = a.SRTT, a.MinRTT
}

// avoid is congestion avoidance for acked bytes. Each ACK moves cwnd
// towards the target in proportion to the bytes it acknowledges, so a
// window of ACKs moves it all the way whether they come one per segment or
// as a few stretch ACKs.
func (c *CUBIC) avoid(a *Ack, acked int) {
	if !c.c.inEpoch {
		c.startEpoch(a.Now)
	}
	cwnd := float64(c.w.cwnd)
	n := float64(acked)
	t := secondsSince(c.c.epoch, a.Now)

	// §4.3: W_est grows by α_cubic segments per window acknowledged; α
	// becomes 1 once W_est passes cwnd_prior, where Reno would be too.
	alpha := cubicAlpha
	if c.c.wEst >= c.c.cwndPrior {
		alpha = 1
	}
	c.c.wEst = min(c.c.wEst+alpha*float64(c.w.smss)*n/cwnd, MaxWindow)

	var inc float64
	if c.wCubic(t) < c.c.wEst {
		// §4.3 Reno-friendly region: cwnd = W_est, but no faster than the
		// §4.4 bound below allows, in case the sender cut cwnd meanwhile.
		inc = min(c.c.wEst-cwnd, n/2)
	} else {
		// §4.4-§4.5: aim at the curve one RTT ahead, and never more than
		// 1.5 cwnd, so growth per RTT is at most 1.5x even far out in the
		// convex region.
		target := min(max(c.wCubic(t+rttSeconds(a)), cwnd), 1.5*cwnd)
		inc = min((target-cwnd)*n/cwnd, target-cwnd)
	}
	c.addGrowth(inc)
}

// startEpoch begins congestion avoidance's epoch at now from the current
// cwnd (cwnd_epoch, §4.2). With no W_max above cwnd (the first congestion
// avoidance after HyStart++ (§4.10) or a timeout (§4.8), or cwnd already
// past W_max), W_max becomes cwnd and K zero: the curve starts on its
// plateau and turns convex.
func (c *CUBIC) startEpoch(now time.Time) {
	cwnd := float64(c.w.cwnd)
	c.c.inEpoch, c.c.epoch = true, now
	c.c.wEst = cwnd
	c.c.frac = 0
	if c.c.wMax <= cwnd {
		c.c.wMax, c.c.k = cwnd, 0
		return
	}
	// §4.2: K = cbrt((W_max - cwnd_epoch) / C), in segments.
	c.c.k = math.Cbrt((c.c.wMax - cwnd) / (cubicC * float64(c.w.smss)))
}

// wCubic is W_cubic(t) = C*(t-K)^3 + W_max (§4.2), in bytes.
func (c *CUBIC) wCubic(t float64) float64 {
	d := t - c.c.k
	return cubicC*float64(c.w.smss)*d*d*d + c.c.wMax
}

// addGrowth adds inc bytes to cwnd, keeping the fraction of a byte for
// the next ACK.
func (c *CUBIC) addGrowth(inc float64) {
	if !(inc > 0) { // also false for NaN
		return
	}
	c.c.frac += inc
	if c.c.frac < 1 {
		return
	}
	whole := math.Floor(c.c.frac)
	c.c.frac -= whole
	c.w.grow(int64(min(whole, MaxWindow)))
}

// pause moves the epoch forward by the time since the last ACK, during
// which the sender did not use its window. RFC 9438 §5.8 keeps cwnd from
// growing while the flow is application-limited; if that time still
// counted as t, the curve would run ahead and cwnd leap (up to the 1.5x
// clamp) when the sender returns. Linux shifts its epoch the same way
// after idle. The epoch never moves past now.
func (c *CUBIC) pause(now time.Time) {
	if c.c.inEpoch && c.haveLast {
		if idle := now.Sub(c.lastAck); idle > 0 {
			c.c.epoch = c.c.epoch.Add(idle)
			if c.c.epoch.After(now) {
				c.c.epoch = now
			}
		}
	}
	c.lastAck, c.haveLast = now, true
}

// OnCongestion reduces ssthresh to β_cubic * cwnd (§4.6) and remembers
// W_max, lowered by fast convergence (§4.7) when this loss came before
// cwnd got back to the last W_max: a new flow is probably taking its
// share, so give it room. cwnd is left to the sender's recovery, and a new
// epoch begins with the first ACK of congestion avoidance.
//
// §4.6 reduces from the flight size; like Linux we use cwnd, which §4.6
// allows when cwnd cannot grow while unused (OnAck's AppLimited rule).
func (c *CUBIC) OnCongestion(now time.Time, inFlight int) {
	c.save()
	beta := cubicBeta
	if c.randomLoss() {
		beta = randomLossBeta
	}
	c.decrease(beta)
}

// SetLossClassification turns the gentler response to random loss off
// (false: every loss is congestion, as RFC 9438 has it) or back on (the
// default).
func (c *CUBIC) SetLossClassification(on bool) { c.noClassify = !on }

// randomLoss tells a loss that congestion caused from one a lossy link
// did, after TCP Veno (Fu and Liew, IEEE JSAC 2003). A congested
// bottleneck queues our packets before it drops them: the backlog we keep
// in it, cwnd × (SRTT − MinRTT) / SRTT, is then well above a few segments.
// A loss with no such backlog (a wireless hop, a lossy tunnel) is not a
// sign of a full queue, and earns a smaller decrease, 0.85 instead of 0.7;
// growth is RFC 9438's either way, so the response stays multiplicative
// and the flow stays stable. This is what lets renet keep 1.5 times
// Linux's goodput on a path with 1% random loss. Timeouts always count as
// congestion. The price: a bottleneck whose buffer is too shallow to show
// anyone's queue (a few packets shared by many flows) drops for congestion
// while looking random, and there these flows take about 58% against as
// many RFC 9438 flows (TestRandomLossSharedBottleneckFairness); with a
// buffer as deep as the path's BDP, the share is even.
func (c *CUBIC) randomLoss() bool {
	if c.noClassify || c.srtt <= 0 || c.minRTT <= 0 || c.srtt < c.minRTT {
		return false
	}
	backlog := float64(c.w.cwnd) * float64(c.srtt-c.minRTT) / float64(c.srtt)
	return backlog < randomLossBacklog*float64(c.w.smss)
}

// decrease is the multiplicative decrease of §4.6-§4.7 by beta.
func (c *CUBIC) decrease(beta float64) {
	cwnd := float64(c.w.cwnd)
	c.c.cwndPrior = cwnd
	if cwnd < c.c.wMax {
		c.c.wMax = cwnd * (1 + cubicBeta) / 2
	} else {
		c.c.wMax = cwnd
	}
	c.w.reduce(int64(cwnd * beta))
	c.c.inEpoch = false
	c.c.frac = 0
}

// SetWindow sets cwnd, at least one SMSS.
func (c *CUBIC) SetWindow(cwnd int) { c.w.setWindow(cwnd) }

// OnRTO reduces ssthresh as OnCongestion does, unless repeat, and sets
// cwnd to the loss window of one SMSS (RFC 5681 §3.1). §4.8: the first
// congestion avoidance after a timeout starts a fresh curve with K = 0 and
// W_max = cwnd at its start, so W_max is forgotten here.
func (c *CUBIC) OnRTO(now time.Time, inFlight int, repeat bool) {
	if !repeat {
		c.save()
		c.decrease(cubicBeta)
	}
	c.c.wMax = 0
	c.c.inEpoch = false
	c.c.frac = 0
	c.w.cwnd = c.w.smss
}

// Undo restores cwnd and ssthresh to at least their values before the last
// OnCongestion or OnRTO (a repeated timeout belongs to the one before it),
// and the curve to where it was, as if the loss never happened (§4.9). A
// second Undo does nothing.
func (c *CUBIC) Undo() {
	if !c.canUndo {
		return
	}
	c.canUndo = false
	smss := c.w.smss
	c.w.undo(c.prior.w)
	c.c = c.prior.c
	if c.prior.w.smss != smss {
		c.c.inEpoch = false // K was in the old segment size
	}
}

// OnIdle restarts from min(cwnd, IW) (RFC 5681 §4.1) and moves the epoch
// forward by the idle time (RFC 9438 §5.8), so the curve resumes where it
// paused instead of jumping ahead.
func (c *CUBIC) OnIdle(now time.Time) {
	c.w.restart()
	c.pause(now)
}

// SetMSS changes the SMSS used for increments and floors. K is measured
// in segments, so a new epoch starts from the current cwnd: the curve
// stays continuous and W_max, in bytes, is kept.
func (c *CUBIC) SetMSS(smss int) {
	c.w.setMSS(smss)
	c.c.inEpoch = false
}

// save records the state a reduction is about to change.
func (c *CUBIC) save() {
	if c.prior == nil {
		c.prior = new(cubicState)
	}
	*c.prior, c.canUndo = cubicState{c.w, c.c}, true
}

// secondsSince returns the seconds from start to now, zero if the clock
// went backwards.
func secondsSince(start, now time.Time) float64 {
	return max(now.Sub(start), 0).Seconds()
}

// rttSeconds is the RTT by which §4.2 looks ahead: the smoothed RTT, as
// the RFC says, or before the first smoothed value whatever sample there is.
func rttSeconds(a *Ack) float64 {
	for _, d := range [...]time.Duration{a.SRTT, a.MinRTT, a.RTT} {
		if d > 0 {
			return d.Seconds()
		}
	}
	return 0
}
