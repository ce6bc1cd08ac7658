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
	local    netip.Addr // bound address, or 0.0.0.0 or ::
	v6       bool       // an ICMPv6 socket (bound to an IPv6 address or ::)
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
	local = local.Unmap().WithZone("")
	v6 := is6(local)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkBind(local); err != nil {
		return nil, err
	}
	if s.pings == nil {
		s.pings = make(map[pingKey]*PingSocket)
	}
	k := pingKey{id: uint16(rand.Uint32()), v6: v6}
	for tries := 0; s.pings[k] != nil; tries++ {
		if tries == 1<<16 {
			return nil, syscall.EADDRINUSE // every identifier of the family taken
		}
		k.id++
	}
	p := &PingSocket{s: s, local: local, id: k.id, v6: v6, readable: make(chan struct{}, 1)}
	s.pings[k] = p
	return p, nil
}

// pingKey names a ping socket: its identifier within its family (Linux
// keeps one table for ICMP and one for ICMPv6).
type pingKey struct {
	id uint16
	v6 bool
}

// ID is the echo identifier the socket sends and receives with.
func (p *PingSocket) ID() uint16 { return p.id }

// LocalAddr is the address the socket is bound to (0.0.0.0 for every
// address).
func (p *PingSocket) LocalAddr() netip.Addr { return p.local }

// Connect makes remote the only address replies are taken from and the
// default destination of WriteTo.
func (p *PingSocket) Connect(remote netip.Addr) error {
	remote = remote.Unmap().WithZone("")
	if is6(remote) != p.v6 {
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

// WriteTo sends b, an ICMP echo request (type 8, code 0, header and data;
// type 128 on an ICMPv6 socket, one bound to an IPv6 address or ::),
// to dst, or to the connected peer when dst is the zero Addr. The
// identifier is replaced by the socket's and the checksum computed, as
// Linux does; EINVAL for anything but an echo request.
func (p *PingSocket) WriteTo(b []byte, dst netip.Addr) (int, error) {
	request := byte(wire.ICMPEchoRequest)
	if p.v6 {
		request = byte(wire.ICMPv6EchoRequest)
	}
	if len(b) < wire.ICMPv4HeaderLen || b[0] != request || b[1] != 0 {
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
	dst = dst.Unmap().WithZone("")
	if is6(dst) != p.v6 {
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
	src := p.local
	if src.IsUnspecified() {
		src = s.sourceFor(dst)
	}
	proto := wire.IPProtoICMP
	if p.v6 {
		proto = wire.IPProtoICMPv6
		(&wire.ICMPv6Fields{Type: wire.ICMPv6EchoRequest, Rest: wire.EchoRest(p.id, seq)}).Encode(m, src, dst)
	} else {
		(&wire.ICMPv4Fields{Type: wire.ICMPEchoRequest, Rest: wire.EchoRest(p.id, seq)}).Encode(m)
	}
	err := s.sendIP(now, pkt, &ipOut{proto: proto, src: src, dst: dst}, n)
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
	if k := (pingKey{p.id, p.v6}); s.pings[k] == p {
		delete(s.pings, k)
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
func (s *Stack) pingInput(d *datagram, m []byte, id uint16) {
	p := s.pings[pingKey{id, is6(d.dst)}]
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
