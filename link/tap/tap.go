package tap

import (
	"net"

	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/link/internal/tunfd"
)

// Device is an open tap device. It implements link.Endpoint with Medium
// link.Ethernet.
type Device struct {
	d *tunfd.Device
}

var _ link.Endpoint = (*Device)(nil)

// Open attaches to the tap device called name, creating it if absent. An
// empty name lets the kernel choose one; Name reports it.
//
// The errors say what went wrong in the words of the fix, for example
// "tap: open tap0: operation not permitted (need root or CAP_NET_ADMIN)";
// they match errors.Is(err, os.ErrPermission) when permission is missing
// and errors.Is(err, syscall.EBUSY) when another process has the device.
func Open(name string) (*Device, error) {
	d, err := tunfd.Open(tunfd.TAP, name)
	if err != nil {
		return nil, err
	}
	return &Device{d: d}, nil
}

// Name returns the interface name of the device.
func (d *Device) Name() string { return d.d.Name() }

// ReadBatch blocks until a frame arrives, then reads it and every further
// frame ready without blocking, up to len(bufs), as link.Endpoint
// describes. Frames are whole Ethernet II frames without FCS.
func (d *Device) ReadBatch(bufs [][]byte, sizes []int) (int, error) {
	return d.d.ReadBatch(bufs, sizes)
}

// WriteBatch writes each frame with one write(2), stopping at the first
// that fails, as link.Endpoint describes. It allocates nothing.
func (d *Device) WriteBatch(frames [][]byte) (int, error) {
	return d.d.WriteBatch(frames)
}

// MTU returns the interface's current MTU (1500 unless changed), read
// from the kernel on each call.
func (d *Device) MTU() int { return d.d.MTU() }

// Medium returns link.Ethernet.
func (d *Device) Medium() link.Medium { return link.Ethernet }

// HardwareAddr returns nil: the stack at this end is another host on the
// link and picks a MAC address of its own (the programs default to
// 02:00:00:00:00:01; netstack picks a random locally administered one).
// Returning the kernel side's address here would make the stack clash with
// the kernel.
func (d *Device) HardwareAddr() net.HardwareAddr { return nil }

// KernelHardwareAddr returns the MAC address of the kernel's side of the
// device, the source of the frames the kernel sends.
func (d *Device) KernelHardwareAddr() net.HardwareAddr { return d.d.HardwareAddr() }

// Offload returns the zero Offload: frames are written and read whole,
// with complete checksums.
func (d *Device) Offload() link.Offload { return link.Offload{} }

// Close closes the device, waking a pending ReadBatch; the kernel then
// removes the interface. Calls after the first return nil.
func (d *Device) Close() error { return d.d.Close() }
