package relay

import (
	"bytes"
	"errors"
	"runtime"
	"testing"
	"testing/synctest"

	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/link/pipe"
)

// In a synctest bubble so that, after synctest.Wait, the relay's
// goroutines are idle and their counters final.
func TestFramesCrossBothWaysIntact(t *testing.T) {
	synctest.Test(t, framesCrossBothWaysIntact)
}

func framesCrossBothWaysIntact(t *testing.T) {
	g := newRig(t, pipe.Config{})
	const n = 500
	ab, ba := frames(0, n), frames(n, n)
	for i := 0; i < n; i += 50 {
		write(t, g.ta, ab[i:i+50])
		write(t, g.tb, ba[i:i+50])
	}
	for _, c := range []struct {
		name string
		to   *pipe.Endpoint
		want [][]byte
	}{{"a→b", g.tb, ab}, {"b→a", g.ta, ba}} {
		got := readN(t, c.to, n)
		for i := range got {
			if !bytes.Equal(got[i], c.want[i]) {
				t.Fatalf("%s: frame %d differs or is out of order (index %d)", c.name, i, index(got[i]))
			}
		}
	}
	synctest.Wait()
	var bytesAB uint64
	for _, f := range ab {
		bytesAB += uint64(len(f))
	}
	st := g.r.Stats()
	if st.AB.Read != n || st.AB.Relayed != n || st.AB.Bytes != bytesAB || st.AB.WriteDrops != 0 {
		t.Errorf("a→b counters %+v, want %d read and relayed, %d bytes, no drops", st.AB, n, bytesAB)
	}
	if st.BA.Read != n || st.BA.Relayed != n {
		t.Errorf("b→a counters %+v, want %d read and relayed", st.BA, n)
	}
}

func TestMediumMismatch(t *testing.T) {
	a, _ := pipe.New(pipe.Config{Medium: link.Ethernet})
	b, _ := pipe.New(pipe.Config{Medium: link.IP})
	if r, err := New(a, b, Config{}); err == nil {
		r.Close()
		t.Fatal("New joined an Ethernet endpoint to an IP one")
	}
}

// The pipe's MTU follows the endpoints: a frame that fits both crosses,
// the relay's buffers hold it whole.
func TestJumboFramesFollowEndpointMTU(t *testing.T) {
	ta, ra := pipe.New(pipe.Config{MTU: 9000, QueueLen: deviceQueue})
	tb, rb := pipe.New(pipe.Config{MTU: 9000, QueueLen: deviceQueue})
	defer ta.Close()
	defer tb.Close()
	r, err := New(ra, rb, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	f := frame(1, 9014)
	write(t, ta, [][]byte{f})
	if got := readN(t, tb, 1); !bytes.Equal(got[0], f) {
		t.Fatalf("a 9014-byte frame arrived as %d bytes", len(got[0]))
	}
}

// failing wraps an endpoint and refuses every third frame written to it.
type failing struct {
	link.Endpoint
	seen, refused int
}

var errRefused = errors.New("refused")

func (f *failing) WriteBatch(pkts [][]byte) (int, error) {
	for i, p := range pkts {
		f.seen++
		if f.seen%3 == 0 {
			f.refused++
			return i, errRefused
		}
		if _, err := f.Endpoint.WriteBatch([][]byte{p}); err != nil {
			return i, err
		}
	}
	return len(pkts), nil
}

func TestFailedWritesAreCountedAndSkipped(t *testing.T) {
	ta, ra := pipe.New(pipe.Config{QueueLen: deviceQueue})
	tb, rb := pipe.New(pipe.Config{QueueLen: deviceQueue})
	defer ta.Close()
	defer tb.Close()
	fb := &failing{Endpoint: rb}
	r, err := New(ra, fb, Config{})
	if err != nil {
		t.Fatal(err)
	}
	const n = 300
	write(t, ta, frames(0, n))
	got := readN(t, tb, n-n/3)
	r.Close() // fb is only read by the relay's goroutine, which has ended
	for i, p := range got {
		// Frames 2, 5, 8... (every third) are the ones refused.
		if want := i + i/2; index(p) != want {
			t.Fatalf("frame %d has index %d, want %d", i, index(p), want)
		}
	}
	st := r.Stats()
	if st.AB.WriteDrops != uint64(fb.refused) || fb.refused != n/3 || st.AB.Relayed != n-n/3 {
		t.Errorf("counters %+v; refused %d of %d", st.AB, fb.refused, n)
	}
}

// Close must stop every goroutine of the relay and of its pipe. Inside a
// synctest bubble a goroutine left blocked makes synctest.Test fail with
// a deadlock, so this test fails if Close leaks one.
func TestCloseLeavesNoGoroutine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ta, ra := pipe.New(pipe.Config{})
		tb, rb := pipe.New(pipe.Config{})
		r, err := New(ra, rb, Config{Path: pipe.Config{Delay: 50e6, Rate: 1e6, Reorder: 0.5}})
		if err != nil {
			t.Fatal(err)
		}
		write(t, ta, frames(0, 20)) // some in flight when Close comes
		write(t, tb, frames(20, 20))
		synctest.Wait()
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
		if err := r.Close(); err != nil {
			t.Fatalf("second Close: %v", err)
		}
		ta.Close()
		tb.Close()
	})
}

func TestNoAllocationPerFrame(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates on its own")
	}
	g := newRig(t, pipe.Config{})
	batch := frames(0, 100)
	bufs := make([][]byte, 100)
	for i := range bufs {
		bufs[i] = make([]byte, 1518)
	}
	sizes := make([]int, 100)
	cross := func() {
		write(t, g.ta, batch)
		for got := 0; got < len(batch); {
			n, err := g.tb.ReadBatch(bufs[:len(batch)-got], sizes)
			if err != nil {
				t.Fatal(err)
			}
			got += n
		}
	}
	cross() // warm the pipes' free lists
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	const rounds = 100
	for range rounds {
		cross()
	}
	runtime.ReadMemStats(&m1)
	if allocs := m1.Mallocs - m0.Mallocs; allocs > rounds {
		t.Errorf("%d allocations for %d frames relayed; want well under one per batch", allocs, rounds*len(batch))
	}
}
