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
// Networks are "tcp", "tcp4", "tcp6", "udp", "udp4" and "udp6", with Go's
// meanings: "tcp" and "udp" listen on both families when the host is empty
// or unspecified and the stack has an IPv6 address (a dual-stack socket
// bound to ::, whose IPv4 peers show IPv4-mapped addresses as Go's do),
// and dial a name's addresses of both families with Happy Eyeballs (RFC
// 8305); "tcp6" and "udp6" wildcards are IPv6 only (IPV6_V6ONLY), as
// Go's are.
//
// Addresses are "host:port" as in net. An IP literal is used as is; a host
// name is looked up through the stack by LookupNetIP, a small DNS client
// that asks the servers of netstack.Config.DNS and reads nothing from the
// host: no /etc/hosts (so "localhost" is asked of the servers like any
// name), no search domains or options from /etc/resolv.conf, no host
// socket, no cgo. The name is asked as given, made absolute, and its
// addresses kept in the server's order (IPv6 first when both are asked).
// Dial tries them in turn within each family, sharing the deadline as
// net.Dialer does; Listen takes the first IPv4 address, else the first. Without
// servers a name fails with a *net.DNSError wrapping ErrNoDNSServers. A
// Dialer's or ListenConfig's Resolver, when set, is used instead: with
// NewResolver, that is Go's own DNS client through the stack, which still
// reads the host's /etc/resolv.conf, /etc/hosts and /etc/nsswitch.conf
// (see NewResolver for what that leaks).
//
// Errors are the ones the net package gives, so errors.Is works as users
// expect: *net.OpError wrapping a syscall.Errno (ECONNREFUSED,
// EADDRINUSE, ...), os.ErrDeadlineExceeded (whose Timeout() is true),
// net.ErrClosed after Close or after the stack is closed, io.EOF at the end
// of a stream.
package conn
