package pcap

import (
	"io"
	"testing"

	"github.com/renet-go/renet/link/pipe"
)

// recorded returns a step that writes one 1514-byte frame through a
// wrapped pipe end and reads one back through it, so two records per step.
func recorded(tb testing.TB) (step func(), done func()) {
	a, b := pipe.New(pipe.Config{})
	ep, err := Wrap(a, io.Discard)
	if err != nil {
		tb.Fatal(err)
	}
	frame := make([]byte, 1514)
	out := [][]byte{frame}
	bufs := [][]byte{make([]byte, 1518)}
	sizes := []int{0}
	step = func() {
		if _, err := ep.WriteBatch(out); err != nil {
			tb.Fatal(err)
		}
		if _, err := b.WriteBatch(out); err != nil {
			tb.Fatal(err)
		}
		if _, err := b.ReadBatch(bufs, sizes); err != nil {
			tb.Fatal(err)
		}
		if _, err := ep.ReadBatch(bufs, sizes); err != nil {
			tb.Fatal(err)
		}
	}
	step()
	return step, func() { ep.Close(); b.Close() }
}

func TestNoAllocationPerRecord(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates; allocation counts are meaningless")
	}
	step, done := recorded(t)
	defer done()
	if allocs := testing.AllocsPerRun(1000, step); allocs != 0 {
		t.Errorf("%v allocations per step, want 0", allocs)
	}
}

// BenchmarkWrap measures one frame written and one read through a
// wrapped pipe end, recorded to io.Discard.
func BenchmarkWrap(b *testing.B) {
	step, done := recorded(b)
	defer done()
	b.SetBytes(2 * 1514)
	b.ReportAllocs()
	for b.Loop() {
		step()
	}
}
