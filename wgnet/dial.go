package wgnet

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"time"
)

// Dial connects to address on the named network through the tunnel.
// Networks are "tcp", "udp" and "ping", each optionally suffixed with 4
// or 6 to take addresses of that family only ("ping6" pings over ICMPv6).
// For tcp and udp the address is "host:port" ("[fd00::2]:80"); for ping
// it is a host alone. A host name is looked up as LookupHost does (on a
// Net with IPv6, its IPv6 addresses first), and its addresses are tried
// one after the other, in order, as tun/netstack does.
func (n *Net) Dial(network, address string) (net.Conn, error) {
	return n.DialContext(context.Background(), network, address)
}

// DialContext is Dial with a context bounding the lookup and the
// connection. When ctx has a deadline, each address tried gets an equal
// share of the time left, but at least two seconds, as net.Dialer does.
func (n *Net) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	if ctx == nil {
		panic("wgnet: nil context")
	}
	proto, family := network, byte(0)
	if k := len(network); k > 0 && (network[k-1] == '4' || network[k-1] == '6') {
		proto, family = network[:k-1], network[k-1]
	}
	opErr := func(err error) error { return &net.OpError{Op: "dial", Net: network, Err: err} }
	host, port := address, 0
	switch proto {
	case "tcp", "udp":
		h, p, err := net.SplitHostPort(address)
		if err != nil {
			return nil, opErr(err)
		}
		host = h
		if port, err = strconv.Atoi(p); err != nil || port < 0 || port > 65535 {
			return nil, opErr(errNumericPort)
		}
	case "ping":
	default:
		return nil, opErr(net.UnknownNetworkError(network))
	}
	all, err := n.lookup(ctx, host)
	if err != nil {
		return nil, opErr(err)
	}
	var addrs []netip.AddrPort
	for _, a := range all {
		if (a.Is4() || a.Is4In6()) && family != '6' || a.Is6() && !a.Is4In6() && family != '4' {
			addrs = append(addrs, netip.AddrPortFrom(a.Unmap(), uint16(port)))
		}
	}
	if len(addrs) == 0 {
		return nil, opErr(&net.AddrError{Err: errNoSuitableAddr.Error(), Addr: host})
	}
	var first error
	for i, ap := range addrs {
		if err := ctx.Err(); err != nil {
			return nil, opErr(ctxErr(ctx))
		}
		dctx, cancel := ctx, context.CancelFunc(func() {})
		if deadline, ok := ctx.Deadline(); ok {
			share := time.Until(deadline) / time.Duration(len(addrs)-i)
			if share < 2*time.Second {
				share = min(2*time.Second, time.Until(deadline))
			}
			dctx, cancel = context.WithTimeout(ctx, share)
		}
		c, err := n.dialOne(dctx, proto, ap)
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

// dialOne connects to one address with proto "tcp", "udp" or "ping".
func (n *Net) dialOne(ctx context.Context, proto string, ap netip.AddrPort) (net.Conn, error) {
	switch proto {
	case "tcp":
		return n.DialContextTCPAddrPort(ctx, ap)
	case "udp":
		return n.DialUDPAddrPort(netip.AddrPort{}, ap)
	}
	return n.DialPingAddr(netip.Addr{}, ap.Addr())
}
