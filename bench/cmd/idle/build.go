package main

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// idleSet holds both ends of every idle connection. Its slices are
// allocated in full before the baseline is read, so that the harness's
// own bookkeeping (16 bytes an endpoint) is not charged to renet.
type idleSet struct {
	clients []stream   // clients[i] is connection i's client end
	servers [][]stream // servers[j] holds the ends accepted on listener j
}

func newIdleSet(o *options) *idleSet {
	set := &idleSet{clients: make([]stream, o.n), servers: make([][]stream, o.listeners)}
	for j := range set.servers {
		set.servers[j] = make([]stream, 0, o.perListener(j))
	}
	return set
}

// perListener is how many connections listener j receives: connection i
// goes to listener i mod listeners.
func (o *options) perListener(j int) int {
	n := o.n / o.listeners
	if j < o.n%o.listeners {
		n++
	}
	return n
}

// target is where connection i goes and where it comes from. Spreading
// consecutive connections over the listeners spreads the handshakes in
// flight over their backlogs. Explicit client ports cost the stack one
// table lookup; an ephemeral port costs a search (see options.ephemeral).
func (o *options) target(i int) (local, remote netip.AddrPort) {
	j := i % o.listeners
	remote = netip.AddrPortFrom(serverAddr, uint16(firstServerPort+j))
	port := 0
	if !o.ephemeral {
		port = firstClientPort + i/o.listeners
	}
	return netip.AddrPortFrom(clientAddr, uint16(port)), remote
}

// buildStats says how fast the connections were opened.
type buildStats struct {
	total time.Duration   // until both ends of every connection were held
	steps []time.Duration // steps[k]: when (k+1)*o.step client ends were connected
}

// build opens o.n connections and holds both ends in set. The server
// accepts on every listener concurrently while the client dials.
func build(ctx context.Context, o *options, nw *network, set *idleSet) (buildStats, error) {
	st := buildStats{steps: make([]time.Duration, o.n/o.step)}
	start := time.Now()
	accepted := make(chan error, 1)
	go func() { accepted <- acceptAll(o, nw.listeners, set) }()
	if err := dialAll(ctx, o, nw, set, start, st.steps); err != nil {
		nw.closeListeners() // ends the accepts that now never come
		<-accepted
		return st, err
	}
	select {
	case err := <-accepted:
		if err != nil {
			return st, fmt.Errorf("accept: %w", err)
		}
	case <-ctx.Done():
		nw.closeListeners()
		<-accepted
		return st, fmt.Errorf("accept: %w", ctx.Err())
	}
	st.total = time.Since(start)
	return st, nil
}

// acceptAll runs one goroutine per listener, each accepting exactly the
// connections addressed to it.
func acceptAll(o *options, listeners []acceptor, set *idleSet) error {
	var wg sync.WaitGroup
	errs := make([]error, len(listeners))
	for j, l := range listeners {
		want := o.perListener(j)
		wg.Go(func() {
			for len(set.servers[j]) < want {
				c, err := l.accept()
				if err != nil {
					errs[j] = err
					return
				}
				set.servers[j] = append(set.servers[j], c)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// dialAll opens the client ends with o.inflight workers, each dialing one
// connection at a time, so at most o.inflight handshakes are in flight:
// listeners hold a bounded number of half-open connections, and a SYN
// beyond that is dropped and resent only after the 1 s initial RTO.
func dialAll(ctx context.Context, o *options, nw *network, set *idleSet, start time.Time, steps []time.Duration) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var next, done atomic.Int64
	var first error
	var once sync.Once
	var wg sync.WaitGroup
	for range min(o.inflight, o.n) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < o.n && ctx.Err() == nil; i = int(next.Add(1) - 1) {
				local, remote := o.target(i)
				c, err := o.layer.dial(ctx, nw.client, local, remote)
				if err != nil {
					once.Do(func() { first = fmt.Errorf("dial %d from %v to %v: %w", i, local, remote, err) })
					cancel()
					return
				}
				set.clients[i] = c
				if k := int(done.Add(1)); k%o.step == 0 {
					steps[k/o.step-1] = time.Since(start)
				}
			}
		})
	}
	wg.Wait()
	if first == nil && int(done.Load()) < o.n {
		first = fmt.Errorf("dial: %d of %d connected: %w", done.Load(), o.n, ctx.Err())
	}
	return first
}
