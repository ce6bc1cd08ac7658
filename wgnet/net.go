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

// families reports whether the stack holds an IPv4 address and whether
// it holds an IPv6 one, as tun/netstack's hasV4 and hasV6.
func (n *Net) families() (v4, v6 bool) {
	for _, p := range n.stack.Addrs() {
		if p.Addr().Is4() {
			v4 = true
		} else {
			v6 = true
		}
	}
	return v4, v6
}

// unspecified replaces a missing address by 0.0.0.0, keeping the port,
// and unmaps an IPv4-mapped one.
func unspecified(ap netip.AddrPort) netip.AddrPort {
	if !ap.Addr().IsValid() {
		return netip.AddrPortFrom(netip.IPv4Unspecified(), ap.Port())
	}
	return netip.AddrPortFrom(ap.Addr().Unmap().WithZone(""), ap.Port())
}

// wildcard replaces a missing address by the wildcard a socket of
// tun/netstack binds for it: :: (both families) on a stack with an IPv6
// address, else 0.0.0.0. It keeps the port and unmaps an IPv4-mapped
// address.
func (n *Net) wildcard(ap netip.AddrPort) netip.AddrPort {
	if !ap.Addr().IsValid() {
		if _, v6 := n.families(); v6 {
			return netip.AddrPortFrom(netip.IPv6Unspecified(), ap.Port())
		}
	}
	return unspecified(ap)
}

// network is the conn network for an address of proto ("tcp", "udp"):
// proto4 for IPv4, proto6 for IPv6, so that 0.0.0.0 binds IPv4 only and
// an address of the other family is an error, as in tun/netstack, where
// the address picks the endpoint's protocol.
func network(proto string, a netip.Addr) string {
	if a.Is4() {
		return proto + "4"
	}
	return proto + "6"
}

// DialContextTCPAddrPort connects to addr, IPv4 or IPv6, through the
// tunnel, giving up when ctx is done.
func (n *Net) DialContextTCPAddrPort(ctx context.Context, addr netip.AddrPort) (*TCPConn, error) {
	d := conn.Dialer{Stack: n.stack, KeepAlive: -1} // gonet sets no keep-alive
	addr = unspecified(addr)
	c, err := d.DialContext(ctx, network("tcp", addr.Addr()), addr.String())
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

// ListenTCPAddrPort listens on addr, port 0 meaning a free port. 0.0.0.0
// takes IPv4 connections, :: both families (IPv4 peers then show as
// IPv4-mapped addresses), as tun/netstack's; a zero address is :: on a
// stack with an IPv6 address, else 0.0.0.0.
func (n *Net) ListenTCPAddrPort(addr netip.AddrPort) (*TCPListener, error) {
	l, err := conn.ListenTCP(n.stack, n.wildcard(addr))
	if err != nil {
		return nil, err
	}
	return &TCPListener{l}, nil
}

// ListenTCP is ListenTCPAddrPort with a *net.TCPAddr.
func (n *Net) ListenTCP(addr *net.TCPAddr) (*TCPListener, error) {
	return n.ListenTCPAddrPort(tcpAddrPort(addr))
}

// DialUDPAddrPort opens a UDP socket bound to laddr and, when raddr is
// valid, connected to it; otherwise the socket is unconnected, for
// ReadFrom and WriteTo. A zero laddr is a free port on any address of
// raddr's family or, unconnected, on the wildcard ListenTCPAddrPort
// binds (:: takes both families).
func (n *Net) DialUDPAddrPort(laddr, raddr netip.AddrPort) (*UDPConn, error) {
	if !raddr.Addr().IsValid() {
		laddr = n.wildcard(laddr)
		nw := network("udp", laddr.Addr())
		if laddr.Addr() == netip.IPv6Unspecified() {
			nw = "udp" // :: takes both families, as tun/netstack's ("udp6" is IPv6-only)
		}
		return conn.ListenUDP(n.stack, nw, laddr)
	}
	raddr = unspecified(raddr)
	d := conn.Dialer{Stack: n.stack}
	if laddr.Addr().IsValid() || laddr.Port() != 0 {
		la := laddr
		if !la.Addr().IsValid() {
			la = netip.AddrPortFrom(netip.IPv4Unspecified(), la.Port())
			if raddr.Addr().Is6() {
				la = netip.AddrPortFrom(netip.IPv6Unspecified(), la.Port())
			}
		}
		d.LocalAddr = net.UDPAddrFromAddrPort(unspecified(la))
	}
	c, err := d.DialContext(context.Background(), network("udp", raddr.Addr()), raddr.String())
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
