package ifconfig

import "net/netip"

// Up gives the named interface the IPv4 address and prefix length in addr
// (for example 192.168.69.100/24) and brings it up, in the calling thread's
// network namespace. If addr is the zero Prefix, Up only brings the
// interface up. It needs CAP_NET_ADMIN.
func Up(name string, addr netip.Prefix) error {
	c, err := Open()
	if err != nil {
		return err
	}
	defer c.Close()
	return c.Up(name, addr)
}

// SetMTU sets the MTU of the named interface, in the calling thread's
// network namespace. It needs CAP_NET_ADMIN.
func SetMTU(name string, mtu int) error {
	c, err := Open()
	if err != nil {
		return err
	}
	defer c.Close()
	return c.SetMTU(name, mtu)
}
