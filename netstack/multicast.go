package netstack

import (
	"net/netip"
	"slices"
	"syscall"
	"time"

	"github.com/renet-go/renet/netstack/wire"
)

// Multicast (RFC 1112 level 2): sockets join groups; the stack keeps a
// count of sockets per group, accepts the frames and datagrams of every
// group some socket joined (and of 224.0.0.1, which every host is in),
// delivers them to the sockets bound to the port as for any address (as
// Linux does with IP_MULTICAST_ALL on, its default), and announces its
// groups with IGMP (igmp.go) so that snooping switches forward them.

// allHosts is 224.0.0.1, the group every multicast host belongs to (RFC
// 1112 §4); it is never reported.
var allHosts = netip.AddrFrom4([4]byte{224, 0, 0, 1})

// maxGroupsPerSocket bounds a socket's memberships, as Linux's
// igmp_max_memberships (20); beyond it JoinGroup fails with ENOBUFS.
const maxGroupsPerSocket = 20

// defaultMulticastTTL is the TTL of multicast datagrams until
// SetMulticastTTL (Linux's IP_MULTICAST_TTL default: 1, this link only).
const defaultMulticastTTL = 1

// mcastTable is the stack's group membership.
type mcastTable struct {
	groups map[netip.Addr]*mgroup
	macs   map[wire.MAC]int // groups joined per Ethernet address
	igmp   igmpState
}

// mgroup is one joined group.
type mgroup struct {
	refs int // sockets that joined
	igmp igmpGroup
}

// isMember reports whether the stack receives datagrams sent to group g.
func (s *Stack) isMember(g netip.Addr) bool {
	return g == allHosts || s.mcast.groups[g] != nil
}

// acceptsMAC reports whether a multicast frame to mac may carry one of our
// groups (RFC 1112 §6.4 maps the low 23 bits of the group into
// 01:00:5e:00:00:00; several groups share a MAC, so the IP layer checks
// again).
func (s *Stack) acceptsMAC(mac wire.MAC) bool {
	return mac == wire.MulticastMAC(allHosts) || s.mcast.macs[mac] > 0 || s.acceptsMAC6(mac)
}

// joinGroup adds a socket's membership of g; the first one makes the stack
// join and announce it. Called with s.mu held.
func (s *Stack) joinGroup(g netip.Addr) {
	if s.mcast.groups == nil {
		s.mcast.groups = make(map[netip.Addr]*mgroup)
		s.mcast.macs = make(map[wire.MAC]int)
	}
	m := s.mcast.groups[g]
	if m == nil {
		m = &mgroup{}
		s.mcast.groups[g] = m
		s.mcast.macs[wire.MulticastMAC(g)]++
		s.igmpJoined(g, m)
	}
	m.refs++
}

// leaveGroup drops a socket's membership of g; the last one makes the stack
// leave and say so. Called with s.mu held.
func (s *Stack) leaveGroup(g netip.Addr) {
	m := s.mcast.groups[g]
	if m == nil {
		return
	}
	if m.refs--; m.refs == 0 {
		delete(s.mcast.groups, g)
		mac := wire.MulticastMAC(g)
		if s.mcast.macs[mac]--; s.mcast.macs[mac] <= 0 {
			delete(s.mcast.macs, mac)
		}
		s.igmpLeft(g)
	}
}

// multicastGroup validates a group address for JoinGroup and LeaveGroup.
func multicastGroup(g netip.Addr) (netip.Addr, error) {
	g = g.Unmap()
	if !g.Is4() || !g.IsMulticast() {
		return netip.Addr{}, syscall.EINVAL
	}
	return g, nil
}

// JoinGroup makes the socket's stack receive datagrams sent to group
// (IP_ADD_MEMBERSHIP). Joining a group twice fails with EADDRINUSE, more
// than 20 with ENOBUFS, as on Linux.
func (u *UDPSocket) JoinGroup(group netip.Addr) error {
	g, err := multicastGroup(group)
	if err != nil {
		return err
	}
	s := u.s
	s.mu.Lock()
	switch {
	case u.isClosed:
		s.mu.Unlock()
		return syscall.EBADF
	case slices.Contains(u.groups, g):
		s.mu.Unlock()
		return syscall.EADDRINUSE
	case len(u.groups) >= maxGroupsPerSocket:
		s.mu.Unlock()
		return syscall.ENOBUFS
	}
	u.groups = append(u.groups, g)
	s.joinGroup(g)
	s.armTimer(time.Now())
	s.mu.Unlock()
	s.flush()
	return nil
}

// LeaveGroup undoes JoinGroup (IP_DROP_MEMBERSHIP); EADDRNOTAVAIL if the
// socket is not a member.
func (u *UDPSocket) LeaveGroup(group netip.Addr) error {
	g, err := multicastGroup(group)
	if err != nil {
		return err
	}
	s := u.s
	s.mu.Lock()
	i := slices.Index(u.groups, g)
	if i < 0 {
		s.mu.Unlock()
		return syscall.EADDRNOTAVAIL
	}
	u.groups = slices.Delete(u.groups, i, i+1)
	s.leaveGroup(g)
	s.armTimer(time.Now())
	s.mu.Unlock()
	s.flush()
	return nil
}

// leaveAllGroups drops every membership of a closing socket. Called with
// s.mu held.
func (u *UDPSocket) leaveAllGroups() {
	for _, g := range u.groups {
		u.s.leaveGroup(g)
	}
	u.groups = nil
}

// SetMulticastTTL sets the TTL of the multicast datagrams the socket sends
// (IP_MULTICAST_TTL; default 1). It must be 0 to 255.
func (u *UDPSocket) SetMulticastTTL(ttl int) error {
	if ttl < 0 || ttl > 255 {
		return syscall.EINVAL
	}
	u.s.mu.Lock()
	u.mcastTTL = uint8(ttl)
	u.s.mu.Unlock()
	return nil
}

// MulticastTTL returns the TTL of the socket's multicast datagrams.
func (u *UDPSocket) MulticastTTL() int {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	return int(u.mcastTTL)
}

// SetMulticastLoopback says whether the socket's multicast datagrams are
// also delivered to this stack's own members of the group
// (IP_MULTICAST_LOOP; default on, as on Linux).
func (u *UDPSocket) SetMulticastLoopback(on bool) {
	u.s.mu.Lock()
	u.noLoop = !on
	u.s.mu.Unlock()
}

// MulticastLoopback reports the IP_MULTICAST_LOOP setting.
func (u *UDPSocket) MulticastLoopback() bool {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	return !u.noLoop
}

// sendMulticast sends a datagram to a group (RFC 1112 §6.1): on the link
// with the socket's multicast TTL, unless that is 0 (this host only), and
// a copy to our own members of the group unless loopback is off. Called
// with s.mu held; takes ownership of p.
func (u *UDPSocket) sendMulticast(now time.Time, p *[]byte, o *ipOut, n int) error {
	s := u.s
	if !u.noLoop && s.isMember(o.dst) {
		q := s.newPacket(o.dst, n)
		off := s.transportOffset(o.dst)
		copy((*q)[off:off+n], (*p)[off:off+n])
		g := ipv4Fields(o)
		g.TTL = max(u.mcastTTL, 1)
		s.ipID++
		g.ID = s.ipID
		s.sendLocal(q, &g, n)
	}
	if u.mcastTTL == 0 {
		s.putBuf(p)
		return nil
	}
	o.ttl = u.mcastTTL
	return s.sendIP(now, p, o, n)
}
