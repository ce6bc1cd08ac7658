package conn

import (
	"net"
	"net/netip"
	"syscall"
)

// Multicast and broadcast options of a UDPConn, shaped like those of
// golang.org/x/net/ipv4.PacketConn so code written for it ports directly.
// The interface arguments are accepted for that compatibility and
// ignored: a stack has one link.

// JoinGroup joins the IPv4 multicast group (a *net.UDPAddr or *net.IPAddr;
// the port is ignored): datagrams sent to it reach this socket's port, and
// the stack reports the membership with IGMP so switches forward the
// group. Each socket may join up to 20 groups, as on Linux.
func (c *UDPConn) JoinGroup(ifi *net.Interface, group net.Addr) error {
	g, err := groupAddr(group)
	if err == nil {
		err = c.sock.JoinGroup(g)
	}
	if err != nil {
		return opError("join", c.network, c.laddr, group, err)
	}
	return nil
}

// LeaveGroup leaves a group joined with JoinGroup.
func (c *UDPConn) LeaveGroup(ifi *net.Interface, group net.Addr) error {
	g, err := groupAddr(group)
	if err == nil {
		err = c.sock.LeaveGroup(g)
	}
	if err != nil {
		return opError("leave", c.network, c.laddr, group, err)
	}
	return nil
}

// SetMulticastTTL sets the TTL of multicast datagrams this socket sends
// (default 1: the local link only).
func (c *UDPConn) SetMulticastTTL(ttl int) error {
	if err := c.sock.SetMulticastTTL(ttl); err != nil {
		return opError("set", c.network, c.laddr, nil, err)
	}
	return nil
}

// MulticastTTL returns the TTL of multicast datagrams this socket sends.
func (c *UDPConn) MulticastTTL() (int, error) { return c.sock.MulticastTTL(), nil }

// SetMulticastLoopback says whether multicast datagrams this socket sends
// are also delivered to members on this stack (default on).
func (c *UDPConn) SetMulticastLoopback(on bool) error {
	c.sock.SetMulticastLoopback(on)
	return nil
}

// MulticastLoopback reports the setting of SetMulticastLoopback.
func (c *UDPConn) MulticastLoopback() (bool, error) { return c.sock.MulticastLoopback(), nil }

// SetBroadcast permits or forbids sending to broadcast addresses. It is on
// for every UDPConn, as Go's net package sets SO_BROADCAST on every UDP
// socket; off, such sends fail with EACCES.
func (c *UDPConn) SetBroadcast(on bool) error {
	c.sock.SetBroadcast(on)
	return nil
}

// groupAddr is the IP of a group argument.
func groupAddr(a net.Addr) (netip.Addr, error) {
	var ip net.IP
	switch a := a.(type) {
	case *net.UDPAddr:
		ip = a.IP
	case *net.IPAddr:
		ip = a.IP
	default:
		return netip.Addr{}, syscall.EINVAL
	}
	g, ok := netip.AddrFromSlice(ip)
	if !ok {
		return netip.Addr{}, syscall.EINVAL
	}
	return g.Unmap(), nil
}
