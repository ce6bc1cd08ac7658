package pipe

import (
	"testing"
	"time"
)

// steadyState writes and reads one 1500-byte frame per call through a
// pipe with cfg, after warming up the free list.
func steadyState(tb testing.TB, cfg Config) (step func(), done func()) {
	a, b := New(cfg)
	pkt := [][]byte{frame(1, 1514)}
	bufs := [][]byte{make([]byte, 1518)}
	sizes := []int{0}
	step = func() {
		if _, err := a.WriteBatch(pkt); err != nil {
			tb.Fatal(err)
		}
		if n, err := b.ReadBatch(bufs, sizes); n != 1 || err != nil {
			tb.Fatalf("ReadBatch = %d, %v", n, err)
		}
	}
	for range 20 {
		step()
	}
	return step, func() { a.Close(); b.Close() }
}

func TestNoAllocationPerPacket(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates; allocation counts are meaningless")
	}
	for _, tc := range []struct {
		name string
		cfg  Config
		runs int
	}{
		{"direct", Config{}, 1000},
		{"impaired", Config{Corrupt: 0.5, Duplicate: 0.01, Reorder: 0.01, Loss: 0.01, Seed: 1}, 1000},
		// Each step waits for the timer, which the runtime rounds up
		// to about a millisecond when idle: fewer runs.
		{"delayed", Config{Delay: time.Microsecond, Rate: 10_000_000_000}, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var step func()
			if tc.cfg.Loss > 0 || tc.cfg.Reorder > 0 {
				// Losses and held packets would make ReadBatch wait for
				// a packet that never comes; write ahead instead.
				step = impairedStep(t, tc.cfg)
			} else {
				var done func()
				step, done = steadyState(t, tc.cfg)
				defer done()
			}
			if allocs := testing.AllocsPerRun(tc.runs, step); allocs != 0 {
				t.Errorf("%v allocations per packet, want 0", allocs)
			}
		})
	}
}

// impairedStep writes 8 frames and reads whatever is ready, never
// blocking, so that lost and held packets cannot stall it.
func impairedStep(tb testing.TB, cfg Config) func() {
	cfg.QueueLen = 64
	a, b := New(cfg)
	tb.Cleanup(func() { a.Close(); b.Close() })
	pkts := make([][]byte, 8)
	for i := range pkts {
		pkts[i] = frame(i, 1514)
	}
	bufs := make([][]byte, 32)
	for i := range bufs {
		bufs[i] = make([]byte, 1518)
	}
	sizes := make([]int, len(bufs))
	step := func() {
		if _, err := a.WriteBatch(pkts); err != nil {
			tb.Fatal(err)
		}
		b.in.mu.Lock()
		ready := b.in.queue.len()
		b.in.mu.Unlock()
		if ready > 0 {
			if _, err := b.ReadBatch(bufs, sizes); err != nil {
				tb.Fatal(err)
			}
		}
	}
	for range 100 {
		step()
	}
	return step
}

// BenchmarkPipeThroughput measures a write and a read of one 1500-byte
// frame with no impairments.
func BenchmarkPipeThroughput(b *testing.B) {
	step, done := steadyState(b, Config{})
	defer done()
	b.SetBytes(1514)
	b.ReportAllocs()
	for b.Loop() {
		step()
	}
}

// BenchmarkPipeBatch measures 32-frame batches, as the stack's driver
// reads them.
func BenchmarkPipeBatch(b *testing.B) {
	a, c := New(Config{})
	defer a.Close()
	defer c.Close()
	pkts := make([][]byte, 32)
	bufs := make([][]byte, 32)
	for i := range pkts {
		pkts[i] = frame(i, 1514)
		bufs[i] = make([]byte, 1518)
	}
	sizes := make([]int, 32)
	b.SetBytes(32 * 1514)
	b.ReportAllocs()
	for b.Loop() {
		a.WriteBatch(pkts)
		for got := 0; got < 32; {
			n, err := c.ReadBatch(bufs, sizes)
			if err != nil {
				b.Fatal(err)
			}
			got += n
		}
	}
}
