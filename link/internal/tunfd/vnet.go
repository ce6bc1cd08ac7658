package tunfd

import (
	"errors"
	"sync/atomic"

	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/link/internal/vnet"
	"golang.org/x/sys/unix"
)

// TUNSETOFFLOAD flags (include/uapi/linux/if_tun.h).
const (
	tunFCsum   = 0x01 // TUN_F_CSUM: the kernel may hand up partial checksums
	tunFTSO4   = 0x02 // TUN_F_TSO4: ... and TCP/IPv4 segments larger than the MTU
	tunFTSO6   = 0x04 // TUN_F_TSO6
	tunFTSOECN = 0x08 // TUN_F_TSO_ECN: ... including those with CWR set
)

// Receive modes: the TUNSETOFFLOAD flags a read path wants.
const (
	rxPlain = 0                                           // whole packets, complete checksums
	rxCsum  = tunFCsum                                    // partial checksums, packets within the MTU
	rxGRO   = tunFCsum | tunFTSO4 | tunFTSO6 | tunFTSOECN // partial checksums and 64 KiB segments
)

// offloadProbe is what OpenWith asks TUNSETOFFLOAD for to decide whether
// the kernel does offload. A variable so a test can make the kernel refuse.
var offloadProbe = rxGRO

// MaxSegment is the largest IP packet an offloading device reads or
// writes: the 16-bit IPv4 total length bounds it, and Linux's default
// gso_max_size of 64 KiB keeps IPv6 segments under it too.
const MaxSegment = 65535

// setupVnet sets the header size and byte order of a descriptor attached
// with IFF_VNET_HDR and checks that the kernel takes offloads, leaving
// them off until a reader asks (see Device.rx).
func setupVnet(fd int) error {
	if err := unix.IoctlSetPointerInt(fd, unix.TUNSETVNETHDRSZ, vnet.Len); err != nil {
		return err
	}
	if err := unix.IoctlSetPointerInt(fd, unix.TUNSETVNETLE, 1); err != nil {
		return err
	}
	if err := unix.IoctlSetInt(fd, unix.TUNSETOFFLOAD, offloadProbe); err != nil {
		return err
	}
	return unix.IoctlSetInt(fd, unix.TUNSETOFFLOAD, rxPlain)
}

// Stats counts what the read path could not take from the kernel as it
// came. All zero on a device without offload.
type Stats struct {
	// BadCsumOffsets counts packets whose NEEDS_CSUM offsets pointed
	// outside the packet; their PacketInfo says no NeedsCsum.
	BadCsumOffsets uint64
	// BadGSO counts packets with a GSO description that did not hold
	// (unknown type, size 0, headers not in the packet); their
	// PacketInfo says GSONone.
	BadGSO uint64
	// Truncated counts packets longer than the buffer they were read
	// into; they are returned cut short with a zero PacketInfo.
	Truncated uint64
	// GSODropped counts segments larger than the MTU that ReadBatch
	// dropped because it cannot return them whole (only around a switch
	// from ReadBatchInfo to ReadBatch).
	GSODropped uint64
}

type stats struct {
	badCsum, badGSO, truncated, gsoDropped atomic.Uint64
}

// Stats returns the read path's counters.
func (d *Device) Stats() Stats {
	return Stats{
		BadCsumOffsets: d.stats.badCsum.Load(),
		BadGSO:         d.stats.badGSO.Load(),
		Truncated:      d.stats.truncated.Load(),
		GSODropped:     d.stats.gsoDropped.Load(),
	}
}

// Offload reports what the device does: with the virtio-net header, TSO
// and checksum offload on write, and GRO on read, up to MaxSegment bytes
// of IP packet; without it, nothing.
func (d *Device) Offload() link.Offload {
	if !d.vnet {
		return link.Offload{}
	}
	return link.Offload{TSO: true, Checksum: true, GRO: true, MaxSegment: MaxSegment}
}

// linkHeaderLen is the bytes in front of the IP packet in every packet.
func (d *Device) linkHeaderLen() int {
	if d.kind == TAP {
		return 14
	}
	return 0
}

// rx switches the kernel's offloads to mode if they are not already
// there. An ioctl failure leaves the mode as it was; the read paths cope
// with any mode (ReadBatch completes checksums and drops what it cannot
// return whole), so it costs at most some packets at a switch.
func (d *Device) rx(mode int) {
	if d.rxSet && d.rxFlags == mode {
		return
	}
	d.rxWant, d.rxErr = mode, nil
	if err := d.io.Control(d.setRxFn); err != nil {
		return // closed: the read reports it
	}
	d.rxSet = true
	if d.rxErr == nil {
		d.rxFlags = mode
	}
}

func (d *Device) setRx(fd uintptr) {
	d.rxErr = unix.IoctlSetInt(int(fd), unix.TUNSETOFFLOAD, d.rxWant)
}

// readHeaders reads a batch with one header per packet, then clamps each
// size to its buffer and decodes each header into infos[i], counting what
// it had to drop. sizes[i] afterwards is the length of bufs[i] holding the
// packet.
func (d *Device) readHeaders(bufs [][]byte, sizes []int, infos []link.PacketInfo) (int, error) {
	m := min(len(bufs), len(sizes), len(infos))
	if m == 0 {
		return 0, nil
	}
	if len(d.hdrs) < m {
		d.hdrBuf = make([]byte, m*vnet.Len)
		d.hdrs = make([][]byte, m)
		for i := range d.hdrs {
			d.hdrs[i] = d.hdrBuf[i*vnet.Len : (i+1)*vnet.Len]
		}
	}
	n, err := d.io.ReadBatchHeader(d.hdrs[:m], bufs[:m], sizes)
	for i := range n {
		truncated := sizes[i] > len(bufs[i])
		if truncated {
			sizes[i] = len(bufs[i])
			d.stats.truncated.Add(1)
		}
		h, _ := vnet.Decode(d.hdrs[i])
		pi, fault := h.Info(bufs[i][:sizes[i]], truncated)
		if fault&vnet.FaultCsum != 0 {
			d.stats.badCsum.Add(1)
		}
		if fault&vnet.FaultGSO != 0 {
			d.stats.badGSO.Add(1)
		}
		infos[i] = pi
	}
	return n, err
}

// ReadBatch reads whole, ordinary packets, as link.Endpoint describes.
// On a device with the virtio-net header it first turns the kernel's
// offloads off (if ReadBatchInfo had turned them on), so the kernel
// completes checksums and cuts segments itself; a packet that still
// arrives with a partial checksum has it completed here, and a segment
// larger than the MTU is dropped and counted (Stats.GSODropped).
func (d *Device) ReadBatch(bufs [][]byte, sizes []int) (int, error) {
	if !d.vnet {
		return d.io.ReadBatch(bufs, sizes)
	}
	d.rx(rxPlain)
	var infos [16]link.PacketInfo
	bufs = bufs[:min(len(bufs), len(sizes), len(infos))]
	for {
		n, err := d.readHeaders(bufs, sizes, infos[:len(bufs)])
		kept := 0
		for i := range n {
			pi := &infos[i]
			if pi.GSO != link.GSONone {
				d.stats.gsoDropped.Add(1)
				continue
			}
			pi.CompleteChecksum(bufs[i][:sizes[i]])
			if kept != i {
				sizes[kept] = copy(bufs[kept], bufs[i][:sizes[i]])
			}
			kept++
		}
		if kept > 0 || err != nil || n == 0 {
			return kept, err
		}
	}
}

// ReadBatchInfo reads a batch of packets with their offload state, as
// link.OffloadEndpoint describes. It reads min(len(bufs), len(sizes),
// len(infos)) packets at most.
//
// The kernel's offloads follow the buffers: when every buffer holds
// MaxSegment bytes and the link header, the kernel may hand up TCP
// segments of up to MaxSegment bytes (GRO, TUN_F_TSO4/6); with smaller
// buffers only partial checksums (TUN_F_CSUM), so a packet never exceeds
// the MTU. The first call, and a call that changes which of the two
// applies, costs one ioctl.
func (d *Device) ReadBatchInfo(bufs [][]byte, sizes []int, infos []link.PacketInfo) (int, error) {
	if !d.vnet {
		n, err := d.io.ReadBatch(bufs[:min(len(bufs), len(infos))], sizes)
		clear(infos[:n])
		return n, err
	}
	mode := rxGRO
	need := MaxSegment + d.linkHeaderLen()
	for _, b := range bufs[:min(len(bufs), len(sizes), len(infos))] {
		if len(b) < need {
			mode = rxCsum
			break
		}
	}
	d.rx(mode)
	return d.readHeaders(bufs, sizes, infos)
}

// errNoOffload is returned for a packet asking for offload from a device
// opened without it.
var errNoOffload = errors.New("packet needs offload, which this device does not do")

// WriteBatch writes each packet whole, as link.Endpoint describes; on a
// device with the virtio-net header, behind a header that asks for
// nothing.
func (d *Device) WriteBatch(pkts [][]byte) (int, error) {
	if !d.vnet {
		return d.io.WriteBatch(pkts)
	}
	var hdr [vnet.Len]byte
	for i, p := range pkts {
		if err := d.io.WriteHeader(hdr[:], p); err != nil {
			return i, err
		}
	}
	return len(pkts), nil
}

// WriteBatchInfo writes each packet with the virtio-net header infos[i]
// describes (one writev, no copy), as link.OffloadEndpoint describes:
// the kernel completes partial checksums and cuts GSO packets.
// Packets beyond len(infos) are ordinary. The kernel refuses a header it
// cannot honour with EINVAL (an unknown GSO type, a zero GSO size,
// checksum offsets outside the packet, a TSO checksum offset other than
// 16). On a device without offload, a packet that asks for any is refused
// without being written.
func (d *Device) WriteBatchInfo(pkts [][]byte, infos []link.PacketInfo) (int, error) {
	var hdr [vnet.Len]byte
	for i, p := range pkts {
		var pi link.PacketInfo
		if i < len(infos) {
			pi = infos[i]
		}
		if !d.vnet {
			if pi.GSO != link.GSONone || pi.NeedsCsum {
				return i, errNoOffload
			}
			if _, err := d.io.WriteBatch(pkts[i : i+1]); err != nil {
				return i, err
			}
			continue
		}
		vnet.FromInfo(&pi, p).Encode(hdr[:])
		if err := d.io.WriteHeader(hdr[:], p); err != nil {
			return i, err
		}
	}
	return len(pkts), nil
}

// WriteBatchGather is WriteBatchInfo for packets in pieces (see
// link.GatherEndpoint): each is one writev of the virtio-net header, the
// head and the two tails, so the payload is copied only by the kernel.
func (d *Device) WriteBatchGather(heads [][]byte, tails [][2][]byte, infos []link.PacketInfo) (int, error) {
	var hdr [vnet.Len]byte
	for i, h := range heads {
		var pi link.PacketInfo
		if i < len(infos) {
			pi = infos[i]
		}
		var t [2][]byte
		if i < len(tails) {
			t = tails[i]
		}
		vh := hdr[:]
		if !d.vnet {
			if pi.GSO != link.GSONone || pi.NeedsCsum {
				return i, errNoOffload
			}
			vh = nil
		} else {
			vnet.FromInfo(&pi, h).Encode(vh)
		}
		if err := d.io.WriteHeader(vh, h, t[0], t[1]); err != nil {
			return i, err
		}
	}
	return len(heads), nil
}
