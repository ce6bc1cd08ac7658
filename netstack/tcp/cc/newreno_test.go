package cc

import (
	"math"
	"testing"
	"time"
)

const testMSS = 1000 // round numbers: IW = 10 segments = 10000 bytes

// RFC 5681 §3.1: slow start doubles cwnd every round trip.
func TestNewRenoSlowStartDoubles(t *testing.T) {
	r := NewNewReno(testMSS)
	s := newSim(r, testMSS)
	want := InitialWindow(testMSS)
	for i := range 6 {
		s.round(t, 50*time.Millisecond)
		want *= 2
		if r.Window() != want {
			t.Fatalf("after round %d: cwnd %d, want %d", i+1, r.Window(), want)
		}
	}
}

// Slow start stops at ssthresh and the rest of the ACK counts towards
// congestion avoidance.
func TestNewRenoSlowStartStopsAtThreshold(t *testing.T) {
	r := NewNewReno(testMSS)
	r.OnRTO(base, 30000, false) // ssthresh 15000, cwnd 1000
	r.OnAck(Ack{Now: base, Acked: 14000})
	r.OnAck(Ack{Now: base, Acked: 16000}) // 1000 to reach 15000, 15000 left: +1 SMSS
	if r.Window() != 16000 {
		t.Fatalf("cwnd %d, want 16000", r.Window())
	}
}

// RFC 5681 §3.1: in congestion avoidance cwnd grows by one SMSS per cwnd of
// acknowledged bytes, however the ACKs split them.
func TestNewRenoCongestionAvoidance(t *testing.T) {
	tests := []struct {
		name  string
		acks  []int
		cwnd0 int
		want  int
	}{
		{"one ACK per segment", repeat(testMSS, 20), 20000, 21000},
		{"one byte short", append(repeat(testMSS, 19), testMSS-1), 20000, 20000},
		{"one stretch ACK", []int{20000}, 20000, 21000},
		{"stretch ACK of two windows", []int{40000}, 20000, 22000},
		{"delayed ACKs", repeat(2*testMSS, 30), 20000, 22000}, // 60000 bytes: 20000 + 21000 + 19000 left
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewNewReno(testMSS)
			r.OnCongestion(base, 2*tt.cwnd0)
			r.SetWindow(r.Threshold())
			if r.Window() != tt.cwnd0 {
				t.Fatalf("setup: cwnd %d, want %d", r.Window(), tt.cwnd0)
			}
			for _, n := range tt.acks {
				r.OnAck(Ack{Now: base, Acked: n})
			}
			if r.Window() != tt.want {
				t.Errorf("cwnd %d, want %d", r.Window(), tt.want)
			}
		})
	}
}

func repeat(n, times int) []int {
	s := make([]int, times)
	for i := range s {
		s[i] = n
	}
	return s
}

// RFC 5681 §3.2 equation 4: ssthresh = max(FlightSize/2, 2*SMSS); cwnd is
// the sender's to drive during recovery.
func TestNewRenoOnCongestion(t *testing.T) {
	tests := []struct{ inFlight, want int }{
		{40000, 20000},
		{40001, 20000},
		{3000, 2000},
		{0, 2000},
		{-1, 2000},
		{math.MaxInt, min(math.MaxInt/2, MaxWindow)},
	}
	for _, tt := range tests {
		r := NewNewReno(testMSS)
		r.OnCongestion(base, tt.inFlight)
		if r.Threshold() != tt.want {
			t.Errorf("inFlight %d: ssthresh %d, want %d", tt.inFlight, r.Threshold(), tt.want)
		}
		if r.Window() != InitialWindow(testMSS) {
			t.Errorf("inFlight %d: cwnd changed to %d", tt.inFlight, r.Window())
		}
	}
}

// RFC 5681 §3.1: a timeout sets cwnd to the loss window and halves
// ssthresh, except that a repeated timeout of the same data keeps it.
func TestNewRenoOnRTO(t *testing.T) {
	r := NewNewReno(testMSS)
	r.OnRTO(base, 40000, false)
	if r.Window() != testMSS || r.Threshold() != 20000 {
		t.Fatalf("after RTO: cwnd %d ssthresh %d, want %d and 20000", r.Window(), r.Threshold(), testMSS)
	}
	r.OnRTO(base, 2000, true)
	if r.Window() != testMSS || r.Threshold() != 20000 {
		t.Fatalf("after repeated RTO: cwnd %d ssthresh %d, want %d and 20000", r.Window(), r.Threshold(), testMSS)
	}
	r.OnRTO(base, 2000, false)
	if r.Threshold() != 2000 {
		t.Fatalf("after a new RTO: ssthresh %d, want 2000", r.Threshold())
	}
}

func TestNewRenoUndo(t *testing.T) {
	tests := []struct {
		name     string
		reduce   func(r *NewReno)
		wantCwnd int
		wantSS   int
	}{
		{"congestion", func(r *NewReno) {
			r.OnCongestion(base, 40000)
			r.SetWindow(r.Threshold())
		}, 40000, MaxWindow},
		{"congestion, then growth past the old cwnd", func(r *NewReno) {
			r.OnCongestion(base, 40000)
			r.SetWindow(50000)
		}, 50000, MaxWindow},
		{"RTO", func(r *NewReno) { r.OnRTO(base, 40000, false) }, 40000, MaxWindow},
		{"RTO repeated: undoes the first", func(r *NewReno) {
			r.OnRTO(base, 40000, false)
			r.OnRTO(base, 1000, true)
		}, 40000, MaxWindow},
		{"two reductions: undoes the last", func(r *NewReno) {
			r.OnCongestion(base, 40000) // ssthresh 20000
			r.SetWindow(20000)
			r.OnCongestion(base, 20000) // ssthresh 10000
			r.SetWindow(10000)
		}, 20000, 20000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewNewReno(testMSS)
			r.SetWindow(40000)
			tt.reduce(r)
			r.Undo()
			if r.Window() != tt.wantCwnd || r.Threshold() != tt.wantSS {
				t.Errorf("after Undo: cwnd %d ssthresh %d, want %d and %d", r.Window(), r.Threshold(), tt.wantCwnd, tt.wantSS)
			}
			// A second Undo has nothing to undo.
			r.SetWindow(3000)
			r.Undo()
			if r.Window() != 3000 {
				t.Errorf("second Undo changed cwnd to %d", r.Window())
			}
		})
	}
}

// RFC 5681 §4.1: after idling longer than the RTO, restart from
// min(cwnd, IW).
func TestNewRenoOnIdle(t *testing.T) {
	tests := []struct{ cwnd, want int }{
		{50000, 10000},
		{10000, 10000},
		{5000, 5000},
	}
	for _, tt := range tests {
		r := NewNewReno(testMSS)
		r.SetWindow(tt.cwnd)
		r.OnIdle(base)
		if r.Window() != tt.want {
			t.Errorf("cwnd %d: after OnIdle %d, want %d", tt.cwnd, r.Window(), tt.want)
		}
	}
}

// An application-limited ACK proves nothing about a larger window.
func TestNewRenoAppLimited(t *testing.T) {
	for _, ca := range []bool{false, true} {
		r := NewNewReno(testMSS)
		if ca {
			r.OnCongestion(base, 20000)
			r.SetWindow(r.Threshold())
		}
		w := r.Window()
		for range 100 {
			r.OnAck(Ack{Now: base, Acked: testMSS, AppLimited: true})
		}
		if r.Window() != w {
			t.Errorf("congestion avoidance %v: cwnd grew from %d to %d", ca, w, r.Window())
		}
	}
}

// The SMSS changes the floors and the increments, not the windows.
func TestNewRenoSetMSS(t *testing.T) {
	r := NewNewReno(testMSS)
	r.OnCongestion(base, 40000)
	r.SetWindow(20000)
	r.SetMSS(500)
	if r.Window() != 20000 || r.Threshold() != 20000 {
		t.Fatalf("SetMSS moved windows: cwnd %d ssthresh %d", r.Window(), r.Threshold())
	}
	r.OnAck(Ack{Now: base, Acked: 20000})
	if r.Window() != 20500 {
		t.Errorf("increment after SetMSS(500): cwnd %d, want 20500", r.Window())
	}
	r.OnRTO(base, 0, false)
	r.SetMSS(9000)
	if r.Window() != 9000 || r.Threshold() != 18000 {
		t.Errorf("floors after SetMSS(9000): cwnd %d ssthresh %d, want 9000 and 18000", r.Window(), r.Threshold())
	}
}
