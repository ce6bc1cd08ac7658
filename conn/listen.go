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

// Listen announces on a local address: network "tcp" or "tcp4", address
// as net.Listen takes it (":80", "10.0.0.1:8080", "myhost:80"). A host
// name is looked up (see Resolver) and the listener bound to its first
// IPv4 address, as net.Listen does. The result is a *TCPListener.
func (lc *ListenConfig) Listen(ctx context.Context, network, address string) (net.Listener, error) {
	switch network {
	case "tcp", "tcp4":
	default:
		return nil, &net.OpError{Op: "listen", Net: network, Err: net.UnknownNetworkError(network)}
	}
	laddr, err := listenAddr(ctx, lc.Stack, lc.Resolver, network, address)
	if err != nil {
		return nil, &net.OpError{Op: "listen", Net: network, Err: err}
	}
	return listenTCP(lc.Stack, laddr, lc.Backlog, lc.KeepAlive)
}

// ListenPacket opens a UDP socket ("udp" or "udp4") bound to address; see
// the package-level ListenPacket.
func (lc *ListenConfig) ListenPacket(ctx context.Context, network, address string) (net.PacketConn, error) {
	return listenPacket(ctx, lc.Stack, lc.Resolver, network, address)
}
