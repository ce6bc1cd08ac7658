package pathsim

import (
	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/link/pipe"
)

// wireQueue bounds the packets in the wire's delay line. It is a memory
// guard, not a model: large enough that no window TCP could open on the
// paths we test is cut short by it.
const wireQueue = 1 << 16

// netLink is the simulated network of the package comment.
type netLink struct {
	a, b       link.Endpoint  // where stacks A and B attach
	wire       *pipe.Endpoint // A's side of the wire pipe
	bottleneck *pipe.Endpoint // A's end of the bottleneck; nil without Rate
	relay      *relay         // nil without Rate
}

// newNetLink builds the pipes for p and, with a bottleneck, starts the
// relay between them.
func newNetLink(p Path) *netLink {
	wa, wb := pipe.New(pipe.Config{
		Seed:      p.Seed,
		Loss:      p.Loss,
		Reorder:   p.Reorder,
		Duplicate: p.Duplicate,
		Delay:     p.RTT / 2,
		QueueLen:  wireQueue,
	})
	if p.Rate <= 0 {
		return &netLink{a: wa, b: wb, wire: wa}
	}
	ba, bb := pipe.New(pipe.Config{Rate: p.Rate, QueueLen: p.Queue})
	return &netLink{a: ba, b: wb, wire: wa, bottleneck: ba, relay: startRelay(bb, wa)}
}

// close closes every endpoint and waits for the relay to stop. The stacks
// close a and b themselves; closing them again is harmless.
func (l *netLink) close() {
	l.a.Close()
	l.b.Close()
	if l.relay != nil {
		l.relay.stop()
	}
}

// stats returns the counters of the wire and of the bottleneck, as seen
// from A (Tx is A to B).
func (l *netLink) stats() (wire, bottleneck pipe.Stats) {
	wire = l.wire.Stats()
	if l.bottleneck != nil {
		bottleneck = l.bottleneck.Stats()
	}
	return wire, bottleneck
}

// flip turns pipe counters seen from one end into the same counters seen
// from the other.
func flip(s pipe.Stats) pipe.Stats {
	return pipe.Stats{Tx: s.Rx, Rx: s.Tx}
}
