// Package link defines Endpoint, the interface between the renet stack and
// whatever carries its packets: a Linux tap or TUN device, an AF_PACKET
// socket, or an in-memory pipe.
//
// An Endpoint moves packets in batches, in the style of wireguard-go's
// tun.Device, so that one system call or one lock acquisition can carry many
// packets. What a packet is depends on the Medium: a whole Ethernet II frame
// (without FCS) for Ethernet, or a bare IPv4 packet for IP.
//
// Concurrency: one goroutine calls ReadBatch at a time (the stack's driver);
// WriteBatch may be called from any goroutine, but callers serialise their
// writes themselves if they care about order. Close may be called from any
// goroutine at any time and makes a pending ReadBatch return net.ErrClosed.
//
// Offload: an endpoint that can accept TCP segments larger than its MTU and
// cut them itself (TSO/GSO), or hand up coalesced segments (GRO), says so
// through Offload and implements OffloadEndpoint; otherwise the stack
// builds every packet at most MTU bytes long with its checksums complete.
// An offloading link that can also write a packet from several pieces
// implements GatherEndpoint, and TCP data leaves without being copied
// out of the send buffer first.
//
// Back-pressure: a device or socket takes every packet (or drops it, as a
// NIC does). An endpoint fed to user code (link/channel) instead reports
// ErrFull when its reader falls behind, and WriteNotifier says when to
// write again, so nothing is dropped and nothing blocks the stack.
package link

import (
	"errors"
	"net"
)

// ErrFull is what WriteBatch returns, with n < len(pkts), from an
// endpoint whose outbound queue is full (a link/channel whose reader has
// fallen behind): the packets from n on were not taken and remain the
// caller's. Such an endpoint implements WriteNotifier and says when it has
// room again; the stack keeps what it could not write, stops sending new
// TCP data meanwhile, and writes again when told. A link that returns
// ErrFull never blocks in WriteBatch.
var ErrFull = errors.New("link: outbound queue full")

// WriteNotifier is implemented by an endpoint whose WriteBatch may return
// ErrFull. SetWriteNotify registers f (replacing any earlier one); after
// WriteBatch has returned ErrFull, the endpoint calls f once room has
// appeared. It calls f from whichever goroutine made the room (the one
// draining the queue), never from inside WriteBatch and never while
// holding a lock of its own, because f writes to the endpoint again.
type WriteNotifier interface {
	SetWriteNotify(f func())
}

// Medium is the kind of packet an Endpoint carries.
type Medium uint8

const (
	// Ethernet endpoints carry Ethernet II frames: 14-byte header (18 with
	// an 802.1Q tag), no preamble, no FCS. The stack runs ARP over them.
	Ethernet Medium = iota + 1
	// IP endpoints carry bare IP packets, as a TUN device does. No ARP.
	IP
)

func (m Medium) String() string {
	switch m {
	case Ethernet:
		return "ethernet"
	case IP:
		return "ip"
	}
	return "unknown"
}

// HeaderLen is the number of bytes of link-layer header the medium puts in
// front of an IP packet.
func (m Medium) HeaderLen() int {
	if m == Ethernet {
		return 14
	}
	return 0
}

// Offload describes the segmentation and checksum offloads a link performs.
// The zero value means none: every packet written must be complete and at
// most MTU bytes of IP packet, and every packet read is such a packet,
// its checksums unverified. A link that offers any of these implements
// OffloadEndpoint, whose calls carry a PacketInfo per packet.
type Offload struct {
	// TSO is set when WriteBatchInfo accepts TCP segments of up to
	// MaxSegment bytes of IP packet, described by PacketInfo.GSO, and
	// cuts them into MTU-sized packets itself.
	TSO bool
	// Checksum is set when WriteBatchInfo completes a transport checksum
	// that PacketInfo.NeedsCsum marks as partial.
	Checksum bool
	// GRO is set when ReadBatchInfo may return TCP segments of up to
	// MaxSegment bytes of IP packet, coalesced or never cut (the sender
	// was on this host); their PacketInfo says so. Read buffers must then
	// hold MaxSegment bytes and the link header.
	GRO bool
	// MaxSegment is the largest IP packet TSO and GRO carry (64 KiB
	// minus a little on Linux).
	MaxSegment int
}

// GSOType says how a packet larger than the MTU is to be cut, or was
// coalesced (the virtio-net header's gso_type).
type GSOType uint8

const (
	GSONone  GSOType = iota // an ordinary packet
	GSOTCPv4                // TCP over IPv4: cut at GSOSize bytes of payload
	GSOTCPv6                // TCP over IPv6
	GSOUDPL4                // UDP: cut into datagrams of GSOSize payload bytes
)

// PacketInfo is the offload state of one packet (modelled on Linux's
// virtio_net_hdr). Offsets count from the start of the packet as the
// link carries it, link header included.
type PacketInfo struct {
	// GSO and GSOSize: on write, a packet to cut into segments of GSOSize
	// payload bytes, each with copies of the headers (HdrLen bytes), the
	// sequence numbers, IP IDs, lengths and checksums fixed up, and
	// FIN/PSH only on the last; on read, a packet coalesced from such
	// segments.
	GSO     GSOType
	GSOSize uint16
	// HdrLen is the length of the link, IP and transport headers before
	// the payload of a GSO packet.
	HdrLen uint16
	// NeedsCsum marks the transport checksum as partial: the field at
	// CsumStart+CsumOffset holds the folded pseudo-header sum only, and
	// the sum over packet[CsumStart:] is still to be added (on write, by
	// the link; on read, the packet came from this host and crossed no
	// wire, so it needs no checking).
	NeedsCsum             bool
	CsumStart, CsumOffset uint16
	// CsumValid (read) says the link verified the transport checksum.
	CsumValid bool
}

// ChecksumTrusted reports whether a received packet's transport checksum
// need not be verified: the link did, or it never crossed a wire.
func (pi *PacketInfo) ChecksumTrusted() bool { return pi.CsumValid || pi.NeedsCsum }

// OffloadEndpoint is an Endpoint whose packets carry offload state: the
// stack uses these calls instead of ReadBatch and WriteBatch when its
// Offload reports anything. infos[i] describes pkts[i] (bufs[i]); a
// zero PacketInfo is an ordinary, complete packet.
type OffloadEndpoint interface {
	Endpoint
	ReadBatchInfo(bufs [][]byte, sizes []int, infos []PacketInfo) (n int, err error)
	WriteBatchInfo(pkts [][]byte, infos []PacketInfo) (n int, err error)
}

// GatherEndpoint is an OffloadEndpoint that writes a packet from pieces,
// so that data need not be copied together first: the stack sends TCP
// data straight from a connection's send buffer (which wraps around, so
// the data may lie in two pieces).
type GatherEndpoint interface {
	OffloadEndpoint
	// WriteBatchGather is WriteBatchInfo for packets in pieces: packet i
	// is heads[i] followed by tails[i][0] and tails[i][1] (either may be
	// empty), written as one packet described by infos[i]. The offsets in
	// infos[i] count across the pieces as if they were one. The pieces
	// are valid only until the packet has been handed on (a TCP payload
	// lies in a send buffer the peer's acknowledgement frees, which may
	// come before this call returns): an endpoint reads them before it
	// passes the packet on, and never after.
	WriteBatchGather(heads [][]byte, tails [][2][]byte, infos []PacketInfo) (n int, err error)
}

// Endpoint is a link the stack sends and receives packets on.
type Endpoint interface {
	// ReadBatch blocks until at least one packet has arrived, then copies
	// up to len(bufs) packets into bufs, one per buffer, storing each
	// packet's length in the matching element of sizes, and returns how
	// many it stored. A packet longer than its buffer is truncated to the
	// buffer's length. After Close it returns net.ErrClosed.
	// Each buffer should be at least MTU()+Medium().HeaderLen() bytes
	// (plus 4 for a VLAN tag).
	ReadBatch(bufs [][]byte, sizes []int) (n int, err error)

	// WriteBatch sends each packet in pkts. It returns how many it sent;
	// an error is returned only for the first packet that failed (ErrFull:
	// none from that one on were taken). It does not retain the slices
	// after it returns.
	WriteBatch(pkts [][]byte) (n int, err error)

	// MTU is the largest IP packet, in bytes, the link carries (1500 for
	// ordinary Ethernet). It excludes the link-layer header.
	MTU() int

	// Medium says whether packets are Ethernet frames or IP packets.
	Medium() Medium

	// HardwareAddr is the endpoint's own MAC address for Ethernet links,
	// or nil when it has none (IP medium, or a link that lets the stack
	// choose).
	HardwareAddr() net.HardwareAddr

	// Offload reports the offloads this endpoint performs.
	Offload() Offload

	// Close releases the link and unblocks a pending ReadBatch. Calling it
	// more than once is harmless.
	Close() error
}
