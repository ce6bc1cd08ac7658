// Package conn adapts renet's non-blocking sockets to the interfaces of Go's
// net package: net.Conn, net.Listener and net.PacketConn. Code written for
// net runs over a netstack.Stack unchanged.
//
// Every blocking call waits outside the stack's lock on the socket's
// notification channel, its deadline, and the stack's Done channel; nothing
// here spawns a goroutine per call or per packet. Deadlines follow Go's own
// net.Pipe: a time.AfterFunc closes a cancel channel, so a deadline set from
// another goroutine wakes a blocked call at once.
//
// Errors are the ones the net package gives, so errors.Is works as users
// expect: *net.OpError wrapping a syscall.Errno (ECONNREFUSED,
// EADDRINUSE, ...), os.ErrDeadlineExceeded (whose Timeout() is true),
// net.ErrClosed after Close or after the stack is closed, io.EOF at the end
// of a stream.
package conn
