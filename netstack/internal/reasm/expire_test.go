package reasm

import (
	"testing"
	"time"
)

func TestPartialLossExpires(t *testing.T) {
	r := New(Config{})
	p := pattern(4000, 6)
	fs := fragment(p, 1480)
	if !r.Deadline().IsZero() {
		t.Fatalf("Deadline=%v with nothing pending, want zero", r.Deadline())
	}
	// Two of three fragments; the second arrives later, which must not
	// push the deadline back (RFC 791: the timer starts with the first).
	r.Add(t0, key1, fs[0].off, fs[0].more, fs[0].data)
	r.Add(t0.Add(10*time.Second), key1, fs[2].off, fs[2].more, fs[2].data)
	want := t0.Add(DefaultTimeout)
	if got := r.Deadline(); !got.Equal(want) {
		t.Fatalf("Deadline=%v, want %v", got, want)
	}
	if n := r.Expire(want.Add(-time.Nanosecond)); n != 0 {
		t.Fatalf("Expire just before the deadline dropped %d", n)
	}
	if r.Len() != 1 {
		t.Fatalf("Len=%d before the deadline, want 1", r.Len())
	}
	if n := r.Expire(want); n != 1 {
		t.Fatalf("Expire at the deadline dropped %d, want 1", n)
	}
	if r.Len() != 0 || r.Bytes() != 0 || !r.Deadline().IsZero() {
		t.Fatalf("after expiry Len=%d Bytes=%d Deadline=%v", r.Len(), r.Bytes(), r.Deadline())
	}
	// The missing fragment, late, starts a new datagram rather than
	// completing the expired one.
	if _, done, err := r.Add(want, key1, fs[1].off, fs[1].more, fs[1].data); done || err != nil {
		t.Fatalf("late fragment: done=%v err=%v", done, err)
	}
}

func TestDeadlineFollowsOldest(t *testing.T) {
	r := New(Config{Timeout: 15 * time.Second})
	k2 := key1
	k2.ID++
	r.Add(t0, key1, 0, true, make([]byte, 8))
	r.Add(t0.Add(5*time.Second), k2, 0, true, make([]byte, 8))
	if got, want := r.Deadline(), t0.Add(15*time.Second); !got.Equal(want) {
		t.Fatalf("Deadline=%v, want %v", got, want)
	}
	if n := r.Expire(t0.Add(15 * time.Second)); n != 1 {
		t.Fatalf("Expire dropped %d, want 1", n)
	}
	if got, want := r.Deadline(), t0.Add(20*time.Second); !got.Equal(want) {
		t.Fatalf("Deadline=%v after the first expired, want %v", got, want)
	}
}

func TestAddExpiresAndExpireReports(t *testing.T) {
	// A fragment arriving after the deadline, without Expire in between,
	// finds its datagram timed out; Expire still counts the timeout.
	r := New(Config{})
	r.Add(t0, key1, 0, true, make([]byte, 8))
	late := t0.Add(DefaultTimeout)
	if _, done, err := r.Add(late, key1, 8, false, make([]byte, 8)); done || err != nil {
		t.Fatalf("done=%v err=%v: a timed-out datagram was completed", done, err)
	}
	if n := r.Expire(late); n != 1 {
		t.Fatalf("Expire=%d, want 1 (the timeout Add saw)", n)
	}
	if n := r.Expire(late); n != 0 {
		t.Fatalf("second Expire=%d, want 0", n)
	}
}

func TestClockGoingBackKeepsOrder(t *testing.T) {
	// Times out of order still expire in first-arrival order.
	r := New(Config{Timeout: 10 * time.Second})
	ks := make([]Key, 3)
	starts := []time.Duration{2, 0, 1}
	for i := range ks {
		ks[i] = key1
		ks[i].ID = uint32(i)
		r.Add(t0.Add(starts[i]*time.Second), ks[i], 0, true, make([]byte, 8))
	}
	for i := range 3 {
		if got, want := r.Deadline(), t0.Add(time.Duration(10+i)*time.Second); !got.Equal(want) {
			t.Fatalf("Deadline=%v, want %v", got, want)
		}
		if n := r.Expire(r.Deadline()); n != 1 {
			t.Fatalf("Expire=%d, want 1", n)
		}
	}
}
