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
	// Resolver looks up host names, as net.Dialer's does; its queries
	// should go through the stack (see NewResolver, and what Go's
	// resolver reads from the host). When nil, names are looked up by
	// LookupNetIP through Stack with the servers of its Config.DNS, which
	// reads nothing from the host: no /etc/hosts, so "localhost" is asked
	// of the servers like any name, and no search domains, so "db" is
	// asked as "db.". With no servers, dialing a name fails with a
	// *net.DNSError wrapping ErrNoDNSServers. IP literals are never
	// looked up.
	Resolver *net.Resolver
}

// Dial connects to address on the named network through s. Networks are
// "tcp", "tcp4", "udp" and "udp4"; addresses take the form "host:port",
// where host is an IP literal or a name looked up by LookupNetIP with the
// stack's Config.DNS servers (see Dialer.DialContext).
func Dial(s *netstack.Stack, network, address string) (net.Conn, error) {
	d := Dialer{Stack: s}
	return d.DialContext(context.Background(), network, address)
}

// DialContext is Dial with a context: cancelling it aborts a dial in
// progress, the name lookup included.
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
//
// A host name is looked up with d.Resolver, or without one by LookupNetIP
// (see Resolver), and its IPv4 addresses are tried one after the other,
// in the order the lookup gave them, as net.Dialer does: each
// attempt gets an equal share of the time left before the deadline (from
// ctx or d.Timeout), at least two seconds unless less remains; the first
// connection made is returned, and if none is, the first error.
func (d *Dialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	if d.Stack == nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: errors.New("conn: Dialer.Stack is nil")}
	}
	switch network {
	case "udp", "udp4", "tcp", "tcp4":
	default:
		return nil, &net.OpError{Op: "dial", Net: network, Err: net.UnknownNetworkError(network)}
	}
	if d.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d.Timeout)
		defer cancel()
	}
	addrs, err := lookupAddrs(ctx, d.Stack, d.Resolver, network, address)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: err}
	}
	return d.dialSerial(ctx, network, addrs)
}

// dialSerial tries addrs in order, as net.Dialer's dialSerial: each gets
// a partialDeadline; the first success wins, else the first error is
// returned.
func (d *Dialer) dialSerial(ctx context.Context, network string, addrs []netip.AddrPort) (net.Conn, error) {
	var first error
	for i, ra := range addrs {
		if err := ctx.Err(); err != nil {
			return nil, &net.OpError{Op: "dial", Net: network, Source: d.LocalAddr, Addr: netAddr(network, ra), Err: err}
		}
		dctx, cancel := ctx, context.CancelFunc(func() {})
		if deadline, ok := ctx.Deadline(); ok {
			pd, err := partialDeadline(time.Now(), deadline, len(addrs)-i)
			if err != nil {
				if first == nil {
					first = &net.OpError{Op: "dial", Net: network, Source: d.LocalAddr, Addr: netAddr(network, ra), Err: err}
				}
				break
			}
			if pd.Before(deadline) {
				dctx, cancel = context.WithDeadline(ctx, pd)
			}
		}
		c, err := d.dialOne(dctx, network, ra)
		cancel()
		if err == nil {
			return c, nil
		}
		if first == nil {
			first = err
		}
	}
	return nil, first
}

// dialOne connects to one address.
func (d *Dialer) dialOne(ctx context.Context, network string, raddr netip.AddrPort) (net.Conn, error) {
	switch network {
	case "tcp", "tcp4":
		return d.dialTCP(ctx, network, raddr.String())
	}
	return d.dialUDP(network, raddr)
}

// netAddr is raddr as the net.Addr type of network.
func netAddr(network string, raddr netip.AddrPort) net.Addr {
	switch network {
	case "tcp", "tcp4":
		return net.TCPAddrFromAddrPort(raddr)
	}
	return udpAddr(raddr)
}

// dialUDP opens a UDP socket connected to raddr.
func (d *Dialer) dialUDP(network string, raddr netip.AddrPort) (net.Conn, error) {
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
// ReadFrom/WriteTo use. The result is a *UDPConn. A host name in address
// is looked up by LookupNetIP with the stack's Config.DNS servers and the
// socket bound to its first IPv4 address, as net.ListenPacket does.
func ListenPacket(s *netstack.Stack, network, address string) (net.PacketConn, error) {
	return listenPacket(context.Background(), s, nil, network, address)
}

// listenPacket is ListenPacket with a context and a resolver for host
// names (nil: LookupNetIP with the stack's DNS servers).
func listenPacket(ctx context.Context, s *netstack.Stack, r *net.Resolver, network, address string) (net.PacketConn, error) {
	switch network {
	case "udp", "udp4":
	default:
		return nil, &net.OpError{Op: "listen", Net: network, Err: net.UnknownNetworkError(network)}
	}
	laddr, err := listenAddr(ctx, s, r, network, address)
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
