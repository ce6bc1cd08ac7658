package main

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"syscall"

	"github.com/renet-go/renet/conn"
	"github.com/renet-go/renet/netstack"
)

// A stream is one end of an established connection, reached through the
// layer a run measures. Both implementations are pointer-shaped, so holding
// one in an interface allocates nothing: the slices of streams are the
// harness's memory, allocated before the baseline is read.
type stream interface {
	Read(p []byte) (int, error)
	Write(p []byte) (int, error)
	Close() error
	LocalAddrPort() netip.AddrPort
	RemoteAddrPort() netip.AddrPort
}

// An acceptor hands out the connections a listener has established.
type acceptor interface {
	accept() (stream, error) // blocks; an error once the listener is closed
	Close() error
}

// A layer opens connections through one of renet's APIs: the non-blocking
// netstack sockets, or the net.Conn adapters of package conn.
type layer interface {
	name() string
	listen(s *netstack.Stack, local netip.AddrPort, backlog int) (acceptor, error)
	dial(ctx context.Context, s *netstack.Stack, local, remote netip.AddrPort) (stream, error)
}

// socketLayer uses netstack.TCPSocket directly: DialTCP and TryAccept, with
// readiness waited on through the sockets' channels.
type socketLayer struct{}

func (socketLayer) name() string { return "netstack (TCPSocket)" }

func (socketLayer) listen(s *netstack.Stack, local netip.AddrPort, backlog int) (acceptor, error) {
	l, err := s.ListenTCP(local, backlog)
	if err != nil {
		return nil, err
	}
	return socketListener{l}, nil
}

// dial waits on Writable, which the stack signals on every state change,
// until the handshake has completed or failed.
func (socketLayer) dial(ctx context.Context, s *netstack.Stack, local, remote netip.AddrPort) (stream, error) {
	sk, err := s.DialTCP(local, remote, nil)
	if err != nil {
		return nil, err
	}
	for !sk.Connected() {
		if err := sk.Err(); err != nil {
			sk.Abort()
			return nil, err
		}
		if sk.Closed() {
			return nil, syscall.ECONNREFUSED
		}
		select {
		case <-sk.Writable():
		case <-ctx.Done():
			sk.Abort()
			return nil, ctx.Err()
		}
	}
	return socketStream{sk}, nil
}

type socketListener struct{ l *netstack.TCPListener }

func (a socketListener) accept() (stream, error) {
	for {
		sk, err := a.l.TryAccept()
		if err == nil {
			return socketStream{sk}, nil
		}
		if !errors.Is(err, netstack.ErrWouldBlock) {
			return nil, err
		}
		<-a.l.Readable() // Close sends a token too
	}
}

func (a socketListener) Close() error { return a.l.Close() }

// socketStream adds blocking reads and writes to a TCPSocket, for the
// latency probes; the idle connections never call them.
type socketStream struct{ sk *netstack.TCPSocket }

func (c socketStream) Read(p []byte) (int, error) {
	for {
		n, err := c.sk.TryRead(p)
		if !errors.Is(err, netstack.ErrWouldBlock) {
			return n, err
		}
		<-c.sk.Readable() // the stack also signals it when the connection ends
	}
}

func (c socketStream) Write(p []byte) (int, error) {
	done := 0
	for done < len(p) {
		n, err := c.sk.TryWrite(p[done:])
		done += n
		if err != nil && !errors.Is(err, netstack.ErrWouldBlock) {
			return done, err
		}
		if n == 0 {
			<-c.sk.Writable()
		}
	}
	return done, nil
}

func (c socketStream) Close() error                   { c.sk.Close(); return nil }
func (c socketStream) LocalAddrPort() netip.AddrPort  { return c.sk.LocalAddr() }
func (c socketStream) RemoteAddrPort() netip.AddrPort { return c.sk.RemoteAddr() }

// connLayer uses package conn: a blocking Dialer per connection and
// AcceptTCP, so every endpoint also carries a *conn.TCPConn.
type connLayer struct{}

func (connLayer) name() string { return "conn (*conn.TCPConn over TCPSocket)" }

// listen ignores backlog: conn.ListenTCP always takes the stack's default.
func (connLayer) listen(s *netstack.Stack, local netip.AddrPort, _ int) (acceptor, error) {
	l, err := conn.ListenTCP(s, local)
	if err != nil {
		return nil, err
	}
	return connListener{l}, nil
}

func (connLayer) dial(ctx context.Context, s *netstack.Stack, local, remote netip.AddrPort) (stream, error) {
	d := conn.Dialer{Stack: s, KeepAlive: -1} // keepalive off: no timer per connection
	if local.Port() != 0 {
		d.LocalAddr = net.TCPAddrFromAddrPort(local)
	}
	c, err := d.DialAddrPort(ctx, "tcp", remote)
	if err != nil {
		return nil, err
	}
	return c.(*conn.TCPConn), nil
}

type connListener struct{ l *conn.TCPListener }

func (a connListener) accept() (stream, error) {
	c, err := a.l.AcceptTCP()
	if err != nil {
		return nil, err
	}
	// AcceptTCP turns keepalive on, as net.Listen does; the run measures
	// connections with no timer armed.
	c.SetKeepAlive(false)
	return c, nil
}

func (a connListener) Close() error { return a.l.Close() }
