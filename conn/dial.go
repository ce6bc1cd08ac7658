package conn

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"time"

	"github.com/renet-go/renet/netstack"
)

// Dialer holds options for dialing through a stack, like net.Dialer.
type Dialer struct {
	// Stack is the stack to dial through. Required.
	Stack *netstack.Stack
	// Timeout bounds the whole dial; zero means no timeout beyond the
	// context's (and the protocol's own).
	Timeout time.Duration
	// LocalAddr is the local address to dial from (*net.TCPAddr or
	// *net.UDPAddr); nil picks one.
	LocalAddr net.Addr
	// KeepAlive is the TCP keep-alive period: zero for the default (15s, as
	// net.Dialer), negative to disable.
	KeepAlive time.Duration
	// Resolver looks up host names, as net.Dialer's does; its queries
	// should go through the stack (see NewResolver, and what Go's
	// resolver reads from the host). When nil, names are looked up by
	// LookupNetIP through Stack with the servers of its Config.DNS, which
	// reads nothing from the host: no /etc/hosts, so "localhost" is asked
	// of the servers like any name, and no search domains, so "db" is
	// asked as "db.". With no servers, dialing a name fails with a
	// *net.DNSError wrapping ErrNoDNSServers. IP literals are never
	// looked up.
	Resolver *net.Resolver
	// FallbackDelay is how long a "tcp" dial waits for its primary
	// addresses, those of the family the name's first address has,
	// before it starts trying the others in parallel (Happy Eyeballs,
	// RFC 8305), as net.Dialer.FallbackDelay: zero means 300 ms, and a
	// negative value turns the race off, so that every address is tried
	// in turn in the resolver's order.
	FallbackDelay time.Duration
}

// defaultFallbackDelay is net.Dialer's: RFC 8305 §8 recommends 250 ms
// as the Connection Attempt Delay; Go waits 300.
const defaultFallbackDelay = 300 * time.Millisecond

// Dial connects to address on the named network through s. Networks are
// "tcp", "tcp4", "tcp6", "udp", "udp4" and "udp6"; addresses take the form
// "host:port" ("[fdaa::1]:80" for IPv6, a zone being accepted and
// ignored), where host is an IP literal or a name looked up by LookupNetIP
// with the stack's Config.DNS servers (see Dialer.DialContext). As in net,
// "tcp4" with an IPv6 literal (or "tcp6" with an IPv4 one) fails with a
// *net.AddrError, "no suitable address found".
func Dial(s *netstack.Stack, network, address string) (net.Conn, error) {
	d := Dialer{Stack: s}
	return d.DialContext(context.Background(), network, address)
}

// DialContext is Dial with a context: cancelling it aborts a dial in
// progress, the name lookup included.
func DialContext(ctx context.Context, s *netstack.Stack, network, address string) (net.Conn, error) {
	d := Dialer{Stack: s}
	return d.DialContext(ctx, network, address)
}

// Dial connects to address on the named network.
func (d *Dialer) Dial(network, address string) (net.Conn, error) {
	return d.DialContext(context.Background(), network, address)
}

// DialContext connects to address on the named network, giving up when ctx
// is done.
//
// A host name is looked up with d.Resolver, or without one by LookupNetIP
// (see Resolver), for the families network allows: both for "tcp" and
// "udp" when the stack has an IPv6 address beyond link-local. As
// net.Dialer does, a "tcp" dial to a name with addresses of both families
// races them (Happy Eyeballs, RFC 8305): the addresses of the first
// answer's family are tried one after the other, and FallbackDelay later
// (or as soon as those have all failed) the others start, one after the
// other, in parallel with them. The first connection made is returned and
// the other attempt is abandoned (a connection it made meanwhile is
// closed); if none is made, the error of the primaries. Within each list,
// each attempt gets an equal share of the time left before the deadline
// (from ctx or d.Timeout), at least two seconds unless less remains. A
// "udp" dial, which cannot fail for an unreachable peer, takes the first
// address that can be used. With d.LocalAddr set to a specific address,
// only addresses of its family are dialed.
func (d *Dialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	if d.Stack == nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: errors.New("conn: Dialer.Stack is nil")}
	}
	switch network {
	case "udp", "udp4", "udp6", "tcp", "tcp4", "tcp6":
	default:
		return nil, &net.OpError{Op: "dial", Net: network, Err: net.UnknownNetworkError(network)}
	}
	if d.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d.Timeout)
		defer cancel()
	}
	addrs, err := lookupAddrs(ctx, d.Stack, d.Resolver, network, address)
	if err == nil {
		addrs, err = d.matchLocal(addrs)
	}
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Source: d.LocalAddr, Err: err}
	}
	if isTCP(network) && d.FallbackDelay >= 0 {
		primaries, fallbacks := partitionAddrs(addrs)
		return d.dialParallel(ctx, network, primaries, fallbacks)
	}
	return d.dialSerial(ctx, network, addrs)
}

// matchLocal keeps the addresses of d.LocalAddr's family when it names a
// specific address (one of 0.0.0.0 or :: matches either), as net.Dialer
// filters them.
func (d *Dialer) matchLocal(addrs []netip.AddrPort) ([]netip.AddrPort, error) {
	if d.LocalAddr == nil {
		return addrs, nil
	}
	local, ok := addrPortOf(d.LocalAddr)
	if !ok {
		return nil, &net.AddrError{Err: "mismatched local address type", Addr: d.LocalAddr.String()}
	}
	la := local.Addr()
	if !la.IsValid() || la.IsUnspecified() {
		return addrs, nil
	}
	var kept []netip.AddrPort
	for _, ap := range addrs {
		if ap.Addr().Is4() == la.Is4() {
			kept = append(kept, ap)
		}
	}
	if len(kept) == 0 {
		return nil, &net.AddrError{Err: "mismatched local address type", Addr: d.LocalAddr.String()}
	}
	return kept, nil
}

// dialParallel races primaries against fallbacks, the latter starting
// d.FallbackDelay after the former or as soon as they have failed
// (RFC 8305 §5). The first connection wins; the losing attempt's context
// is cancelled, and a connection it made anyway is closed. When both
// fail, the primaries' error is returned.
func (d *Dialer) dialParallel(ctx context.Context, network string, primaries, fallbacks []netip.AddrPort) (net.Conn, error) {
	if len(fallbacks) == 0 {
		return d.dialSerial(ctx, network, primaries)
	}
	type outcome struct {
		c       net.Conn
		err     error
		primary bool
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // the loser gives up
	done := make(chan struct{})
	defer close(done)
	results := make(chan outcome)
	race := func(addrs []netip.AddrPort, primary bool) {
		c, err := d.dialSerial(ctx, network, addrs)
		select {
		case results <- outcome{c, err, primary}:
		case <-done:
			if c != nil {
				c.Close() // won too late
			}
		}
	}
	go race(primaries, true)
	delay := d.FallbackDelay
	if delay == 0 {
		delay = defaultFallbackDelay
	}
	fallback := time.NewTimer(delay)
	defer fallback.Stop()
	started, pending := false, 1
	var primaryErr, fallbackErr error
	startFallback := func() {
		if !started {
			started = true
			pending++
			fallback.Stop()
			go race(fallbacks, false)
		}
	}
	for {
		select {
		case <-fallback.C:
			startFallback()
		case r := <-results:
			pending--
			if r.err == nil {
				return r.c, nil
			}
			if r.primary {
				primaryErr = r.err
				startFallback() // no point waiting any longer
			} else {
				fallbackErr = r.err
			}
			if pending == 0 {
				if primaryErr != nil {
					return nil, primaryErr
				}
				return nil, fallbackErr
			}
		}
	}
}

// dialSerial tries addrs in order, as net.Dialer's dialSerial: each gets
// a partialDeadline; the first success wins, else the first error is
// returned.
func (d *Dialer) dialSerial(ctx context.Context, network string, addrs []netip.AddrPort) (net.Conn, error) {
	var first error
	for i, ra := range addrs {
		if err := ctx.Err(); err != nil {
			if first == nil {
				first = &net.OpError{Op: "dial", Net: network, Source: d.LocalAddr, Addr: netAddr(network, ra), Err: err}
			}
			break
		}
		dctx, cancel := ctx, context.CancelFunc(func() {})
		if deadline, ok := ctx.Deadline(); ok {
			pd, err := partialDeadline(time.Now(), deadline, len(addrs)-i)
			if err != nil {
				if first == nil {
					first = &net.OpError{Op: "dial", Net: network, Source: d.LocalAddr, Addr: netAddr(network, ra), Err: err}
				}
				break
			}
			if pd.Before(deadline) {
				dctx, cancel = context.WithDeadline(ctx, pd)
			}
		}
		c, err := d.dialOne(dctx, network, ra)
		cancel()
		if err == nil {
			return c, nil
		}
		if first == nil {
			first = err
		}
	}
	return nil, first
}

// dialOne connects to one address.
func (d *Dialer) dialOne(ctx context.Context, network string, raddr netip.AddrPort) (net.Conn, error) {
	if isTCP(network) {
		return d.dialTCP(ctx, network, raddr)
	}
	return d.dialUDP(network, raddr)
}

// netAddr is raddr as the net.Addr type of network.
func netAddr(network string, raddr netip.AddrPort) net.Addr {
	if isTCP(network) {
		return net.TCPAddrFromAddrPort(raddr)
	}
	return udpAddr(raddr)
}

// dialUDP opens a UDP socket connected to raddr.
func (d *Dialer) dialUDP(network string, raddr netip.AddrPort) (net.Conn, error) {
	local := netip.AddrPortFrom(netip.IPv4Unspecified(), 0)
	if !raddr.Addr().Is4() {
		local = netip.AddrPortFrom(netip.IPv6Unspecified(), 0)
	}
	if d.LocalAddr != nil {
		var ok bool
		if local, ok = addrPortOf(d.LocalAddr); !ok {
			return nil, &net.OpError{Op: "dial", Net: network, Addr: udpAddr(raddr),
				Err: &net.AddrError{Err: "mismatched local address type", Addr: d.LocalAddr.String()}}
		}
	}
	sock, err := d.Stack.BindUDP(local)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Source: d.LocalAddr, Addr: udpAddr(raddr), Err: err}
	}
	sock.SetBroadcast(true) // as Go's net package sets SO_BROADCAST on UDP sockets
	if err := sock.Connect(raddr); err != nil {
		sock.Close()
		return nil, &net.OpError{Op: "dial", Net: network, Source: d.LocalAddr, Addr: udpAddr(raddr), Err: err}
	}
	return newUDPConn(d.Stack, sock, network), nil
}

// DialAddrPort is DialContext with a netip.AddrPort instead of a string,
// for callers that already hold a parsed address: no parsing, no lookup.
func (d *Dialer) DialAddrPort(ctx context.Context, network string, addr netip.AddrPort) (net.Conn, error) {
	return d.DialContext(ctx, network, addr.String())
}

// ListenPacket opens a UDP socket bound to address ("udp", "udp4" or
// "udp6"), for ReadFrom/WriteTo use. The result is a *UDPConn. A host name
// in address is looked up by LookupNetIP with the stack's Config.DNS
// servers and the socket bound to its first IPv4 address, else its first
// address, as net.ListenPacket does.
//
// An empty or unspecified host ("", "0.0.0.0", "::") binds every address
// as net does: with "udp" on a stack with an IPv6 address the socket is
// dual-stack, bound to :: ("[::]:53"), and receives both families; IPv4
// senders then appear as IPv4-mapped IPv6 addresses in
// ReadFromUDPAddrPort ([::ffff:10.0.0.2]:5353, printed by a *net.UDPAddr
// as "10.0.0.2:5353"), as on a Go socket, and such addresses are accepted
// by WriteTo. "udp4" binds 0.0.0.0, IPv4 only; "udp6" binds :: for IPv6
// only, as Go's (IPV6_V6ONLY), so both may hold the same port.
func ListenPacket(s *netstack.Stack, network, address string) (net.PacketConn, error) {
	return listenPacket(context.Background(), s, nil, network, address)
}

// listenPacket is ListenPacket with a context and a resolver for host
// names (nil: LookupNetIP with the stack's DNS servers).
func listenPacket(ctx context.Context, s *netstack.Stack, r *net.Resolver, network, address string) (net.PacketConn, error) {
	switch network {
	case "udp", "udp4", "udp6":
	default:
		return nil, &net.OpError{Op: "listen", Net: network, Err: net.UnknownNetworkError(network)}
	}
	laddr, err := listenAddr(ctx, s, r, network, address)
	if err != nil {
		return nil, &net.OpError{Op: "listen", Net: network, Err: err}
	}
	sock, err := s.BindUDPWith(laddr, netstack.BindOptions{V6Only: network == "udp6"})
	if err != nil {
		return nil, &net.OpError{Op: "listen", Net: network, Addr: udpAddr(laddr), Err: err}
	}
	sock.SetBroadcast(true) // as Go's net package sets SO_BROADCAST on UDP sockets
	return newUDPConn(s, sock, network), nil
}

// ListenUDP is ListenPacket with typed arguments and result, like
// net.ListenUDP.
func ListenUDP(s *netstack.Stack, network string, laddr netip.AddrPort) (*UDPConn, error) {
	pc, err := ListenPacket(s, network, laddr.String())
	if err != nil {
		return nil, err
	}
	return pc.(*UDPConn), nil
}
