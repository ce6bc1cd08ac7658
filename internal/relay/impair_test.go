package relay

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/renet-go/renet/link/pipe"
)

// The tests here run in synctest bubbles: the clock moves only when every
// goroutine is blocked, so delays are exact and, with a fixed seed, every
// impairment decision repeats.

func TestDelayEachWay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newRig(t, pipe.Config{Delay: 10 * time.Millisecond})
		start := time.Now()
		write(t, g.ta, frames(0, 1))
		readN(t, g.tb, 1)
		if d := time.Since(start); d != 10*time.Millisecond {
			t.Errorf("a→b took %v, want exactly 10ms", d)
		}
		write(t, g.tb, frames(1, 1))
		readN(t, g.ta, 1)
		if d := time.Since(start); d != 20*time.Millisecond {
			t.Errorf("round trip took %v, want exactly 20ms", d)
		}
	})
}

// send writes n frames to ep in chunks, letting the relay drain each chunk
// before the next so that no device queue overflows.
func send(t *testing.T, ep *pipe.Endpoint, n int) {
	for i := 0; i < n; i += 100 {
		write(t, ep, frames(i, min(100, n-i)))
		synctest.Wait()
	}
}

func TestLossRateEachWay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newRig(t, pipe.Config{Loss: 0.1, Seed: 7})
		const n = 5000
		send(t, g.ta, n)
		send(t, g.tb, n)
		st := g.r.Stats()
		for _, c := range []struct {
			name string
			got  Counters
			lost uint64
			to   *pipe.Endpoint
		}{{"a→b", st.AB, st.Path.Tx.Lost, g.tb}, {"b→a", st.BA, st.Path.Rx.Lost, g.ta}} {
			// 10% of 5000: 500, standard deviation about 21.
			if c.lost < 400 || c.lost > 600 {
				t.Errorf("%s: %d of %d lost, want about 500", c.name, c.lost, n)
			}
			if c.got.Read != n || c.got.Relayed != n-c.lost || waiting(c.to) != int(c.got.Relayed) {
				t.Errorf("%s: counters %+v with %d lost; %d waiting", c.name, c.got, c.lost, waiting(c.to))
			}
			last := -1
			for _, p := range readN(t, c.to, int(c.got.Relayed)) {
				if index(p) <= last {
					t.Fatalf("%s: frame %d after %d: loss alone must not reorder", c.name, index(p), last)
				}
				last = index(p)
			}
		}
	})
}

func TestDuplicationAndReordering(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newRig(t, pipe.Config{Duplicate: 0.05, Reorder: 0.05, Delay: time.Millisecond, Seed: 3})
		const n = 2000
		for i := 0; i < n; i += 100 {
			write(t, g.ta, frames(i, 100))
			time.Sleep(time.Millisecond) // virtual: let each chunk arrive
		}
		time.Sleep(100 * time.Millisecond) // and any held-back frame
		st := g.r.Stats()
		dup, reord := st.Path.Tx.Duplicated, st.Path.Tx.Reordered
		if dup < 50 || dup > 150 || reord < 50 || reord > 150 {
			t.Errorf("%d duplicated, %d reordered of %d; want about 100 each", dup, reord, n)
		}
		got := readN(t, g.tb, n+int(dup))
		seen := make(map[int]int)
		inversions := 0
		for i, p := range got {
			seen[index(p)]++
			if i > 0 && index(p) < index(got[i-1]) {
				inversions++
			}
		}
		if len(seen) != n {
			t.Errorf("%d distinct frames arrived, want all %d", len(seen), n)
		}
		if inversions == 0 || st.AB.Relayed != uint64(n)+dup {
			t.Errorf("%d inversions, %d relayed; want some, and %d", inversions, st.AB.Relayed, uint64(n)+dup)
		}
	})
}

// A 1 MB/s bottleneck with room for ten frames: a burst of fifty 1000-byte
// frames leaves ten, one every millisecond; forty are tail-dropped.
func TestRateLimitAndBoundedQueue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newRig(t, pipe.Config{Rate: 1_000_000, QueueLen: 10})
		burst := make([][]byte, 50)
		for i := range burst {
			burst[i] = frame(i, 1000)
		}
		start := time.Now()
		write(t, g.ta, burst)
		for k := 1; k <= 10; k++ {
			p := readN(t, g.tb, 1)[0]
			if d := time.Since(start); d != time.Duration(k)*time.Millisecond || index(p) != k-1 {
				t.Fatalf("frame %d arrived after %v, want frame %d after %dms", index(p), d, k-1, k)
			}
		}
		synctest.Wait()
		st := g.r.Stats()
		if st.Path.Tx.QueueDrops != 40 || st.AB.Relayed != 10 || waiting(g.tb) != 0 {
			t.Errorf("%d queue drops, %d relayed, %d waiting; want 40, 10, 0", st.Path.Tx.QueueDrops, st.AB.Relayed, waiting(g.tb))
		}
	})
}
