package conn

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"time"

	"github.com/renet-go/renet/netstack"
)

// Dialer holds options for dialing through a stack, like net.Dialer.
type Dialer struct {
	// Stack is the stack to dial through. Required.
	Stack *netstack.Stack
	// Timeout bounds the whole dial; zero means no timeout beyond the
	// context's (and the protocol's own).
	Timeout time.Duration
	// LocalAddr is the local address to dial from (*net.TCPAddr or
	// *net.UDPAddr); nil picks one.
	LocalAddr net.Addr
	// KeepAlive is the TCP keep-alive period: zero for the default (15s, as
	// net.Dialer), negative to disable.
	KeepAlive time.Duration
}

// Dial connects to address on the named network through s. Networks are
// "tcp", "tcp4", "udp" and "udp4"; addresses take the form "ip:port".
func Dial(s *netstack.Stack, network, address string) (net.Conn, error) {
	d := Dialer{Stack: s}
	return d.DialContext(context.Background(), network, address)
}

// DialContext is Dial with a context: cancelling it aborts a dial in
// progress.
func DialContext(ctx context.Context, s *netstack.Stack, network, address string) (net.Conn, error) {
	d := Dialer{Stack: s}
	return d.DialContext(ctx, network, address)
}

// Dial connects to address on the named network.
func (d *Dialer) Dial(network, address string) (net.Conn, error) {
	return d.DialContext(context.Background(), network, address)
}

// DialContext connects to address on the named network, giving up when ctx
// is done.
func (d *Dialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	if d.Stack == nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: errors.New("conn: Dialer.Stack is nil")}
	}
	if d.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d.Timeout)
		defer cancel()
	}
	switch network {
	case "udp", "udp4":
	case "tcp", "tcp4":
		return d.dialTCP(ctx, network, address)
	default:
		return nil, &net.OpError{Op: "dial", Net: network, Err: net.UnknownNetworkError(network)}
	}
	raddr, err := resolve(ctx, network, address)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: err}
	}
	local := netip.AddrPortFrom(netip.IPv4Unspecified(), 0)
	if d.LocalAddr != nil {
		var ok bool
		if local, ok = addrPortOf(d.LocalAddr); !ok {
			return nil, &net.OpError{Op: "dial", Net: network, Addr: udpAddr(raddr),
				Err: &net.AddrError{Err: "mismatched local address type", Addr: d.LocalAddr.String()}}
		}
	}
	sock, err := d.Stack.BindUDP(local)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Source: d.LocalAddr, Addr: udpAddr(raddr), Err: err}
	}
	sock.SetBroadcast(true) // as Go's net package sets SO_BROADCAST on UDP sockets
	if err := sock.Connect(raddr); err != nil {
		sock.Close()
		return nil, &net.OpError{Op: "dial", Net: network, Source: d.LocalAddr, Addr: udpAddr(raddr), Err: err}
	}
	return newUDPConn(d.Stack, sock, network), nil
}

// DialAddrPort is DialContext with a netip.AddrPort instead of a string,
// for callers that already hold a parsed address: no parsing, no lookup.
func (d *Dialer) DialAddrPort(ctx context.Context, network string, addr netip.AddrPort) (net.Conn, error) {
	return d.DialContext(ctx, network, addr.String())
}

// ListenPacket opens a UDP socket bound to address ("udp" or "udp4"), for
// ReadFrom/WriteTo use. The result is a *UDPConn.
func ListenPacket(s *netstack.Stack, network, address string) (net.PacketConn, error) {
	switch network {
	case "udp", "udp4":
	default:
		return nil, &net.OpError{Op: "listen", Net: network, Err: net.UnknownNetworkError(network)}
	}
	laddr, err := resolve(context.Background(), network, address)
	if err != nil {
		return nil, &net.OpError{Op: "listen", Net: network, Err: err}
	}
	sock, err := s.BindUDP(laddr)
	if err != nil {
		return nil, &net.OpError{Op: "listen", Net: network, Addr: udpAddr(laddr), Err: err}
	}
	sock.SetBroadcast(true) // as Go's net package sets SO_BROADCAST on UDP sockets
	return newUDPConn(s, sock, network), nil
}

// ListenUDP is ListenPacket with typed arguments and result, like
// net.ListenUDP.
func ListenUDP(s *netstack.Stack, network string, laddr netip.AddrPort) (*UDPConn, error) {
	pc, err := ListenPacket(s, network, laddr.String())
	if err != nil {
		return nil, err
	}
	return pc.(*UDPConn), nil
}
