package conn

import (
	"context"
	"net"
	"time"

	"github.com/renet-go/renet/netstack"
)

// ListenConfig holds options for listening, as net.ListenConfig does, with
// the one net.ListenConfig lacks: the backlog.
type ListenConfig struct {
	Stack *netstack.Stack

	// Backlog bounds the established connections waiting for Accept, as
	// listen(2)'s backlog: beyond it new SYNs are dropped and clients
	// retry. Zero means the stack's Config.ListenBacklog (default 4096,
	// Linux's somaxconn, which is what Go's net.Listen gets). Handshakes
	// in progress have a queue of their own, Config.SYNBacklog.
	Backlog int

	// KeepAlive is the keep-alive period of accepted connections, as in
	// net.ListenConfig: zero means 15 seconds, negative turns keep-alive
	// off.
	KeepAlive time.Duration

	// Resolver looks up a host name in a Listen or ListenPacket address;
	// nil means LookupNetIP with the stack's Config.DNS servers, as for
	// Dialer.Resolver.
	Resolver *net.Resolver
}

// Listen announces on a local address: network "tcp", "tcp4" or "tcp6",
// address as net.Listen takes it (":80", "10.0.0.1:8080", "[fdaa::1]:80",
// "myhost:80"). A host name is looked up (see Resolver) and the listener
// bound to its first IPv4 address, else its first address, as net.Listen
// does. The result is a *TCPListener.
//
// An empty or unspecified host (":80", "0.0.0.0:80", "[::]:80") listens
// on every address as net does: with "tcp" on a stack that has an IPv6
// address, the listener is dual-stack, bound to ::, its Addr "[::]:80",
// and takes connections of both families; on a stack without IPv6 it is
// bound to 0.0.0.0. "tcp4" binds 0.0.0.0, IPv4 only; "tcp6" binds :: for
// IPv6 only, as Go's listener (IPV6_V6ONLY), so both may hold one port. The
// addresses of an IPv4 connection accepted on a dual-stack listener look
// as Go shows them: RemoteAddr().String() is "10.0.0.2:40000", and the
// *net.TCPAddr's AddrPort, like TCPConn.RemoteAddrPort, is the
// IPv4-mapped [::ffff:10.0.0.2]:40000.
func (lc *ListenConfig) Listen(ctx context.Context, network, address string) (net.Listener, error) {
	switch network {
	case "tcp", "tcp4", "tcp6":
	default:
		return nil, &net.OpError{Op: "listen", Net: network, Err: net.UnknownNetworkError(network)}
	}
	laddr, err := listenAddr(ctx, lc.Stack, lc.Resolver, network, address)
	if err != nil {
		return nil, &net.OpError{Op: "listen", Net: network, Err: err}
	}
	return listenTCP(lc.Stack, network, laddr, lc.Backlog, lc.KeepAlive)
}

// ListenPacket opens a UDP socket ("udp", "udp4" or "udp6") bound to address; see
// the package-level ListenPacket.
func (lc *ListenConfig) ListenPacket(ctx context.Context, network, address string) (net.PacketConn, error) {
	return listenPacket(ctx, lc.Stack, lc.Resolver, network, address)
}
