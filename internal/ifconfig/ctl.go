package ifconfig

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Ctl is a control socket for querying and configuring network interfaces
// by name, in the network namespace it was opened in. Its methods may be
// called from any goroutine, concurrently.
type Ctl struct {
	// f owns the socket so that using a Ctl after Close reports an error
	// instead of issuing an ioctl on a descriptor number the process may
	// have reused.
	f  *os.File
	rc syscall.RawConn
	nl *rtnl // for IPv6 and secondary IPv4 addresses
}

// Open opens a control socket in the calling thread's network namespace,
// and beside it a netlink socket for the addresses ioctls cannot set.
func Open() (*Ctl, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("ifconfig: control socket: %w", err)
	}
	f := os.NewFile(uintptr(fd), "ifconfig")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("ifconfig: control socket: %w", err)
	}
	return &Ctl{f: f, rc: rc, nl: openRTNL()}, nil
}

// Close closes the control sockets.
func (c *Ctl) Close() error {
	err := c.f.Close()
	if nerr := c.nl.close(); err == nil {
		err = nerr
	}
	return err
}

// ioctl runs one ifreq ioctl on the control socket.
func (c *Ctl) ioctl(req uint, ifr *unix.Ifreq) error {
	var errno error
	err := c.rc.Control(func(fd uintptr) {
		errno = unix.IoctlIfreq(int(fd), req, ifr)
	})
	if err != nil {
		return err
	}
	return errno
}

// newIfreq validates name and makes an ifreq for it.
func newIfreq(name string) (*unix.Ifreq, error) {
	if name == "" {
		return nil, errors.New("empty interface name")
	}
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return nil, fmt.Errorf("interface name longer than %d bytes", unix.IFNAMSIZ-1)
	}
	return ifr, nil
}

// opError wraps err with the interface name and what was being done.
func opError(name, op string, err error) error {
	return fmt.Errorf("ifconfig: %s: %s: %w", name, op, err)
}

// Index returns the interface index of name.
func (c *Ctl) Index(name string) (int, error) {
	ifr, err := newIfreq(name)
	if err != nil {
		return 0, opError(name, "get index", err)
	}
	if err := c.ioctl(unix.SIOCGIFINDEX, ifr); err != nil {
		return 0, opError(name, "get index", err)
	}
	return int(int32(ifr.Uint32())), nil
}

// MTU returns the interface's MTU.
func (c *Ctl) MTU(name string) (int, error) {
	ifr, err := newIfreq(name)
	if err != nil {
		return 0, opError(name, "get mtu", err)
	}
	if err := c.ioctl(unix.SIOCGIFMTU, ifr); err != nil {
		return 0, opError(name, "get mtu", err)
	}
	return int(int32(ifr.Uint32())), nil
}

// SetMTU sets the interface's MTU.
func (c *Ctl) SetMTU(name string, mtu int) error {
	op := fmt.Sprintf("set mtu %d", mtu)
	if mtu <= 0 || mtu > 1<<31-1 {
		return opError(name, op, errors.New("mtu out of range"))
	}
	ifr, err := newIfreq(name)
	if err != nil {
		return opError(name, op, err)
	}
	ifr.SetUint32(uint32(mtu))
	if err := c.ioctl(unix.SIOCSIFMTU, ifr); err != nil {
		return opError(name, op, err)
	}
	return nil
}

// Flags returns the interface flags (unix.IFF_UP, unix.IFF_RUNNING, ...).
func (c *Ctl) Flags(name string) (uint16, error) {
	ifr, err := newIfreq(name)
	if err != nil {
		return 0, opError(name, "get flags", err)
	}
	if err := c.ioctl(unix.SIOCGIFFLAGS, ifr); err != nil {
		return 0, opError(name, "get flags", err)
	}
	return ifr.Uint16(), nil
}

// Up gives the interface the address and prefix length in addr and brings
// it up; the kernel then adds the connected route for the prefix. If addr
// is the zero Prefix, Up only brings the interface up. It is UpAddrs with
// one address, or none.
func (c *Ctl) Up(name string, addr netip.Prefix) error {
	if !addr.IsValid() {
		return c.UpAddrs(name, nil)
	}
	return c.UpAddrs(name, []netip.Prefix{addr})
}

// UpAddrs gives the interface every address in addrs, IPv4 and IPv6, and
// brings it up.
//
// The first IPv4 address becomes the interface's primary one, with
// SIOCSIFADDR and SIOCSIFNETMASK: calling again with another replaces it.
// Further IPv4 addresses and every IPv6 address are added with netlink
// (RTM_NEWADDR, as "ip addr replace ADDR dev NAME nodad"): they stay until
// removed, and adding one again is harmless. IPv6 addresses skip
// duplicate address detection (IFA_F_NODAD), so they are usable at once
// rather than tentative for a second or more; an ioctl (SIOCSIFADDR on an
// AF_INET6 socket, struct in6_ifreq) cannot ask for that, which is why
// netlink is used.
func (c *Ctl) UpAddrs(name string, addrs []netip.Prefix) error {
	primary := true
	for _, addr := range addrs {
		if !addr.IsValid() {
			return opError(name, "set address", errors.New("invalid prefix"))
		}
		if addr.Addr().Is4() && primary {
			primary = false
			if err := c.setAddr(name, addr); err != nil {
				return err
			}
			continue
		}
		if err := c.addAddr(name, addr); err != nil {
			return err
		}
	}
	ifr, err := newIfreq(name)
	if err != nil {
		return opError(name, "bring up", err)
	}
	if err := c.ioctl(unix.SIOCGIFFLAGS, ifr); err != nil {
		return opError(name, "bring up", err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := c.ioctl(unix.SIOCSIFFLAGS, ifr); err != nil {
		return opError(name, "bring up", err)
	}
	return nil
}

// setAddr sets the address, then the netmask. SIOCSIFADDR alone would give
// the interface the classful mask of the address (or /32 on a
// point-to-point link such as a TUN device); SIOCSIFNETMASK then replaces
// it, and the kernel recomputes the broadcast address and connected route.
func (c *Ctl) setAddr(name string, addr netip.Prefix) error {
	op := "set address " + addr.String()
	if !addr.Addr().Is4() {
		return opError(name, op, errors.New("not an IPv4 prefix"))
	}
	ifr, err := newIfreq(name)
	if err != nil {
		return opError(name, op, err)
	}
	a := addr.Addr().As4()
	if err := ifr.SetInet4Addr(a[:]); err != nil {
		return opError(name, op, err)
	}
	if err := c.ioctl(unix.SIOCSIFADDR, ifr); err != nil {
		return opError(name, op, err)
	}
	if err := ifr.SetInet4Addr(net.CIDRMask(addr.Bits(), 32)); err != nil {
		return opError(name, op, err)
	}
	if err := c.ioctl(unix.SIOCSIFNETMASK, ifr); err != nil {
		return opError(name, op, err)
	}
	return nil
}

// addAddr adds an IPv6 or a secondary IPv4 address with netlink.
func (c *Ctl) addAddr(name string, addr netip.Prefix) error {
	op := "add address " + addr.String()
	if addr.Addr().Zone() != "" {
		return opError(name, op, errors.New("address has a zone"))
	}
	idx, err := c.Index(name)
	if err != nil {
		return err
	}
	if err := c.nl.newAddr(idx, addr); err != nil {
		return opError(name, op, err)
	}
	return nil
}

// ifreqSockaddr is struct ifreq with its union read as a struct sockaddr,
// which unix.Ifreq has no accessor for. It is at least as large as the
// kernel's struct ifreq on every architecture (40 bytes on 64-bit), so the
// kernel never writes past it.
type ifreqSockaddr struct {
	name [unix.IFNAMSIZ]byte
	addr unix.RawSockaddr
	_    [8]byte
}

// HardwareAddr returns the interface's hardware address and its ARP
// hardware type (unix.ARPHRD_ETHER for Ethernet and tap devices,
// unix.ARPHRD_NONE for TUN devices, unix.ARPHRD_LOOPBACK for lo). The
// address is nil for types that have no 6-byte MAC address.
func (c *Ctl) HardwareAddr(name string) (net.HardwareAddr, uint16, error) {
	if _, err := newIfreq(name); err != nil {
		return nil, 0, opError(name, "get hardware address", err)
	}
	var r ifreqSockaddr
	copy(r.name[:], name)
	var errno syscall.Errno
	err := c.rc.Control(func(fd uintptr) {
		_, _, errno = unix.Syscall(unix.SYS_IOCTL, fd, unix.SIOCGIFHWADDR, uintptr(unsafe.Pointer(&r)))
	})
	if err == nil && errno != 0 {
		err = errno
	}
	if err != nil {
		return nil, 0, opError(name, "get hardware address", err)
	}
	switch r.addr.Family {
	case unix.ARPHRD_ETHER, unix.ARPHRD_LOOPBACK:
		mac := make(net.HardwareAddr, 6)
		for i := range mac {
			mac[i] = byte(r.addr.Data[i])
		}
		return mac, r.addr.Family, nil
	}
	return nil, r.addr.Family, nil
}
