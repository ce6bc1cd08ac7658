package netstack

import (
	"errors"
	"math/rand/v2"
	"net"
	"net/netip"
	"syscall"
	"time"

	"github.com/renet-go/renet/netstack/wire"
)

// ErrWouldBlock is returned by non-blocking socket calls that cannot make
// progress now; wait on the socket's notification channel and retry.
var ErrWouldBlock = errors.New("netstack: operation would block")

// The ephemeral port range, Linux's default ip_local_port_range.
const (
	ephemeralFirst = 32768
	ephemeralLast  = 60999
)

// maxUDPPayload is the largest UDP payload an IPv4 datagram can carry.
const maxUDPPayload = 65535 - wire.IPv4MinHeaderLen - wire.UDPHeaderLen

// udpTable maps bound local addresses to sockets. The address of a key is
// unspecified (0.0.0.0) for a socket bound to every address.
type udpTable struct {
	bound map[netip.AddrPort]*UDPSocket
	ports map[uint16]int // sockets per port, to find conflicts and free ports
}

func (t *udpTable) init() {
	t.bound = make(map[netip.AddrPort]*UDPSocket)
	t.ports = make(map[uint16]int)
}

// anyAddr binds every IPv4 address; anyAddr6 every address of both
// families, as a Go listener on ":80" does (an IPv6 socket without
// IPV6_V6ONLY).
var (
	anyAddr  = netip.IPv4Unspecified()
	anyAddr6 = netip.IPv6Unspecified()
)

// wildcardFor lists the wildcard bindings that take a packet to dst, in
// order: 0.0.0.0 then :: (unless IPv6-only) for IPv4, :: for IPv6.
func wildcardFor(dst netip.Addr) []netip.Addr {
	if is6(dst) {
		return wildcards6
	}
	return wildcards4
}

// bindConflict reports whether a binding to a (v6only: an IPv6-only ::)
// and one to b on the same port would take the same packets, which Linux
// refuses with EADDRINUSE: the same address, a wildcard that covers the
// other, 0.0.0.0 against a dual-stack :: ; but not 0.0.0.0 against an
// IPv6-only ::, nor addresses of different families.
func bindConflict(a netip.Addr, aOnly bool, b netip.Addr, bOnly bool) bool {
	covers := func(w netip.Addr, wOnly bool, x netip.Addr) bool {
		switch {
		case w == x:
			return true
		case w == anyAddr:
			return x.Is4()
		case w == anyAddr6:
			return is6(x) || !wOnly
		}
		return false
	}
	return covers(a, aOnly, b) || covers(b, bOnly, a)
}

// BindOptions are choices made when a socket is bound.
type BindOptions struct {
	// V6Only makes a socket bound to :: take IPv6 only, as
	// IPV6_V6ONLY (and a Go "tcp6" or "udp6" listener); otherwise it
	// takes both families.
	V6Only bool
}

var (
	wildcards4 = []netip.Addr{anyAddr, anyAddr6}
	wildcards6 = []netip.Addr{anyAddr6}
)

// conflicts reports whether binding a:port would clash with an existing
// socket (see bindConflict).
func (t *udpTable) conflicts(a netip.Addr, port uint16, v6only bool) bool {
	if t.ports[port] == 0 {
		return false
	}
	for k, u := range t.bound {
		if k.Port() == port && bindConflict(a, v6only, k.Addr(), u.v6only) {
			return true
		}
	}
	return false
}

// lookup finds the socket for a datagram to dst:port: an exact binding
// first, then a wildcard one (see wildcardFor).
func (t *udpTable) lookup(dst netip.Addr, port uint16) *UDPSocket {
	if u := t.bound[netip.AddrPortFrom(dst, port)]; u != nil {
		return u
	}
	for _, w := range wildcardFor(dst) {
		if u := t.bound[netip.AddrPortFrom(w, port)]; u != nil && !(u.v6only && dst.Is4()) {
			return u
		}
	}
	return nil
}

func (t *udpTable) closeAll() {
	for _, u := range t.bound {
		u.closeLocked()
	}
}

// ephemeralPort picks a free port at random (RFC 6056 §3.3.1, Algorithm 1:
// a random start, then a linear search) so off-path attackers cannot guess
// it. conflict reports ports in use.
func ephemeralPort(conflict func(uint16) bool) (uint16, bool) {
	const n = ephemeralLast - ephemeralFirst + 1
	start := rand.IntN(n)
	for i := 0; i < n; i++ {
		port := uint16(ephemeralFirst + (start+i)%n)
		if !conflict(port) {
			return port, true
		}
	}
	return 0, false
}

// choosePort returns port if it is free (EADDRINUSE if taken), or for port
// 0 a random free ephemeral port, where taken and ephemeralTaken say which
// ports are in use.
func choosePort(port uint16, taken, ephemeralTaken func(uint16) bool) (uint16, error) {
	if port != 0 {
		if taken(port) {
			return 0, syscall.EADDRINUSE
		}
		return port, nil
	}
	if p, ok := ephemeralPort(ephemeralTaken); ok {
		return p, nil
	}
	return 0, syscall.EADDRINUSE
}

// UDPSocket is a non-blocking UDP socket. Its methods are safe for
// concurrent use. Blocking behaviour, deadlines and net errors are added by
// package conn.
type UDPSocket struct {
	s        *Stack
	local    netip.AddrPort // as bound; Addr may be 0.0.0.0
	readable chan struct{}  // receives a token when data, an error or close arrives

	// Guarded by s.mu.
	remote   netip.AddrPort // connected peer, or the zero value
	rcv      rcvQueue
	rcvbuf   int           // receive buffer limit
	softErr  syscall.Errno // ICMP error to report to a connected socket
	bcast    bool          // may send to broadcast addresses (SO_BROADCAST)
	groups   []netip.Addr  // multicast groups joined through this socket
	mcastTTL uint8         // TTL of multicast datagrams sent
	noLoop   bool          // multicast sent is not looped back to our own members
	v6only   bool          // bound to :: for IPv6 only (IPV6_V6ONLY)
	isClosed bool
}

// BindUDP opens a UDP socket bound to local. An unspecified address binds
// every address of the stack; port 0 picks a free ephemeral port. Errors
// are EADDRINUSE, EADDRNOTAVAIL (not one of our addresses), or
// net.ErrClosed when the stack is closed.
func (s *Stack) BindUDP(local netip.AddrPort) (*UDPSocket, error) {
	return s.BindUDPWith(local, BindOptions{})
}

// BindUDPWith is BindUDP with options.
func (s *Stack) BindUDPWith(local netip.AddrPort, o BindOptions) (*UDPSocket, error) {
	a, err := bindAddr(local.Addr())
	if err != nil {
		return nil, err
	}
	v6only := o.V6Only && a == anyAddr6
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkBindUDP(a); err != nil {
		return nil, err
	}
	conflict := func(p uint16) bool { return s.udp.conflicts(a, p, v6only) }
	port, err := choosePort(local.Port(), conflict, conflict)
	if err != nil {
		return nil, err
	}
	u := &UDPSocket{
		s:        s,
		local:    netip.AddrPortFrom(a, port),
		readable: make(chan struct{}, 1),
		rcvbuf:   s.cfg.UDPReceiveBuffer,
		mcastTTL: defaultMulticastTTL,
		v6only:   v6only,
	}
	s.udp.bound[u.local] = u
	s.udp.ports[port]++
	return u, nil
}

// bindAddr normalises the address of a local binding: none means every
// address (0.0.0.0); IPv4-mapped IPv6 is IPv4; IPv6 is not supported.
func bindAddr(a netip.Addr) (netip.Addr, error) {
	if !a.IsValid() {
		return anyAddr, nil
	}
	if a.Zone() != "" {
		a = a.WithZone("") // one link: every zone is ours
	}
	if a.Is4In6() {
		a = a.Unmap()
	}
	return a, nil
}

// checkBind reports why a socket cannot be bound to a: the stack is closed
// (net.ErrClosed) or a is not one of its addresses (EADDRNOTAVAIL). Called
// with mu held.
func (s *Stack) checkBind(a netip.Addr) error {
	if s.closing {
		return net.ErrClosed
	}
	if !a.IsUnspecified() && !s.isLocal(a) {
		return syscall.EADDRNOTAVAIL
	}
	return nil
}

// checkBindUDP is checkBind for a UDP socket, which may also bind to a
// broadcast address of the stack (255.255.255.255 or a subnet's), or to a
// multicast group, to receive only what is sent there, as on Linux.
func (s *Stack) checkBindUDP(a netip.Addr) error {
	if !s.closing && (s.isBroadcast(a) || a.IsMulticast()) {
		return nil
	}
	return s.checkBind(a)
}

// LocalAddr is the address the socket is bound to. For a socket bound to
// every address and connected to a peer, it is the address the stack sends
// from, as getsockname reports on Linux.
func (u *UDPSocket) LocalAddr() netip.AddrPort {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	if u.local.Addr().IsUnspecified() && u.remote.IsValid() {
		return netip.AddrPortFrom(u.s.sourceFor(u.remote.Addr()), u.local.Port())
	}
	return u.local
}

// RemoteAddr is the connected peer, or the zero value.
func (u *UDPSocket) RemoteAddr() netip.AddrPort {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	return u.remote
}

// Connect fixes the socket's peer: sends without an address go to it, and
// only datagrams from it are received.
func (u *UDPSocket) Connect(remote netip.AddrPort) error {
	remote = netip.AddrPortFrom(remote.Addr().Unmap().WithZone(""), remote.Port())
	if err := u.familyOK(remote.Addr()); err != nil {
		return err
	}
	if remote.Port() == 0 {
		return syscall.EINVAL
	}
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	if u.isClosed {
		return net.ErrClosed
	}
	if _, err := u.s.route(remote.Addr()); err != nil {
		return err
	}
	if u.s.isBroadcast(remote.Addr()) && !u.bcast {
		return syscall.EACCES
	}
	u.remote = remote
	return nil
}

// Readable returns the socket's notification channel: it receives a token
// whenever a datagram, an error or close arrives. After a token, retry
// TryReadFrom until it returns ErrWouldBlock before waiting again.
func (u *UDPSocket) Readable() <-chan struct{} { return u.readable }

// TryReadFrom copies the next datagram into p and returns its length and
// sender. A datagram longer than p is truncated and the rest discarded, as
// with recvfrom(2). It returns ErrWouldBlock when nothing is queued, a
// pending ICMP-reported errno once (connected sockets), or net.ErrClosed.
func (u *UDPSocket) TryReadFrom(p []byte) (int, netip.AddrPort, error) {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	if u.isClosed {
		notify(u.readable) // closed stays readable for every waiter
		return 0, netip.AddrPort{}, net.ErrClosed
	}
	if e := u.softErr; e != 0 {
		// A pending ICMP error comes first, before datagrams already
		// queued, as Linux's __skb_recv_udp checks sock_error first.
		u.softErr = 0
		notify(u.readable) // the datagrams are still there
		return 0, netip.AddrPort{}, e
	}
	if n, from, freed := u.rcv.take(u.s, p); freed > 0 {
		if u.rcv.len() > 0 {
			notify(u.readable) // for another goroutine waiting on this socket
		}
		return n, from, nil
	}
	return 0, netip.AddrPort{}, ErrWouldBlock
}

// WriteTo sends p as one datagram to dst, or to the connected peer when dst
// is the zero value. UDP never blocks: when the neighbour is not yet
// resolved the datagram waits in a bounded queue, as on Linux.
func (u *UDPSocket) WriteTo(p []byte, dst netip.AddrPort) (int, error) {
	s := u.s
	if len(p) > maxUDPPayload {
		return 0, syscall.EMSGSIZE
	}
	s.mu.Lock()
	if u.isClosed {
		s.mu.Unlock()
		return 0, net.ErrClosed
	}
	if !dst.IsValid() {
		dst = u.remote
		if !dst.IsValid() {
			s.mu.Unlock()
			return 0, syscall.EDESTADDRREQ
		}
	}
	dst = netip.AddrPortFrom(dst.Addr().Unmap().WithZone(""), dst.Port())
	if err := u.familyOK(dst.Addr()); err != nil {
		s.mu.Unlock()
		return 0, err
	}
	if dst.Port() == 0 {
		s.mu.Unlock()
		return 0, syscall.EINVAL
	}
	if e := u.softErr; e != 0 && u.remote.IsValid() {
		u.softErr = 0
		s.mu.Unlock()
		return 0, e
	}
	if s.isBroadcast(dst.Addr()) && !u.bcast {
		s.mu.Unlock()
		return 0, syscall.EACCES // Linux without SO_BROADCAST
	}
	now := time.Now()
	src := u.local.Addr()
	if !s.isLocal(src) {
		src = s.sourceFor(dst.Addr()) // bound to every, a broadcast or a group address
	}
	if !src.IsValid() && dst.Addr().Is4() {
		src = anyAddr // no address yet: 0.0.0.0, as a DHCP client sends (RFC 2131 §4.1)
	}
	n := wire.UDPHeaderLen + len(p)
	pkt := s.newPacket(dst.Addr(), n)
	off := s.transportOffset(dst.Addr())
	b := (*pkt)[off : off+n]
	copy(b[wire.UDPHeaderLen:], p)
	f := wire.UDPFields{SrcPort: u.local.Port(), DstPort: dst.Port()}
	f.Encode(b, src, dst.Addr())
	ipf := ipOut{proto: wire.IPProtoUDP, src: src, dst: dst.Addr()}
	var err error
	if dst.Addr().IsMulticast() {
		err = u.sendMulticast(now, pkt, &ipf, n)
	} else {
		err = s.sendIP(now, pkt, &ipf, n)
	}
	if err == nil {
		s.stats.UDPDatagramsOut++
	}
	s.armTimer(now)
	s.mu.Unlock()
	s.flush()
	if err != nil {
		return 0, err
	}
	return len(p), nil
}

// familyOK reports whether the socket can send to dst: an IPv4 socket
// (bound to 0.0.0.0 or an IPv4 address) only to IPv4, one bound to an
// IPv6 address only to IPv6, one bound to :: to both.
func (u *UDPSocket) familyOK(dst netip.Addr) error {
	switch l := u.local.Addr(); {
	case !dst.Is4() && !is6(dst):
		return syscall.EAFNOSUPPORT
	case l.Is4() && !dst.Is4(), is6(l) && (!l.IsUnspecified() || u.v6only) && !is6(dst):
		return syscall.EAFNOSUPPORT
	}
	return nil
}

// Close unbinds the socket and discards what it had queued. A blocked
// reader is woken and sees net.ErrClosed.
func (u *UDPSocket) Close() error {
	s := u.s
	s.mu.Lock()
	if u.isClosed {
		s.mu.Unlock()
		return net.ErrClosed
	}
	if s.udp.bound[u.local] == u {
		delete(s.udp.bound, u.local)
		if s.udp.ports[u.local.Port()]--; s.udp.ports[u.local.Port()] <= 0 {
			delete(s.udp.ports, u.local.Port())
		}
	}
	u.closeLocked()
	s.armTimer(time.Now())
	s.mu.Unlock()
	s.flush() // the IGMP reports of groups left
	return nil
}

// closeLocked marks the socket closed and frees its queue. Called with
// s.mu held.
func (u *UDPSocket) closeLocked() {
	u.isClosed = true
	u.rcv.drain(u.s)
	u.leaveAllGroups()
	notify(u.readable)
}

// notify leaves a token in a capacity-one channel without blocking.
func notify(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// udpInput handles a UDP datagram addressed to us (RFC 768, RFC 1122
// §4.1.3). Called with mu held.
func (s *Stack) udpInput(now time.Time, d *datagram) {
	udp, err := wire.ParseUDP(d.payload)
	if err != nil {
		s.drop(DropUDPMalformed)
		return
	}
	if !d.trusted && !udp.VerifyChecksum(d.src, d.dst) || udp.Checksum() == 0 && is6(d.dst) {
		// RFC 8200 §8.1: over IPv6 the UDP checksum is mandatory.
		s.drop(DropUDPChecksum)
		return
	}
	if s.fwd != nil && !d.broadcast && !s.isLocal(d.dst) {
		s.forwardUDP(now, d, udp)
		return
	}
	u := s.udp.lookup(d.dst, udp.DstPort())
	if u == nil {
		s.drop(DropUDPNoSocket)
		// RFC 1122 §4.1.3.1, RFC 4443 §3.1: port unreachable, never for
		// broadcasts or multicast.
		if is6(d.dst) {
			s.sendICMPv6Error(now, d, wire.ICMPv6DestUnreachable, wire.ICMPv6PortUnreachable, 0, false)
		} else {
			s.sendICMPError(now, d, wire.ICMPDestUnreachable, wire.ICMPPortUnreachable)
		}
		return
	}
	from := netip.AddrPortFrom(d.src, udp.SrcPort())
	if u.remote.IsValid() && u.remote != from {
		s.drop(DropUDPNotConnectedPeer)
		return
	}
	if u.rcv.add(s, udp.Payload(), from, u.rcvbuf) == 0 {
		s.drop(DropUDPQueueFull)
		return
	}
	s.stats.UDPDatagramsIn++
	notify(u.readable)
}

// udpICMPError records an ICMP-reported error for the connected socket that
// sent the quoted datagram. As on Linux without IP_RECVERR
// (__udp4_lib_err), only hard errors are reported (port or protocol
// unreachable, administratively prohibited, parameter problem: not host or
// network unreachable, not time exceeded), only to connected sockets, and
// once, by the next send or receive (a receive reports it before any
// datagram already queued, as Linux does).
func (s *Stack) udpICMPError(inner wire.IPv4Inner, errno syscall.Errno, hard bool) {
	u := s.udp.lookup(inner.Src, inner.SrcPort)
	if !hard || u == nil || u.remote != netip.AddrPortFrom(inner.Dst, inner.DstPort) {
		return
	}
	u.softErr = errno
	notify(u.readable)
}

// SetBroadcast permits sending to broadcast addresses, as Linux's
// SO_BROADCAST; without it such sends fail with EACCES. (Package conn turns
// it on for every socket, as Go's net package does.)
func (u *UDPSocket) SetBroadcast(on bool) {
	u.s.mu.Lock()
	u.bcast = on
	u.s.mu.Unlock()
}

// SetReceiveBuffer sets the receive buffer limit in bytes (SO_RCVBUF).
// Datagrams already queued stay; new ones are dropped while it is exceeded.
func (u *UDPSocket) SetReceiveBuffer(n int) {
	u.s.mu.Lock()
	u.rcvbuf = n
	u.s.mu.Unlock()
}
