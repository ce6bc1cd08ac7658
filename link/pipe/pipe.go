package pipe

import (
	"net"

	"github.com/renet-go/renet/link"
)

// Endpoint is one end of a pipe. It implements link.Endpoint.
type Endpoint struct {
	in      *direction // from the peer to this end
	out     *direction // from this end to the peer
	mtu     int
	medium  link.Medium
	hwaddr  net.HardwareAddr
	offload link.Offload
}

var _ link.GatherEndpoint = (*Endpoint)(nil)

// Stream constants that make the two directions' random streams differ
// even though both are seeded with Config.Seed.
const (
	streamAB = 0x6a09e667f3bcc908
	streamBA = 0xbb67ae8584caa73b
)

// New returns the two connected ends of a pipe described by cfg.
func New(cfg Config) (a, b *Endpoint) {
	c := cfg.withDefaults()
	ab := newDirection(&c, streamAB)
	ba := newDirection(&c, streamBA)
	a = &Endpoint{in: ba, out: ab, mtu: c.MTU, medium: c.Medium, hwaddr: c.HardwareAddrA}
	b = &Endpoint{in: ab, out: ba, mtu: c.MTU, medium: c.Medium, hwaddr: c.HardwareAddrB}
	if c.Offload {
		off := link.Offload{TSO: true, Checksum: true, GRO: true, MaxSegment: MaxOffloadSegment}
		a.offload, b.offload = off, off
	}
	return a, b
}

// ReadBatch blocks until at least one packet is ready, then copies as many
// ready packets as fit into bufs (one per buffer, truncated to the buffer's
// length) and stores their lengths in sizes. It returns 0 and no error at
// once if bufs or sizes is empty, and net.ErrClosed once e is closed.
func (e *Endpoint) ReadBatch(bufs [][]byte, sizes []int) (int, error) {
	return e.in.receive(bufs, sizes, nil)
}

// ReadBatchInfo is ReadBatch with each packet's offload state, as the
// sender described it (zero unless Config.Offload).
func (e *Endpoint) ReadBatchInfo(bufs [][]byte, sizes []int, infos []link.PacketInfo) (int, error) {
	return e.in.receive(bufs, sizes, infos)
}

// WriteBatch copies each packet in pkts into the pipe; the caller may reuse
// the slices as soon as it returns. Packets lost to an impairment, a full
// queue, a closed peer or their length are dropped silently and still
// counted in n, as on a real network. It returns net.ErrClosed, and sends
// nothing, once e is closed.
func (e *Endpoint) WriteBatch(pkts [][]byte) (int, error) {
	return e.out.send(pkts, nil, nil)
}

// WriteBatchInfo is WriteBatch with each packet's offload state, carried
// to the peer when Config.Offload is set (and dropped otherwise:
// a pipe without offload carries complete packets only).
func (e *Endpoint) WriteBatchInfo(pkts [][]byte, infos []link.PacketInfo) (int, error) {
	if !e.offload.Checksum {
		infos = nil // a plain pipe carries complete packets only
	}
	return e.out.send(pkts, nil, infos)
}

// WriteBatchGather is WriteBatchInfo for packets in pieces
// (link.GatherEndpoint): the pieces are copied together into the packet
// the peer reads, the one copy a pipe makes anyway.
func (e *Endpoint) WriteBatchGather(heads [][]byte, tails [][2][]byte, infos []link.PacketInfo) (int, error) {
	if !e.offload.Checksum {
		infos = nil
	}
	return e.out.send(heads, tails, infos)
}

// MTU returns the largest IP packet the pipe carries.
func (e *Endpoint) MTU() int { return e.mtu }

// Medium returns the kind of packet the pipe carries.
func (e *Endpoint) Medium() link.Medium { return e.medium }

// HardwareAddr returns this end's MAC address, or nil for the IP medium.
// The caller must not modify it.
func (e *Endpoint) HardwareAddr() net.HardwareAddr { return e.hwaddr }

// Offload reports checksum offload, TSO and GRO when Config.Offload is
// set, and nothing otherwise.
func (e *Endpoint) Offload() link.Offload { return e.offload }

// Close closes this end: its reads and writes fail with net.ErrClosed and
// the peer's writes to it are dropped. It always returns nil, and calling
// it again does nothing.
func (e *Endpoint) Close() error {
	e.out.closeSender()
	e.in.closeReceiver()
	return nil
}

// Stats returns the counters of both directions, as seen from e.
func (e *Endpoint) Stats() Stats {
	return Stats{Tx: e.out.snapshot(), Rx: e.in.snapshot()}
}
