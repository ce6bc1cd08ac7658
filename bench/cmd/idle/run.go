package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/renet-go/renet/conn"
	"github.com/renet-go/renet/netstack"
	"github.com/renet-go/renet/netstack/tcp"
)

// report is everything a run measured.
type report struct {
	o            *options
	budget       []budgetRow
	before, idle memSample // before the build-up, and with every connection idle
	build        buildStats
	sites        []site // live heap by allocation site, idle state
	idleRTT      []time.Duration
	connectRTT   []time.Duration
	established  int    // endpoints still ESTABLISHED after the probes
	listenDrops  uint64 // SYNs the server dropped beyond a listener's backlog
	clientSegs   uint64 // TCP segments the client sent during the build-up
	serverSegs   uint64
	idleCPU      time.Duration // CPU the process used in o.quiet of idleness
}

// run opens o.n connections, measures them idle, probes latency, and
// returns the report with a function that tears the network down.
func run(ctx context.Context, o *options, log io.Writer) (*report, func() error, error) {
	r := &report{o: o}
	if o.budget {
		r.budget = budget(o.n)
	}
	nw, err := newNetwork(o)
	if err != nil {
		return nil, nil, err
	}
	set := newIdleSet(o)
	r.before = sampleMemory()
	fmt.Fprintf(log, "idle: opening %d connections through %s\n", o.n, o.layer.name())
	if r.build, err = profiledBuild(ctx, o, nw, set); err != nil {
		nw.Close()
		return nil, nil, err
	}
	if err := r.measureIdle(nw); err != nil {
		nw.Close()
		return nil, nil, err
	}
	r.idleCPU = idleCPU(o.quiet)
	fmt.Fprintf(log, "idle: %d connections open in %v; probing latency\n", o.n, r.build.total.Round(time.Millisecond))
	if err := r.probe(ctx, nw, set); err != nil {
		nw.Close()
		return nil, nil, err
	}
	r.established = countEstablished(set)
	return r, nw.Close, nil
}

// profiledBuild is build under the CPU profiler when o.cpuprofile is set.
func profiledBuild(ctx context.Context, o *options, nw *network, set *idleSet) (buildStats, error) {
	if o.cpuprofile == "" {
		return build(ctx, o, nw, set)
	}
	f, err := os.Create(o.cpuprofile)
	if err != nil {
		return buildStats{}, err
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		return buildStats{}, err
	}
	defer pprof.StopCPUProfile()
	return build(ctx, o, nw, set)
}

// measureIdle reads memory and counters once every connection is open
// and nothing moves.
func (r *report) measureIdle(nw *network) error {
	r.idle = sampleMemory()
	r.sites = heapSites()
	if r.o.memprofile != "" {
		if err := writeHeapProfile(r.o.memprofile); err != nil {
			return fmt.Errorf("heap profile: %w", err)
		}
	}
	cs, ss := nw.client.Stats(), nw.server.Stats()
	r.clientSegs, r.serverSegs = cs.TCPSegmentsOut, ss.TCPSegmentsOut
	r.listenDrops = ss.Drops[netstack.DropTCPSYNQueueFull] + ss.Drops[netstack.DropTCPAcceptQueueFull]
	return nil
}

// probe times a request on an idle connection, then new connections.
func (r *report) probe(ctx context.Context, nw *network, set *idleSet) error {
	var err error
	if r.idleRTT, err = idleRoundTrips(r.o, set); err != nil {
		return fmt.Errorf("round trip on an idle connection: %w", err)
	}
	if r.connectRTT, err = connectRoundTrips(ctx, r.o, nw); err != nil {
		return fmt.Errorf("connect and round trip: %w", err)
	}
	return nil
}

// idleCPU is the CPU time the process uses while every connection sits
// idle for d: with keepalive off no connection has a timer armed, so it
// should be next to nothing whatever their number.
func idleCPU(d time.Duration) time.Duration {
	before := cpuTime()
	time.Sleep(d)
	return cpuTime() - before
}

// cpuTime is the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// countEstablished counts the endpoints of set in ESTABLISHED.
func countEstablished(set *idleSet) int {
	n := 0
	for _, c := range set.clients {
		if established(c) {
			n++
		}
	}
	for _, ends := range set.servers {
		for _, c := range ends {
			if established(c) {
				n++
			}
		}
	}
	return n
}

func established(c stream) bool {
	switch c := c.(type) {
	case socketStream:
		return c.sk.State() == tcp.Established
	case *conn.TCPConn:
		return c.Info().State == tcp.Established
	}
	return false
}
