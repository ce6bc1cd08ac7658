package pathsim

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/renet-go/renet/conn"
	"github.com/renet-go/renet/netstack"
)

// accepted is what the accepting goroutine hands back.
type accepted struct {
	c   *conn.TCPConn
	err error
}

// connect opens one TCP connection from sa to a listener on sb and
// returns both ends. The listener is closed before it returns, and so is
// the goroutine that accepted.
func connect(sa, sb *netstack.Stack) (ca, cb *conn.TCPConn, err error) {
	l, err := conn.ListenTCP(sb, netip.AddrPortFrom(addrB, portB))
	if err != nil {
		return nil, nil, fmt.Errorf("pathsim: listen: %w", err)
	}
	done := make(chan accepted, 1)
	go func() {
		c, err := l.AcceptTCP()
		done <- accepted{c, err}
	}()
	d := conn.Dialer{Stack: sa, KeepAlive: -1}
	nc, dialErr := d.DialAddrPort(context.Background(), "tcp4", netip.AddrPortFrom(addrB, portB))
	if dialErr != nil {
		l.Close() // wakes the accepting goroutine
	}
	acc := <-done
	l.Close()
	switch {
	case dialErr != nil:
		return nil, nil, fmt.Errorf("pathsim: dial: %w", dialErr)
	case acc.err != nil:
		nc.Close()
		return nil, nil, fmt.Errorf("pathsim: accept: %w", acc.err)
	}
	return nc.(*conn.TCPConn), acc.c, nil
}
