package wgnet

import (
	"context"
	"net"
	"net/netip"

	"github.com/renet-go/renet/conn"
)

// TCPConn is a TCP connection through the tunnel. It has every method of
// gVisor's *gonet.TCPConn (Read, Write, Close, CloseRead, CloseWrite,
// LocalAddr, RemoteAddr and the three deadline setters) and those of
// *net.TCPConn besides.
type TCPConn = conn.TCPConn

// UDPConn is a UDP socket through the tunnel, connected or not. It has
// every method of gVisor's *gonet.UDPConn and those of *net.UDPConn
// besides.
type UDPConn = conn.UDPConn

// TCPListener is a TCP listener on the tunnel's addresses: renet's
// *conn.TCPListener (Accept, Close, Addr, SetDeadline, AcceptTCP) with
// gonet's Shutdown added.
type TCPListener struct {
	*conn.TCPListener
}

var _ net.Listener = (*TCPListener)(nil)

// Shutdown stops listening, as gonet's TCPListener.Shutdown does, which
// http.Server users call: a blocked Accept returns, and connections not
// yet accepted are reset. Here it is Close; the listener's port is free
// afterwards.
func (l *TCPListener) Shutdown() { l.TCPListener.Close() }

// tcpAddrPort converts a *net.TCPAddr (nil: the zero AddrPort).
func tcpAddrPort(a *net.TCPAddr) netip.AddrPort {
	if a == nil {
		return netip.AddrPort{}
	}
	return a.AddrPort()
}

// udpAddrPort converts a *net.UDPAddr (nil: the zero AddrPort).
func udpAddrPort(a *net.UDPAddr) netip.AddrPort {
	if a == nil {
		return netip.AddrPort{}
	}
	return a.AddrPort()
}

// unspecified replaces a missing address by 0.0.0.0, keeping the port.
func unspecified(ap netip.AddrPort) netip.AddrPort {
	if !ap.Addr().IsValid() {
		return netip.AddrPortFrom(netip.IPv4Unspecified(), ap.Port())
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}

// DialContextTCPAddrPort connects to addr through the tunnel, giving up
// when ctx is done.
func (n *Net) DialContextTCPAddrPort(ctx context.Context, addr netip.AddrPort) (*TCPConn, error) {
	d := conn.Dialer{Stack: n.stack, KeepAlive: -1} // gonet sets no keep-alive
	c, err := d.DialContext(ctx, "tcp4", unspecified(addr).String())
	if err != nil {
		return nil, err
	}
	return c.(*TCPConn), nil
}

// DialContextTCP is DialContextTCPAddrPort with a *net.TCPAddr.
func (n *Net) DialContextTCP(ctx context.Context, addr *net.TCPAddr) (*TCPConn, error) {
	return n.DialContextTCPAddrPort(ctx, tcpAddrPort(addr))
}

// DialTCPAddrPort connects to addr through the tunnel.
func (n *Net) DialTCPAddrPort(addr netip.AddrPort) (*TCPConn, error) {
	return n.DialContextTCPAddrPort(context.Background(), addr)
}

// DialTCP is DialTCPAddrPort with a *net.TCPAddr.
func (n *Net) DialTCP(addr *net.TCPAddr) (*TCPConn, error) {
	return n.DialContextTCPAddrPort(context.Background(), tcpAddrPort(addr))
}

// ListenTCPAddrPort listens on addr: an unspecified (or zero) address
// means every local address, port 0 a free port.
func (n *Net) ListenTCPAddrPort(addr netip.AddrPort) (*TCPListener, error) {
	l, err := conn.ListenTCP(n.stack, unspecified(addr))
	if err != nil {
		return nil, err
	}
	return &TCPListener{l}, nil
}

// ListenTCP is ListenTCPAddrPort with a *net.TCPAddr.
func (n *Net) ListenTCP(addr *net.TCPAddr) (*TCPListener, error) {
	return n.ListenTCPAddrPort(tcpAddrPort(addr))
}

// DialUDPAddrPort opens a UDP socket bound to laddr (zero: any address,
// a free port) and, when raddr is valid, connected to it; otherwise the
// socket is unconnected, for ReadFrom and WriteTo.
func (n *Net) DialUDPAddrPort(laddr, raddr netip.AddrPort) (*UDPConn, error) {
	if !raddr.Addr().IsValid() {
		return conn.ListenUDP(n.stack, "udp4", unspecified(laddr))
	}
	d := conn.Dialer{Stack: n.stack}
	if laddr.Addr().IsValid() || laddr.Port() != 0 {
		d.LocalAddr = net.UDPAddrFromAddrPort(unspecified(laddr))
	}
	c, err := d.DialContext(context.Background(), "udp4", raddr.String())
	if err != nil {
		return nil, err
	}
	return c.(*UDPConn), nil
}

// ListenUDPAddrPort opens an unconnected UDP socket bound to laddr.
func (n *Net) ListenUDPAddrPort(laddr netip.AddrPort) (*UDPConn, error) {
	return n.DialUDPAddrPort(laddr, netip.AddrPort{})
}

// DialUDP is DialUDPAddrPort with *net.UDPAddrs (nil: zero).
func (n *Net) DialUDP(laddr, raddr *net.UDPAddr) (*UDPConn, error) {
	return n.DialUDPAddrPort(udpAddrPort(laddr), udpAddrPort(raddr))
}

// ListenUDP is ListenUDPAddrPort with a *net.UDPAddr.
func (n *Net) ListenUDP(laddr *net.UDPAddr) (*UDPConn, error) {
	return n.DialUDPAddrPort(udpAddrPort(laddr), netip.AddrPort{})
}
