package netstack

import (
	"errors"
	"net"
	"net/netip"
	"syscall"
	"time"

	"github.com/renet-go/renet/netstack/internal/deadline"
	"github.com/renet-go/renet/netstack/tcp"
	"github.com/renet-go/renet/netstack/wire"
)

// Forwarding: taking flows addressed to any IP.
//
// A tunnel (tun2socks, a VPN's subnet router) hands the stack packets for
// addresses that are not its own, and wants each TCP connection, UDP flow
// and ping as its original destination saw it, to relay it elsewhere.
// With a Forwarder, the stack accepts IPv4 packets to any unicast address
// and answers as that address; packets to its own addresses go where they
// always went (local sockets keep priority, and an own address with no
// socket is answered as before: RST, port unreachable, echo reply).
//
//   - A TCP SYN becomes a TCPRequest: nothing is answered until the user
//     decides. Accept sends the SYN-ACK; Refuse answers as the upstream
//     failure says (RST, an ICMP unreachable, or silence). A pending
//     request holds no buffers and no TCB, only the SYN's options;
//     retransmitted SYNs are absorbed; requests are bounded globally and
//     per source; one left undecided is refused with a RST after
//     DecisionTimeout. There is no goroutine per SYN.
//   - UDP datagrams are grouped per client address and port into a
//     UDPFlow, whatever their destination (endpoint-independent mapping,
//     RFC 4787 §4.1): a reply may come from any address, so full-cone NAT
//     works. Flows expire after an idle time, sooner for DNS.
//   - An ICMP echo request becomes an EchoRequest, answered only if the
//     user says the destination replied. Nobody taking it means no reply.

// ForwarderConfig configures Stack.Forward. Zero fields take the defaults.
type ForwarderConfig struct {
	// MaxPendingTCP bounds TCP connection requests awaiting a decision,
	// and MaxPendingTCPPerSource those from one client address. Defaults
	// 1024 and 256. SYNs beyond them are dropped (the client retries).
	MaxPendingTCP          int
	MaxPendingTCPPerSource int
	// DecisionTimeout is how long a request may wait for Accept or
	// Refuse; then it is refused with a RST, as if the upstream had
	// refused. Default 30s.
	DecisionTimeout time.Duration

	// MaxUDPFlows bounds the UDP flows, taken or not; datagrams that
	// would open another are dropped. Default 16384.
	MaxUDPFlows int
	// UDPIdleTimeout ends a flow with no datagram either way for that
	// long; DNSIdleTimeout a flow that has only carried port 53. Defaults
	// 60s and 10s.
	UDPIdleTimeout time.Duration
	DNSIdleTimeout time.Duration
	// MaxUDPQueued bounds the bytes (buffer capacity) queued unread on
	// all flows together, each flow also being held to
	// Config.UDPReceiveBuffer. Default 32 MiB.
	MaxUDPQueued int

	// MaxPendingEcho bounds the echo requests waiting to be taken.
	// Default 256. Requests older than EchoMaxAge (default 10s) are
	// discarded unanswered rather than handed out.
	MaxPendingEcho int
	EchoMaxAge     time.Duration
}

func (c *ForwarderConfig) setDefaults() {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.MaxPendingTCP, 1024)
	def(&c.MaxPendingTCPPerSource, 256)
	def(&c.MaxUDPFlows, 16384)
	def(&c.MaxPendingEcho, 256)
	def(&c.MaxUDPQueued, 32<<20)
	defDur(&c.DecisionTimeout, 30*time.Second)
	defDur(&c.UDPIdleTimeout, 60*time.Second)
	defDur(&c.DNSIdleTimeout, 10*time.Second)
	defDur(&c.EchoMaxAge, 10*time.Second)
}

// ForwarderStats counts what a Forwarder did. The first three fields are
// the state at the time of the snapshot.
type ForwarderStats struct {
	PendingTCP  int // requests awaiting a decision
	UDPFlows    int // open flows
	PendingEcho int // echo requests not yet taken

	TCPRequests  uint64 // new requests (retransmitted SYNs not counted)
	TCPAccepted  uint64
	TCPRefused   uint64
	TCPExpired   uint64 // refused by DecisionTimeout
	TCPCancelled uint64 // the client reset before a decision
	TCPOverLimit uint64 // SYNs dropped: MaxPendingTCP or per-source limit

	UDPFlowsOpened   uint64
	UDPFlowsExpired  uint64 // closed by the idle timeout
	UDPDatagramsIn   uint64 // queued on a flow
	UDPDatagramsOut  uint64
	UDPOverLimit     uint64 // datagrams dropped: MaxUDPFlows reached
	UDPQueueFull     uint64 // datagrams dropped: the flow's receive buffer was full
	UDPUnreachableTx uint64 // ICMP errors sent for flows (Refuse)

	EchoRequests uint64 // queued for the user
	EchoReplies  uint64 // sent on the user's word
	EchoRefused  uint64 // answered with an ICMP unreachable (EchoRequest.Refuse)
	EchoDropped  uint64 // queue full, or too old when taken
}

// ErrDecided is returned by a TCPRequest's Accept or Refuse after it was
// already decided, or expired.
var ErrDecided = errors.New("netstack: forwarded request already decided or expired")

// Refusal says how to refuse a forwarded flow: as the upstream failure
// that is being passed back looked.
type Refusal uint8

const (
	// RefuseReset: the upstream refused or reset. TCP answers with a RST,
	// UDP with ICMP port unreachable.
	RefuseReset Refusal = iota
	// RefuseNetUnreachable and RefuseHostUnreachable: ICMP destination
	// unreachable, codes 0 and 1 (ENETUNREACH, EHOSTUNREACH at the
	// client).
	RefuseNetUnreachable
	RefuseHostUnreachable
	// RefuseProhibited: ICMP administratively prohibited, code 13 (RFC
	// 1812 §5.2.7.1).
	RefuseProhibited
	// RefuseSilently: no answer, as when the upstream timed out.
	RefuseSilently
)

// icmpCode is the destination-unreachable code for r; ok is false for the
// refusals that are not ICMP.
func (r Refusal) icmpCode(proto wire.IPProto) (code uint8, ok bool) {
	switch r {
	case RefuseNetUnreachable:
		return 0, true
	case RefuseHostUnreachable:
		return 1, true
	case RefuseProhibited:
		return 13, true
	case RefuseReset:
		return wire.ICMPPortUnreachable, proto == wire.IPProtoUDP
	}
	return 0, false
}

// icmpv6Code is icmpCode for ICMPv6's destination unreachable (RFC 4443
// §3.1): no route, address unreachable, administratively prohibited,
// port unreachable.
func (r Refusal) icmpv6Code(proto wire.IPProto) (code uint8, ok bool) {
	switch r {
	case RefuseNetUnreachable:
		return wire.ICMPv6NoRoute, true
	case RefuseHostUnreachable:
		return wire.ICMPv6AddressUnreachable, true
	case RefuseProhibited:
		return wire.ICMPv6AdminProhibited, true
	case RefuseReset:
		return wire.ICMPv6PortUnreachable, proto == wire.IPProtoUDP
	}
	return 0, false
}

// RefusalFor maps an error from dialing the upstream to the refusal that
// tells the client the same thing: ECONNREFUSED and ECONNRESET a reset,
// ENETUNREACH and EHOSTUNREACH (and EHOSTDOWN) unreachables, EACCES and
// EPERM prohibited, anything else (a timeout) silence.
func RefusalFor(err error) Refusal {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return RefuseSilently
	}
	switch errno {
	case syscall.ECONNREFUSED, syscall.ECONNRESET:
		return RefuseReset
	case syscall.ENETUNREACH:
		return RefuseNetUnreachable
	case syscall.EHOSTUNREACH, syscall.EHOSTDOWN:
		return RefuseHostUnreachable
	case syscall.EACCES, syscall.EPERM:
		return RefuseProhibited
	}
	return RefuseSilently
}

// Forwarder takes the flows a stack receives for addresses it does not
// own. Create it with Stack.Forward. Its methods are safe for concurrent
// use; package conn wraps them in blocking calls with contexts.
type Forwarder struct {
	s   *Stack
	cfg ForwarderConfig

	tcpReady, udpReady, echoReady chan struct{} // a token when something waits

	// Guarded by s.mu.
	closed    bool
	pending   map[tuple]*TCPRequest
	perSource map[netip.Addr]int
	newTCP    fifo[*TCPRequest] // not yet handed out
	decisions deadline.Heap[*TCPRequest]
	flows     map[netip.AddrPort]*UDPFlow
	newUDP    fifo[*UDPFlow]
	idle      deadline.Heap[*UDPFlow]
	udpQueued int // bytes queued on all flows
	echoes    fifo[*EchoRequest]
	stats     ForwarderStats
}

// Forward makes the stack take flows addressed to any IPv4 unicast
// address that is not its own, and returns the Forwarder that hands them
// out. A stack has at most one; EBUSY when it already has one.
//
// On an IP link (TUN, link/channel) every destination is then reachable
// through the link, so replies go back to clients on any address; on
// Ethernet, replies to off-link clients go through Config.Gateway.
func (s *Stack) Forward(cfg ForwarderConfig) (*Forwarder, error) {
	cfg.setDefaults()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return nil, net.ErrClosed
	}
	if s.fwd != nil && !s.fwd.closed {
		return nil, syscall.EBUSY
	}
	f := &Forwarder{
		s: s, cfg: cfg,
		tcpReady:  make(chan struct{}, 1),
		udpReady:  make(chan struct{}, 1),
		echoReady: make(chan struct{}, 1),
		pending:   make(map[tuple]*TCPRequest),
		perSource: make(map[netip.Addr]int),
		flows:     make(map[netip.AddrPort]*UDPFlow),
	}
	s.fwd = f
	return f, nil
}

// forwards reports whether a packet to dst, not one of our addresses, is
// for the forwarder, or for a connection it accepted. Called with mu held.
func (s *Stack) forwards(dst netip.Addr) bool {
	return s.fwd != nil && (dst.Is4() || is6(dst)) && !dst.IsMulticast() && !dst.IsUnspecified() && !s.isBroadcast(dst)
}

// Close stops forwarding: pending TCP requests are refused with a RST,
// flows are closed, queued echo requests dropped, and waiters woken; new
// flows to other addresses are dropped as not for us. Connections already
// accepted keep working until they close. Stack.Forward may then start a
// new forwarder.
func (f *Forwarder) Close() error {
	s := f.s
	s.mu.Lock()
	if f.closed {
		s.mu.Unlock()
		return net.ErrClosed
	}
	f.shutdown(time.Now())
	s.mu.Unlock()
	s.flush()
	return nil
}

// shutdown is Close under the lock, also run when the stack closes.
func (f *Forwarder) shutdown(now time.Time) {
	f.closed = true
	for _, r := range f.pending {
		f.refuse(now, r, RefuseReset)
	}
	for _, u := range f.flows {
		u.closeLocked()
	}
	for e, ok := f.echoes.pop(); ok; e, ok = f.echoes.pop() {
		_ = e
	}
	notify(f.tcpReady)
	notify(f.udpReady)
	notify(f.echoReady)
}

// Done returns a channel closed when the stack closes; the readiness
// channels below then stay silent.
func (f *Forwarder) Done() <-chan struct{} { return f.s.done }

// takes reports whether the stack has a forwarder taking new flows; when
// it was closed, the packet is dropped as not for us. Called with s.mu
// held.
func (s *Stack) takes() bool {
	if s.fwd.closed {
		s.drop(DropIPNotForUs)
		return false
	}
	return true
}

// Closed reports whether the forwarder (or its stack) was closed.
func (f *Forwarder) Closed() bool {
	f.s.mu.Lock()
	defer f.s.mu.Unlock()
	return f.closed || f.s.closing
}

// Stats returns the forwarder's counters.
func (f *Forwarder) Stats() ForwarderStats {
	f.s.mu.Lock()
	defer f.s.mu.Unlock()
	st := f.stats
	st.PendingTCP = len(f.pending)
	st.UDPFlows = len(f.flows)
	st.PendingEcho = f.echoes.len()
	return st
}

// forwardTick runs the forwarder's timers. Called with s.mu held.
func (s *Stack) forwardTick(now time.Time) {
	f := s.fwd
	if f == nil {
		return
	}
	at := s.clock(now)
	for {
		r, ok := f.decisions.PopDue(at)
		if !ok {
			break
		}
		f.stats.TCPExpired++
		f.refuse(now, r, RefuseReset)
	}
	for {
		u, ok := f.idle.PopDue(at)
		if !ok {
			break
		}
		f.stats.UDPFlowsExpired++
		u.closeLocked()
	}
	f.shrink()
}

// shrink gives back the tables' memory once a burst of flows has gone:
// Go's maps and slices keep the size they grew to. Called with s.mu held.
func (f *Forwarder) shrink() {
	if len(f.pending) == 0 && cap(f.newTCP.items) > 64 {
		f.pending = make(map[tuple]*TCPRequest)
		f.perSource = make(map[netip.Addr]int)
		f.newTCP = fifo[*TCPRequest]{}
		f.decisions = deadline.Heap[*TCPRequest]{}
	}
	if len(f.flows) == 0 && cap(f.newUDP.items) > 64 {
		f.flows = make(map[netip.AddrPort]*UDPFlow)
		f.newUDP = fifo[*UDPFlow]{}
		f.idle = deadline.Heap[*UDPFlow]{}
	}
}

// forwardDeadline is the forwarder's earliest deadline. Called with s.mu
// held.
func (s *Stack) forwardDeadline() time.Time {
	f := s.fwd
	if f == nil {
		return time.Time{}
	}
	var next time.Time
	for _, h := range [...]func() (int64, bool){f.decisions.Next, f.idle.Next} {
		if at, ok := h(); ok {
			next = earliest(next, s.epoch.Add(time.Duration(at)))
		}
	}
	return next
}

// fifo is a queue that reuses its array: a slice with a read index,
// compacted when the read index passes half of it.
type fifo[T any] struct {
	items []T
	head  int
}

func (q *fifo[T]) len() int { return len(q.items) - q.head }

func (q *fifo[T]) push(v T) {
	if q.head > 0 && q.head >= len(q.items)/2 {
		n := copy(q.items, q.items[q.head:])
		clear(q.items[n:])
		q.items, q.head = q.items[:n], 0
	}
	q.items = append(q.items, v)
}

func (q *fifo[T]) pop() (T, bool) {
	var zero T
	if q.head == len(q.items) {
		q.items, q.head = q.items[:0], 0
		return zero, false
	}
	v := q.items[q.head]
	q.items[q.head] = zero
	q.head++
	return v, true
}

// filter drops the items keep rejects, keeping order.
func (q *fifo[T]) filter(keep func(T) bool) {
	out := q.items[:0]
	for _, v := range q.items[q.head:] {
		if keep(v) {
			out = append(out, v)
		}
	}
	clear(q.items[len(out):])
	q.items, q.head = out, 0
}

// quoteFor builds, in b, the start of a datagram a client sent from src to
// dst (an IPv4 header and the first bytes of the transport header), for an
// ICMP error to quote when the datagram itself is gone. Linux matches an
// ICMP error to its socket by these addresses and ports (and, for TCP, a
// sequence number inside the window). It returns the header and the
// transport part.
func quoteFor(b *[68]byte, proto wire.IPProto, src, dst netip.AddrPort, tcpSeq tcp.Seq) (header, payload []byte) {
	hl := netHeaderLen(dst.Addr())
	transport := b[hl:]
	clear(transport)
	putPorts(transport, src.Port(), dst.Port())
	n := wire.UDPHeaderLen
	if proto == wire.IPProtoTCP {
		n = wire.TCPMinHeaderLen
		putU32(transport[4:], uint32(tcpSeq))
		transport[12] = 5 << 4
		transport[13] = uint8(wire.TCPFlagSYN)
	} else {
		transport[4], transport[5] = 0, wire.UDPHeaderLen
	}
	if is6(dst.Addr()) {
		f := wire.IPv6Fields{NextHeader: proto, HopLimit: defaultHopLimit, Src: src.Addr(), Dst: dst.Addr()}
		f.Encode(b[:], n)
	} else {
		f := wire.IPv4Fields{Protocol: proto, Src: src.Addr(), Dst: dst.Addr(), TTL: defaultTTL}
		f.Encode(b[:], n)
	}
	return b[:hl], transport[:n]
}

func putPorts(b []byte, src, dst uint16) {
	b[0], b[1], b[2], b[3] = byte(src>>8), byte(src), byte(dst>>8), byte(dst)
}

func putU32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
}

// sendUnreachableFor sends an ICMP destination unreachable with code to
// client src about a datagram it sent to dst, from dst. Called with s.mu
// held.
func (s *Stack) sendUnreachableFor(now time.Time, proto wire.IPProto, src, dst netip.AddrPort, seq tcp.Seq, how Refusal) {
	var b [68]byte
	h, p := quoteFor(&b, proto, src, dst, seq)
	d := datagram{src: src.Addr(), dst: dst.Addr(), proto: proto, firstFragment: true, header: h, payload: p}
	if is6(dst.Addr()) {
		if code, ok := how.icmpv6Code(proto); ok {
			s.sendICMPv6Error(now, &d, wire.ICMPv6DestUnreachable, code, 0, false)
		}
		return
	}
	if code, ok := how.icmpCode(proto); ok {
		s.sendICMPError(now, &d, wire.ICMPDestUnreachable, code)
	}
}
