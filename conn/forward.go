package conn

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"syscall"
	"time"

	"github.com/renet-go/renet/netstack"
)

// ForwarderConfig bounds a Forwarder; see netstack.ForwarderConfig.
type ForwarderConfig = netstack.ForwarderConfig

// EchoRequest is a ping to an address the stack does not own; see
// netstack.EchoRequest. Call Reply only if the destination answered.
type EchoRequest = netstack.EchoRequest

// Forwarder hands out the TCP connections, UDP flows and pings a stack
// receives for addresses that are not its own, as a tunnel or a subnet
// router needs them: each with its original destination, answered as that
// destination. Local sockets keep priority. See netstack.Forwarder for the
// bounds and timeouts.
type Forwarder struct {
	s *netstack.Stack
	f *netstack.Forwarder
	// KeepAlive is the keep-alive period of accepted connections: zero
	// for the default (15s, as net.ListenConfig), negative to disable.
	// Set it before the first Accept.
	KeepAlive time.Duration
}

// NewForwarder makes s take flows to every address it does not own. A
// stack has one forwarder at a time: EBUSY while another is open.
func NewForwarder(s *netstack.Stack, cfg ForwarderConfig) (*Forwarder, error) {
	f, err := s.Forward(cfg)
	if err != nil {
		return nil, &net.OpError{Op: "listen", Net: "ip4", Err: err}
	}
	return &Forwarder{s: s, f: f}, nil
}

// accept waits for try to yield, on ready, until ctx is done or the
// forwarder or stack closes.
func accept[T any](ctx context.Context, s *netstack.Stack, ready <-chan struct{}, try func() (T, error)) (T, error) {
	for {
		v, err := try()
		if err == nil || !errors.Is(err, netstack.ErrWouldBlock) {
			return v, err
		}
		select {
		case <-ready:
		case <-ctx.Done():
			var zero T
			return zero, ctx.Err()
		case <-s.Done():
			var zero T
			return zero, net.ErrClosed
		}
	}
}

func acceptErr(network string, err error) error {
	return &net.OpError{Op: "accept", Net: network, Err: err}
}

// AcceptTCP waits for a client to open a TCP connection to an address the
// stack does not own. Nothing has been answered yet: decide with Accept or
// Reject, in whichever order suits the upstream dial.
func (f *Forwarder) AcceptTCP(ctx context.Context) (*TCPRequest, error) {
	r, err := accept(ctx, f.s, f.f.TCPReady(), f.f.TryAcceptTCP)
	if err != nil {
		return nil, acceptErr("tcp", err)
	}
	return &TCPRequest{Src: r.Src, Dst: r.Dst, f: f, r: r}, nil
}

// AcceptUDP waits for a new UDP flow: the datagrams of one client address
// and port to addresses the stack does not own.
func (f *Forwarder) AcceptUDP(ctx context.Context) (*UDPFlow, error) {
	u, err := accept(ctx, f.s, f.f.UDPReady(), f.f.TryAcceptUDP)
	if err != nil {
		return nil, acceptErr("udp", err)
	}
	return newUDPFlow(f.s, u), nil
}

// AcceptEcho waits for a ping to an address the stack does not own. Reply
// to it only if that address answered; an echo request nobody takes is
// never answered.
func (f *Forwarder) AcceptEcho(ctx context.Context) (*EchoRequest, error) {
	e, err := accept(ctx, f.s, f.f.EchoReady(), f.f.TryAcceptEcho)
	if err != nil {
		return nil, acceptErr("ip4:icmp", err)
	}
	return e, nil
}

// Close stops taking new flows and refuses pending requests; connections
// and flows already handed out keep working until closed.
func (f *Forwarder) Close() error { return f.f.Close() }

// Stats returns the forwarder's counters and the flows it holds.
func (f *Forwarder) Stats() netstack.ForwarderStats { return f.f.Stats() }

// TCPRequest is a client's connection attempt to Dst, not yet answered.
type TCPRequest struct {
	// Src is the client; Dst the address it dialed, which the
	// connection will answer as.
	Src, Dst netip.AddrPort
	f        *Forwarder
	r        *netstack.TCPRequest
}

// Accept answers the client's SYN, as Dst, and returns the connection once
// the handshake completes. If ctx ends first the half-open connection is
// reset. The client may have given up already: then ECONNRESET or
// ETIMEDOUT.
func (r *TCPRequest) Accept(ctx context.Context) (*TCPConn, error) {
	fail := func(err error) (*TCPConn, error) {
		return nil, &net.OpError{Op: "accept", Net: "tcp", Source: net.TCPAddrFromAddrPort(r.Dst), Addr: net.TCPAddrFromAddrPort(r.Src), Err: err}
	}
	sk, err := r.r.Accept(nil)
	if err != nil {
		return fail(err)
	}
	if err := awaitHandshake(ctx, r.f.s, sk, syscall.ECONNRESET); err != nil {
		return fail(err)
	}
	setKeepAlive(sk, r.f.KeepAlive)
	return newTCPConn(r.f.s, sk, false), nil
}

// Reject answers the client as err, the upstream dial's failure, says:
// a RST for a refused or reset connection, ICMP network or host
// unreachable, administratively prohibited for EACCES/EPERM, and silence
// for anything else (a timeout), as netstack.RefusalFor maps it.
func (r *TCPRequest) Reject(err error) error {
	return r.Refuse(netstack.RefusalFor(err))
}

// Refuse answers the client as how says.
func (r *TCPRequest) Refuse(how netstack.Refusal) error { return r.r.Refuse(how) }

// UDPFlow is one client's UDP traffic to addresses the stack does not own.
// It is a net.PacketConn seen from the client's side: ReadFrom returns a
// datagram and the destination the client sent it to; WriteTo(b, from)
// delivers b to the client as if sent by from, any address (so full-cone
// NAT works). LocalAddr is the client's address.
type UDPFlow struct {
	s      *netstack.Stack
	u      *netstack.UDPFlow
	client *net.UDPAddr
	rd, wd deadline
	closed chan struct{}
}

var _ net.PacketConn = (*UDPFlow)(nil)

func newUDPFlow(s *netstack.Stack, u *netstack.UDPFlow) *UDPFlow {
	return &UDPFlow{
		s: s, u: u, client: net.UDPAddrFromAddrPort(u.Client()),
		rd: newDeadline(), wd: newDeadline(), closed: make(chan struct{}),
	}
}

// Client is the client's address and port.
func (c *UDPFlow) Client() netip.AddrPort { return c.u.Client() }

func (c *UDPFlow) opErr(op string, addr netip.AddrPort, err error) error {
	var a net.Addr
	if addr.IsValid() {
		a = net.UDPAddrFromAddrPort(addr)
	}
	return opError(op, "udp", c.client, a, err)
}

// ReadFromUDPAddrPort reads the next datagram from the client into b and
// returns its length and the destination the client addressed. When the
// flow ends (Close, its idle timeout, the forwarder's close) it returns
// net.ErrClosed.
func (c *UDPFlow) ReadFromUDPAddrPort(b []byte) (int, netip.AddrPort, error) {
	if isClosed(c.rd.wait()) {
		return 0, netip.AddrPort{}, c.opErr("read", netip.AddrPort{}, errDeadline)
	}
	for {
		n, dst, err := c.u.TryReadFrom(b)
		if err == nil {
			return n, dst, nil
		}
		if !errors.Is(err, netstack.ErrWouldBlock) {
			return 0, netip.AddrPort{}, c.opErr("read", netip.AddrPort{}, err)
		}
		select {
		case <-c.u.Readable():
		case <-c.rd.wait():
			return 0, netip.AddrPort{}, c.opErr("read", netip.AddrPort{}, errDeadline)
		case <-c.closed:
			return 0, netip.AddrPort{}, c.opErr("read", netip.AddrPort{}, net.ErrClosed)
		case <-c.s.Done():
			return 0, netip.AddrPort{}, c.opErr("read", netip.AddrPort{}, net.ErrClosed)
		}
	}
}

// Wait blocks until a datagram can be read without blocking, or the flow
// has ended (then ReadFrom reports why), or ctx or the read deadline
// ends. A relay of many mostly idle flows can wait without holding a
// buffer per flow, and take one from a pool only to read.
func (c *UDPFlow) Wait(ctx context.Context) error {
	if isClosed(c.closed) {
		return c.opErr("read", netip.AddrPort{}, net.ErrClosed)
	}
	for !c.u.Ready() {
		select {
		case <-c.u.Readable():
		case <-ctx.Done():
			return ctx.Err()
		case <-c.rd.wait():
			return c.opErr("read", netip.AddrPort{}, errDeadline)
		case <-c.closed:
			return c.opErr("read", netip.AddrPort{}, net.ErrClosed)
		case <-c.s.Done():
			return c.opErr("read", netip.AddrPort{}, net.ErrClosed)
		}
	}
	return nil // ReadFrom tries the queue before it waits on a token
}

// ReadFrom implements net.PacketConn; the address is the destination.
func (c *UDPFlow) ReadFrom(b []byte) (int, net.Addr, error) {
	n, dst, err := c.ReadFromUDPAddrPort(b)
	if err != nil {
		return n, nil, err
	}
	return n, net.UDPAddrFromAddrPort(dst), nil
}

// WriteToUDPAddrPort sends b to the client from the address from.
func (c *UDPFlow) WriteToUDPAddrPort(b []byte, from netip.AddrPort) (int, error) {
	if isClosed(c.wd.wait()) {
		return 0, c.opErr("write", from, errDeadline)
	}
	n, err := c.u.WriteTo(b, from)
	if err != nil {
		return n, c.opErr("write", from, err)
	}
	return n, nil
}

// WriteTo implements net.PacketConn: from is a *net.UDPAddr.
func (c *UDPFlow) WriteTo(b []byte, from net.Addr) (int, error) {
	ap, ok := addrPortOf(from)
	if !ok {
		return 0, c.opErr("write", netip.AddrPort{}, &net.AddrError{Err: "not a UDP address", Addr: addrString(from)})
	}
	return c.WriteToUDPAddrPort(b, ap)
}

// Reject tells the client its datagrams to dst cannot be delivered, as
// err (the upstream's failure) says: ICMP port unreachable for a refusal,
// network or host unreachable, administratively prohibited, or nothing.
func (c *UDPFlow) Reject(dst netip.AddrPort, err error) error {
	return c.u.Refuse(dst, netstack.RefusalFor(err))
}

// Refuse is Reject with the answer named directly.
func (c *UDPFlow) Refuse(dst netip.AddrPort, how netstack.Refusal) error {
	return c.u.Refuse(dst, how)
}

// Close ends the flow; the client's next datagram opens a new one.
func (c *UDPFlow) Close() error {
	select {
	case <-c.closed:
		return c.opErr("close", netip.AddrPort{}, net.ErrClosed)
	default:
		close(c.closed)
	}
	c.u.Close()
	return nil
}

// LocalAddr is the client's address: the one end every datagram of the
// flow shares.
func (c *UDPFlow) LocalAddr() net.Addr { return c.client }

// SetDeadline sets the read and write deadlines.
func (c *UDPFlow) SetDeadline(t time.Time) error {
	c.rd.set(t)
	c.wd.set(t)
	return nil
}

// SetReadDeadline sets the read deadline.
func (c *UDPFlow) SetReadDeadline(t time.Time) error { c.rd.set(t); return nil }

// SetWriteDeadline sets the write deadline.
func (c *UDPFlow) SetWriteDeadline(t time.Time) error { c.wd.set(t); return nil }

func addrString(a net.Addr) string {
	if a == nil {
		return "<nil>"
	}
	return a.String()
}
