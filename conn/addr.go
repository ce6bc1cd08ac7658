package conn

import (
	"context"
	"net"
	"net/netip"
	"strconv"
)

// resolve parses a "host:port" address as the net package does for IPv4,
// without DNS: the stack has no resolver of its own, so host must be an IP
// literal or empty (every address). Named ports ("http") are looked up in
// the local services database, as net does.
func resolve(ctx context.Context, network, address string) (netip.AddrPort, error) {
	host, portStr, err := net.SplitHostPort(address)
	if err != nil {
		return netip.AddrPort{}, err
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		p, lerr := net.DefaultResolver.LookupPort(ctx, network, portStr)
		if lerr != nil {
			return netip.AddrPort{}, lerr
		}
		port = uint64(p)
	}
	if host == "" {
		return netip.AddrPortFrom(netip.IPv4Unspecified(), uint16(port)), nil
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.AddrPort{}, &net.DNSError{
			Err:        "renet resolves IP literals only; look the name up first",
			Name:       host,
			IsNotFound: true,
		}
	}
	a = a.Unmap()
	if !a.Is4() {
		return netip.AddrPort{}, &net.AddrError{Err: "not an IPv4 address", Addr: host}
	}
	return netip.AddrPortFrom(a, uint16(port)), nil
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
