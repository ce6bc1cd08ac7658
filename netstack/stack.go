package netstack

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/netstack/internal/reasm"
	"github.com/renet-go/renet/netstack/wire"
)

// readBatch is how many packets the driver asks the link for at once.
const readBatch = 64

// Stack is one instance of the protocol stack on one link. Create it with
// New; it runs until Close.
type Stack struct {
	ep     link.Endpoint
	medium link.Medium
	mtu    int
	mac    wire.MAC
	cfg    Config
	log    *slog.Logger

	broadcasts []netip.Addr // limited and directed broadcast addresses

	// frameSize is the buffer size for one link packet: MTU plus the
	// largest link header (Ethernet with one VLAN tag).
	frameSize int
	frames    sync.Pool // *[]byte of cap frameSize
	bigs      sync.Pool // *[]byte of cap bigSize, for datagrams beyond one frame

	done     chan struct{} // closed by Close
	driverWG sync.WaitGroup
	closeMu  sync.Mutex
	closed   bool

	// oep and offload are set when the link offloads (see offload.go).
	oep     link.OffloadEndpoint
	gep     link.GatherEndpoint // oep, when it also writes packets in pieces
	offload link.Offload

	// writeMu serialises flushers so packets leave in queue order.
	writeMu sync.Mutex
	flushq  []outPacket       // owned by the writeMu holder
	wbufs   [][]byte          // owned by the writeMu holder
	winfos  []link.PacketInfo // owned by the writeMu holder
	wtails  [][2][]byte       // owned by the writeMu holder

	mu sync.Mutex
	// Everything below is guarded by mu.
	outq     []outPacket  // packets waiting to be written to the link
	loopq    []loopPacket // packets to our own addresses, waiting for delivery
	loopNext []loopPacket // loopq's spare array
	stats    Stats
	neigh    neighbourCache
	reasm    *reasm.Reassembler
	ipID     uint16
	icmp     tokenBucket // ICMP errors
	echo     tokenBucket // echo replies
	udp      udpTable
	mcast    mcastTable
	tcp      tcpTable
	timer    *time.Timer
	timerAt  time.Time               // zero when the timer is not armed
	reasmHdr [60]byte                // header quoted for a reassembled datagram
	epoch    time.Time               // origin of clock
	closing  bool                    // Close has begun: no new sockets or connections
	stopping bool                    // the driver has stopped: timers must not run
	linkFull bool                    // the link refused a write: hold output (backpressure.go)
	flushing bool                    // a goroutine has undertaken to write outq (flush.go)
	kick     chan struct{}           // hands a flush to the writer goroutine (flush.go)
	fwd      *Forwarder              // takes flows to addresses not ours (forward.go)
	pings    map[pingKey]*PingSocket // by echo identifier (ping.go)
	ip6      ip6State                // IPv6 (ipv6.go, ndp.go)
	// inTrusted says the packet being processed needs no transport
	// checksum check: the link verified it, or it never crossed a wire.
	inTrusted bool
}

// bigSize is the largest IPv4 datagram plus link header room.
const bigSize = 65535 + 18

// New starts a stack on ep. The stack owns ep from now on and closes it in
// Close.
func New(ep link.Endpoint, cfg Config) (*Stack, error) {
	if ep == nil {
		return nil, errors.New("netstack: nil link endpoint")
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	cfg.setDefaults()
	// The caller may reuse its slices.
	cfg.Addrs = slices.Clone(cfg.Addrs)
	cfg.HardwareAddr = slices.Clone(cfg.HardwareAddr)
	cfg.DNS = slices.Clone(cfg.DNS)
	s := &Stack{
		broadcasts: broadcastAddrs(cfg.Addrs),
		ep:         ep,
		medium:     ep.Medium(),
		mtu:        ep.MTU(),
		cfg:        cfg,
		log:        cfg.Logger,
		done:       make(chan struct{}),
		kick:       make(chan struct{}, 1),
		epoch:      time.Now(),
	}
	if s.medium != link.Ethernet && s.medium != link.IP {
		return nil, fmt.Errorf("netstack: unsupported link medium %v", s.medium)
	}
	if s.mtu < 68 { // RFC 791: every internet module must forward 68 bytes
		return nil, fmt.Errorf("netstack: link MTU %d is below IPv4's minimum of 68", s.mtu)
	}
	if cfg.Gateway.IsValid() && !s.onLink(cfg.Gateway) {
		return nil, fmt.Errorf("netstack: gateway %v is not inside any of %v", cfg.Gateway, cfg.Addrs)
	}
	if err := s.chooseMAC(); err != nil {
		return nil, err
	}
	if err := s.setupIPv6(); err != nil {
		return nil, err
	}
	s.frameSize = s.mtu + 18
	s.setupOffload()
	s.setupBackPressure()
	s.frames.New = func() any { b := make([]byte, s.frameSize); return &b }
	s.bigs.New = func() any { b := make([]byte, bigSize); return &b }
	s.neigh.init()
	s.reasm = reasm.New(reasm.Config{
		Timeout:  cfg.ReassemblyTimeout,
		MaxBytes: cfg.ReassemblyMemory,
	})
	s.icmp = newTokenBucket(cfg.ICMPRate, cfg.ICMPBurst)
	s.echo = newTokenBucket(10*cfg.ICMPRate, 10*cfg.ICMPBurst)
	s.udp.init()
	s.tcp.init()
	var id [2]byte
	rand.Read(id[:])
	s.ipID = uint16(id[0])<<8 | uint16(id[1])
	s.timer = time.AfterFunc(time.Hour, s.onTimer)
	s.timer.Stop()

	s.mu.Lock()
	if s.medium == link.Ethernet {
		s.sendGratuitousARPs()
	}
	s.startIPv6(time.Now())
	s.armTimer(time.Now())
	s.mu.Unlock()
	s.flush()
	s.driverWG.Add(2)
	go s.drive()
	go s.writer()
	return s, nil
}

// chooseMAC picks the stack's MAC address on an Ethernet link: the
// configured one, else the link's, else a random locally administered one.
func (s *Stack) chooseMAC() error {
	if s.medium != link.Ethernet {
		return nil
	}
	switch hw := s.cfg.HardwareAddr; {
	case len(hw) == 6:
		s.mac = wire.MACFrom(hw)
	case hw != nil:
		return fmt.Errorf("netstack: hardware address %v is not 6 bytes", hw)
	case len(s.ep.HardwareAddr()) == 6:
		s.mac = wire.MACFrom(s.ep.HardwareAddr())
	default:
		rand.Read(s.mac[:])
		s.mac[0] = s.mac[0]&^1 | 2 // unicast, locally administered
	}
	return nil
}

// Close stops the driver, closes the link, and closes every socket: pending
// and future calls on them fail with net.ErrClosed.
func (s *Stack) Close() error {
	s.closeMu.Lock()
	if s.closed {
		s.closeMu.Unlock()
		return nil
	}
	s.closed = true
	s.closeMu.Unlock()

	// Done closes first, so that every call the resets below wake sees the
	// stack closed and reports net.ErrClosed, not the TCB's view of it.
	// Then every connection is reset while the link is still up, so peers
	// learn at once rather than after their timeouts.
	s.mu.Lock()
	s.closing = true
	close(s.done)
	if s.fwd != nil {
		s.fwd.shutdown(time.Now())
	}
	s.abortAllTCP()
	s.mu.Unlock()
	s.flushWait()

	err := s.ep.Close()
	s.driverWG.Wait()
	s.mu.Lock()
	s.stopping = true
	s.timer.Stop()
	s.udp.closeAll()
	s.closeAllPings()
	for _, o := range s.outq {
		s.putBuf(o.p)
	}
	s.outq = s.outq[:0]
	for _, lp := range s.loopq {
		s.putBuf(lp.p)
	}
	s.loopq = nil
	s.mu.Unlock()
	return err
}

// Done returns a channel closed when the stack is closed, for code that
// waits on a socket and must give up when the stack goes away.
func (s *Stack) Done() <-chan struct{} { return s.done }

// Stats returns a snapshot of the stack's counters.
func (s *Stack) Stats() Stats {
	s.mu.Lock()
	st := s.stats
	st.NeighbourEntries = s.neigh.len()
	st.TCPTimeWait = len(s.tcp.tw.m)
	st.ReassemblyPending = s.reasm.Len()
	if s.linkFull {
		st.LinkBacklog = len(s.outq)
	}
	s.mu.Unlock()
	return st
}

// Addrs returns the stack's configured addresses.
func (s *Stack) Addrs() []netip.Prefix {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.cfg.Addrs)
}

// DNS returns the name servers of Config.DNS.
func (s *Stack) DNS() []netip.AddrPort {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.cfg.DNS)
}

// HardwareAddr returns the stack's MAC address, or nil on an IP link.
func (s *Stack) HardwareAddr() net.HardwareAddr {
	if s.medium != link.Ethernet {
		return nil
	}
	return net.HardwareAddr(append([]byte(nil), s.mac[:]...))
}

// MTU returns the MTU the stack sends with: the link's, or less after
// SetMTU.
func (s *Stack) MTU() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mtu
}

// drive is the driver goroutine: read a batch, process it under one lock
// acquisition, write what it produced.
func (s *Stack) drive() {
	defer s.driverWG.Done()
	batch := s.readBatchLen()
	bufs := make([][]byte, batch)
	sizes := make([]int, batch)
	infos := make([]link.PacketInfo, batch)
	views := make([][]byte, 0, batch)
	var g gro
	for i := range bufs {
		bufs[i] = make([]byte, s.readBufSize())
	}
	for {
		var n int
		var err error
		if s.oep != nil {
			n, err = s.oep.ReadBatchInfo(bufs, sizes, infos)
		} else {
			n, err = s.ep.ReadBatch(bufs, sizes)
		}
		if err != nil {
			select {
			case <-s.done:
				return
			default:
			}
			if errors.Is(err, net.ErrClosed) {
				return
			}
			s.mu.Lock()
			s.stats.LinkReadErrors++
			s.mu.Unlock()
			if s.log != nil && s.log.Enabled(context.Background(), slog.LevelDebug) {
				s.log.Debug("link read failed", "err", err)
			}
			// A persistent error must not spin the CPU.
			select {
			case <-s.done:
				return
			case <-time.After(10 * time.Millisecond):
			}
			continue
		}
		views = views[:0]
		for i := range n {
			views = append(views, bufs[i][:sizes[i]])
		}
		s.processBatch(views, infos[:n], &g)
	}
}

// processBatch handles one batch read from the link under one
// acquisition of the lock, then writes what it produced. A link that
// does not coalesce TCP segments itself gets software GRO (gro.go), done
// before the lock is taken.
func (s *Stack) processBatch(pkts [][]byte, infos []link.PacketInfo, g *gro) {
	in, trusted := pkts, []bool(nil)
	if s.oep == nil {
		in, trusted = g.coalesce(pkts, s.medium)
	}
	s.mu.Lock()
	now := time.Now()
	for _, p := range pkts {
		s.stats.FramesIn++
		s.stats.BytesIn += uint64(len(p))
	}
	for i, p := range in {
		switch {
		case s.oep != nil:
			s.inTrusted = infos[i].ChecksumTrusted()
		default:
			s.inTrusted = trusted[i]
		}
		switch {
		case s.oep == nil && trusted[i]:
			s.stats.GROMerged++
		case len(p) > s.frameSize:
			s.stats.GROIn++
		}
		s.input(now, p)
	}
	s.inTrusted = false
	s.armTimer(now)
	s.mu.Unlock()
	s.flush()
}

// input dispatches one packet read from the link. Called with mu held.
func (s *Stack) input(now time.Time, b []byte) {
	if s.medium == link.IP {
		if len(b) > 0 && b[0]>>4 == 6 {
			s.ipv6Input(now, b, false)
			return
		}
		s.ipInput(now, b, false)
		return
	}
	s.ethernetInput(now, b)
}

// onTimer runs when the stack's earliest deadline arrives.
func (s *Stack) onTimer() {
	s.mu.Lock()
	if s.stopping {
		s.mu.Unlock()
		return
	}
	now := time.Now()
	s.timerAt = time.Time{}
	s.runDue(now)
	s.armTimer(now)
	s.mu.Unlock()
	s.flush()
}

// runDue does the timed work whose time has come. Called with mu held.
func (s *Stack) runDue(now time.Time) {
	s.neighTick(now)
	s.tcpRunTimers(now)
	s.tcpExpireTimeWait(now)
	s.igmpTick(now)
	s.forwardTick(now)
	s.ip6Tick(now)
	if n := s.reasm.Expire(now); n > 0 {
		s.stats.Drops[DropFragTimeout] += uint64(n)
	}
}

// armTimer arms the stack timer for its earliest deadline. Called with mu
// held after anything that may have added a deadline.
func (s *Stack) armTimer(now time.Time) {
	next := earliest(earliest(s.neighDeadline(), s.reasm.Deadline()), earliest(s.tcp.timers.next(), s.nextTimeWait()))
	next = earliest(earliest(next, s.igmpDeadline()), s.forwardDeadline())
	next = earliest(next, s.ip6Deadline())
	if next.IsZero() || s.stopping {
		return
	}
	if !s.timerAt.IsZero() && !next.Before(s.timerAt) {
		return // already armed early enough
	}
	s.timerAt = next
	d := next.Sub(now)
	if d < 0 {
		d = 0
	}
	s.timer.Reset(d)
}

// clock is now on the stack's monotonic clock, for deadline heaps.
func (s *Stack) clock(now time.Time) int64 { return int64(now.Sub(s.epoch)) }

// earliest returns the earlier of two deadlines, where zero means none.
func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

// getBuf returns a pooled buffer able to hold n bytes.
func (s *Stack) getBuf(n int) *[]byte {
	var p *[]byte
	if n <= s.frameSize {
		p = s.frames.Get().(*[]byte)
		*p = (*p)[:s.frameSize]
	} else {
		p = s.bigs.Get().(*[]byte)
		*p = (*p)[:bigSize]
	}
	return p
}

// putBuf returns a buffer from getBuf to its pool.
func (s *Stack) putBuf(p *[]byte) {
	// By exact capacity: with a 64 KiB MTU a frame is as large as a big
	// buffer, and must still go back to the pool it came from.
	if cap(*p) == s.frameSize {
		s.frames.Put(p)
	} else {
		s.bigs.Put(p)
	}
}

// queue appends a finished link packet (buffer from getBuf, sliced to the
// packet) to the output queue. Called with mu held.
func (s *Stack) queue(p *[]byte) { s.queueInfo(p, link.PacketInfo{}) }

// queueInfo is queue for a packet with offload state. Called with mu held.
func (s *Stack) queueInfo(p *[]byte, info link.PacketInfo) {
	s.queueOut(outPacket{p: p, info: info})
}

// queueOut is queue for a packet that may be in pieces (only on a link
// that writes them: TCP gathers only then, see gather). Called with mu
// held.
func (s *Stack) queueOut(o outPacket) {
	if !s.admitOutput() {
		s.putBuf(o.p)
		return
	}
	if o.info.GSO != link.GSONone {
		s.stats.GSOOut++
	}
	s.stats.FramesOut++
	s.stats.BytesOut += uint64(o.size())
	countQueued(&o)
	s.outq = append(s.outq, o)
}

// loopPacket is an IP packet to one of our own addresses: (*p)[off:off+n].
type loopPacket struct {
	p      *[]byte
	off, n int
}

// deliverLoopback delivers the packets the stack sent to itself, as input.
// Delivery waits for the operation that sent them to finish, rather than
// calling into input from inside output: a connection to ourselves then
// never sees its own state half-updated, and the call depth stays flat.
// Packets the delivery sends to ourselves in turn wait for the next call.
// Called with mu held.
func (s *Stack) deliverLoopback() {
	q := s.loopq
	s.loopq = s.loopNext[:0]
	now := time.Now()
	s.inTrusted = true // never crossed a wire
	defer func() { s.inTrusted = false }()
	for i, lp := range q {
		b := (*lp.p)[lp.off : lp.off+lp.n]
		if b[0]>>4 == 6 {
			if ip, err := wire.ParseIPv6(b); err == nil {
				s.ipv6Deliver(now, ip)
			}
		} else if ip, err := wire.ParseIPv4(b); err == nil {
			s.ipDeliver(now, ip)
		}
		s.putBuf(lp.p)
		q[i] = loopPacket{}
	}
	s.loopNext = q[:0]
	s.armTimer(now)
}

// drop counts a dropped packet. Called with mu held.
func (s *Stack) drop(r DropReason) {
	s.stats.Drops[r]++
	if s.log != nil && s.log.Enabled(context.Background(), slog.LevelDebug) {
		s.log.Debug("drop", "reason", r.String())
	}
}
