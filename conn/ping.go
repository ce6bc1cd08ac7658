package conn

import (
	"errors"
	"net"
	"net/netip"
	"syscall"
	"time"

	"github.com/renet-go/renet/netstack"
)

// PingConn is an ICMP echo socket on a renet stack, as Linux's
// unprivileged ping sockets and golang.org/x/net/icmp's "udp4" network
// give: WriteTo sends an ICMP echo request (a whole ICMP message, as
// icmp.Message.Marshal makes; the identifier is replaced by the socket's),
// ReadFrom returns the echo replies to this socket's identifier, whole
// ICMP messages without the IP header. It implements net.PacketConn, and
// net.Conn once connected by DialPing.
type PingConn struct {
	s      *netstack.Stack
	p      *netstack.PingSocket
	laddr  *net.IPAddr
	raddr  *net.IPAddr // nil unless connected
	rd, wd deadline
	closed chan struct{}
}

var (
	_ net.PacketConn = (*PingConn)(nil)
	_ net.Conn       = (*PingConn)(nil)
)

// ListenPing opens a ping socket on laddr (the zero Addr or 0.0.0.0: every
// address of the stack).
func ListenPing(s *netstack.Stack, laddr netip.Addr) (*PingConn, error) {
	p, err := s.OpenPing(laddr)
	if err != nil {
		return nil, &net.OpError{Op: "listen", Net: "ip4:icmp", Addr: ipAddr(laddr), Err: err}
	}
	return newPingConn(s, p), nil
}

// DialPing opens a ping socket connected to raddr: Write sends to it, Read
// takes replies from it only.
func DialPing(s *netstack.Stack, laddr, raddr netip.Addr) (*PingConn, error) {
	p, err := s.OpenPing(laddr)
	if err == nil {
		if err = p.Connect(raddr); err != nil {
			p.Close()
		}
	}
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: "ip4:icmp", Addr: ipAddr(raddr), Err: err}
	}
	c := newPingConn(s, p)
	c.raddr = ipAddr(raddr.Unmap())
	return c, nil
}

func newPingConn(s *netstack.Stack, p *netstack.PingSocket) *PingConn {
	return &PingConn{
		s: s, p: p, laddr: ipAddr(p.LocalAddr()),
		rd: newDeadline(), wd: newDeadline(), closed: make(chan struct{}),
	}
}

func ipAddr(a netip.Addr) *net.IPAddr {
	if !a.IsValid() {
		return nil
	}
	return &net.IPAddr{IP: a.AsSlice()}
}

// ID is the echo identifier the socket sends with and receives for.
func (c *PingConn) ID() uint16 { return c.p.ID() }

func (c *PingConn) opErr(op string, addr net.Addr, err error) error {
	if addr == nil && c.raddr != nil {
		addr = c.raddr
	}
	return opError(op, "ip4:icmp", c.laddr, addr, err)
}

// ReadFromAddr reads the next echo reply into b and returns its length and
// sender.
func (c *PingConn) ReadFromAddr(b []byte) (int, netip.Addr, error) {
	if isClosed(c.rd.wait()) {
		return 0, netip.Addr{}, c.opErr("read", nil, errDeadline)
	}
	for {
		n, from, err := c.p.TryReadFrom(b)
		if err == nil {
			return n, from, nil
		}
		if !errors.Is(err, netstack.ErrWouldBlock) {
			return 0, netip.Addr{}, c.opErr("read", nil, err)
		}
		select {
		case <-c.p.Readable():
		case <-c.rd.wait():
			return 0, netip.Addr{}, c.opErr("read", nil, errDeadline)
		case <-c.closed:
			return 0, netip.Addr{}, c.opErr("read", nil, net.ErrClosed)
		case <-c.s.Done():
			return 0, netip.Addr{}, c.opErr("read", nil, net.ErrClosed)
		}
	}
}

// ReadFrom implements net.PacketConn; the address is a *net.IPAddr.
func (c *PingConn) ReadFrom(b []byte) (int, net.Addr, error) {
	n, from, err := c.ReadFromAddr(b)
	if err != nil {
		return n, nil, err
	}
	return n, ipAddr(from), nil
}

// Read reads the next echo reply.
func (c *PingConn) Read(b []byte) (int, error) {
	n, _, err := c.ReadFromAddr(b)
	return n, err
}

// WriteToAddr sends the echo request b to dst.
func (c *PingConn) WriteToAddr(b []byte, dst netip.Addr) (int, error) {
	if isClosed(c.closed) {
		return 0, c.opErr("write", ipAddr(dst), net.ErrClosed)
	}
	if isClosed(c.wd.wait()) {
		return 0, c.opErr("write", ipAddr(dst), errDeadline)
	}
	n, err := c.p.WriteTo(b, dst)
	if err != nil {
		return n, c.opErr("write", ipAddr(dst), err)
	}
	return n, nil
}

// WriteTo implements net.PacketConn: addr is a *net.IPAddr, or a
// *net.UDPAddr as golang.org/x/net/icmp uses for ping sockets (its port is
// ignored).
func (c *PingConn) WriteTo(b []byte, addr net.Addr) (int, error) {
	var ip net.IP
	switch a := addr.(type) {
	case *net.IPAddr:
		if a != nil {
			ip = a.IP
		}
	case *net.UDPAddr:
		if a != nil {
			ip = a.IP
		}
	}
	dst, ok := netip.AddrFromSlice(ip)
	if !ok {
		return 0, c.opErr("write", addr, &net.AddrError{Err: "not an IP address", Addr: addrString(addr)})
	}
	if c.raddr != nil {
		return 0, c.opErr("write", addr, net.ErrWriteToConnected)
	}
	return c.WriteToAddr(b, dst.Unmap())
}

// Write sends the echo request b to the connected peer.
func (c *PingConn) Write(b []byte) (int, error) {
	if c.raddr == nil {
		return 0, c.opErr("write", nil, syscall.EDESTADDRREQ)
	}
	return c.WriteToAddr(b, netip.Addr{})
}

// Close releases the socket's identifier.
func (c *PingConn) Close() error {
	select {
	case <-c.closed:
		return c.opErr("close", nil, net.ErrClosed)
	default:
		close(c.closed)
	}
	c.p.Close()
	return nil
}

// LocalAddr is the bound address (0.0.0.0 for every address).
func (c *PingConn) LocalAddr() net.Addr { return c.laddr }

// RemoteAddr is the connected peer, or nil.
func (c *PingConn) RemoteAddr() net.Addr {
	if c.raddr == nil {
		return nil
	}
	return c.raddr
}

// SetDeadline sets the read and write deadlines.
func (c *PingConn) SetDeadline(t time.Time) error {
	c.rd.set(t)
	c.wd.set(t)
	return nil
}

// SetReadDeadline sets the read deadline.
func (c *PingConn) SetReadDeadline(t time.Time) error { c.rd.set(t); return nil }

// SetWriteDeadline sets the write deadline.
func (c *PingConn) SetWriteDeadline(t time.Time) error { c.wd.set(t); return nil }
