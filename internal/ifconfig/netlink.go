package ifconfig

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// rtnl is a NETLINK_ROUTE socket, for what ioctls cannot do: IPv6
// addresses with flags (IFA_F_NODAD) and IPv4 addresses beside the
// primary one. Requests are serialized: one request, then its answer.
type rtnl struct {
	mu  sync.Mutex
	f   *os.File
	rc  syscall.RawConn
	seq uint32
	err error // why the socket could not be opened, if it could not
}

// openRTNL opens the socket in the calling thread's network namespace. A
// failure is kept and reported by the first request, so that a Ctl that
// is only queried works without netlink.
func openRTNL() *rtnl {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return &rtnl{err: fmt.Errorf("netlink socket: %w", err)}
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		unix.Close(fd)
		return &rtnl{err: fmt.Errorf("netlink bind: %w", err)}
	}
	f := os.NewFile(uintptr(fd), "rtnetlink")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return &rtnl{err: fmt.Errorf("netlink socket: %w", err)}
	}
	return &rtnl{f: f, rc: rc}
}

func (r *rtnl) close() error {
	if r.f == nil {
		return nil
	}
	return r.f.Close()
}

// attr appends a netlink attribute (struct rtattr and its payload,
// padded to 4 bytes).
func attr(b []byte, typ uint16, data []byte) []byte {
	n := unix.SizeofRtAttr + len(data)
	b = binary.NativeEndian.AppendUint16(b, uint16(n))
	b = binary.NativeEndian.AppendUint16(b, typ)
	b = append(b, data...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// newAddr adds addr to the interface with index ifindex with
// RTM_NEWADDR, as "ip addr replace ADDR dev X nodad" does: an address
// already there is updated, not doubled, and an IPv6 address skips
// duplicate address detection (IFA_F_NODAD), so it is usable at once
// instead of tentative for a second or more. IPv4 addresses get the
// broadcast address of their prefix, as ifconfig(8) gives them.
func (r *rtnl) newAddr(ifindex int, addr netip.Prefix) error {
	family := uint8(unix.AF_INET6)
	if addr.Addr().Is4() {
		family = unix.AF_INET
	}
	ifa := unix.IfAddrmsg{
		Family:    family,
		Prefixlen: uint8(addr.Bits()),
		Scope:     unix.RT_SCOPE_UNIVERSE,
		Index:     uint32(ifindex),
	}
	a := addr.Addr().AsSlice()
	if addr.Addr().IsLinkLocalUnicast() {
		ifa.Scope = unix.RT_SCOPE_LINK
	}
	if family == unix.AF_INET6 {
		ifa.Flags = unix.IFA_F_NODAD
	}
	msg := append([]byte(nil), (*[unix.SizeofIfAddrmsg]byte)(unsafe.Pointer(&ifa))[:]...)
	msg = attr(msg, unix.IFA_LOCAL, a)
	msg = attr(msg, unix.IFA_ADDRESS, a)
	if family == unix.AF_INET {
		brd := addr.Addr().As4()
		host := ^uint32(0) >> addr.Bits()
		if addr.Bits() == 32 {
			host = 0
		}
		binary.BigEndian.PutUint32(brd[:], binary.BigEndian.Uint32(brd[:])|host)
		if addr.Bits() < 31 {
			msg = attr(msg, unix.IFA_BROADCAST, brd[:])
		}
	} else {
		// The 8-bit ifa_flags holds NODAD too; IFA_FLAGS is the field
		// newer kernels read first.
		msg = attr(msg, unix.IFA_FLAGS, binary.NativeEndian.AppendUint32(nil, unix.IFA_F_NODAD))
	}
	return r.request(unix.RTM_NEWADDR, unix.NLM_F_CREATE|unix.NLM_F_REPLACE, msg)
}

// request sends one netlink request asking for an acknowledgement and
// returns the error the kernel answers with.
func (r *rtnl) request(typ, flags uint16, body []byte) error {
	if r.err != nil {
		return r.err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seq++
	seq := r.seq
	msg := make([]byte, unix.SizeofNlMsghdr, unix.SizeofNlMsghdr+len(body))
	hdr := unix.NlMsghdr{
		Len:   uint32(unix.SizeofNlMsghdr + len(body)),
		Type:  typ,
		Flags: unix.NLM_F_REQUEST | unix.NLM_F_ACK | flags,
		Seq:   seq,
	}
	copy(msg, (*[unix.SizeofNlMsghdr]byte)(unsafe.Pointer(&hdr))[:])
	msg = append(msg, body...)

	var serr error
	err := r.rc.Control(func(fd uintptr) {
		if serr = unix.Sendto(int(fd), msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); serr != nil {
			return
		}
		buf := make([]byte, 8192)
		for {
			n, _, err := unix.Recvfrom(int(fd), buf, 0)
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				serr = err
				return
			}
			msgs, err := syscall.ParseNetlinkMessage(buf[:n])
			if err != nil {
				serr = err
				return
			}
			for _, m := range msgs {
				if m.Header.Seq != seq || m.Header.Type != unix.NLMSG_ERROR {
					continue // not the answer to this request
				}
				if len(m.Data) < 4 {
					serr = errors.New("netlink: short error message")
					return
				}
				if code := int32(binary.NativeEndian.Uint32(m.Data)); code != 0 {
					serr = syscall.Errno(-code)
				}
				return
			}
		}
	})
	if err != nil {
		return err
	}
	return serr
}
