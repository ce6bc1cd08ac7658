package ifconfig

import "net/netip"

// Up gives the named interface the address and prefix length in addr
// (for example 192.168.69.100/24 or fdaa::100/64) and brings it up, in the
// calling thread's network namespace. If addr is the zero Prefix, Up only
// brings the interface up. It needs CAP_NET_ADMIN.
func Up(name string, addr netip.Prefix) error {
	c, err := Open()
	if err != nil {
		return err
	}
	defer c.Close()
	return c.Up(name, addr)
}

// UpAddrs gives the named interface every address in addrs, IPv4 and
// IPv6 (for example 192.168.69.100/24 and fdaa::100/64), and brings it up,
// in the calling thread's network namespace; see Ctl.UpAddrs for how each
// is set. It needs CAP_NET_ADMIN.
func UpAddrs(name string, addrs []netip.Prefix) error {
	c, err := Open()
	if err != nil {
		return err
	}
	defer c.Close()
	return c.UpAddrs(name, addrs)
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
