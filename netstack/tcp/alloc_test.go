package tcp

import (
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

// A Conn is most of what an idle connection costs: it must stay within
// the runtime's 1536-byte size class, or every connection pays 2 KiB.
// Instants that are not timers are kept as 8-byte offsets (mono) and
// counters apart from Info for this reason.
func TestConnSize(t *testing.T) {
	if n := unsafe.Sizeof(Conn{}); n > 1536 {
		t.Fatalf("a Conn is %d bytes, past the 1536-byte size class", n)
	}
}
