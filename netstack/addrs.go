package netstack

import (
	"net"
	"net/netip"
	"slices"
	"syscall"
	"time"

	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/netstack/wire"
)

// Addresses at run time, for the programs that learn them as they go: a
// DHCP client, a VPN told its tunnel address by its peer.

// AddAddr gives the stack another address with its on-link prefix, as
// Config.Addrs does at New. An IPv4 address is announced with a
// gratuitous ARP on Ethernet; an IPv6 one is checked for duplicates.
// EEXIST if the stack already holds it.
func (s *Stack) AddAddr(p netip.Prefix) error {
	if !p.IsValid() || p.Bits() == 0 || p.Addr().Is4In6() || p.Addr().Zone() != "" ||
		!p.Addr().IsGlobalUnicast() && !p.Addr().IsPrivate() && !p.Addr().IsLinkLocalUnicast() {
		return syscall.EINVAL
	}
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return net.ErrClosed
	}
	if s.isLocal(p.Addr()) {
		s.mu.Unlock()
		return syscall.EEXIST
	}
	if is6(p.Addr()) && !s.ip6.enabled {
		s.mu.Unlock()
		return syscall.EAFNOSUPPORT // IPv6 is set up at New, from Config.Addrs
	}
	now := time.Now()
	s.cfg.Addrs = append(s.cfg.Addrs, p)
	s.broadcasts = broadcastAddrs(s.cfg.Addrs)
	if p.Addr().Is4() && s.medium == link.Ethernet {
		s.sendARP(wire.ARPRequest, wire.BroadcastMAC, p.Addr(), wire.MAC{}, p.Addr())
	} else if is6(p.Addr()) && s.ip6.linkLocal.IsValid() {
		s.startDAD(now, p.Addr())
	}
	s.armTimer(now)
	s.mu.Unlock()
	s.flush()
	return nil
}

// RemoveAddr takes an address away (a lease ended). Connections and
// sockets bound to it stay until they fail, as on Linux. EADDRNOTAVAIL if
// the stack does not hold it.
func (s *Stack) RemoveAddr(a netip.Addr) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.isLocal(a) {
		return syscall.EADDRNOTAVAIL
	}
	s.removeAddr(time.Now(), a)
	s.broadcasts = broadcastAddrs(s.cfg.Addrs)
	if s.cfg.Gateway.IsValid() && !s.onLink(s.cfg.Gateway) {
		s.cfg.Gateway = netip.Addr{}
	}
	return nil
}

// SetGateway sets the default router of gw's family (Config.Gateway or
// Config.Gateway6); the zero Addr removes the IPv4 one. An IPv4 router
// must be inside one of the stack's prefixes (EHOSTUNREACH).
func (s *Stack) SetGateway(gw netip.Addr) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case !gw.IsValid():
		s.cfg.Gateway = netip.Addr{}
	case is6(gw):
		s.cfg.Gateway6 = gw
		s.ip6.router, s.ip6.routerUntil = gw, time.Time{}
	case !s.onLink(gw.Unmap()):
		return syscall.EHOSTUNREACH
	default:
		s.cfg.Gateway = gw.Unmap()
	}
	return nil
}

// SetDNS replaces the name servers of Config.DNS.
func (s *Stack) SetDNS(servers []netip.AddrPort) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg.DNS = slices.Clone(servers)
}

// SetMTU changes the MTU the stack sends with (a DHCP server's option 26,
// a VPN's tunnel overhead): at most the link's, at least IPv4's 68. New
// TCP connections take their MSS from it; established ones keep theirs,
// as on Linux. IPv6 follows when the MTU stays at or above its 1280.
func (s *Stack) SetMTU(mtu int) error {
	if mtu < 68 || mtu > s.ep.MTU() {
		return syscall.EINVAL
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mtu = mtu
	if s.ip6.enabled && mtu >= wire.IPv6MinMTU {
		s.ip6.mtu = mtu
	}
	return nil
}
