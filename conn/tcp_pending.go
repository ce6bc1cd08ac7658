package conn

import (
	"context"
	"errors"
	"net"

	"github.com/renet-go/renet/netstack"
)

// errTCPNotYet is returned for TCP until netstack grows its TCP layer.
var errTCPNotYet = errors.New("conn: TCP is not implemented yet")

func (d *Dialer) dialTCP(ctx context.Context, network, address string) (net.Conn, error) {
	return nil, &net.OpError{Op: "dial", Net: network, Err: errTCPNotYet}
}

// Listen announces on a local TCP address. TCP is not implemented yet.
func Listen(s *netstack.Stack, network, address string) (net.Listener, error) {
	return nil, &net.OpError{Op: "listen", Net: network, Err: errTCPNotYet}
}
