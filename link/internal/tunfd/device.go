package tunfd

import (
	"errors"
	"net"
	"sync/atomic"

	"github.com/renet-go/renet/internal/ifconfig"
	"github.com/renet-go/renet/link/internal/fdio"
	"golang.org/x/sys/unix"
)

// Kind says whether a device carries Ethernet frames (tap) or IP packets
// (TUN).
type Kind uint8

const (
	// TAP devices carry Ethernet II frames.
	TAP Kind = iota + 1
	// TUN devices carry bare IP packets.
	TUN
)

// String returns "tap" or "tun", the prefix of the errors for that kind.
func (k Kind) String() string {
	switch k {
	case TAP:
		return "tap"
	case TUN:
		return "tun"
	}
	return "tunfd"
}

// devPath is the clone device every tap and TUN device is opened through.
const devPath = "/dev/net/tun"

// errNameTooLong is reported for names the kernel could never accept.
var errNameTooLong = errors.New("interface name longer than 15 bytes")

// Device is an open tap or TUN device.
type Device struct {
	kind Kind
	name string
	io   *fdio.File
	ctl  *ifconfig.Ctl
	// mtu is the last MTU read from the kernel, returned if a later
	// query fails (after Close, or if the interface was renamed).
	mtu atomic.Int64

	// vnet is set when every packet carries a virtio-net header.
	vnet bool
	// Reader state (see vnet.go), owned by the goroutine inside a read.
	rxFlags int  // the TUNSETOFFLOAD flags last set
	rxSet   bool // rxFlags has been set at least once
	rxWant  int
	rxErr   error
	setRxFn func(fd uintptr)
	hdrBuf  []byte
	hdrs    [][]byte
	stats   stats
}

// Options changes how OpenWith sets up a device.
type Options struct {
	// NoOffload opens the device without the virtio-net header: every
	// packet is read and written whole, with complete checksums, exactly
	// as before offload existed.
	NoOffload bool
}

// Open is OpenWith with the zero Options: offload on where the kernel
// allows it.
func Open(kind Kind, name string) (*Device, error) {
	return OpenWith(kind, name, Options{})
}

// OpenWith attaches to the tap or TUN device called name, creating it if
// it does not exist. An empty name lets the kernel choose one ("tap0",
// "tun1", ...); Name reports it. Errors are *Error.
//
// Unless o.NoOffload is set it asks for the virtio-net header
// (IFF_VNET_HDR, TUNSETVNETHDRSZ 10, TUNSETVNETLE) and checks that
// TUNSETOFFLOAD takes checksum and TCP segmentation offload. If any of
// that fails it starts again without the header, and Offload reports
// none: a kernel that refuses offload gets exactly the NoOffload device.
func OpenWith(kind Kind, name string, o Options) (*Device, error) {
	if kind != TAP && kind != TUN {
		return nil, &Error{Kind: kind, Name: name, Err: errors.New("unknown device kind")}
	}
	if len(name) >= unix.IFNAMSIZ {
		return nil, &Error{Kind: kind, Name: name, Err: errNameTooLong}
	}
	vnetHdr := !o.NoOffload
	fd, ifname, err := attach(kind, name, vnetHdr)
	if err != nil && vnetHdr && errors.Is(err, unix.EINVAL) {
		// A kernel without IFF_VNET_HDR says EINVAL; so does a name
		// taken by another kind of interface, and then the plain
		// attempt reports it.
		vnetHdr = false
		fd, ifname, err = attach(kind, name, false)
	}
	if err != nil {
		return nil, err
	}
	if vnetHdr {
		if err := setupVnet(fd); err != nil {
			unix.Close(fd)
			vnetHdr = false
			if fd, ifname, err = attach(kind, name, false); err != nil {
				return nil, err
			}
		}
	}
	name = ifname

	ctl, err := ifconfig.Open()
	if err != nil {
		unix.Close(fd)
		return nil, &Error{Kind: kind, Name: name, Err: err}
	}
	mtu, err := ctl.MTU(name)
	if err != nil {
		unix.Close(fd)
		ctl.Close()
		return nil, &Error{Kind: kind, Name: name, Err: err}
	}
	io, err := fdio.New(fd, kind.String()+" "+name)
	if err != nil {
		ctl.Close()
		return nil, &Error{Kind: kind, Name: name, Err: err}
	}
	d := &Device{kind: kind, name: name, io: io, ctl: ctl, vnet: vnetHdr}
	d.setRxFn = d.setRx
	d.mtu.Store(int64(mtu))
	return d, nil
}

// attach opens the clone device and attaches it to the named interface
// with TUNSETIFF, returning the descriptor and the name the kernel used.
func attach(kind Kind, name string, vnetHdr bool) (int, string, error) {
	fd, err := unix.Open(devPath, unix.O_RDWR|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return -1, "", &Error{Kind: kind, Name: name, Path: devPath, Err: err}
	}
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		unix.Close(fd)
		return -1, "", &Error{Kind: kind, Name: name, Err: errNameTooLong}
	}
	flags := uint16(unix.IFF_NO_PI)
	if kind == TAP {
		flags |= unix.IFF_TAP
	} else {
		flags |= unix.IFF_TUN
	}
	if vnetHdr {
		flags |= unix.IFF_VNET_HDR
	}
	ifr.SetUint16(flags)
	if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
		unix.Close(fd)
		return -1, "", &Error{Kind: kind, Name: name, Err: err}
	}
	// The kernel writes back the name it used, which differs from the
	// one asked for when that was empty or a pattern such as "tap%d".
	return fd, ifr.Name(), nil
}

// Name returns the device's interface name.
func (d *Device) Name() string { return d.name }

// MTU asks the kernel for the interface's current MTU, which costs one
// system call. If that fails it returns the last MTU it read.
func (d *Device) MTU() int {
	if mtu, err := d.ctl.MTU(d.name); err == nil {
		d.mtu.Store(int64(mtu))
		return mtu
	}
	return int(d.mtu.Load())
}

// HardwareAddr returns the MAC address of the kernel's side of a tap
// device, or nil for a TUN device or if the query fails.
func (d *Device) HardwareAddr() net.HardwareAddr {
	if d.kind != TAP {
		return nil
	}
	mac, _, err := d.ctl.HardwareAddr(d.name)
	if err != nil {
		return nil
	}
	return mac
}

// Close closes the device descriptor, waking a pending ReadBatch, and the
// control socket. The kernel then removes the interface. Calls after the
// first return nil.
func (d *Device) Close() error {
	err := d.io.Close()
	d.ctl.Close()
	return err
}
