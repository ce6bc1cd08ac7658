package relay

import (
	"errors"
	"fmt"
	"sync"

	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/link/pipe"
)

// DefaultBatch is the number of frames each hop reads at a time when
// Config.Batch is zero: enough to drain a device's backlog in one wake-up.
const DefaultBatch = 64

// Config describes a relay.
type Config struct {
	// Path is the impaired pipe between the two endpoints. Its Medium and
	// MTU are taken from the endpoints when zero.
	Path pipe.Config
	// Batch is the most frames one ReadBatch returns; zero means
	// DefaultBatch.
	Batch int
}

// Relay copies frames between two endpoints through an impaired pipe.
type Relay struct {
	a, b link.Endpoint
	x, y *pipe.Endpoint
	hops [4]*hop
	wg   sync.WaitGroup

	closeOnce sync.Once
	closeErr  error
}

// New joins a and b through a pipe described by cfg.Path and starts
// relaying. a and b must carry the same medium. The relay owns both from
// now on: Close closes them.
func New(a, b link.Endpoint, cfg Config) (*Relay, error) {
	if a.Medium() != b.Medium() {
		return nil, fmt.Errorf("relay: cannot join a %v endpoint to a %v one", a.Medium(), b.Medium())
	}
	pc := cfg.Path
	if pc.Medium == 0 {
		pc.Medium = a.Medium()
	}
	if pc.MTU <= 0 {
		pc.MTU = min(a.MTU(), b.MTU())
	}
	batch := cfg.Batch
	if batch <= 0 {
		batch = DefaultBatch
	}
	// A frame may be an MTU-sized packet, its link header and an 802.1Q
	// tag; larger ones are truncated by ReadBatch and dropped by the pipe.
	frame := max(a.MTU(), b.MTU(), pc.MTU) + pc.Medium.HeaderLen() + 4
	r := &Relay{a: a, b: b}
	r.x, r.y = pipe.New(pc)
	r.hops = [4]*hop{
		newHop(a, r.x, batch, frame), // a → b, first half
		newHop(r.y, b, batch, frame), // a → b, second half
		newHop(b, r.y, batch, frame), // b → a, first half
		newHop(r.x, a, batch, frame), // b → a, second half
	}
	r.wg.Add(len(r.hops))
	for _, h := range r.hops {
		go func() {
			defer r.wg.Done()
			h.run()
		}()
	}
	return r, nil
}

// Close closes both endpoints and the pipe and waits until every goroutine
// of the relay has returned. It returns the endpoints' Close errors;
// calling it again returns the same.
func (r *Relay) Close() error {
	r.closeOnce.Do(func() {
		// Closing every reader's source wakes the four ReadBatch calls.
		r.closeErr = errors.Join(r.a.Close(), r.b.Close(), r.x.Close(), r.y.Close())
		r.wg.Wait()
	})
	return r.closeErr
}

// Stats counts what the relay did, each way, and what the pipe did to it.
type Stats struct {
	// AB counts frames read from a and their fate on the way to b; BA
	// the other way.
	AB, BA Counters
	// Path is the pipe's own accounting (losses, duplicates, queue drops)
	// as seen from a's side: Path.Tx is a → b, Path.Rx is b → a.
	Path pipe.Stats
}

// Counters count one direction of the relay.
type Counters struct {
	// Read is the number of frames read from the source endpoint.
	Read uint64
	// Relayed is the number of frames written to the destination
	// endpoint; with duplication it can exceed Read, with loss it is
	// smaller.
	Relayed uint64
	// Bytes is the length of the frames counted in Relayed.
	Bytes uint64
	// WriteDrops is the number of frames dropped because a WriteBatch
	// into the pipe or the destination failed.
	WriteDrops uint64
}

// Stats returns a snapshot of the counters. It may be called at any time,
// also after Close.
func (r *Relay) Stats() Stats {
	ax, yb, by, xa := r.hops[0].snapshot(), r.hops[1].snapshot(), r.hops[2].snapshot(), r.hops[3].snapshot()
	return Stats{
		AB:   Counters{Read: ax.read, Relayed: yb.written, Bytes: yb.bytes, WriteDrops: ax.drops + yb.drops},
		BA:   Counters{Read: by.read, Relayed: xa.written, Bytes: xa.bytes, WriteDrops: by.drops + xa.drops},
		Path: r.x.Stats(),
	}
}

// String summarises s on one line, for logs and reports.
func (s Stats) String() string {
	return fmt.Sprintf("a→b %s; b→a %s", s.AB.describe(s.Path.Tx), s.BA.describe(s.Path.Rx))
}

func (c Counters) describe(p pipe.DirectionStats) string {
	return fmt.Sprintf("%d frames relayed (%d lost, %d duplicated, %d reordered, %d queue drops, %d write drops)",
		c.Relayed, p.Lost, p.Duplicated, p.Reordered, p.QueueDrops, c.WriteDrops)
}
