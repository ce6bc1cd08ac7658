package netstack

import (
	"crypto/rand"
	"net"
	"net/netip"
	"syscall"
	"time"

	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/netstack/tcp"
	"github.com/renet-go/renet/netstack/wire"
)

// tuple names a TCP connection by its two ends.
type tuple struct {
	local, remote netip.AddrPort
}

// tcpTable holds every TCP connection and listener of a stack.
type tcpTable struct {
	conns     map[tuple]*TCPSocket
	listeners map[netip.AddrPort]*TCPListener // Addr may be 0.0.0.0
	ports     map[uint16]int                  // connections, TIME-WAIT records and listeners per local port
	tw        twTable
	// connecting holds the connections dialed and not yet established, so
	// a failed neighbour resolution finds them without a scan of all.
	connecting map[*TCPSocket]struct{}
	timers     tcpTimers
	isn        *tcp.ISNGenerator
	seg        tcp.Segment  // scratch for output, guarded by s.mu
	spare      [2]*[]byte   // packet buffers (frame, TSO) tcpOutput did not use, guarded by s.mu
	due        []*TCPSocket // scratch for tcpRunTimers
	held       []*TCPSocket // connections holding new data back (backpressure.go, smallqueue.go)
	resuming   []*TCPSocket // held's spare array (resumeHeld)
}

func (t *tcpTable) init() {
	t.conns = make(map[tuple]*TCPSocket)
	t.listeners = make(map[netip.AddrPort]*TCPListener)
	t.ports = make(map[uint16]int)
	t.tw.m = make(map[tuple]*twEntry)
	t.connecting = make(map[*TCPSocket]struct{})
	var key [16]byte
	rand.Read(key[:])
	t.isn = tcp.NewISNGenerator(key)
}

// listenerFor finds the listener for a segment to dst:port: an exact
// binding first, then a wildcard one.
func (t *tcpTable) listenerFor(dst netip.Addr, port uint16) *TCPListener {
	if l := t.listeners[netip.AddrPortFrom(dst, port)]; l != nil {
		return l
	}
	for _, w := range wildcardFor(dst) {
		if l := t.listeners[netip.AddrPortFrom(w, port)]; l != nil && !(l.v6only && dst.Is4()) {
			return l
		}
	}
	return nil
}

// tcpConfig is the TCB configuration for a new connection on this stack,
// its MSS for IPv4 (tcpConfigFor adjusts it for a peer).
func (s *Stack) tcpConfig() tcp.Config {
	c := s.cfg.TCP
	if c.MSS <= 0 || c.MSS > s.mtu-40 {
		c.MSS = s.mtu - 40
	}
	return c
}

// clampMSS limits c's MSS to what the link carries to peer: the MTU less
// 40 bytes of headers for IPv4, 60 for IPv6.
func (s *Stack) clampMSS(c tcp.Config, peer netip.Addr) tcp.Config {
	max := s.mtu - netHeaderLen(peer) - wire.TCPMinHeaderLen
	if is6(peer) && s.ip6.mtu > 0 {
		max = s.ip6.mtu - netHeaderLen(peer) - wire.TCPMinHeaderLen
	}
	if c.MSS <= 0 || c.MSS > max {
		c.MSS = max
	}
	return c
}

// TCPSocket is one TCP connection: a non-blocking handle on a TCB in the
// stack. Its methods are safe for concurrent use; package conn adds
// blocking, deadlines and net errors.
type TCPSocket struct {
	s  *Stack
	id tuple

	// Guarded by s.mu.
	// readable and writable receive a token when Read, or Write, may make
	// progress or the state changed. Each is made on first use, so a
	// connection nobody waits on costs no channels.
	readable  chan struct{}
	writable  chan struct{}
	tcb       *tcp.Conn
	listener  *TCPListener // set while in the listener's SYN queue
	prevChild *TCPSocket   // the SYN queue's list, while listener is set
	nextChild *TCPSocket
	deadline  time.Time // in s.tcp.timers
	heapIndex int
	removed   bool      // out of the table: the TCB is done
	closed    bool      // EventClosed was raised
	held      bool      // in s.tcp.held: new data waits for room on the link
	queued    int       // bytes of its packets queued for the link (smallqueue.go)
	born      time.Time // when the socket was made, for Snapshot
}

func (s *Stack) newTCPSocket(id tuple, cfg tcp.Config) *TCPSocket {
	return s.newTCPSocketWith(id, tcp.NewConn(cfg))
}

// newTCPSocketWith wraps an existing TCB.
func (s *Stack) newTCPSocketWith(id tuple, tcb *tcp.Conn) *TCPSocket {
	return &TCPSocket{s: s, id: id, tcb: tcb, heapIndex: -1, born: time.Now()}
}

// addConn enters sk in the connection table. Called with s.mu held.
func (s *Stack) addConn(sk *TCPSocket) {
	s.tcp.conns[sk.id] = sk
	s.tcp.ports[sk.id.local.Port()]++
}

// removeConn takes sk out of the table. Called with s.mu held.
func (s *Stack) removeConn(sk *TCPSocket) {
	if sk.removed {
		return
	}
	sk.removed = true
	if s.tcp.conns[sk.id] == sk {
		delete(s.tcp.conns, sk.id)
		s.unrefPort(sk.id.local.Port())
	}
	s.tcp.timers.set(sk, time.Time{})
	delete(s.tcp.connecting, sk)
	if l := sk.listener; l != nil {
		l.removeChild(sk)
	}
	notify(sk.readable)
	notify(sk.writable)
}

// unrefPort drops one user of a local port. Called with s.mu held.
func (s *Stack) unrefPort(p uint16) {
	if s.tcp.ports[p]--; s.tcp.ports[p] <= 0 {
		delete(s.tcp.ports, p)
	}
}

// tcpUpdate runs after anything happened to sk's TCB: it sends what the
// TCB wants sent, wakes waiters, hands established connections to their
// listener, re-arms sk's timer, and forgets finished connections. Called
// with s.mu held.
func (s *Stack) tcpUpdate(now time.Time, sk *TCPSocket) {
	t := &s.tcp
	s.tcpOutput(now, sk)
	if sk.tcb.State() == tcp.TimeWait {
		s.tcpEnterTimeWait(now, sk)
	}
	ev := sk.tcb.TakeEvents()
	sk.closed = sk.closed || ev&tcp.EventClosed != 0
	if ev&tcp.EventAcked != 0 {
		s.confirmNeighbour(now, sk.id.remote.Addr())
	}
	if ev&(tcp.EventEstablished|tcp.EventClosed) != 0 {
		delete(s.tcp.connecting, sk)
	}
	// Wake-ups are level-triggered as well as driven by events: a waiter
	// woken by one token may leave data or room for the next.
	if ev&(tcp.EventReadable|tcp.EventClosed) != 0 || sk.tcb.Readable() {
		notify(sk.readable)
	}
	if ev&(tcp.EventWritable|tcp.EventEstablished|tcp.EventClosed) != 0 || sk.tcb.Writable() {
		notify(sk.writable)
	}
	if l := sk.listener; l != nil && ev&tcp.EventEstablished != 0 {
		// The handshake completed: from the SYN queue to the accept queue.
		l.removeChild(sk)
		if l.isClosed {
			sk.tcb.Abort()
			s.tcpUpdate(now, sk)
			return
		}
		l.push(sk)
	}
	if sk.tcb.Done() {
		s.removeConn(sk)
		return
	}
	t.timers.set(sk, sk.tcb.Deadline())
}

// tcpOutput sends everything sk's TCB wants sent. Each segment is built in
// a packet buffer: the TCB copies its payload from the send buffer
// straight behind the room for the headers, which are then written in
// front of it, so data is copied once on its way out. On a link that
// writes packets in pieces (gather), new data is not copied at all: the
// packet carries the headers and the link writes the payload from the
// send buffer. Called with s.mu held.
func (s *Stack) tcpOutput(now time.Time, sk *TCPSocket) {
	t := &s.tcp
	// A buffer for a TSO segment only when there is data for one: ACKs
	// and single segments take frame-sized buffers.
	tso := s.tso() && sk.tcb.Unsent() > 2*s.mtu
	off := s.transportOffset(sk.id.remote.Addr())
	size, big := s.frameSize, 0
	if tso {
		size, big = s.frameHeaderLen()+s.offload.MaxSegment, 1
	}
	for {
		p := t.spare[big]
		if t.spare[big] = nil; p == nil {
			p = s.getBuf(size)
		}
		frame := (*p)[off:size]
		mode := s.outputMode(sk, tso)
		if s.gather() {
			mode |= tcp.OutputGather
		}
		if !sk.tcb.OutputFrame(now, &t.seg, frame, mode) {
			t.spare[big] = p // most calls end here: keep it for the next
			return
		}
		s.sendTCPFrame(now, sk, &t.seg, p)
		t.seg.Held = [2][]byte{} // the packet has them; do not pin the buffer
	}
}

// sendTCPFrame finishes a segment of sk built in p by OutputFrame (payload
// in place) and sends it. Called with s.mu held; takes ownership of p.
func (s *Stack) sendTCPFrame(now time.Time, sk *TCPSocket, seg *tcp.Segment, p *[]byte) {
	id := sk.id
	f := tcpFields(id, seg)
	hl := f.Len()
	n := hl + seg.DataLen()
	off := s.transportOffset(id.remote.Addr())
	b := (*p)[off : off+n]
	if len(seg.Payload) > 0 && &b[hl] != &seg.Payload[0] {
		copy(b[hl:], seg.Payload) // not where the room was left: never expected
	}
	s.finishTCP(now, id, seg, f, p, b, sk.tcb.PathMTUDiscovery(), sk)
}

// sendTCP builds a segment the stack makes itself (a reset, a cookie
// SYN-ACK, a TIME-WAIT ACK) into a packet and sends it with DF set (RFC
// 1191). Called with s.mu held.
func (s *Stack) sendTCP(now time.Time, id tuple, seg *tcp.Segment) {
	f := tcpFields(id, seg)
	hl := f.Len()
	n := hl + len(seg.Payload)
	p := s.newPacket(id.remote.Addr(), n)
	off := s.transportOffset(id.remote.Addr())
	b := (*p)[off : off+n]
	copy(b[hl:], seg.Payload)
	s.finishTCP(now, id, seg, f, p, b, true, nil)
}

// tcpFields is the header of seg on connection id.
func tcpFields(id tuple, seg *tcp.Segment) wire.TCPFields {
	return wire.TCPFields{
		SrcPort: id.local.Port(), DstPort: id.remote.Port(),
		Seq: uint32(seg.Seq), Ack: uint32(seg.Ack),
		Flags: seg.Flags, Window: seg.Window, Options: seg.Options,
	}
}

// finishTCP writes the TCP header (fields f) and checksum of the segment
// b in packet p, whose payload is in place, and sends it, with DF unless
// the connection turned path MTU discovery off (IP_PMTUDISC_DONT: routers
// may then fragment it; each datagram has its own IP identification, as
// every datagram the stack sends does). Called with s.mu held; takes
// ownership of p. owner is the connection that sent it, nil for the
// stack's own segments.
func (s *Stack) finishTCP(now time.Time, id tuple, seg *tcp.Segment, f wire.TCPFields, p *[]byte, b []byte, df bool, owner *TCPSocket) {
	hl := f.Len()
	n := len(b)
	var info link.PacketInfo
	if s.offload.Checksum {
		f.EncodeHeader(b)
		info = partialChecksum(b, s.transportOffset(id.remote.Addr()), 16, id.local.Addr(), id.remote.Addr(), wire.IPProtoTCP)
	} else {
		f.Encode(b, id.local.Addr(), id.remote.Addr())
	}
	if seg.SegSize > 0 {
		info = s.gsoInfo(info, id.remote.Addr(), hl, seg.SegSize)
	}
	o := ipOut{proto: wire.IPProtoTCP, src: id.local.Addr(), dst: id.remote.Addr(), df: df, owner: owner}
	if owner != nil {
		o.body = seg.Held // the stack's own segments are always whole
	}
	if s.sendIPInfo(now, p, &o, n, info) == nil {
		s.stats.TCPSegmentsOut++
	}
}

// tcpRunTimers ticks every connection whose deadline has come. Called with
// s.mu held.
func (s *Stack) tcpRunTimers(now time.Time) {
	// Take every due connection off the heap before ticking any, so a TCB
	// whose next deadline is again <= now waits for the next timer run
	// instead of looping here.
	h := &s.tcp.timers
	due := s.tcp.due[:0]
	for len(*h) > 0 && !(*h)[0].deadline.After(now) {
		sk := (*h)[0]
		h.set(sk, time.Time{})
		due = append(due, sk)
	}
	for i, sk := range due {
		if !sk.removed {
			sk.tcb.Tick(now)
			s.tcpUpdate(now, sk)
		}
		due[i] = nil
	}
	s.tcp.due = due[:0]
}

// tcpInput handles a TCP segment addressed to us (RFC 9293 §3.10.7).
// Called with s.mu held.
func (s *Stack) tcpInput(now time.Time, d *datagram) {
	if d.broadcast {
		s.drop(DropTCPBroadcast)
		return
	}
	th, err := wire.ParseTCP(d.payload)
	if err != nil {
		s.drop(DropTCPMalformed)
		return
	}
	if !d.trusted && !th.VerifyChecksum(d.src, d.dst) {
		s.drop(DropTCPChecksum)
		return
	}
	seg := tcp.Segment{
		Seq: tcp.Seq(th.Seq()), Ack: tcp.Seq(th.Ack()),
		Flags: th.Flags(), Window: th.Window(), Payload: th.Payload(),
	}
	if err := wire.ParseTCPOptions(th.Options(), &seg.Options); err != nil {
		s.drop(DropTCPMalformed)
		return
	}
	s.stats.TCPSegmentsIn++
	id := tuple{local: netip.AddrPortFrom(d.dst, th.DstPort()), remote: netip.AddrPortFrom(d.src, th.SrcPort())}
	if sk := s.tcp.conns[id]; sk != nil {
		if l := sk.listener; l != nil && l.acceptFull() && seg.Flags&(wire.TCPFlagACK|wire.TCPFlagRST|wire.TCPFlagSYN) == wire.TCPFlagACK {
			// The handshake would complete with nowhere to queue it: drop
			// the ACK and let our SYN-ACK's retransmission ask again, as
			// Linux does (tcp_abort_on_overflow off).
			s.drop(DropTCPAcceptQueueFull)
			return
		}
		sk.tcb.Input(now, &seg)
		s.tcpUpdate(now, sk)
		return
	}
	if e := s.tcp.tw.m[id]; e != nil && !s.tcpTimeWaitInput(now, e, &seg) {
		return
	}
	if s.fwd != nil && !s.isLocal(d.dst) {
		s.forwardTCP(now, id, &seg)
		return
	}
	if l := s.tcp.listenerFor(d.dst, th.DstPort()); l != nil {
		s.tcpListenInput(now, l, id, &seg)
		return
	}
	s.drop(DropTCPNoSocket)
	s.sendReset(now, id, &seg)
}

// sendReset answers a segment that belongs to no connection (RFC 9293
// §3.10.7.1).
func (s *Stack) sendReset(now time.Time, id tuple, seg *tcp.Segment) {
	if rst, ok := tcp.ResetFor(seg, len(seg.Payload)); ok {
		s.stats.TCPResetsOut++
		s.sendTCP(now, id, &rst)
	}
}

// tcpICMPError passes an ICMP error about a segment we sent to its
// connection. During a connect (SYN-SENT) every error ends the attempt at
// once with its errno, as Linux's tcp_v4_err does: a host or network that
// a router says is unreachable will not become reachable within the SYN
// retries, and waiting them out would hold a dial for two minutes. On a
// synchronized connection errors are soft (RFC 1122 §4.2.3.9): remembered,
// and reported only if the connection later times out.
func (s *Stack) tcpICMPError(now time.Time, inner wire.IPv4Inner, errno syscall.Errno) {
	id := tuple{local: netip.AddrPortFrom(inner.Src, inner.SrcPort), remote: netip.AddrPortFrom(inner.Dst, inner.DstPort)}
	sk := s.tcp.conns[id]
	if sk == nil || !sk.tcb.AcceptsICMPFor(tcp.Seq(inner.TCPSeq)) {
		return
	}
	sk.tcb.SoftError(errno)
	s.tcpUpdate(now, sk)
}

// tcpPathMTU takes an ICMP "fragmentation needed" for a TCP segment we sent
// with DF (RFC 1191): if it concerns data in flight on a connection (RFC
// 5927 §4.1), the connection's segments shrink to fit the next hop's MTU
// and what was lost is resent. A router too old to say its MTU (zero)
// gets the 576 bytes every IPv4 path carries; anything below IPv4's
// minimum of 68 is bogus and ignored.
func (s *Stack) tcpPathMTU(now time.Time, inner wire.IPv4Inner, mtu int) {
	id := tuple{local: netip.AddrPortFrom(inner.Src, inner.SrcPort), remote: netip.AddrPortFrom(inner.Dst, inner.DstPort)}
	sk := s.tcp.conns[id]
	if sk == nil || !sk.tcb.AcceptsICMPFor(tcp.Seq(inner.TCPSeq)) {
		return
	}
	switch {
	case is6(inner.Dst):
		mtu = max(mtu, wire.IPv6MinMTU) // RFC 8201 §4
	case mtu == 0:
		mtu = 576
	case mtu < 68:
		return
	}
	s.stats.TCPPathMTUUpdates++
	sk.tcb.LowerMSS(now, mtu-netHeaderLen(inner.Dst)-wire.TCPMinHeaderLen)
	s.tcpUpdate(now, sk)
}

// DialTCP starts an active open from local (unspecified address and zero
// port pick them) to remote, and returns the socket in SYN-SENT. Wait on
// Writable until Connected or Err reports the outcome.
func (s *Stack) DialTCP(local, remote netip.AddrPort, cfg *tcp.Config) (*TCPSocket, error) {
	remote = netip.AddrPortFrom(remote.Addr().Unmap().WithZone(""), remote.Port())
	if !remote.Addr().Is4() && !is6(remote.Addr()) {
		return nil, syscall.EAFNOSUPPORT
	}
	if remote.Port() == 0 || remote.Addr().IsUnspecified() || s.isBroadcast(remote.Addr()) || remote.Addr().IsMulticast() {
		return nil, syscall.EINVAL
	}
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return nil, net.ErrClosed
	}
	if _, err := s.route(remote.Addr()); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	la := local.Addr()
	if !la.IsValid() || la.IsUnspecified() {
		la = s.sourceFor(remote.Addr())
	} else if la = la.Unmap().WithZone(""); !s.isLocal(la) || la.Is4() != remote.Addr().Is4() {
		s.mu.Unlock()
		return nil, syscall.EADDRNOTAVAIL
	}
	port := local.Port()
	if port == 0 {
		var ok bool
		port, ok = ephemeralPort(func(p uint16) bool {
			id := tuple{netip.AddrPortFrom(la, p), remote}
			return s.tcp.conns[id] != nil || s.tcp.tw.m[id] != nil || s.tcp.listenerFor(la, p) != nil
		})
		if !ok {
			s.mu.Unlock()
			return nil, syscall.EADDRNOTAVAIL // Linux: no free ephemeral port
		}
	}
	id := tuple{local: netip.AddrPortFrom(la, port), remote: remote}
	if s.tcp.conns[id] != nil || s.tcp.tw.m[id] != nil {
		s.mu.Unlock()
		return nil, syscall.EADDRINUSE
	}
	c := s.clampMSS(s.tcpConfig(), remote.Addr())
	if cfg != nil {
		c = s.clampMSS(*cfg, remote.Addr()) // larger segments would not fit the link
	}
	sk := s.newTCPSocket(id, c)
	sk.tcb.SetTSOffset(s.tcp.isn.TSOffset(id.local, id.remote))
	now := time.Now()
	s.addConn(sk)
	s.tcp.connecting[sk] = struct{}{}
	sk.tcb.Connect(now, s.tcp.isn.ISN(id.local, id.remote, now))
	s.tcpUpdate(now, sk)
	s.armTimer(now)
	s.mu.Unlock()
	s.flush()
	return sk, nil
}

// abortAllTCP resets every connection, for Stack.Close. Listeners go
// first, so no connection is born meanwhile. The RSTs are written out
// every abortBatch connections, with the lock released meanwhile, so that
// closing a million connections does not hold a million packet buffers at
// once. Called with s.mu held.
func (s *Stack) abortAllTCP() {
	for k, l := range s.tcp.listeners {
		l.isClosed = true
		notify(l.readable)
		delete(s.tcp.listeners, k)
	}
	const abortBatch = 256
	n := 0
	for left := -1; len(s.tcp.conns) > 0 && len(s.tcp.conns) != left; {
		left = len(s.tcp.conns) // a pass that frees nothing ends the loop
		now := time.Now()
		for _, sk := range s.tcp.conns {
			sk.tcb.Abort()
			s.tcpUpdate(now, sk)
			if n++; n%abortBatch == 0 {
				s.mu.Unlock()
				s.flush()
				s.mu.Lock()
				break // the map may have changed meanwhile: start again
			}
		}
	}
	for _, e := range s.tcp.tw.m {
		s.removeTimeWait(e)
	}
}
