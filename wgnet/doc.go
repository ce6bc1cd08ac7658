// Package wgnet is a drop-in replacement for wireguard-go's tun/netstack
// package that runs renet's TCP/IP stack instead of gVisor's.
//
// A program written for golang.zx2c4.com/wireguard/tun/netstack changes
// its import line and nothing else:
//
//	tun, tnet, err := wgnet.CreateNetTUN(
//		[]netip.Addr{netip.MustParseAddr("10.0.0.2")},
//		[]netip.Addr{netip.MustParseAddr("10.0.0.1")},
//		1420)
//	dev := device.NewDevice(tun, conn.NewDefaultBind(), logger)
//	...
//	client := http.Client{Transport: &http.Transport{DialContext: tnet.DialContext}}
//
// CreateNetTUN returns the same things netstack.CreateNetTUN does: a
// tun.Device to give to device.NewDevice, and a *Net with the same
// methods (Dial, DialContext, DialTCP, ListenTCP, DialUDP, ListenUDP,
// DialPing, ListenPing, LookupHost and their netip and context variants).
//
// # Differences from tun/netstack
//
// The types the methods return are renet's: *TCPConn and *UDPConn are
// package conn's connections (aliases here, so *wgnet.TCPConn may stand
// where *gonet.TCPConn stood), and *TCPListener wraps conn's listener.
// Each has every method its gonet counterpart has, and more (the
// net.TCPConn socket options, netip variants, an Accept deadline). Their
// errors are the net package's shapes: *net.OpError wrapping
// net.ErrClosed, os.ErrDeadlineExceeded, syscall.ECONNREFUSED and so on,
// all matched by errors.Is, where gonet returns strings.
//
// IPv6 works as in tun/netstack: local addresses and DNS servers may be
// IPv6, "tcp6", "udp6" and "ping6" dial IPv6 addresses, a ping socket
// with an IPv6 address speaks ICMPv6, and on a Net with both families
// LookupHost returns the IPv6 addresses first. A zero listening address
// (ListenTCP(&net.TCPAddr{Port: 80})) binds ::, both families, on a Net
// with an IPv6 address, else 0.0.0.0. Where they differ: a name is asked
// for AAAA records only when the Net has an IPv6 address beyond
// link-local (answers of a family the Net has no address of are dropped,
// as tun/netstack does not ask for them); ListenPingAddr with a zero
// address opens a socket (ICMP, or ICMPv6 on an IPv6-only Net) where
// tun/netstack returns an error.
//
// The device hands wireguard-go up to 128 packets per Read
// (conn.IdealBatchSize) where tun/netstack hands one, and its Write
// blocks while the stack's inbound queue is full instead of dropping, so
// a fast peer is slowed down rather than made to retransmit.
//
// # Extensions
//
// Net.Stack returns the renet stack behind a Net, for anything package
// conn or netstack offers beyond tun/netstack's methods: a Forwarder that
// answers for a whole subnet (a subnet router), statistics, TCP tuning.
package wgnet
