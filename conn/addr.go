package conn

import (
	"context"
	"net"
	"net/netip"
	"strconv"
)

// resolve parses a "host:port" address whose host is an IP literal or
// empty (every address), without any lookup; lookupAddrs also takes names.
func resolve(ctx context.Context, network, address string) (netip.AddrPort, error) {
	host, port, err := splitHostPort(ctx, network, address)
	if err != nil {
		return netip.AddrPort{}, err
	}
	if host == "" {
		return netip.AddrPortFrom(netip.IPv4Unspecified(), port), nil
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.AddrPort{}, &net.DNSError{Err: "not an IP address", Name: host, IsNotFound: true}
	}
	return literalAddr(a, host, port)
}

// splitHostPort splits address as the net package does. Named ports
// ("http") are looked up in the local services database, as net does.
func splitHostPort(ctx context.Context, network, address string) (host string, port uint16, err error) {
	host, portStr, err := net.SplitHostPort(address)
	if err != nil {
		return "", 0, err
	}
	p, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		lp, lerr := net.DefaultResolver.LookupPort(ctx, network, portStr)
		if lerr != nil {
			return "", 0, lerr
		}
		p = uint64(lp)
	}
	return host, uint16(p), nil
}

// literalAddr checks that a, parsed from host, is an address the stack
// can use (IPv4, or IPv4-mapped IPv6).
func literalAddr(a netip.Addr, host string, port uint16) (netip.AddrPort, error) {
	a = a.Unmap()
	if !a.Is4() {
		return netip.AddrPort{}, &net.AddrError{Err: "not an IPv4 address", Addr: host}
	}
	return netip.AddrPortFrom(a, port), nil
}

// udpAddr converts to the net package's address type (nil for the zero
// value, as net reports a missing address).
func udpAddr(ap netip.AddrPort) net.Addr {
	if !ap.IsValid() {
		return nil
	}
	return net.UDPAddrFromAddrPort(ap)
}

// addrPortOf converts a net.Addr given by a user to a netip.AddrPort.
func addrPortOf(a net.Addr) (netip.AddrPort, bool) {
	switch a := a.(type) {
	case *net.UDPAddr:
		if a == nil {
			return netip.AddrPort{}, false
		}
		ap := a.AddrPort()
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), true
	case *net.TCPAddr:
		if a == nil {
			return netip.AddrPort{}, false
		}
		ap := a.AddrPort()
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), true
	}
	return netip.AddrPort{}, false
}
