// Package netnstest gives tests a fresh Linux network namespace to send
// real packets in, so they never touch the host's network.
//
//	ns := netnstest.New(t)
//	dev := ns.Tap(t, "tap0", netip.MustParsePrefix("192.168.69.100/24"))
//	conn := ns.ListenUDP(t, "192.168.69.100:0") // a kernel socket in ns
//
// New creates the namespace with `ip netns add` (so it has a name and can be
// inspected with `ip netns exec NAME ...` while a test runs), brings its lo
// up, and registers a cleanup that deletes it, which runs even if the test
// fails or panics. Namespaces left behind by a test binary that was killed
// are deleted by the next New, recognised by the pid in their name.
//
// Go code runs in the namespace through Do, which switches one locked OS
// thread into it with setns(2) and back. Everything created inside Do —
// sockets, listeners, tap and TUN devices, ifconfig.Ctl — belongs to the
// namespace for its whole life and may be used afterwards from any
// goroutine; only the act of creating needs the thread. Other goroutines,
// including those started inside Do, stay in the test's own namespace.
//
// All of it needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN) and iproute2's ip;
// without them New skips the test with a message saying so.
package netnstest
