package cc

import (
	"testing"
	"time"
)

// base is the virtual clock's origin; tests never read the real clock.
var base = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// sim is an ACK clock: a sender that always fills cwnd and a path that
// returns one ACK per SMSS, spread evenly over one RTT. One call to round
// is one round trip.
type sim struct {
	c          Controller
	smss       int
	now        time.Time
	delivered  int64
	sentHigh   int64
	minRTT     time.Duration
	appLimited bool // flag every ACK application-limited (the flight stays one cwnd)
}

func newSim(c Controller, smss int) *sim {
	return &sim{c: c, smss: smss, now: base, sentHigh: int64(c.Window())}
}

// round delivers everything outstanding at its start over rtt, one ACK per
// SMSS, sending new data after each ACK to fill the window again (that
// data is the next round's). It fails the test if an ACK shrinks cwnd.
func (s *sim) round(t testing.TB, rtt time.Duration) {
	t.Helper()
	end := s.sentHigh
	n := max((end-s.delivered+int64(s.smss)-1)/int64(s.smss), 1)
	step := rtt / time.Duration(n)
	if s.minRTT == 0 || rtt < s.minRTT {
		s.minRTT = rtt
	}
	for s.delivered < end {
		acked := min(int64(s.smss), end-s.delivered)
		s.delivered += acked
		s.now = s.now.Add(step)
		before := s.c.Window()
		s.c.OnAck(Ack{
			Now: s.now, Acked: int(acked),
			RTT: rtt, SRTT: rtt, MinRTT: s.minRTT,
			InFlight:   int(s.sentHigh - s.delivered),
			AppLimited: s.appLimited,
			Delivered:  s.delivered, SentHigh: s.sentHigh,
		})
		if w := s.c.Window(); w < before {
			t.Fatalf("OnAck shrank cwnd from %d to %d", before, w)
		}
		s.sentHigh = max(s.sentHigh, s.delivered+int64(s.c.Window()))
	}
}

// recover plays a loss recovery at the sender: OnCongestion with a full
// window in flight, then cwnd set to ssthresh at its end, and the window
// refilled.
func (s *sim) recover() {
	s.c.OnCongestion(s.now, s.c.Window())
	s.c.SetWindow(s.c.Threshold())
	s.refill()
}

// refill makes the flight exactly one cwnd, as after recovery.
func (s *sim) refill() {
	s.sentHigh = s.delivered + int64(s.c.Window())
}

// segs renders bytes as segments for messages.
func segs(bytes, smss int) float64 { return float64(bytes) / float64(smss) }
