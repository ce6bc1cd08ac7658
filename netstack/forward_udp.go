package netstack

import (
	"net"
	"net/netip"
	"syscall"
	"time"

	"github.com/renet-go/renet/netstack/internal/deadline"
	"github.com/renet-go/renet/netstack/wire"
)

// UDPFlow is the UDP traffic of one client address and port to addresses
// the stack does not own, whatever the destination (endpoint-independent
// mapping, RFC 4787 §4.1). Datagrams read from it carry the destination
// the client addressed; datagrams written to it reach the client from any
// address the writer names. Its methods are safe for concurrent use.
type UDPFlow struct {
	f        *Forwarder
	client   netip.AddrPort
	opened   time.Time
	readable chan struct{}

	// Guarded by s.mu.
	rcv                                      rcvQueue // from = the destination the client addressed
	slot                                     deadline.Slot
	onlyDNS                                  bool // every datagram so far was to port 53: the short timeout
	closed                                   bool
	last                                     time.Time
	packetsIn, packetsOut, bytesIn, bytesOut uint64
}

func (u *UDPFlow) Slot() *deadline.Slot { return &u.slot }

// Client is the client's address and port.
func (u *UDPFlow) Client() netip.AddrPort { return u.client }

// Readable receives a token when a datagram may be waiting, or the flow
// closed.
func (u *UDPFlow) Readable() <-chan struct{} { return u.readable }

// TryAcceptUDP returns the next new flow, or ErrWouldBlock when none
// waits; net.ErrClosed once the forwarder or the stack is closed.
// Readiness is signalled on UDPReady. A flow is new until taken; its
// first datagrams wait in it.
func (f *Forwarder) TryAcceptUDP() (*UDPFlow, error) {
	f.s.mu.Lock()
	defer f.s.mu.Unlock()
	if f.closed || f.s.closing {
		return nil, net.ErrClosed
	}
	for {
		u, ok := f.newUDP.pop()
		if !ok {
			return nil, ErrWouldBlock
		}
		if !u.closed {
			if f.newUDP.len() > 0 {
				notify(f.udpReady)
			}
			return u, nil
		}
	}
}

// UDPReady receives a token when a new flow may be waiting.
func (f *Forwarder) UDPReady() <-chan struct{} { return f.udpReady }

// forwardUDP queues a datagram to an address we do not own on its
// client's flow, opening one if needed. Called with s.mu held.
func (s *Stack) forwardUDP(now time.Time, d *datagram, udp wire.UDP) {
	if !s.takes() {
		return
	}
	f := s.fwd
	client := netip.AddrPortFrom(d.src, udp.SrcPort())
	dst := netip.AddrPortFrom(d.dst, udp.DstPort())
	u := f.flows[client]
	if u == nil {
		if len(f.flows) >= f.cfg.MaxUDPFlows {
			f.stats.UDPOverLimit++
			return
		}
		u = &UDPFlow{f: f, client: client, opened: now, readable: make(chan struct{}, 1), onlyDNS: true}
		f.flows[client] = u
		f.newUDP.push(u)
		f.stats.UDPFlowsOpened++
		notify(f.udpReady)
	}
	payload := udp.Payload()
	charged := 0
	if f.udpQueued < f.cfg.MaxUDPQueued {
		// The flow's own limit, and what is left of all flows' limit.
		limit := min(s.cfg.UDPReceiveBuffer, u.rcv.bytes+f.cfg.MaxUDPQueued-f.udpQueued)
		charged = u.rcv.add(s, payload, dst, limit)
	}
	if charged == 0 {
		f.stats.UDPQueueFull++
		s.drop(DropUDPQueueFull)
		return
	}
	f.udpQueued += charged
	u.packetsIn++
	u.bytesIn += uint64(len(payload))
	u.onlyDNS = u.onlyDNS && dst.Port() == 53
	f.stats.UDPDatagramsIn++
	u.touch(now)
	notify(u.readable)
}

// touch restarts the idle timer. Called with s.mu held.
func (u *UDPFlow) touch(now time.Time) {
	u.last = now
	idle := u.f.cfg.UDPIdleTimeout
	if u.onlyDNS {
		idle = u.f.cfg.DNSIdleTimeout
	}
	u.f.idle.Set(u, u.f.s.clock(now.Add(idle)))
}

// TryReadFrom copies the next datagram into p (truncating, as recvfrom
// does) and returns its length and the destination the client sent it
// to. ErrWouldBlock when nothing waits; net.ErrClosed once the flow is
// closed (by Close, its idle timeout, or the forwarder's close).
func (u *UDPFlow) TryReadFrom(p []byte) (int, netip.AddrPort, error) {
	s := u.f.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.closed {
		notify(u.readable)
		return 0, netip.AddrPort{}, net.ErrClosed
	}
	n, dst, freed := u.rcv.take(s, p)
	if freed == 0 {
		return 0, netip.AddrPort{}, ErrWouldBlock
	}
	u.f.udpQueued -= freed
	if u.rcv.len() > 0 {
		notify(u.readable)
	}
	return n, dst, nil
}

// Ready reports whether TryReadFrom would not block: a datagram waits, or
// the flow is closed.
func (u *UDPFlow) Ready() bool {
	s := u.f.s
	s.mu.Lock()
	defer s.mu.Unlock()
	return u.closed || u.rcv.len() > 0
}

// WriteTo sends p to the client as a datagram from the address and port
// from, which need not be one the client wrote to. It restarts the idle
// timer.
func (u *UDPFlow) WriteTo(p []byte, from netip.AddrPort) (int, error) {
	if len(p) > maxUDPPayload {
		return 0, syscall.EMSGSIZE
	}
	from = netip.AddrPortFrom(from.Addr().Unmap().WithZone(""), from.Port())
	if from.Addr().Is4() != u.client.Addr().Is4() || from.Port() == 0 || from.Addr().IsMulticast() || from.Addr().IsUnspecified() {
		return 0, syscall.EINVAL
	}
	s := u.f.s
	s.mu.Lock()
	if u.closed {
		s.mu.Unlock()
		return 0, net.ErrClosed
	}
	now := time.Now()
	n := wire.UDPHeaderLen + len(p)
	pkt := s.newPacket(u.client.Addr(), n)
	off := s.transportOffset(u.client.Addr())
	b := (*pkt)[off : off+n]
	copy(b[wire.UDPHeaderLen:], p)
	f := wire.UDPFields{SrcPort: from.Port(), DstPort: u.client.Port()}
	f.Encode(b, from.Addr(), u.client.Addr())
	err := s.sendIP(now, pkt, &ipOut{proto: wire.IPProtoUDP, src: from.Addr(), dst: u.client.Addr()}, n)
	if err == nil {
		s.stats.UDPDatagramsOut++
		u.f.stats.UDPDatagramsOut++
		u.packetsOut++
		u.bytesOut += uint64(len(p))
		u.onlyDNS = u.onlyDNS && from.Port() == 53
		u.touch(now)
	}
	s.armTimer(now)
	s.mu.Unlock()
	s.flush()
	if err != nil {
		return 0, err
	}
	return len(p), nil
}

// Refuse tells the client that its datagrams to dst cannot be delivered:
// ICMP port unreachable for RefuseReset, or the unreachable how names,
// sent as dst.Addr(). RefuseSilently sends nothing. The flow stays open.
func (u *UDPFlow) Refuse(dst netip.AddrPort, how Refusal) error {
	if how == RefuseSilently {
		return nil
	}
	dst = netip.AddrPortFrom(dst.Addr().Unmap(), dst.Port())
	if dst.Addr().Is4() != u.client.Addr().Is4() {
		return syscall.EINVAL
	}
	s := u.f.s
	s.mu.Lock()
	if u.closed {
		s.mu.Unlock()
		return net.ErrClosed
	}
	now := time.Now()
	s.sendUnreachableFor(now, wire.IPProtoUDP, u.client, dst, 0, how)
	u.f.stats.UDPUnreachableTx++
	s.mu.Unlock()
	s.flush()
	return nil
}

// Close ends the flow and discards what it had queued. A later datagram
// from the client opens a new flow.
func (u *UDPFlow) Close() error {
	s := u.f.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.closed {
		return net.ErrClosed
	}
	u.closeLocked()
	return nil
}

// closeLocked closes the flow. Called with s.mu held.
func (u *UDPFlow) closeLocked() {
	if u.closed {
		return
	}
	u.closed = true
	f := u.f
	if f.flows[u.client] == u {
		delete(f.flows, u.client)
	}
	f.idle.Remove(u)
	if f.newUDP.len() > 2*len(f.flows)+64 {
		// Flows closed before anyone took them: let them go.
		f.newUDP.filter(func(u *UDPFlow) bool { return !u.closed })
	}
	f.udpQueued -= u.rcv.drain(f.s)
	notify(u.readable)
}
