package cc

import (
	"math"
	"testing"
	"time"
)

// newCUBICAfterLoss returns CUBIC with a loss at a window of w segments
// behind it, recovery over, and an ACK clock running; HyStart++ is off so
// slow start runs to the window without surprises.
func newCUBICAfterLoss(t *testing.T, w int) (*CUBIC, *sim) {
	t.Helper()
	c := NewCUBIC(testMSS)
	c.SetHyStart(false)
	c.SetLossClassification(false) // the simulated path has no queue: every loss would look random
	c.SetWindow(w * testMSS)
	s := newSim(c, testMSS)
	s.recover()
	return c, s
}

// RFC 9438 §4.6: ssthresh = β_cubic * cwnd, cwnd untouched (PRR's job).
func TestCUBICOnCongestion(t *testing.T) {
	tests := []struct{ cwnd, want int }{
		{100000, 70000},
		{14600, 10220},
		{2000, 2000}, // 1400 is below the 2*SMSS floor
	}
	for _, tt := range tests {
		c := NewCUBIC(testMSS)
		c.SetWindow(tt.cwnd)
		c.OnCongestion(base, tt.cwnd)
		if c.Threshold() != tt.want || c.Window() != tt.cwnd {
			t.Errorf("cwnd %d: ssthresh %d cwnd %d, want %d and %d", tt.cwnd, c.Threshold(), c.Window(), tt.want, tt.cwnd)
		}
		if c.c.wMax != float64(tt.cwnd) {
			t.Errorf("cwnd %d: W_max %v", tt.cwnd, c.c.wMax)
		}
	}
}

// RFC 9438 §4.2: after a loss at W_max, cwnd climbs back to W_max at about
// t = K = cbrt(W_max(1-β)/C), concave on the way (fast, then flattening) and
// convex after (probing faster and faster).
func TestCUBICCurve(t *testing.T) {
	const (
		wMax = 1000 // segments: large enough that the curve beats Reno
		rtt  = 100 * time.Millisecond
	)
	c, s := newCUBICAfterLoss(t, wMax)
	k := math.Cbrt(wMax * (1 - cubicBeta) / cubicC) // 9.09 s
	var cwnd []int                                  // cwnd after each round
	reached := time.Duration(-1)
	for range 150 {
		s.round(t, rtt)
		cwnd = append(cwnd, c.Window())
		if reached < 0 && c.Window() >= wMax*testMSS {
			reached = s.now.Sub(base)
		}
	}
	if reached < 0 {
		t.Fatalf("cwnd never got back to W_max: %v segments after 15 s", segs(c.Window(), testMSS))
	}
	if d := reached.Seconds() - k; math.Abs(d) > 2*rtt.Seconds() {
		t.Errorf("back at W_max after %v, want K = %.2fs within two RTTs", reached, k)
	}
	t.Logf("back at W_max after %v; K = %.2fs", reached, k)
	grow := func(from, to int) float64 { // mean growth per round, in segments
		return segs(cwnd[to]-cwnd[from], testMSS) / float64(to-from)
	}
	kRound := int(k / rtt.Seconds())
	early, plateau, late := grow(0, 5), grow(kRound-3, kRound+3), grow(140, 149)
	t.Logf("growth per RTT: early %.2f, near K %.2f, late %.2f segments", early, plateau, late)
	if !(early > 2*plateau && late > 2*plateau) {
		t.Errorf("not concave then convex: growth per RTT early %.2f, near K %.2f, late %.2f", early, plateau, late)
	}
}

// RFC 9438 §4.3: with a small window and a short RTT Reno would grow
// faster than the cubic curve, so CUBIC follows W_est: α_cubic = 0.53
// segments per RTT until cwnd_prior, then one.
func TestCUBICRenoFriendly(t *testing.T) {
	const rtt = time.Millisecond
	c, s := newCUBICAfterLoss(t, 20) // cwnd 14 segments, K = 2.47 s
	for range 10 {
		s.round(t, rtt)
	}
	want := 14 + 10*cubicAlpha // 19.3 segments; the curve alone gives ~14.1
	if got := segs(c.Window(), testMSS); math.Abs(got-want) > 0.5 {
		t.Errorf("after 10 RTTs: cwnd %.2f segments, want %.2f (Reno-friendly)", got, want)
	}
	for range 20 {
		s.round(t, rtt)
	}
	// Past cwnd_prior (20) at about 11.3 RTTs, then one segment per RTT.
	want = 20 + (30 - 6/cubicAlpha)
	if got := segs(c.Window(), testMSS); math.Abs(got-want) > 1 {
		t.Errorf("after 30 RTTs: cwnd %.2f segments, want %.2f (α_cubic = 1 past cwnd_prior)", got, want)
	}
}

// RFC 9438 §4.4-§4.5: the target is at most 1.5 cwnd, so cwnd grows at
// most 1.5x per RTT even when the curve is far above (here a 10 s RTT puts
// W_cubic(t+RTT) at over 200 segments right after the loss).
func TestCUBICTargetClamp(t *testing.T) {
	const rtt = 10 * time.Second
	c, s := newCUBICAfterLoss(t, 10)
	for i := range 6 {
		before := c.Window()
		s.round(t, rtt)
		ratio := float64(c.Window()) / float64(before)
		if ratio > 1.51 || ratio < 1.4 {
			t.Errorf("round %d: cwnd grew %.3fx (%d -> %d), want 1.5x", i+1, ratio, before, c.Window())
		}
	}
}

// RFC 9438 §4.7: a loss before cwnd got back to W_max lowers W_max to
// cwnd(1+β)/2, releasing bandwidth to newer flows.
func TestCUBICFastConvergence(t *testing.T) {
	tests := []struct {
		name     string
		rounds   int     // RTTs of growth after the first loss at 100 segments
		wantWMax float64 // in units of the cwnd at the second loss
	}{
		{"loss below W_max", 5, (1 + cubicBeta) / 2},
		{"loss past W_max", 60, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := newCUBICAfterLoss(t, 100)
			for range tt.rounds {
				s.round(t, 100*time.Millisecond)
			}
			w := c.Window()
			if (w < 100*testMSS) != (tt.wantWMax < 1) {
				t.Fatalf("setup: cwnd %d segments at the second loss", w/testMSS)
			}
			c.OnCongestion(s.now, w)
			if want := float64(w) * tt.wantWMax; math.Abs(c.c.wMax-want) > 1 {
				t.Errorf("W_max %.0f, want %.0f", c.c.wMax, want)
			}
			if want := int(float64(w) * cubicBeta); c.Threshold() != want {
				t.Errorf("ssthresh %d, want %d", c.Threshold(), want)
			}
		})
	}
}

// RFC 9438 §4.9: a spurious loss is undone: cwnd, ssthresh and the curve
// return.
func TestCUBICUndo(t *testing.T) {
	tests := []struct {
		name   string
		reduce func(c *CUBIC, now time.Time)
	}{
		{"congestion", func(c *CUBIC, now time.Time) {
			c.OnCongestion(now, c.Window())
			c.SetWindow(c.Threshold())
		}},
		{"RTO", func(c *CUBIC, now time.Time) { c.OnRTO(now, c.Window(), false) }},
		{"RTO twice", func(c *CUBIC, now time.Time) {
			c.OnRTO(now, c.Window(), false)
			c.OnRTO(now, c.Window(), true)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := newCUBICAfterLoss(t, 100)
			for range 10 {
				s.round(t, 100*time.Millisecond)
			}
			cwnd, ssthresh, curve := c.Window(), c.Threshold(), c.c
			tt.reduce(c, s.now)
			if c.Window() >= cwnd && c.Threshold() >= ssthresh {
				t.Fatalf("setup: no reduction")
			}
			c.Undo()
			if c.Window() != cwnd || c.Threshold() != ssthresh || c.c != curve {
				t.Errorf("after Undo: cwnd %d ssthresh %d curve %+v, want %d, %d, %+v", c.Window(), c.Threshold(), c.c, cwnd, ssthresh, curve)
			}
			c.SetWindow(testMSS)
			c.Undo()
			if c.Window() != testMSS {
				t.Errorf("second Undo changed cwnd to %d", c.Window())
			}
		})
	}
}

// RFC 9438 §5.8: idle time is not growth time. After an hour idle the
// curve resumes where it paused: the window grows exactly as it would have
// without the pause (cwnd is below IW, so the restart window of RFC 5681
// §4.1 does not apply).
func TestCUBICOnIdleNoJump(t *testing.T) {
	const rtt = time.Second
	ctl, s1 := newCUBICAfterLoss(t, 10) // 7 segments, under IW = 10
	idle, s2 := newCUBICAfterLoss(t, 10)
	for range 2 {
		s1.round(t, rtt)
		s2.round(t, rtt)
	}
	s2.now = s2.now.Add(time.Hour)
	idle.OnIdle(s2.now)
	s1.round(t, rtt)
	s2.round(t, rtt)
	if idle.Window() != ctl.Window() {
		t.Errorf("after an idle hour cwnd %d, without %d", idle.Window(), ctl.Window())
	}
}

// Application-limited ACKs neither grow cwnd nor age the curve.
func TestCUBICAppLimited(t *testing.T) {
	const rtt = time.Second
	ctl, s1 := newCUBICAfterLoss(t, 10)
	lim, s2 := newCUBICAfterLoss(t, 10)
	s1.round(t, rtt)
	s2.round(t, rtt)
	w := lim.Window()
	s2.appLimited = true
	for range 100 {
		s2.round(t, rtt)
	}
	if lim.Window() != w {
		t.Fatalf("application-limited rounds grew cwnd from %d to %d", w, lim.Window())
	}
	s2.appLimited = false
	s2.refill()
	s1.round(t, rtt)
	s2.round(t, rtt)
	if lim.Window() != ctl.Window() {
		t.Errorf("after 100 application-limited RTTs cwnd %d, without %d", lim.Window(), ctl.Window())
	}
}

// RFC 9438 §4.8: a timeout leaves one SMSS and ssthresh = β*cwnd; the next
// congestion avoidance starts a fresh curve with K = 0 at its own cwnd.
func TestCUBICOnRTO(t *testing.T) {
	c, s := newCUBICAfterLoss(t, 100)
	for range 10 {
		s.round(t, 100*time.Millisecond)
	}
	w := c.Window()
	c.OnRTO(s.now, w, false)
	if c.Window() != testMSS || c.Threshold() != int(float64(w)*cubicBeta) {
		t.Fatalf("after RTO: cwnd %d ssthresh %d, want %d and %d", c.Window(), c.Threshold(), testMSS, int(float64(w)*cubicBeta))
	}
	ssthresh := c.Threshold()
	c.OnRTO(s.now, 2*testMSS, true)
	if c.Threshold() != ssthresh {
		t.Fatalf("repeated RTO changed ssthresh to %d", c.Threshold())
	}
	s.refill()
	for c.Window() < c.Threshold() {
		s.round(t, 100*time.Millisecond)
	}
	s.round(t, 100*time.Millisecond)
	if !c.c.inEpoch || c.c.k != 0 || c.c.wMax < float64(ssthresh) {
		t.Errorf("after slow start: epoch %v K %v W_max %v, want a fresh curve from %d", c.c.inEpoch, c.c.k, c.c.wMax, ssthresh)
	}
}

// SetMSS keeps the windows in bytes and the curve continuous.
func TestCUBICSetMSS(t *testing.T) {
	c, s := newCUBICAfterLoss(t, 100)
	for range 10 {
		s.round(t, 100*time.Millisecond)
	}
	w, ssthresh := c.Window(), c.Threshold()
	c.SetMSS(2 * testMSS)
	if c.Window() != w || c.Threshold() != ssthresh {
		t.Fatalf("SetMSS moved windows: cwnd %d ssthresh %d, want %d and %d", c.Window(), c.Threshold(), w, ssthresh)
	}
	s.smss = 2 * testMSS
	s.round(t, 100*time.Millisecond)
	if g := c.Window() - w; g <= 0 || g > w/10 {
		t.Errorf("one RTT after SetMSS cwnd grew by %d bytes from %d", g, w)
	}
	c.OnRTO(s.now, 0, false)
	c.SetMSS(9000)
	if c.Window() != 9000 || c.Threshold() < 18000 {
		t.Errorf("floors after SetMSS(9000): cwnd %d ssthresh %d", c.Window(), c.Threshold())
	}
}

// No input may panic, leave NaN in the curve or shrink cwnd on an ACK:
// huge and zero RTTs, time running backwards, enormous ACKs.
func TestCUBICExtremes(t *testing.T) {
	acks := []Ack{
		{Now: base, Acked: math.MaxInt, RTT: math.MaxInt64, SRTT: math.MaxInt64},
		{Now: base.Add(-time.Hour), Acked: 1, RTT: -1},
		{Now: base.Add(1 << 62), Acked: testMSS},
		{Now: time.Time{}, Acked: math.MaxInt},
		{Now: base, Acked: -5},
	}
	for _, smss := range []int{1, testMSS, math.MaxInt} {
		c := NewCUBIC(smss)
		c.OnCongestion(base, 0)
		c.SetWindow(c.Threshold())
		for i := range 3 {
			for _, a := range acks {
				before := c.Window()
				c.OnAck(a)
				if c.Window() < before || c.Window() > MaxWindow || c.Window() < c.w.smss {
					t.Fatalf("smss %d pass %d ack %+v: cwnd %d -> %d", smss, i, a, before, c.Window())
				}
				if math.IsNaN(c.c.frac) || math.IsNaN(c.c.wEst) || math.IsNaN(c.c.k) {
					t.Fatalf("smss %d: NaN in %+v", smss, c.c)
				}
			}
			c.OnCongestion(base, c.Window())
		}
	}
}

// A loss with none of our packets queued (SRTT at MinRTT) is random, as on
// a lossy link, and earns the gentler decrease; with a standing queue of
// our own packets it is congestion and gets RFC 9438's β. Timeouts are
// always congestion, and the classification can be turned off.
func TestCUBICRandomLossClassification(t *testing.T) {
	const cwnd = 100 * testMSS
	tests := []struct {
		name       string
		srtt       time.Duration
		classify   bool
		rto        bool
		wantThresh int
	}{
		{"no queue: random", 20 * time.Millisecond, true, false, cwnd * 85 / 100},
		{"two segments queued: random", 20*time.Millisecond + 400*time.Microsecond, true, false, cwnd * 85 / 100},
		{"standing queue: congestion", 30 * time.Millisecond, true, false, cwnd * 70 / 100},
		{"timeout: congestion", 20 * time.Millisecond, true, true, cwnd * 70 / 100},
		{"classification off", 20 * time.Millisecond, false, false, cwnd * 70 / 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewCUBIC(testMSS)
			c.SetLossClassification(tt.classify)
			c.SetWindow(cwnd)
			c.OnAck(Ack{Now: base, Acked: testMSS, RTT: tt.srtt, SRTT: tt.srtt, MinRTT: 20 * time.Millisecond, InFlight: cwnd})
			cw := c.Window()
			if tt.rto {
				c.OnRTO(base, cw, false)
			} else {
				c.OnCongestion(base, cw)
			}
			if got, want := c.Threshold(), cw*tt.wantThresh/cwnd; got < want-1 || got > want+1 {
				t.Errorf("ssthresh %d after a loss at cwnd %d, want %d", got, cw, want)
			}
		})
	}
}
