package conn

import (
	"context"
	"net"
	"net/netip"
	"strconv"

	"github.com/renet-go/renet/netstack"
)

// errNoSuitableAddress is the net package's text for an address of the
// wrong family ("tcp4" with an IPv6 literal, "tcp6" with an IPv4 one).
const errNoSuitableAddress = "no suitable address found"

// family is the address family a network name allows: '4' ("tcp4",
// "udp4"), '6' ("tcp6", "udp6"), or 0 for both ("tcp", "udp").
func family(network string) byte {
	switch network[len(network)-1] {
	case '4':
		return '4'
	case '6':
		return '6'
	}
	return 0
}

// fits reports whether a (IPv4 or IPv6, never IPv4-mapped) belongs to the
// family network allows.
func fits(network string, a netip.Addr) bool {
	switch family(network) {
	case '4':
		return a.Is4()
	case '6':
		return !a.Is4()
	}
	return true
}

// isTCP reports whether network is one of the TCP networks.
func isTCP(network string) bool {
	return network == "tcp" || network == "tcp4" || network == "tcp6"
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

// literalAddr checks that a, parsed from host, is an address of a family
// network allows, as net does: "tcp4" takes IPv4 (and IPv4-mapped IPv6,
// which is IPv4), "tcp6" takes IPv6 but not IPv4-mapped, "tcp" takes both.
// A zone ("fe80::1%eth0") is dropped: the stack has one link.
func literalAddr(network string, a netip.Addr, host string, port uint16) (netip.AddrPort, error) {
	a = a.WithZone("").Unmap()
	if !fits(network, a) {
		return netip.AddrPort{}, &net.AddrError{Err: errNoSuitableAddress, Addr: host}
	}
	return netip.AddrPortFrom(a, port), nil
}

// hasIPv6 reports whether s holds an IPv6 address (a link-local one
// counts): then a "tcp" or "udp" wildcard binds both families.
func hasIPv6(s *netstack.Stack) bool {
	for _, p := range s.Addrs() {
		if p.Addr().Is6() {
			return true
		}
	}
	return false
}

// hasGlobalIPv6 reports whether s holds an IPv6 address beyond link-local,
// one that can reach the addresses a name server gives.
func hasGlobalIPv6(s *netstack.Stack) bool {
	for _, p := range s.Addrs() {
		if a := p.Addr(); a.Is6() && !a.IsLinkLocalUnicast() {
			return true
		}
	}
	return false
}

// wildcard is the unspecified address a listener on network binds when
// its host is empty or unspecified, as net.Listen picks it: "tcp4" binds
// 0.0.0.0 (IPv4 only), "tcp6" binds ::, and "tcp" binds :: (both
// families, the stack's dual-stack wildcard) when the stack has IPv6, else
// 0.0.0.0.
func wildcard(s *netstack.Stack, network string) netip.Addr {
	switch family(network) {
	case '4':
		return netip.IPv4Unspecified()
	case '6':
		return netip.IPv6Unspecified()
	}
	if hasIPv6(s) {
		return netip.IPv6Unspecified()
	}
	return netip.IPv4Unspecified()
}

// presented is ap as a socket of Go's net package shows it: on a socket
// bound to :: (dual) an IPv4 peer is an IPv4-mapped IPv6 address, as the
// kernel reports it to an AF_INET6 socket. Its net.Addr still prints as
// "1.2.3.4:80"; its AddrPort is [::ffff:1.2.3.4]:80.
func presented(ap netip.AddrPort, dual bool) netip.AddrPort {
	if dual && ap.Addr().Is4() {
		return netip.AddrPortFrom(netip.AddrFrom16(ap.Addr().As16()), ap.Port())
	}
	return ap
}

// isDual reports whether a socket bound to local takes both families.
func isDual(local netip.AddrPort) bool {
	return local.Addr() == netip.IPv6Unspecified()
}

// udpAddr converts to the net package's address type (nil for the zero
// value, as net reports a missing address).
func udpAddr(ap netip.AddrPort) net.Addr {
	if !ap.IsValid() {
		return nil
	}
	return net.UDPAddrFromAddrPort(ap)
}

// addrPortOf converts a net.Addr given by a user to a netip.AddrPort, with
// IPv4-mapped addresses as IPv4 and zones dropped.
func addrPortOf(a net.Addr) (netip.AddrPort, bool) {
	var ap netip.AddrPort
	switch a := a.(type) {
	case *net.UDPAddr:
		if a == nil {
			return netip.AddrPort{}, false
		}
		ap = a.AddrPort()
	case *net.TCPAddr:
		if a == nil {
			return netip.AddrPort{}, false
		}
		ap = a.AddrPort()
	default:
		return netip.AddrPort{}, false
	}
	return netip.AddrPortFrom(ap.Addr().Unmap().WithZone(""), ap.Port()), true
}
