// Command idle opens many TCP connections between two renet stacks in one
// process, leaves them established and idle, and reports what they cost:
// live heap and resident memory per endpoint, the connect rate of the
// build-up, and the latency of a new connection and of a request on an
// idle one while they are all open (issue 8, "a million idle
// connections").
//
// Usage, from the bench module:
//
//	go run ./cmd/idle -n 1000000 [-conn] [-memprofile heap.out] [-cpuprofile cpu.out]
//
// By default the connections are netstack.TCPSocket values opened through
// the non-blocking API (Stack.DialTCP, TCPListener.TryAccept), held in a
// slice, with no goroutine per connection: what is measured is renet's
// own state. -conn opens them through package conn instead, so each
// endpoint also carries a *conn.TCPConn; the difference between the two
// runs is the conn layer's cost.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"time"
)

func main() {
	// Sample the heap profile finely enough to split a few hundred bytes
	// per endpoint between sites even at 100k connections; the cost is one
	// stack walk per 32 KiB allocated.
	runtime.MemProfileRate = 32 << 10
	o := parseFlags()
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	r, closeAll, err := run(ctx, o, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "idle:", err)
		os.Exit(1)
	}
	printReport(os.Stdout, r)
	// Unless asked, the network is not closed: Stack.Close resets every
	// connection, which at a million takes seconds, and the process is
	// about to give everything back anyway.
	if o.close {
		t0 := time.Now()
		err := closeAll()
		_, peak := procStatus()
		fmt.Printf("\nteardown (Close both stacks, one RST per connection): %v, peak RSS since start %s, err %v\n",
			time.Since(t0).Round(time.Millisecond), bytes(float64(peak)), err)
	}
}

// options is what a run does; zero fields take the defaults fill gives.
type options struct {
	n          int           // connections; 2n endpoints
	layer      layer         // socketLayer or connLayer
	listeners  int           // server ports the connections are spread over
	inflight   int           // handshakes in flight at most
	backlog    int           // per listener; 0: the stack's default
	ephemeral  bool          // dial from ephemeral ports instead of chosen ones
	step       int           // connections per connect-rate step
	tries      int           // latency samples of each kind
	queueLen   int           // packets each pipe direction may hold
	timeout    time.Duration // for the whole run
	memprofile string        // heap profile of the idle state, if set
	cpuprofile string        // CPU profile of the build-up, if set
	budget     bool          // print the per-type byte budget
	close      bool          // close the network at the end and time it
	quiet      time.Duration // how long the idle CPU use is measured over
}

func parseFlags() *options {
	o := &options{layer: socketLayer{}}
	useConn := flag.Bool("conn", false, "open the connections through package conn (*conn.TCPConn) instead of netstack.TCPSocket")
	flag.IntVar(&o.n, "n", 100_000, "connections to open (2n endpoints)")
	flag.IntVar(&o.listeners, "listeners", 0, "server ports to spread connections over (default: enough for the client ports, at least 64)")
	flag.IntVar(&o.inflight, "inflight", 0, "handshakes in flight at most (default 1024)")
	flag.IntVar(&o.backlog, "backlog", 0, "listen backlog (0: the stack's default; -conn always uses the default)")
	flag.BoolVar(&o.ephemeral, "ephemeral", false, "dial from ephemeral ports (the stack searches for a free one) instead of chosen ones")
	flag.IntVar(&o.step, "step", 0, "connections per connect-rate step (default n/10)")
	flag.IntVar(&o.tries, "tries", 0, "latency samples of each kind, the median reported (default 21)")
	flag.IntVar(&o.queueLen, "queue", 0, "packets each direction of the pipe may hold (default 65536)")
	flag.DurationVar(&o.timeout, "timeout", 30*time.Minute, "give up after this long")
	flag.StringVar(&o.memprofile, "memprofile", "", "write a heap profile of the idle state to `file` (go tool pprof -sample_index=inuse_space -top)")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the build-up to `file`")
	flag.DurationVar(&o.quiet, "quiet", time.Second, "measure the CPU used while idle over this long")
	flag.BoolVar(&o.close, "close", false, "close both stacks at the end and time it")
	flag.BoolVar(&o.budget, "budget", true, "print the byte budget of the types an endpoint is made of")
	flag.Parse()
	if *useConn {
		o.layer = connLayer{}
	}
	if err := o.fill(); err != nil {
		fmt.Fprintln(os.Stderr, "idle:", err)
		os.Exit(2)
	}
	return o
}

// fill sets defaults and checks that the plan fits the port space: one
// client address has lastClientPort-firstClientPort+1 chosen ports per
// server port, or Linux's 28,232 ephemeral ones, of which by default only
// 70% are used so that the stack's search for a free one stays short.
func (o *options) fill() error {
	if o.n <= 0 {
		return fmt.Errorf("-n %d: want at least one connection", o.n)
	}
	perPort := lastClientPort - firstClientPort + 1
	if o.ephemeral {
		perPort = ephemeralPorts
	}
	need := ceilDiv(o.n, perPort)
	if o.listeners <= 0 {
		o.listeners = max(need, 64)
		if o.ephemeral {
			o.listeners = max(ceilDiv(o.n, perPort*7/10), 64)
		}
	}
	if o.listeners < need || firstServerPort+o.listeners > 65536 {
		return fmt.Errorf("-listeners %d: %d connections need %d to %d", o.listeners, o.n, need, 65536-firstServerPort)
	}
	if o.step <= 0 {
		o.step = max(o.n/10, 1)
	}
	if o.inflight <= 0 {
		o.inflight = 1024
	}
	if o.tries <= 0 {
		o.tries = 21
	}
	// Each handshake in flight has at most a segment or two queued in each
	// direction; beyond the queue the pipe would drop them, costing a 1 s
	// retransmission timeout.
	if o.queueLen <= 0 {
		o.queueLen = max(1<<16, 4*o.inflight)
	}
	if o.timeout <= 0 {
		o.timeout = 30 * time.Minute
	}
	return nil
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
