package conn

import (
	"errors"
	"net"
	"os"
)

// opError wraps err the way the net package does. Errors that are already
// *net.OpError pass through.
func opError(op, network string, source, addr net.Addr, err error) error {
	if err == nil {
		return nil
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return err
	}
	return &net.OpError{Op: op, Net: network, Source: source, Addr: addr, Err: err}
}

// errDeadline is what a call returns when its deadline passes:
// os.ErrDeadlineExceeded, whose Timeout method reports true.
var errDeadline = os.ErrDeadlineExceeded
