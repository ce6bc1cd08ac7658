package reasm

import (
	"testing"
	"time"
)

// reassembler3 reassembles one 4000-byte datagram sent as three
// fragments, as a 1500-byte MTU cuts it, in the given order, under a new
// identification each time.
type reassembler3 struct {
	r     *Reassembler
	k     Key
	now   time.Time
	frags []frag
	order []int
}

func newReassembler3(order []int) *reassembler3 {
	return &reassembler3{
		r:     New(Config{}),
		k:     key1,
		now:   t0,
		frags: fragment(pattern(4000, 1), 1480),
		order: order,
	}
}

func (x *reassembler3) run() bool {
	x.k.ID++
	x.now = x.now.Add(time.Millisecond)
	var done bool
	for _, i := range x.order {
		f := x.frags[i]
		_, done, _ = x.r.Add(x.now, x.k, f.off, f.more, f.data)
	}
	return done
}

func TestSteadyStateAllocatesNothing(t *testing.T) {
	for _, order := range [][]int{{0, 1, 2}, {2, 1, 0}, {1, 2, 0}} {
		x := newReassembler3(order)
		for range 10 { // warm the buffer cache and the table
			if !x.run() {
				t.Fatalf("order %v: datagram not completed", order)
			}
		}
		allocs := testing.AllocsPerRun(1000, func() {
			if !x.run() {
				panic("datagram not completed")
			}
		})
		if allocs != 0 {
			t.Errorf("order %v: %v allocations per datagram, want 0", order, allocs)
		}
	}
}

func TestManyDatagramsAllocateNothingOnceWarm(t *testing.T) {
	// Identifications cycling through a full table with expiry and
	// eviction: the table and the cache are reused, not regrown.
	r := New(Config{MaxDatagrams: 8, Timeout: time.Second})
	p := make([]byte, 1480)
	k := key1
	now := t0
	step := func() {
		now = now.Add(50 * time.Millisecond)
		k.ID++
		r.Add(now, k, 0, true, p) // never completed: expires or is evicted
		r.Expire(now)
	}
	for range 1000 {
		step()
	}
	if allocs := testing.AllocsPerRun(1000, step); allocs != 0 {
		t.Errorf("%v allocations per fragment, want 0", allocs)
	}
}

func BenchmarkReassemble3Fragments(b *testing.B) {
	x := newReassembler3([]int{0, 1, 2})
	b.SetBytes(4000)
	b.ReportAllocs()
	for b.Loop() {
		if !x.run() {
			b.Fatal("datagram not completed")
		}
	}
}

func BenchmarkReassemble64KiB(b *testing.B) {
	r := New(Config{})
	fs := fragment(pattern(DefaultMaxDatagramSize, 3), 1480)
	k := key1
	b.SetBytes(DefaultMaxDatagramSize)
	b.ReportAllocs()
	for b.Loop() {
		k.ID++
		var done bool
		for _, f := range fs {
			_, done, _ = r.Add(t0, k, f.off, f.more, f.data)
		}
		if !done {
			b.Fatal("datagram not completed")
		}
	}
}
