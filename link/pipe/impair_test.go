package pipe

import (
	"bytes"
	"math"
	"math/bits"
	"slices"
	"testing"
)

// bigQueue lets a whole test's traffic be written in one batch before it
// is read, so decisions do not depend on how reader and writer interleave.
const bigQueue = 1 << 16

func TestLossBinomial(t *testing.T) {
	const n, p = 10000, 0.1
	a, b := New(Config{Loss: p, Seed: 1, QueueLen: bigQueue})
	defer a.Close()
	defer b.Close()
	sent := frames(n)
	write(t, a, sent)
	s := a.Stats().Tx
	got := readN(t, b, pending(s))

	// Six standard deviations either side of n(1-p): a correct pipe
	// fails this about once in 500 million seeds.
	mean, sd := n*(1-p), math.Sqrt(n*p*(1-p))
	if d := float64(len(got)); d < mean-6*sd || d > mean+6*sd {
		t.Errorf("delivered %d of %d with loss %.1f; want within %.0f±%.0f", len(got), n, p, mean, 6*sd)
	}
	if s.Lost+uint64(len(got)) != n {
		t.Errorf("Lost %d + delivered %d != %d sent", s.Lost, len(got), n)
	}
	last := -1
	for _, pkt := range got {
		i := index(pkt)
		if i <= last || !bytes.Equal(pkt, sent[i]) {
			t.Fatalf("packet %d after %d: out of order or not byte-identical to the one sent", i, last)
		}
		last = i
	}
}

func TestDuplicateExact(t *testing.T) {
	const n = 2000
	a, b := New(Config{Duplicate: 0.25, Seed: 2, QueueLen: bigQueue})
	defer a.Close()
	defer b.Close()
	sent := frames(n)
	write(t, a, sent)
	s := a.Stats().Tx
	got := readN(t, b, pending(s))
	if len(got) != n+int(s.Duplicated) || s.Duplicated < n/8 || s.Duplicated > n*3/8 {
		t.Fatalf("read %d packets with %d duplicates of %d; want about a quarter duplicated", len(got), s.Duplicated, n)
	}
	dups := 0
	for i, j := 0, 0; i < len(got); i, j = i+1, j+1 {
		if !bytes.Equal(got[i], sent[j]) {
			t.Fatalf("packet %d read is not packet %d sent", i, j)
		}
		if i+1 < len(got) && bytes.Equal(got[i+1], got[i]) {
			i++ // the copy follows the original at once
			dups++
		}
	}
	if dups != int(s.Duplicated) {
		t.Errorf("found %d adjacent duplicates, Stats says %d", dups, s.Duplicated)
	}
}

func TestReorderKeepsContent(t *testing.T) {
	const n = 2000
	a, b := New(Config{Reorder: 0.3, Seed: 3, QueueLen: bigQueue})
	defer a.Close()
	defer b.Close()
	sent := frames(n)
	write(t, a, sent)
	got := readN(t, b, n)
	s := a.Stats().Tx

	var order []int
	inversions := 0
	for i, pkt := range got {
		j := index(pkt)
		if !bytes.Equal(pkt, sent[j]) {
			t.Fatalf("packet %d changed in transit", j)
		}
		order = append(order, j)
		if i > 0 && j < order[i-1] {
			inversions++
		}
	}
	slices.Sort(order)
	for i, j := range order {
		if i != j {
			t.Fatalf("packet %d missing or repeated", i)
		}
	}
	if inversions == 0 || inversions != int(s.Reordered) {
		t.Errorf("%d packets overtaken, Stats.Reordered = %d; want equal and non-zero", inversions, s.Reordered)
	}
	if s.Reordered < n/8 || s.Reordered > n/3 {
		t.Errorf("Reordered = %d of %d with probability 0.3; want roughly n*0.3*(1-0.3)", s.Reordered, n)
	}
}

func TestReorderAlwaysSwapsPairs(t *testing.T) {
	a, b := New(Config{Reorder: 1})
	defer a.Close()
	defer b.Close()
	write(t, a, frames(6))
	var got []int
	for _, p := range readN(t, b, 6) {
		got = append(got, index(p))
	}
	if want := []int{1, 0, 3, 2, 5, 4}; !slices.Equal(got, want) {
		t.Errorf("order with Reorder 1 = %v, want %v", got, want)
	}
}

func TestCorruptFlipsOneBit(t *testing.T) {
	a, b := New(Config{Corrupt: 1, Seed: 4, QueueLen: bigQueue})
	defer a.Close()
	defer b.Close()
	sent := frames(500)
	write(t, a, sent)
	seen := map[int]bool{}
	for i, p := range readN(t, b, len(sent)) {
		if len(p) != len(sent[i]) {
			t.Fatalf("packet %d: length %d, want %d", i, len(p), len(sent[i]))
		}
		flipped := 0
		for j := range p {
			if x := p[j] ^ sent[i][j]; x != 0 {
				flipped += bits.OnesCount8(x)
				seen[j*8+bits.TrailingZeros8(x)] = true
			}
		}
		if flipped != 1 {
			t.Fatalf("packet %d: %d bits flipped, want exactly 1", i, flipped)
		}
	}
	if len(seen) < 400 {
		t.Errorf("only %d distinct bit positions flipped in 500 packets; want them spread", len(seen))
	}

	c, d := New(Config{Corrupt: 0.3, Seed: 5, QueueLen: bigQueue})
	defer c.Close()
	defer d.Close()
	write(t, c, sent)
	changed := 0
	for i, p := range readN(t, d, len(sent)) {
		if !bytes.Equal(p, sent[i]) {
			changed++
		}
	}
	if s := c.Stats().Tx; changed != int(s.Corrupted) || changed < 100 || changed > 200 {
		t.Errorf("%d of 500 packets changed, Stats.Corrupted = %d; want equal, about 150", changed, s.Corrupted)
	}
}

// run sends the same traffic through a freshly made pipe and returns what
// arrived and the counters.
func run(t *testing.T, cfg Config, n int) ([][]byte, DirectionStats) {
	t.Helper()
	cfg.QueueLen = bigQueue
	a, b := New(cfg)
	defer a.Close()
	defer b.Close()
	write(t, a, frames(n))
	s := a.Stats().Tx
	got := readN(t, b, pending(s))
	return got, a.Stats().Tx
}

func TestSameSeedSameDecisions(t *testing.T) {
	cfg := Config{Seed: 42, Loss: 0.1, Duplicate: 0.1, Reorder: 0.1, Corrupt: 0.1}
	got1, s1 := run(t, cfg, 3000)
	got2, s2 := run(t, cfg, 3000)
	if s1 != s2 {
		t.Errorf("same seed, different counters:\n%+v\n%+v", s1, s2)
	}
	if !slices.EqualFunc(got1, got2, bytes.Equal) {
		t.Errorf("same seed, different delivered sequences")
	}
	if s1.Lost == 0 || s1.Duplicated == 0 || s1.Reordered == 0 || s1.Corrupted == 0 {
		t.Errorf("counters %+v; want every impairment to have happened", s1)
	}

	cfg.Seed = 43
	got3, _ := run(t, cfg, 3000)
	if slices.EqualFunc(got1, got3, bytes.Equal) {
		t.Errorf("seeds 42 and 43 gave the same delivered sequence")
	}
}

func TestDirectionsHaveOwnStreams(t *testing.T) {
	a, b := New(Config{Seed: 7, Loss: 0.5, QueueLen: bigQueue})
	defer a.Close()
	defer b.Close()
	sent := frames(200)
	write(t, a, sent)
	write(t, b, sent)
	ab := readN(t, b, pending(a.Stats().Tx))
	ba := readN(t, a, pending(b.Stats().Tx))
	if slices.EqualFunc(ab, ba, bytes.Equal) {
		t.Errorf("both directions lost the same packets: they share a random stream")
	}
}
