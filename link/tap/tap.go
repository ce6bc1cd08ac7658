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

var _ link.GatherEndpoint = (*Device)(nil)

// Open attaches to the tap device called name, creating it if absent. An
// empty name lets the kernel choose one; Name reports it.
//
// The errors say what went wrong in the words of the fix, for example
// "tap: open tap0: operation not permitted (need root or CAP_NET_ADMIN)";
// they match errors.Is(err, os.ErrPermission) when permission is missing
// and errors.Is(err, syscall.EBUSY) when another process has the device.
func Open(name string) (*Device, error) {
	return OpenWith(name, Options{})
}

// Options changes how OpenWith sets up the device.
type Options struct {
	// NoOffload opens the device without the virtio-net header, so
	// Offload reports none and every frame is read and written whole
	// with complete checksums.
	NoOffload bool
}

// OpenWith is Open with options. Open itself turns offload on where the
// kernel allows it (see the package comment) and falls back to none,
// silently, where it does not; Offload says which happened.
func OpenWith(name string, o Options) (*Device, error) {
	d, err := tunfd.OpenWith(tunfd.TAP, name, tunfd.Options{NoOffload: o.NoOffload})
	if err != nil {
		return nil, err
	}
	return &Device{d: d}, nil
}

// Name returns the interface name of the device.
func (d *Device) Name() string { return d.d.Name() }

// ReadBatch blocks until a frame arrives, then reads it and every further
// frame ready without blocking, up to len(bufs), as link.Endpoint
// describes. Frames are whole and ordinary Ethernet II frames without FCS, with
// complete checksums, even with offload on: see the package comment.
func (d *Device) ReadBatch(bufs [][]byte, sizes []int) (int, error) {
	return d.d.ReadBatch(bufs, sizes)
}

// ReadBatchInfo is ReadBatch with each frame's offload state, as
// link.OffloadEndpoint describes; see the package comment for what the
// kernel hands up and the buffer sizes it needs.
func (d *Device) ReadBatchInfo(bufs [][]byte, sizes []int, infos []link.PacketInfo) (int, error) {
	return d.d.ReadBatchInfo(bufs, sizes, infos)
}

// WriteBatch writes each frame whole with one system call, stopping at the
// first that fails, as link.Endpoint describes. It allocates nothing.
func (d *Device) WriteBatch(pkts [][]byte) (int, error) {
	return d.d.WriteBatch(pkts)
}

// WriteBatchInfo writes each frame with the offload state infos[i]
// describes (TSO, partial checksum), as link.OffloadEndpoint describes,
// one system call each and no allocation. Frames beyond len(infos) are
// ordinary. Without offload, a frame that asks for any is refused.
func (d *Device) WriteBatchInfo(pkts [][]byte, infos []link.PacketInfo) (int, error) {
	return d.d.WriteBatchInfo(pkts, infos)
}

// WriteBatchGather writes packets in pieces (link.GatherEndpoint): the
// virtio-net header and the pieces go to the kernel in one writev, so a
// payload is copied once, by the kernel.
func (d *Device) WriteBatchGather(heads [][]byte, tails [][2][]byte, infos []link.PacketInfo) (int, error) {
	return d.d.WriteBatchGather(heads, tails, infos)
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

// MaxSegment is the largest IP packet the device reads or writes with
// offload: Offload().MaxSegment when offload is on.
const MaxSegment = tunfd.MaxSegment

// Offload reports TSO, Checksum and GRO up to MaxSegment 65535 bytes of
// IP packet when the device was opened with offload (the default, if the
// kernel takes it), and nothing otherwise.
func (d *Device) Offload() link.Offload { return d.d.Offload() }

// Stats counts what the read path had to drop from the kernel's offload
// state (never the frames themselves, except as Stats.GSODropped says).
type Stats = tunfd.Stats

// Stats returns the device's counters.
func (d *Device) Stats() Stats { return d.d.Stats() }

// Close closes the device, waking a pending ReadBatch; the kernel then
// removes the interface. Calls after the first return nil.
func (d *Device) Close() error { return d.d.Close() }
