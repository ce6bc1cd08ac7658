package tcp

import (
	"math"
	"runtime"
	"testing"
	"time"
	"unsafe"
)

// pair is two Conns joined back to back with no loss, for the allocation
// test and benchmarks.
type pair struct {
	a, b     *Conn
	now      time.Time
	seg      Segment
	buf, rd  []byte
	chunk    []byte
	received int
}

func newPair(t testing.TB) *pair {
	p := &pair{a: NewConn(Config{}), b: NewConn(Config{}), now: t0,
		buf: make([]byte, 65536), rd: make([]byte, 64<<10), chunk: pattern(64<<10, 1)}
	p.b.Listen()
	p.b.SetISS(1)
	p.a.Connect(p.now, 1000)
	for i := 0; i < 4; i++ {
		p.exchange()
	}
	if p.a.State() != Established || p.b.State() != Established {
		t.Fatalf("pair not established: %v %v", p.a.State(), p.b.State())
	}
	return p
}

// exchange delivers everything each side has to send to the other.
func (p *pair) exchange() {
	for p.a.Output(p.now, &p.seg, p.buf) {
		p.b.Input(p.now, &p.seg)
	}
	for {
		n, _ := p.b.Read(p.rd)
		if n == 0 {
			break
		}
		p.received += n
	}
	for p.b.Output(p.now, &p.seg, p.buf) {
		p.a.Input(p.now, &p.seg)
	}
}

// round writes a chunk and moves it across, advancing the clock a little
// and running any due timers (delayed ACKs).
func (p *pair) round() {
	p.a.Write(p.chunk)
	p.exchange()
	p.now = p.now.Add(time.Millisecond)
	for _, c := range []*Conn{p.a, p.b} {
		if d := c.Deadline(); !d.IsZero() && !d.After(p.now) {
			c.Tick(p.now)
		}
	}
	p.exchange()
}

// Steady bulk transfer allocates nothing per segment: Input copying into
// the receive ring, Output copying out of the send ring, ACKs, SACK and
// timestamp options, timers.
func TestSteadyStateAllocs(t *testing.T) {
	p := newPair(t)
	for i := 0; i < 200; i++ { // grow the buffers to their working size
		p.round()
	}
	before := p.received
	allocs := testing.AllocsPerRun(200, p.round)
	if allocs != 0 {
		t.Fatalf("%v allocations per round of 64 KiB", allocs)
	}
	if p.received-before < 100<<20/10 {
		t.Fatalf("only %d bytes moved during the measurement", p.received-before)
	}
}

// Idle connections hold no buffer memory: rings are allocated on first use.
func TestIdleConnsAreSmall(t *testing.T) {
	p := newPair(t)
	if p.a.snd.r.cap() != 0 || p.b.rcv.r.cap() != 0 {
		t.Fatalf("idle buffers: %d and %d bytes", p.a.snd.r.cap(), p.b.rcv.r.cap())
	}
	p.a.Write([]byte("hi"))
	p.exchange()
	if c := p.b.rcv.r.cap(); c != minRingSize {
		t.Fatalf("receive ring %d bytes after 2 bytes, want %d", c, minRingSize)
	}
}

func BenchmarkBulkTransfer(b *testing.B) {
	p := newPair(b)
	for i := 0; i < 100; i++ {
		p.round()
	}
	b.ReportAllocs()
	start := p.received
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p.round()
	}
	b.ReportMetric(float64(p.received-start)/b.Elapsed().Seconds()/1e6, "MB/s")
	b.ReportMetric(float64(p.received-start)/float64(b.N), "bytes/round")
}

// connSink keeps what allocation tests allocate on the heap.
var connSink *Conn

// allocBytes returns the heap bytes one call of f allocates as the
// allocator counts them: each object rounded up to its size class, malloc
// header included. The least of a few trials ignores allocations made
// meanwhile by anything else.
func allocBytes(f func()) float64 {
	const n = 256
	best := math.Inf(1)
	for range 5 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range n {
			f()
		}
		runtime.ReadMemStats(&after)
		best = min(best, float64(after.TotalAlloc-before.TotalAlloc)/n)
	}
	return best
}

// A Conn is most of what an idle connection costs, and a million of them
// must fit in a couple of gigabytes. The bound is on what NewConn really
// allocates, not on unsafe.Sizeof: the allocator rounds each object up to
// a size class (runtime sizeclasses.go: ... 1024, 1152, 1280 ...), and an
// object over 512 bytes that holds pointers carries an 8-byte header
// inside that class, so a Conn of up to 1144 bytes takes 1152 and one of
// 1145 takes 1280. Instants are kept as 8-byte offsets (mono), only the
// part of Config read after NewConn is kept, and fields are ordered so
// small ones share words, for this reason.
func TestConnSize(t *testing.T) {
	const class = 1152
	newConn := func() { connSink = NewConn(Config{}) }
	if n := testing.AllocsPerRun(100, newConn); n != 1 {
		t.Fatalf("NewConn makes %v allocations, want 1", n)
	}
	if b := allocBytes(newConn); b > class {
		t.Fatalf("NewConn allocates %v bytes, past the %d-byte size class (unsafe.Sizeof(Conn{}) = %d, plus an 8-byte malloc header)",
			b, class, unsafe.Sizeof(Conn{}))
	}
}
