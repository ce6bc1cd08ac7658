package tcp

import "syscall"

// The errors a Conn reports, as the errno values Go's net package wraps,
// so users can match them with errors.Is.
var (
	errConnReset   error = syscall.ECONNRESET
	errConnRefused error = syscall.ECONNREFUSED
	errTimedOut    error = syscall.ETIMEDOUT
	errPipe        error = syscall.EPIPE
	errNotConn     error = syscall.ENOTCONN
)
