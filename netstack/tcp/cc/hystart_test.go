package cc

import (
	"testing"
	"time"
)

// controllers returns both controllers with HyStart++ on, for tests that
// must hold for either.
func hyStartControllers() map[string]func() Controller {
	return map[string]func() Controller{
		"cubic": func() Controller { return NewCUBIC(testMSS) },
		"reno": func() Controller {
			r := NewNewReno(testMSS)
			r.SetHyStart(true)
			return r
		},
	}
}

func phaseOf(c Controller) HyStartPhase {
	switch c := c.(type) {
	case *CUBIC:
		return c.w.hs.Phase()
	case *NewReno:
		return c.w.hs.Phase()
	}
	return HyStartDone
}

// RFC 9406 §4.2: slow start exits to CSS when a round's minimum RTT is at
// least RttThresh = clamp(lastRoundMinRTT/8, 4ms, 16ms) above the last
// round's, and not otherwise.
func TestHyStartExit(t *testing.T) {
	tests := []struct {
		name       string
		rtt, rise  time.Duration
		wantExit   bool
		wantThresh time.Duration // for the reader
	}{
		{"flat", 50 * time.Millisecond, 0, false, 6250 * time.Microsecond},
		{"below RttThresh", 50 * time.Millisecond, 6 * time.Millisecond, false, 6250 * time.Microsecond},
		{"at RttThresh", 50 * time.Millisecond, 6250 * time.Microsecond, true, 6250 * time.Microsecond},
		{"above RttThresh", 50 * time.Millisecond, 7 * time.Millisecond, true, 6250 * time.Microsecond},
		{"short RTT: 4ms floor, below", 10 * time.Millisecond, 3 * time.Millisecond, false, 4 * time.Millisecond},
		{"short RTT: 4ms floor, above", 10 * time.Millisecond, 5 * time.Millisecond, true, 4 * time.Millisecond},
		{"long RTT: 16ms cap, below", 400 * time.Millisecond, 15 * time.Millisecond, false, 16 * time.Millisecond},
		{"long RTT: 16ms cap, above", 400 * time.Millisecond, 17 * time.Millisecond, true, 16 * time.Millisecond},
		{"zero RTT samples are ignored", 0, 0, false, 0},
	}
	for name, mk := range hyStartControllers() {
		for _, tt := range tests {
			t.Run(name+"/"+tt.name, func(t *testing.T) {
				c := mk()
				s := newSim(c, testMSS)
				for range 3 {
					s.round(t, tt.rtt)
				}
				if p := phaseOf(c); p != HyStartSlowStart {
					t.Fatalf("phase %v before the RTT rise", p)
				}
				s.round(t, tt.rtt+tt.rise)
				got := phaseOf(c) == HyStartCSS
				if got != tt.wantExit {
					t.Fatalf("RTT %v -> %v: in CSS %v, want %v (phase %v)", tt.rtt, tt.rtt+tt.rise, got, tt.wantExit, phaseOf(c))
				}
				if c.Threshold() != MaxWindow {
					t.Errorf("ssthresh %d set while still in slow start", c.Threshold())
				}
			})
		}
	}
}

// RFC 9406 §4.2: CSS grows cwnd by a quarter of the acknowledged bytes
// and, after CSS_ROUNDS rounds, sets ssthresh = cwnd: congestion avoidance.
func TestHyStartCSSToCongestionAvoidance(t *testing.T) {
	for name, mk := range hyStartControllers() {
		t.Run(name, func(t *testing.T) {
			c := mk()
			s := newSim(c, testMSS)
			for range 3 {
				s.round(t, 50*time.Millisecond)
			}
			s.round(t, 60*time.Millisecond) // exit to CSS in here
			if p := phaseOf(c); p != HyStartCSS {
				t.Fatalf("phase %v after the RTT rise, want css", p)
			}
			// HyStart++'s rounds end at the SentHigh of an earlier ACK, a
			// little before the simulator's, so allow one round either way.
			rounds := 0
			for phaseOf(c) == HyStartCSS && rounds <= cssRounds+1 {
				before := c.Window()
				s.round(t, 60*time.Millisecond)
				rounds++
				if phaseOf(c) != HyStartCSS {
					break
				}
				// cwnd/4 per round, a little less as the data lags.
				if g := float64(c.Window()) / float64(before); g < 1.15 || g > 1.26 {
					t.Errorf("CSS round %d: cwnd grew %.2fx, want about 1.25x", rounds, g)
				}
			}
			if p := phaseOf(c); p != HyStartDone || rounds < cssRounds-1 || rounds > cssRounds+1 {
				t.Fatalf("after %d more rounds: phase %v, want done after about %d", rounds, p, cssRounds)
			}
			// ssthresh is cwnd at the exit; congestion avoidance may have
			// added a little in the rest of the round.
			if ss, w := c.Threshold(), c.Window(); ss == MaxWindow || ss > w || w-ss > w/50 {
				t.Fatalf("ssthresh %d, want cwnd at the exit (cwnd now %d)", ss, w)
			}
			// Congestion avoidance from here: much slower than slow start.
			w := c.Window()
			s.round(t, 60*time.Millisecond)
			if g := float64(c.Window()) / float64(w); g > 1.1 {
				t.Errorf("after CSS cwnd grew %.2fx in one RTT: not congestion avoidance", g)
			}
		})
	}
}

// RFC 9406 §4.2: if the RTT in CSS drops below the baseline that sent it
// there, the rise was jitter: back to slow start.
func TestHyStartSpuriousCSS(t *testing.T) {
	for name, mk := range hyStartControllers() {
		t.Run(name, func(t *testing.T) {
			c := mk()
			s := newSim(c, testMSS)
			for range 3 {
				s.round(t, 50*time.Millisecond)
			}
			s.round(t, 60*time.Millisecond)
			if p := phaseOf(c); p != HyStartCSS {
				t.Fatalf("phase %v, want css", p)
			}
			s.round(t, 50*time.Millisecond)
			if p := phaseOf(c); p != HyStartSlowStart {
				t.Fatalf("phase %v after the RTT fell back, want slow-start", p)
			}
			w := c.Window()
			s.round(t, 50*time.Millisecond)
			if c.Window() != 2*w {
				t.Errorf("back in slow start cwnd went %d -> %d, want doubling", w, c.Window())
			}
			if c.Threshold() != MaxWindow {
				t.Errorf("ssthresh %d, want still MaxWindow", c.Threshold())
			}
		})
	}
}

// A loss in slow start ends HyStart++ (RFC 9406 §4.2, §4.3); NewReno runs
// without it unless asked, and application-limited ACKs still feed it.
func TestHyStartOnOff(t *testing.T) {
	r := NewNewReno(testMSS)
	if phaseOf(r) != HyStartDone {
		t.Errorf("NewReno starts with HyStart++ %v, want off", phaseOf(r))
	}
	c := NewCUBIC(testMSS)
	c.OnCongestion(base, c.Window())
	if phaseOf(c) != HyStartDone {
		t.Errorf("after a loss HyStart++ is %v, want done", phaseOf(c))
	}
	c.SetHyStart(true)
	if phaseOf(c) != HyStartDone {
		t.Errorf("SetHyStart(true) after a loss turned it back on")
	}

	c = NewCUBIC(testMSS)
	s := newSim(c, testMSS)
	s.appLimited = true
	for range 3 {
		s.round(t, 50*time.Millisecond)
	}
	// With cwnd stuck at 10 segments, HyStart++'s rounds straddle ours:
	// the first round at the higher RTT still holds two old samples.
	s.round(t, 60*time.Millisecond)
	s.round(t, 60*time.Millisecond)
	if phaseOf(c) != HyStartCSS || c.Window() != InitialWindow(testMSS) {
		t.Errorf("application-limited: phase %v cwnd %d, want css and no growth", phaseOf(c), c.Window())
	}
}

// RFC 9406 §4.2 needs N_RTT_SAMPLE real samples in a round before it judges
// the round; ACKs without an RTT sample do not count.
func TestHyStartSampleCount(t *testing.T) {
	var h HyStart
	var delivered int64
	ack := func(rtt time.Duration, sentHigh int64) HyStartPhase {
		delivered += testMSS
		return h.OnAck(&Ack{Acked: testMSS, RTT: rtt, Delivered: delivered, SentHigh: sentHigh})
	}
	// Round one: ends at 10 segments; the next ends at 30.
	for range 9 {
		ack(50*time.Millisecond, 10*testMSS)
	}
	ack(50*time.Millisecond, 30*testMSS)
	for range 5 {
		ack(0, 30*testMSS)
	}
	for range 7 {
		if p := ack(70*time.Millisecond, 30*testMSS); p != HyStartSlowStart {
			t.Fatalf("%v with fewer than 8 samples (and ACKs without one)", p)
		}
	}
	if p := ack(70*time.Millisecond, 30*testMSS); p != HyStartCSS {
		t.Fatalf("phase %v after the 8th sample, want css", p)
	}
}
