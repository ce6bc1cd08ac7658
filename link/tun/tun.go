package tun

import (
	"net"

	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/link/internal/tunfd"
)

// Device is an open TUN device. It implements link.Endpoint with Medium
// link.IP.
type Device struct {
	d *tunfd.Device
}

var _ link.Endpoint = (*Device)(nil)

// Open attaches to the TUN device called name, creating it if absent. An
// empty name lets the kernel choose one; Name reports it.
//
// The errors say what went wrong in the words of the fix, for example
// "tun: open tun0: operation not permitted (need root or CAP_NET_ADMIN)";
// they match errors.Is(err, os.ErrPermission) when permission is missing
// and errors.Is(err, syscall.EBUSY) when another process has the device.
func Open(name string) (*Device, error) {
	d, err := tunfd.Open(tunfd.TUN, name)
	if err != nil {
		return nil, err
	}
	return &Device{d: d}, nil
}

// Name returns the interface name of the device.
func (d *Device) Name() string { return d.d.Name() }

// ReadBatch blocks until a packet arrives, then reads it and every further
// packet ready without blocking, up to len(bufs), as link.Endpoint
// describes. Packets are bare IP packets.
func (d *Device) ReadBatch(bufs [][]byte, sizes []int) (int, error) {
	return d.d.ReadBatch(bufs, sizes)
}

// WriteBatch writes each packet with one write(2), stopping at the first
// that fails, as link.Endpoint describes. It allocates nothing.
func (d *Device) WriteBatch(pkts [][]byte) (int, error) {
	return d.d.WriteBatch(pkts)
}

// MTU returns the interface's current MTU (1500 unless changed), read
// from the kernel on each call.
func (d *Device) MTU() int { return d.d.MTU() }

// Medium returns link.IP.
func (d *Device) Medium() link.Medium { return link.IP }

// HardwareAddr returns nil: a TUN link has no link-layer addresses.
func (d *Device) HardwareAddr() net.HardwareAddr { return nil }

// Offload returns the zero Offload: packets are written and read whole,
// with complete checksums.
func (d *Device) Offload() link.Offload { return link.Offload{} }

// Close closes the device, waking a pending ReadBatch; the kernel then
// removes the interface. Calls after the first return nil.
func (d *Device) Close() error { return d.d.Close() }
