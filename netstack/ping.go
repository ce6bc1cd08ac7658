package netstack

import (
	"math/rand/v2"
	"net"
	"net/netip"
	"syscall"
	"time"

	"github.com/renet-go/renet/netstack/wire"
)

// PingSocket sends ICMP echo requests and receives the replies to them, as
// Linux's unprivileged ping sockets (socket(AF_INET, SOCK_DGRAM,
// IPPROTO_ICMP)) do: the socket owns an echo identifier the way a UDP
// socket owns a port; every request it sends carries that identifier
// (whatever the caller wrote), and only replies carrying it are delivered
// to it. Messages are whole ICMP messages, header included, without the IP
// header. Its methods are safe for concurrent use.
type PingSocket struct {
	s        *Stack
	local    netip.Addr // bound address, or 0.0.0.0
	id       uint16
	readable chan struct{}

	// Guarded by s.mu.
	remote   netip.Addr // connected peer, or the zero value
	rcv      rcvQueue
	isClosed bool
}

// OpenPing opens a ping socket bound to local (unspecified: every address)
// with a free echo identifier. Errors: EADDRNOTAVAIL when local is not one
// of our addresses, EADDRINUSE when every identifier is taken,
// net.ErrClosed when the stack is closed.
func (s *Stack) OpenPing(local netip.Addr) (*PingSocket, error) {
	if !local.IsValid() {
		local = anyAddr
	}
	local = local.Unmap()
	if !local.Is4() {
		return nil, syscall.EAFNOSUPPORT
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkBind(local); err != nil {
		return nil, err
	}
	if s.pings == nil {
		s.pings = make(map[uint16]*PingSocket)
	}
	if len(s.pings) >= 1<<16 {
		return nil, syscall.EADDRINUSE
	}
	id := uint16(rand.Uint32())
	for s.pings[id] != nil {
		id++
	}
	p := &PingSocket{s: s, local: local, id: id, readable: make(chan struct{}, 1)}
	s.pings[id] = p
	return p, nil
}

// ID is the echo identifier the socket sends and receives with.
func (p *PingSocket) ID() uint16 { return p.id }

// LocalAddr is the address the socket is bound to (0.0.0.0 for every
// address).
func (p *PingSocket) LocalAddr() netip.Addr { return p.local }

// Connect makes remote the only address replies are taken from and the
// default destination of WriteTo.
func (p *PingSocket) Connect(remote netip.Addr) error {
	remote = remote.Unmap()
	if !remote.Is4() {
		return syscall.EAFNOSUPPORT
	}
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	if p.isClosed {
		return net.ErrClosed
	}
	p.remote = remote
	return nil
}

// RemoteAddr is the connected peer, or the zero Addr.
func (p *PingSocket) RemoteAddr() netip.Addr {
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	return p.remote
}

// Readable receives a token when a reply may be waiting, or on close.
func (p *PingSocket) Readable() <-chan struct{} { return p.readable }

// WriteTo sends b, an ICMP echo request (type 8, code 0, header and data),
// to dst, or to the connected peer when dst is the zero Addr. The
// identifier is replaced by the socket's and the checksum computed, as
// Linux does; EINVAL for anything but an echo request.
func (p *PingSocket) WriteTo(b []byte, dst netip.Addr) (int, error) {
	if len(b) < wire.ICMPv4HeaderLen || b[0] != byte(wire.ICMPEchoRequest) || b[1] != 0 {
		return 0, syscall.EINVAL
	}
	if len(b) > maxUDPPayload+wire.UDPHeaderLen {
		return 0, syscall.EMSGSIZE
	}
	s := p.s
	s.mu.Lock()
	if p.isClosed {
		s.mu.Unlock()
		return 0, net.ErrClosed
	}
	if !dst.IsValid() {
		if dst = p.remote; !dst.IsValid() {
			s.mu.Unlock()
			return 0, syscall.EDESTADDRREQ
		}
	}
	dst = dst.Unmap()
	if !dst.Is4() {
		s.mu.Unlock()
		return 0, syscall.EAFNOSUPPORT
	}
	if s.isBroadcast(dst) || dst.IsMulticast() {
		s.mu.Unlock()
		return 0, syscall.EACCES
	}
	now := time.Now()
	n := len(b)
	pkt := s.newPacket(dst, n)
	off := s.transportOffset(dst)
	m := (*pkt)[off : off+n]
	copy(m[wire.ICMPv4HeaderLen:], b[wire.ICMPv4HeaderLen:])
	seq := uint16(b[6])<<8 | uint16(b[7])
	f := wire.ICMPv4Fields{Type: wire.ICMPEchoRequest, Rest: wire.EchoRest(p.id, seq)}
	f.Encode(m)
	src := p.local
	if src.IsUnspecified() {
		src = s.sourceFor(dst)
	}
	err := s.sendIP(now, pkt, &ipOut{proto: wire.IPProtoICMP, src: src, dst: dst}, n)
	if err == nil {
		s.stats.ICMPOut++
	}
	s.armTimer(now)
	s.mu.Unlock()
	s.flush()
	if err != nil {
		return 0, err
	}
	return n, nil
}

// TryReadFrom copies the next echo reply (ICMP header and data) into p,
// truncating as recvfrom does, and returns its length and sender.
// ErrWouldBlock when none waits; net.ErrClosed after Close.
func (p *PingSocket) TryReadFrom(b []byte) (int, netip.Addr, error) {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.isClosed {
		notify(p.readable)
		return 0, netip.Addr{}, net.ErrClosed
	}
	n, from, freed := p.rcv.take(s, b)
	if freed == 0 {
		return 0, netip.Addr{}, ErrWouldBlock
	}
	if p.rcv.len() > 0 {
		notify(p.readable)
	}
	return n, from.Addr(), nil
}

// Close releases the identifier and discards queued replies.
func (p *PingSocket) Close() error {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.isClosed {
		return net.ErrClosed
	}
	if s.pings[p.id] == p {
		delete(s.pings, p.id)
	}
	p.closeLocked()
	return nil
}

func (p *PingSocket) closeLocked() {
	p.isClosed = true
	p.rcv.drain(p.s)
	notify(p.readable)
}

// pingInput delivers an echo reply to the ping socket owning its
// identifier, if any, within the socket's receive buffer. Called with
// s.mu held.
func (s *Stack) pingInput(d *datagram, m wire.ICMPv4) {
	p := s.pings[m.ID()]
	if p == nil || !p.local.IsUnspecified() && p.local != d.dst || p.remote.IsValid() && p.remote != d.src {
		return
	}
	if p.rcv.add(s, m, netip.AddrPortFrom(d.src, 0), s.cfg.UDPReceiveBuffer) == 0 {
		s.drop(DropPingQueueFull)
		return
	}
	notify(p.readable)
}

// closeAllPings closes every ping socket, when the stack stops. Called
// with s.mu held.
func (s *Stack) closeAllPings() {
	for _, p := range s.pings {
		p.closeLocked()
	}
}
