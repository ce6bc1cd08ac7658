package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/renet-go/renet/conn"
)

// dialFunc opens an upstream TCP connection.
type dialFunc func(ctx context.Context, network, address string) (net.Conn, error)

// server relays what one forwarder takes. Goroutines: one accept loop per
// protocol; per TCP connection one while dialing, then two copying; per
// UDP flow two; per ping session one reader (see pinger).
type server struct {
	fwd         *conn.Forwarder
	dial        dialFunc
	proxied     bool // TCP goes through a proxy
	refuseOther bool // UDP and ping are refused (-proxy without -direct)
	dialTimeout time.Duration
	dials       chan struct{} // semaphore: upstream dials in progress
	log         *log.Logger
	verbose     bool

	started time.Time
	flows   table
	stats   counters
	pinger  *pinger
	wg      sync.WaitGroup // every relay goroutine and accept loop
}

func newServer(fwd *conn.Forwarder, dial dialFunc, o options, logger *log.Logger) *server {
	s := &server{
		fwd:         fwd,
		dial:        dial,
		proxied:     o.proxy != "",
		refuseOther: o.proxy != "" && !o.direct,
		dialTimeout: o.dialTimeout,
		dials:       make(chan struct{}, o.maxDials),
		log:         logger,
		verbose:     o.verbose,
		started:     time.Now(),
	}
	s.flows.m = make(map[uint64]*flow)
	s.pinger = newPinger(s)
	return s
}

// run accepts and relays flows until ctx is done.
func (s *server) run(ctx context.Context) {
	var loops sync.WaitGroup
	loops.Go(func() { s.acceptTCP(ctx) })
	loops.Go(func() { s.acceptUDP(ctx) })
	loops.Go(func() { s.acceptEcho(ctx) })
	<-ctx.Done()
	loops.Wait()
}

// shutdown closes the forwarder and every flow, and waits (up to wait)
// for their goroutines to finish.
func (s *server) shutdown(wait time.Duration) {
	s.fwd.Close()
	s.flows.closeAll()
	s.pinger.close()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(wait):
		s.log.Printf("some flows did not finish within %v", wait)
	}
}

func (s *server) logf(format string, args ...any) {
	if s.verbose {
		s.log.Printf(format, args...)
	}
}

// counters are the relay's own counts; the forwarder's are beside them.
type counters struct {
	TCPRelayed     atomic.Uint64 // accepted and relayed
	TCPRefused     atomic.Uint64 // upstream refused: RST to the client
	TCPUnreachable atomic.Uint64 // upstream unreachable or prohibited: ICMP to the client
	TCPTimedOut    atomic.Uint64 // upstream dial timed out (or failed otherwise): silence
	TCPAborted     atomic.Uint64 // relays ended by a reset or error on either side
	TCPBytesUp     atomic.Uint64 // client to upstream
	TCPBytesDown   atomic.Uint64

	UDPFlows       atomic.Uint64
	UDPRefused     atomic.Uint64 // flows refused (-proxy without -direct) or host socket failures
	UDPUnreachable atomic.Uint64 // ICMP errors passed back to clients
	UDPPacketsUp   atomic.Uint64
	UDPPacketsDown atomic.Uint64
	UDPBytesUp     atomic.Uint64
	UDPBytesDown   atomic.Uint64

	EchoRequests   atomic.Uint64 // sent upstream through a ping socket
	EchoReplies    atomic.Uint64 // answered because the destination replied
	EchoUnanswered atomic.Uint64 // expired with no reply
	EchoFailed     atomic.Uint64 // not sent: no ping socket, send error, or refused
}

// countersView is counters as plain numbers, for JSON and printing.
type countersView struct {
	TCPRelayed, TCPRefused, TCPUnreachable, TCPTimedOut, TCPAborted uint64
	TCPBytesUp, TCPBytesDown                                        uint64
	UDPFlows, UDPRefused, UDPUnreachable                            uint64
	UDPPacketsUp, UDPPacketsDown, UDPBytesUp, UDPBytesDown          uint64
	EchoRequests, EchoReplies, EchoUnanswered, EchoFailed           uint64
}

func (c *counters) view() countersView {
	return countersView{
		TCPRelayed: c.TCPRelayed.Load(), TCPRefused: c.TCPRefused.Load(),
		TCPUnreachable: c.TCPUnreachable.Load(), TCPTimedOut: c.TCPTimedOut.Load(),
		TCPAborted: c.TCPAborted.Load(),
		TCPBytesUp: c.TCPBytesUp.Load(), TCPBytesDown: c.TCPBytesDown.Load(),
		UDPFlows: c.UDPFlows.Load(), UDPRefused: c.UDPRefused.Load(),
		UDPUnreachable: c.UDPUnreachable.Load(),
		UDPPacketsUp:   c.UDPPacketsUp.Load(), UDPPacketsDown: c.UDPPacketsDown.Load(),
		UDPBytesUp: c.UDPBytesUp.Load(), UDPBytesDown: c.UDPBytesDown.Load(),
		EchoRequests: c.EchoRequests.Load(), EchoReplies: c.EchoReplies.Load(),
		EchoUnanswered: c.EchoUnanswered.Load(), EchoFailed: c.EchoFailed.Load(),
	}
}

// printCounters writes the counters printed on exit.
func (s *server) printCounters(w io.Writer) {
	c := s.stats.view()
	f := s.fwd.Stats()
	fmt.Fprintf(w, "tun2socks: ran %v\n", time.Since(s.started).Round(time.Millisecond))
	fmt.Fprintf(w, "tcp:  %d relayed, %d refused (RST), %d unreachable (ICMP), %d timed out (silence), %d aborted; %d bytes up, %d down\n",
		c.TCPRelayed, c.TCPRefused, c.TCPUnreachable, c.TCPTimedOut, c.TCPAborted, c.TCPBytesUp, c.TCPBytesDown)
	fmt.Fprintf(w, "udp:  %d flows, %d refused, %d unreachable (ICMP); %d datagrams (%d bytes) up, %d (%d bytes) down\n",
		c.UDPFlows, c.UDPRefused, c.UDPUnreachable, c.UDPPacketsUp, c.UDPBytesUp, c.UDPPacketsDown, c.UDPBytesDown)
	fmt.Fprintf(w, "ping: %d requests sent, %d replies, %d unanswered, %d failed\n",
		c.EchoRequests, c.EchoReplies, c.EchoUnanswered, c.EchoFailed)
	fmt.Fprintf(w, "forwarder: %d tcp requests (%d accepted, %d refused, %d expired, %d cancelled, %d over limit); "+
		"%d udp flows (%d expired, %d over limit, %d queue full); %d echo requests (%d replies, %d dropped)\n",
		f.TCPRequests, f.TCPAccepted, f.TCPRefused, f.TCPExpired, f.TCPCancelled, f.TCPOverLimit,
		f.UDPFlowsOpened, f.UDPFlowsExpired, f.UDPOverLimit, f.UDPQueueFull,
		f.EchoRequests, f.EchoReplies, f.EchoDropped)
}

// flow is one relay in the table: a TCP connection, a UDP flow or a ping
// session.
type flow struct {
	id      uint64
	proto   string // "tcp", "udp", "icmp"
	src     netip.AddrPort
	dst     netip.AddrPort                 // set before add; for ping, the port is 0
	udpDst  atomic.Pointer[netip.AddrPort] // UDP: the first destination, once known
	started time.Time
	up      atomic.Uint64 // bytes client to upstream
	down    atomic.Uint64
	phase   atomic.Value  // string: "dialing", "open", "client closed", ...
	peers   atomic.Uint64 // UDP: destinations seen; ping: requests sent
	tcp     atomic.Pointer[conn.TCPConn]

	closeOnce sync.Once
	closer    func() // set before the flow is added; ends it
}

func (f *flow) setPhase(p string) { f.phase.Store(p) }

// destination is the flow's destination, or for UDP its first.
func (f *flow) destination() netip.AddrPort {
	if p := f.udpDst.Load(); p != nil {
		return *p
	}
	return f.dst
}

func (f *flow) close() { f.closeOnce.Do(f.closer) }

// table holds the active flows.
type table struct {
	mu     sync.Mutex
	next   uint64
	m      map[uint64]*flow
	closed bool
}

// add enters f, or reports false when the server is shutting down.
func (t *table) add(f *flow) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return false
	}
	t.next++
	f.id = t.next
	t.m[f.id] = f
	return true
}

func (t *table) remove(f *flow) {
	t.mu.Lock()
	delete(t.m, f.id)
	t.mu.Unlock()
}

// closeAll ends every flow and refuses new ones.
func (t *table) closeAll() {
	t.mu.Lock()
	t.closed = true
	all := make([]*flow, 0, len(t.m))
	for _, f := range t.m {
		all = append(all, f)
	}
	t.mu.Unlock()
	for _, f := range all {
		f.close()
	}
}

// list returns the active flows, oldest first.
func (t *table) list() []*flow {
	t.mu.Lock()
	all := make([]*flow, 0, len(t.m))
	for _, f := range t.m {
		all = append(all, f)
	}
	t.mu.Unlock()
	sortFlows(all)
	return all
}
