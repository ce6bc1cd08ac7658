package conn

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"sync/atomic"
	"time"

	"github.com/renet-go/renet/netstack"
)

// ErrNoDNSServers is the cause of the *net.DNSError a lookup gets when it
// has no server to ask: a Dial or Listen with a host name whose Dialer or
// ListenConfig has no Resolver, on a stack whose Config.DNS is empty, or
// LookupNetIP or NewResolver given no servers on such a stack.
// errors.Is(err, ErrNoDNSServers) reports it.
var ErrNoDNSServers = errors.New("no DNS servers configured for this stack")

// NewResolver returns a resolver whose queries travel through s, to servers
// (when none are given, to the stack's Config.DNS). It is Go's own DNS
// client (PreferGo) with a Dial function that ignores the server address
// Go picks from the host and opens a UDP or TCP connection on s instead;
// Go switches to TCP by itself when an answer comes back truncated. No
// host socket is opened and cgo is never used. With no servers at all,
// every lookup fails with a *net.DNSError whose text names
// ErrNoDNSServers.
//
// Server choice: the resolver prefers one server, the first at the start,
// and moves to the next one when a connection to it fails, a read or a
// write through it fails (timeouts included), or it answers SERVFAIL,
// REFUSED or NOTIMP. Go's resolver retries a failed query by itself
// (attempts × the host's nameservers, see below), so its retry goes to the
// next server, while a healthy server keeps all the traffic. Round robin
// was the alternative; it would send every n-th query to a dead server and
// the TCP retry of a truncated answer to another server than the one that
// truncated it. The preference lives in the returned Resolver: keep one
// for the life of the stack rather than building one per lookup.
//
// What Go still reads from the host: Go's resolver is configured by the
// machine it runs on, not by the stack. From /etc/resolv.conf it takes
// the search domains, ndots, timeout (5 s by default) and attempts (2),
// and the number of nameservers listed there sets how many times it calls
// Dial per attempt (the addresses themselves are ignored). So a lookup of
// "db" may be sent as "db.corp.example." when the host searches
// corp.example, leaking the host's domain to the stack's network and
// possibly resolving to the wrong machine. /etc/hosts answers first,
// without any query ("localhost" is 127.0.0.1 from there, and Go answers
// "localhost" and "*.localhost" with loopback addresses itself, per RFC
// 6761), and /etc/nsswitch.conf decides the order, or that DNS is not
// asked at all ("hosts: files"). When an answer holds several addresses,
// Go sorts them by RFC 6724 and, to learn its source address for each,
// connects a host UDP socket to it: no packet is sent, but a host socket
// is opened, and the order may follow the host's routes (IPv4 addresses
// in one subnet keep the server's order). The *net.DNSError of a failed
// query names the host's server in its Server field, not the one asked.
// To avoid the search domains, use fully qualified names with a trailing
// dot ("example.com."); to avoid /etc/hosts, avoid names it lists. Or
// avoid all of this with LookupNetIP, which Dial and Listen use when no
// Resolver is given: it reads nothing from the host.
func NewResolver(s *netstack.Stack, servers ...netip.AddrPort) *net.Resolver {
	if len(servers) == 0 && s != nil {
		servers = s.DNS()
	} else {
		servers = slices.Clone(servers)
	}
	sd := &serverDialer{stack: s, servers: servers}
	return &net.Resolver{PreferGo: true, Dial: sd.dial}
}

// serverDialer is the Dial function of a resolver from NewResolver: it
// connects to one of servers through stack, preferring servers[preferred].
type serverDialer struct {
	stack     *netstack.Stack
	servers   []netip.AddrPort
	preferred atomic.Uint32 // index into servers
}

// dial connects to the preferred server over network ("udp" or "tcp" from
// Go's resolver); addr, the host's nameserver, is ignored. A connection
// that fails at once (refused, unreachable) moves on to the next server
// within this call; the context bounds the whole.
func (sd *serverDialer) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	if sd.stack == nil {
		return nil, errors.New("conn: NewResolver was given a nil stack")
	}
	if len(sd.servers) == 0 {
		return nil, ErrNoDNSServers
	}
	switch network {
	case "udp", "udp4", "udp6":
		network = "udp"
	case "tcp", "tcp4", "tcp6":
		network = "tcp"
	default:
		return nil, net.UnknownNetworkError(network)
	}
	d := Dialer{Stack: sd.stack, KeepAlive: -1}
	n := uint32(len(sd.servers))
	start := sd.preferred.Load()
	var first error
	for i := range n {
		idx := (start + i) % n
		c, err := d.dialOne(ctx, network, sd.servers[idx])
		if err == nil {
			if uc, ok := c.(*UDPConn); ok {
				return &dnsPacketConn{UDPConn: uc, sd: sd, idx: idx}, nil
			}
			return &dnsStreamConn{Conn: c, sd: sd, idx: idx}, nil
		}
		sd.failed(idx)
		if first == nil {
			first = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, first
}

// failed moves the preference past servers[idx], unless another failure
// already moved it (so two queries failing at once skip one server, not
// two).
func (sd *serverDialer) failed(idx uint32) {
	sd.preferred.CompareAndSwap(idx, (idx+1)%uint32(len(sd.servers)))
}

// serverFailure reports whether a DNS response header's RCODE says another
// server may do better: SERVFAIL (2), NOTIMP (4), REFUSED (5). Go's
// resolver moves on to its next attempt for these as well.
func serverFailure(header []byte) bool {
	if len(header) < 4 {
		return false
	}
	switch header[3] & 0x0f {
	case 2, 4, 5:
		return true
	}
	return false
}

// dnsPacketConn is a UDP connection to a name server that reports failures
// to its serverDialer. It stays a net.PacketConn, which is how Go's
// resolver tells datagrams from a stream.
type dnsPacketConn struct {
	*UDPConn
	sd  *serverDialer
	idx uint32
}

func (c *dnsPacketConn) Read(b []byte) (int, error) {
	n, err := c.UDPConn.Read(b)
	if err != nil || serverFailure(b[:n]) {
		c.sd.failed(c.idx)
	}
	return n, err
}

func (c *dnsPacketConn) Write(b []byte) (int, error) {
	n, err := c.UDPConn.Write(b)
	if err != nil {
		c.sd.failed(c.idx)
	}
	return n, err
}

// dnsStreamConn is dnsPacketConn for TCP. Go reads the two-byte length and
// the message separately, so only errors count here, not RCODEs.
type dnsStreamConn struct {
	net.Conn
	sd  *serverDialer
	idx uint32
}

func (c *dnsStreamConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if err != nil {
		c.sd.failed(c.idx)
	}
	return n, err
}

func (c *dnsStreamConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	if err != nil {
		c.sd.failed(c.idx)
	}
	return n, err
}

// lookupAddrs turns address ("host:port") into the addresses to try, in
// order, for network ("tcp", "tcp4", "tcp6", "udp", ...), keeping only
// the family network allows. An empty host is the unspecified address of
// that family and an IP literal is itself, without a resolver; a name is
// looked up with r, or when r is nil with LookupNetIP and the stack's DNS
// servers.
func lookupAddrs(ctx context.Context, s *netstack.Stack, r *net.Resolver, network, address string) ([]netip.AddrPort, error) {
	host, port, err := splitHostPort(ctx, network, address)
	if err != nil {
		return nil, err
	}
	if host == "" {
		a := netip.IPv4Unspecified()
		if family(network) == '6' {
			a = netip.IPv6Unspecified()
		}
		return []netip.AddrPort{netip.AddrPortFrom(a, port)}, nil
	}
	if a, err := netip.ParseAddr(host); err == nil {
		ap, err := literalAddr(network, a, host, port)
		if err != nil {
			return nil, err
		}
		return []netip.AddrPort{ap}, nil
	}
	var ips []netip.Addr
	qnet := lookupNetwork(s, network)
	if r != nil {
		ips, err = r.LookupNetIP(ctx, qnet, host)
	} else {
		ips, err = lookupNetIP(ctx, s, nil, qnet, host)
	}
	if err != nil {
		return nil, err
	}
	var addrs []netip.AddrPort
	for _, a := range ips {
		if a = a.Unmap().WithZone(""); fits(network, a) {
			addrs = append(addrs, netip.AddrPortFrom(a, port))
		}
	}
	if len(addrs) == 0 {
		return nil, &net.AddrError{Err: errNoSuitableAddress, Addr: host}
	}
	return addrs, nil
}

// listenAddr is the address to listen on for address. An empty or
// unspecified host is the wildcard of network (see wildcard); a name's
// first IPv4 address is taken, else its first address, as net.Listen
// does.
func listenAddr(ctx context.Context, s *netstack.Stack, r *net.Resolver, network, address string) (netip.AddrPort, error) {
	addrs, err := lookupAddrs(ctx, s, r, network, address)
	if err != nil {
		return netip.AddrPort{}, err
	}
	for _, ap := range addrs {
		if ap.Addr().IsUnspecified() {
			return netip.AddrPortFrom(wildcard(s, network), ap.Port()), nil
		}
		if ap.Addr().Is4() {
			return ap, nil
		}
	}
	return addrs[0], nil
}

// lookupNetwork is the LookupNetIP network for a dial or listen network:
// "ip4" for "tcp4", "ip6" for "tcp6", and for "tcp" both families ("ip")
// only when the stack has an IPv6 address beyond link-local: without one
// an AAAA query would cost a round trip and tell the network about the
// name for addresses the stack cannot reach.
func lookupNetwork(s *netstack.Stack, network string) string {
	switch family(network) {
	case '4':
		return "ip4"
	case '6':
		return "ip6"
	}
	if hasGlobalIPv6(s) {
		return "ip"
	}
	return "ip4"
}

// partitionAddrs splits addresses into the primaries, those of the first
// address's family, and the fallbacks, the others, each in the order
// given: RFC 8305 §4 as net.Dialer applies it, where the resolver's
// first answer says which family to try first.
func partitionAddrs(addrs []netip.AddrPort) (primaries, fallbacks []netip.AddrPort) {
	for _, ap := range addrs {
		if ap.Addr().Is4() == addrs[0].Addr().Is4() {
			primaries = append(primaries, ap)
		} else {
			fallbacks = append(fallbacks, ap)
		}
	}
	return primaries, fallbacks
}

// partialDeadline is the deadline for one of addrsRemaining addresses to
// try before deadline, as net.Dialer computes it: an equal share of the
// time left, but at least two seconds (taken from the addresses at the end
// of the list) unless less than that remains.
func partialDeadline(now, deadline time.Time, addrsRemaining int) (time.Time, error) {
	if deadline.IsZero() {
		return deadline, nil
	}
	remaining := deadline.Sub(now)
	if remaining <= 0 {
		return time.Time{}, context.DeadlineExceeded
	}
	timeout := remaining / time.Duration(addrsRemaining)
	const saneMinimum = 2 * time.Second
	if timeout < saneMinimum {
		timeout = min(remaining, saneMinimum)
	}
	return now.Add(timeout), nil
}
