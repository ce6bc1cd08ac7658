package afpacket

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"

	"github.com/renet-go/renet/internal/ifconfig"
	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/link/internal/fdio"
	"golang.org/x/sys/unix"
)

// Socket is an AF_PACKET socket bound to one interface. It implements
// link.Endpoint.
type Socket struct {
	name   string
	index  int
	medium link.Medium
	io     *fdio.File
	ctl    *ifconfig.Ctl
	mtu    atomic.Int64 // last MTU read, returned if a later query fails

	mu      sync.Mutex // serialises SetPromiscuous
	promisc bool       // whether this socket holds a promiscuous membership
}

var _ link.Endpoint = (*Socket)(nil)

// htons converts a protocol number to network byte order, as the sockaddr_ll
// and socket(2) protocol fields want it.
func htons(v uint16) uint16 {
	var b [2]byte
	binary.BigEndian.PutUint16(b[:], v)
	return binary.NativeEndian.Uint16(b[:])
}

// openError formats an Open failure, with a hint for the common one.
func openError(ifname string, err error) error {
	msg := "afpacket: open " + ifname + ": %w"
	if errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) {
		msg += " (need root or CAP_NET_RAW)"
	}
	return fmt.Errorf(msg, err)
}

// Open opens an AF_PACKET socket bound to the interface ifname, in the
// calling thread's network namespace.
func Open(ifname string) (*Socket, error) {
	ctl, err := ifconfig.Open()
	if err != nil {
		return nil, openError(ifname, err)
	}
	s, err := open(ctl, ifname)
	if err != nil {
		ctl.Close()
		return nil, openError(ifname, err)
	}
	return s, nil
}

func open(ctl *ifconfig.Ctl, ifname string) (*Socket, error) {
	index, err := ctl.Index(ifname)
	if err != nil {
		return nil, unwrapOp(err)
	}
	_, hwtype, err := ctl.HardwareAddr(ifname)
	if err != nil {
		return nil, unwrapOp(err)
	}
	var medium link.Medium
	switch hwtype {
	case unix.ARPHRD_ETHER, unix.ARPHRD_LOOPBACK:
		medium = link.Ethernet
	case unix.ARPHRD_NONE:
		medium = link.IP
	default:
		return nil, fmt.Errorf("unsupported link type %d (ARPHRD_*)", hwtype)
	}
	mtu, err := ctl.MTU(ifname)
	if err != nil {
		return nil, unwrapOp(err)
	}

	// Protocol 0 receives nothing until bind names the protocol and the
	// interface, so no frame from another interface can slip in between.
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	// Best effort: kernels before 4.20 lack it, and then the socket also
	// reads what the kernel and other sockets send out of the interface.
	unix.SetsockoptInt(fd, unix.SOL_PACKET, unix.PACKET_IGNORE_OUTGOING, 1)
	sa := &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ALL), Ifindex: index}
	if err := unix.Bind(fd, sa); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("bind: %w", err)
	}
	io, err := fdio.New(fd, "afpacket "+ifname)
	if err != nil {
		return nil, err
	}
	s := &Socket{name: ifname, index: index, medium: medium, io: io, ctl: ctl}
	s.mtu.Store(int64(mtu))
	return s, nil
}

// unwrapOp drops ifconfig's "ifconfig: NAME: op:" prefix, which would repeat
// what openError says, keeping the cause (and so errors.Is) intact.
func unwrapOp(err error) error {
	if u := errors.Unwrap(err); u != nil {
		return u
	}
	return err
}

// Name returns the name of the interface the socket is bound to.
func (s *Socket) Name() string { return s.name }

// ReadBatch blocks until a frame arrives, then reads it and every further
// frame ready without blocking, up to len(bufs), as link.Endpoint
// describes. VLAN tags the NIC stripped are not restored.
func (s *Socket) ReadBatch(bufs [][]byte, sizes []int) (int, error) {
	return s.io.ReadBatch(bufs, sizes)
}

// WriteBatch sends each frame out of the interface with one write(2),
// stopping at the first that fails, as link.Endpoint describes. If the
// socket buffer is full it waits for room. It allocates nothing.
func (s *Socket) WriteBatch(frames [][]byte) (int, error) {
	return s.io.WriteBatch(frames)
}

// MTU returns the interface's current MTU, read from the kernel on each
// call (the last one read if that fails).
func (s *Socket) MTU() int {
	if mtu, err := s.ctl.MTU(s.name); err == nil {
		s.mtu.Store(int64(mtu))
		return mtu
	}
	return int(s.mtu.Load())
}

// Medium returns link.Ethernet on Ethernet-like interfaces (and lo) and
// link.IP on TUN-like interfaces that carry bare IP packets.
func (s *Socket) Medium() link.Medium { return s.medium }

// HardwareAddr returns the interface's MAC address, which is the kernel's:
// see the package comment before letting a stack use it. It is nil on
// IP-medium interfaces or if the query fails.
func (s *Socket) HardwareAddr() net.HardwareAddr {
	mac, _, err := s.ctl.HardwareAddr(s.name)
	if err != nil {
		return nil
	}
	return mac
}

// Offload returns the zero Offload: frames are sent and received whole.
func (s *Socket) Offload() link.Offload { return link.Offload{} }

// Close closes the socket, waking a pending ReadBatch. The kernel drops
// the socket's promiscuous membership with it. Calls after the first
// return nil.
func (s *Socket) Close() error {
	err := s.io.Close()
	s.ctl.Close()
	return err
}
