package tcp

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
	"time"
)

// An in-memory wire between two Conns on a virtual clock: every segment
// one side outputs is delivered to the other's Input after a delay, unless
// the seeded impairments drop, duplicate or reorder it.

type impairment struct {
	loss, dup, reorder float64       // probabilities per segment
	delay, jitter      time.Duration // base one-way delay; extra delay for reordered segments
}

type inflight struct {
	at  time.Time
	to  int
	seg Segment
}

type netsim struct {
	t     testing.TB
	now   time.Time
	conns [2]*Conn
	imp   impairment
	rng   *rand.Rand
	queue []inflight
	buf   []byte
	sent  [2]int // segments output by each side
	// app state per side
	src    [2][]byte
	srcOff [2]int
	dst    [2]bytes.Buffer
	eof    [2]bool
	closed [2]bool
	// autoClose makes each side CloseWrite once its data is written.
	autoClose bool
	rbuf      []byte
	trace     []string // last events, printed on failure
}

func (n *netsim) log(format string, args ...any) {
	if len(n.trace) > 200 {
		n.trace = n.trace[1:]
	}
	n.trace = append(n.trace, n.now.Sub(t0).String()+" "+fmt.Sprintf(format, args...))
}

func (n *netsim) dump() {
	for _, l := range n.trace {
		n.t.Log(l)
	}
}

func newNetsim(t testing.TB, a, b *Conn, imp impairment, seed uint64) *netsim {
	return &netsim{
		t: t, now: t0, conns: [2]*Conn{a, b}, imp: imp,
		rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		buf: make([]byte, 65536), rbuf: make([]byte, 32<<10),
	}
}

// flush drains side i's output onto the wire.
func (n *netsim) flush(i int) {
	c := n.conns[i]
	var seg Segment
	for c.Output(n.now, &seg, n.buf) {
		n.sent[i]++
		if err := c.checkInvariants(); err != nil {
			n.t.Fatalf("side %d after output: %v", i, err)
		}
		if n.rng.Float64() < n.imp.loss {
			n.log("%d lost %v", i, seg)
			continue
		}
		n.log("%d sent %v", i, seg)
		copies := 1
		if n.rng.Float64() < n.imp.dup {
			copies = 2
		}
		for k := 0; k < copies; k++ {
			d := n.imp.delay
			if n.rng.Float64() < n.imp.reorder {
				d += time.Duration(n.rng.Int64N(int64(n.imp.jitter) + 1))
			}
			s := seg
			s.Payload = bytes.Clone(seg.Payload)
			n.queue = append(n.queue, inflight{at: n.now.Add(d), to: 1 - i, seg: s})
		}
	}
	sort.SliceStable(n.queue, func(x, y int) bool { return n.queue[x].at.Before(n.queue[y].at) })
}

// app moves data between the applications and the Conns.
func (n *netsim) app() {
	for i, c := range n.conns {
		if n.srcOff[i] < len(n.src[i]) && c.State() != Listen {
			w, err := c.Write(n.src[i][n.srcOff[i]:])
			if err != nil {
				n.dump()
				n.t.Fatalf("side %d Write: %v", i, err)
			}
			n.srcOff[i] += w
		}
		if n.autoClose && n.srcOff[i] == len(n.src[i]) && !n.closed[i] && c.State() != SynSent && c.State() != SynReceived {
			c.CloseWrite()
			n.closed[i] = true
		}
		for !n.eof[i] && c.State() != Listen {
			r, err := c.Read(n.rbuf)
			n.dst[i].Write(n.rbuf[:r])
			if err != nil {
				if err.Error() != "EOF" {
					n.t.Fatalf("side %d Read: %v", i, err)
				}
				n.eof[i] = true
			}
			if r == 0 {
				break
			}
		}
	}
}

// step advances to the next event. It returns false when nothing is
// pending.
func (n *netsim) step() bool {
	next := time.Time{}
	if len(n.queue) > 0 {
		next = n.queue[0].at
	}
	for _, c := range n.conns {
		if d := c.Deadline(); !d.IsZero() && (next.IsZero() || d.Before(next)) {
			next = d
		}
	}
	if next.IsZero() {
		return false
	}
	if next.After(n.now) {
		n.now = next
	}
	for len(n.queue) > 0 && !n.queue[0].at.After(n.now) {
		p := n.queue[0]
		n.queue = n.queue[1:]
		n.conns[p.to].Input(n.now, &p.seg)
		if err := n.conns[p.to].checkInvariants(); err != nil {
			n.t.Fatalf("side %d after input %v: %v", p.to, p.seg, err)
		}
	}
	for _, c := range n.conns {
		if d := c.Deadline(); !d.IsZero() && !d.After(n.now) {
			c.Tick(n.now)
		}
	}
	n.app()
	n.flush(0)
	n.flush(1)
	return true
}

// transfer runs a full connection: a dials b, each sends its data, both
// half-close, and the run continues until both are done or limit passes.
func transfer(t *testing.T, cfg Config, imp impairment, seed uint64, aData, bData []byte) *netsim {
	t.Helper()
	a, b := NewConn(cfg), NewConn(cfg)
	b.Listen()
	b.SetISS(0xfffff000) // near the wrap, on purpose
	a.Connect(t0, 0xffffff00)
	n := newNetsim(t, a, b, imp, seed)
	n.src = [2][]byte{aData, bData}
	n.autoClose = true
	n.flush(0)
	limit := t0.Add(30 * time.Minute)
	for n.step() {
		if n.now.After(limit) {
			t.Fatalf("no progress: states %v %v, delivered %d/%d and %d/%d, stats a=%+v b=%+v",
				a.State(), b.State(), n.dst[1].Len(), len(aData), n.dst[0].Len(), len(bData), a.Info(), b.Info())
		}
	}
	return n
}

func TestTransferOverLossyWire(t *testing.T) {
	aData := pattern(3<<20, 0x5a)
	bData := pattern(2<<20, 0xa5)
	cases := []struct {
		name string
		cfg  Config
		imp  impairment
	}{
		{"clean", Config{}, impairment{delay: ms(10)}},
		{"lossy", Config{}, impairment{loss: 0.02, dup: 0.01, reorder: 0.05, delay: ms(10), jitter: ms(8)}},
		{"lossy-plain", plainConfig(), impairment{loss: 0.03, dup: 0.02, reorder: 0.1, delay: ms(5), jitter: ms(6)}},
		{"lossy-small-buffers", Config{RecvBufSize: 8192, SendBufSize: 8192, Nagle: true},
			impairment{loss: 0.02, dup: 0.01, reorder: 0.05, delay: ms(2), jitter: ms(3)}},
	}
	for _, tc := range cases {
		for seed := uint64(1); seed <= 3; seed++ {
			n := transfer(t, tc.cfg, tc.imp, seed, aData, bData)
			a, b := n.conns[0], n.conns[1]
			if sha256.Sum256(n.dst[1].Bytes()) != sha256.Sum256(aData) {
				t.Fatalf("%s/%d: a->b data corrupted (%d of %d bytes)", tc.name, seed, n.dst[1].Len(), len(aData))
			}
			if sha256.Sum256(n.dst[0].Bytes()) != sha256.Sum256(bData) {
				t.Fatalf("%s/%d: b->a data corrupted (%d of %d bytes)", tc.name, seed, n.dst[0].Len(), len(bData))
			}
			if !a.Done() || !b.Done() || a.Err() != nil || b.Err() != nil {
				t.Fatalf("%s/%d: end states %v/%v errs %v/%v", tc.name, seed, a.State(), b.State(), a.Err(), b.Err())
			}
			t.Logf("%s/%d: %v virtual, segments %d/%d, retransmits %d/%d, timeouts %d/%d, fast %d/%d",
				tc.name, seed, n.now.Sub(t0), n.sent[0], n.sent[1], a.Info().Retransmits, b.Info().Retransmits,
				a.Info().Timeouts, b.Info().Timeouts, a.Info().FastRetransmits, b.Info().FastRetransmits)
		}
	}
}
