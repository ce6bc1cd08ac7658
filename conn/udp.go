package conn

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"time"

	"github.com/renet-go/renet/netstack"
)

// UDPConn is a UDP socket on a renet stack. It implements net.Conn (when
// connected, as returned by Dial) and net.PacketConn, like *net.UDPConn.
type UDPConn struct {
	stack   *netstack.Stack
	sock    *netstack.UDPSocket
	network string
	dual    bool     // bound to ::: IPv4 senders show IPv4-mapped
	laddr   net.Addr // fixed at creation
	raddr   net.Addr // nil unless connected
	rd, wd  deadline

	closeOnce sync.Once
	closed    chan struct{}
}

var (
	_ net.Conn       = (*UDPConn)(nil)
	_ net.PacketConn = (*UDPConn)(nil)
)

func newUDPConn(s *netstack.Stack, sock *netstack.UDPSocket, network string) *UDPConn {
	local := sock.LocalAddr()
	return &UDPConn{
		stack:   s,
		sock:    sock,
		network: network,
		dual:    isDual(local),
		laddr:   udpAddr(local),
		raddr:   udpAddr(sock.RemoteAddr()),
		rd:      newDeadline(),
		wd:      newDeadline(),
		closed:  make(chan struct{}),
	}
}

// ReadFromUDPAddrPort reads one datagram into b and returns its length and
// sender. It allocates nothing. A datagram longer than b is truncated. On
// a dual-stack socket (bound to ::) an IPv4 sender is IPv4-mapped, as Go
// reports it.
func (c *UDPConn) ReadFromUDPAddrPort(b []byte) (int, netip.AddrPort, error) {
	if isClosed(c.closed) {
		return 0, netip.AddrPort{}, c.readErr(net.ErrClosed)
	}
	// A deadline already past wins over queued data, as in net: setting
	// one is how callers interrupt reads.
	if isClosed(c.rd.wait()) {
		return 0, netip.AddrPort{}, c.readErr(errDeadline)
	}
	for {
		n, from, err := c.sock.TryReadFrom(b)
		if err == nil {
			return n, presented(from, c.dual), nil
		}
		if !errors.Is(err, netstack.ErrWouldBlock) {
			return 0, netip.AddrPort{}, c.readErr(err)
		}
		select {
		case <-c.sock.Readable():
		case <-c.rd.wait():
			return 0, netip.AddrPort{}, c.readErr(errDeadline)
		case <-c.closed:
			return 0, netip.AddrPort{}, c.readErr(net.ErrClosed)
		case <-c.stack.Done():
			return 0, netip.AddrPort{}, c.readErr(net.ErrClosed)
		}
	}
}

func (c *UDPConn) readErr(err error) error {
	return opError("read", c.network, c.laddr, c.raddr, err)
}

func (c *UDPConn) writeErr(to net.Addr, err error) error {
	if to == nil {
		to = c.raddr
	}
	return opError("write", c.network, c.laddr, to, err)
}

// ReadFromUDP is ReadFromUDPAddrPort returning a *net.UDPAddr.
func (c *UDPConn) ReadFromUDP(b []byte) (int, *net.UDPAddr, error) {
	n, from, err := c.ReadFromUDPAddrPort(b)
	if err != nil {
		return n, nil, err
	}
	return n, net.UDPAddrFromAddrPort(from), nil
}

// ReadFrom implements net.PacketConn.
func (c *UDPConn) ReadFrom(b []byte) (int, net.Addr, error) {
	n, from, err := c.ReadFromUDPAddrPort(b)
	if err != nil {
		return n, nil, err
	}
	return n, net.UDPAddrFromAddrPort(from), nil
}

// Read implements net.Conn: it reads the next datagram from the connected
// peer.
func (c *UDPConn) Read(b []byte) (int, error) {
	n, _, err := c.ReadFromUDPAddrPort(b)
	return n, err
}

// WriteToUDPAddrPort sends b as one datagram to addr. It allocates nothing
// per call in steady state.
func (c *UDPConn) WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error) {
	if c.raddr != nil {
		return 0, c.writeErr(udpAddr(addr), net.ErrWriteToConnected)
	}
	if !addr.IsValid() {
		return 0, c.writeErr(nil, syscall.EDESTADDRREQ)
	}
	return c.write(b, addr)
}

func (c *UDPConn) write(b []byte, addr netip.AddrPort) (int, error) {
	if isClosed(c.closed) {
		return 0, c.writeErr(udpAddr(addr), net.ErrClosed)
	}
	// UDP sends never block, so a write deadline only matters once it
	// has passed.
	if isClosed(c.wd.wait()) {
		return 0, c.writeErr(udpAddr(addr), errDeadline)
	}
	n, err := c.sock.WriteTo(b, addr)
	if err != nil {
		return n, c.writeErr(udpAddr(addr), err)
	}
	return n, nil
}

// WriteToUDP is WriteToUDPAddrPort taking a *net.UDPAddr.
func (c *UDPConn) WriteToUDP(b []byte, addr *net.UDPAddr) (int, error) {
	ap, ok := addrPortOf(addr)
	if !ok {
		return 0, c.writeErr(nil, &net.AddrError{Err: "invalid address", Addr: addr.String()})
	}
	return c.WriteToUDPAddrPort(b, ap)
}

// WriteTo implements net.PacketConn.
func (c *UDPConn) WriteTo(b []byte, addr net.Addr) (int, error) {
	ap, ok := addrPortOf(addr)
	if !ok {
		return 0, c.writeErr(addr, syscall.EINVAL)
	}
	return c.WriteToUDPAddrPort(b, ap)
}

// Write implements net.Conn: it sends b to the connected peer.
func (c *UDPConn) Write(b []byte) (int, error) {
	if c.raddr == nil {
		return 0, c.writeErr(nil, syscall.EDESTADDRREQ)
	}
	return c.write(b, netip.AddrPort{})
}

// Close closes the socket. Blocked reads return net.ErrClosed.
func (c *UDPConn) Close() error {
	err := opError("close", c.network, c.laddr, c.raddr, net.ErrClosed)
	c.closeOnce.Do(func() {
		err = nil
		close(c.closed)
		c.sock.Close()
	})
	return err
}

// LocalAddr returns the local address as a *net.UDPAddr.
func (c *UDPConn) LocalAddr() net.Addr { return c.laddr }

// RemoteAddr returns the connected peer as a *net.UDPAddr, or nil.
func (c *UDPConn) RemoteAddr() net.Addr { return c.raddr }

// SetDeadline sets both the read and write deadlines.
func (c *UDPConn) SetDeadline(t time.Time) error {
	if isClosed(c.closed) {
		return opError("set", c.network, c.laddr, c.raddr, net.ErrClosed)
	}
	c.rd.set(t)
	c.wd.set(t)
	return nil
}

// SetReadDeadline sets the time after which reads fail with
// os.ErrDeadlineExceeded; a deadline set while a read is blocked wakes it.
func (c *UDPConn) SetReadDeadline(t time.Time) error {
	if isClosed(c.closed) {
		return opError("set", c.network, c.laddr, c.raddr, net.ErrClosed)
	}
	c.rd.set(t)
	return nil
}

// SetWriteDeadline sets the write deadline.
func (c *UDPConn) SetWriteDeadline(t time.Time) error {
	if isClosed(c.closed) {
		return opError("set", c.network, c.laddr, c.raddr, net.ErrClosed)
	}
	c.wd.set(t)
	return nil
}

// SetReadBuffer sets the socket's receive buffer size in bytes.
func (c *UDPConn) SetReadBuffer(bytes int) error {
	if bytes < 0 {
		return opError("set", c.network, c.laddr, c.raddr, syscall.EINVAL)
	}
	c.sock.SetReceiveBuffer(bytes)
	return nil
}

// SetWriteBuffer is accepted for compatibility; UDP sends are never
// buffered in the stack beyond neighbour resolution.
func (c *UDPConn) SetWriteBuffer(bytes int) error {
	if bytes < 0 {
		return opError("set", c.network, c.laddr, c.raddr, syscall.EINVAL)
	}
	return nil
}
