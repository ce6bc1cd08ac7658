package pcap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/renet-go/renet/link"
)

// endpoint is the link.Endpoint returned by Wrap. MTU, Medium,
// HardwareAddr and Offload are forwarded by embedding.
type endpoint struct {
	link.Endpoint

	mu  sync.Mutex
	w   io.Writer
	buf []byte // one record: header and packet; grows to the largest seen
	err error  // first error from w; once set, nothing more is written
}

// Wrap writes a pcap file header to w and returns an endpoint that
// forwards every call to ep and records each packet it reads or writes,
// with the time of the call. It fails if ep's medium has no pcap link type
// or the header cannot be written. Later write errors do not fail the
// link; Close returns the first one. If w has a Flush() error method
// (bufio.Writer has), Close calls it.
func Wrap(ep link.Endpoint, w io.Writer) (link.Endpoint, error) {
	lt, err := linkTypeOf(ep.Medium())
	if err != nil {
		return nil, err
	}
	var h [fileHeaderLen]byte
	le := binary.LittleEndian
	le.PutUint32(h[0:], magicMicro)
	le.PutUint16(h[4:], versionMajor)
	le.PutUint16(h[6:], versionMinor)
	// thiszone and sigfigs stay zero: timestamps are UTC.
	le.PutUint32(h[16:], SnapLen)
	le.PutUint32(h[20:], lt)
	if _, err := w.Write(h[:]); err != nil {
		return nil, fmt.Errorf("pcap: writing file header: %w", err)
	}
	size := recordHeaderLen + ep.MTU() + ep.Medium().HeaderLen() + 4
	e := &endpoint{Endpoint: ep, w: w, buf: make([]byte, size)}
	if gep, ok := ep.(link.GatherEndpoint); ok {
		return &gatherEndpoint{offloadEndpoint: offloadEndpoint{endpoint: e, oep: gep}, gep: gep}, nil
	}
	if oep, ok := ep.(link.OffloadEndpoint); ok {
		return &offloadEndpoint{endpoint: e, oep: oep}, nil
	}
	return e, nil
}

// offloadEndpoint is the endpoint Wrap returns for a link that offloads:
// it forwards the calls that carry offload state too, and records the
// packets as they cross the link, as tcpdump does on an offloading
// interface: segments larger than the MTU whole, and partial checksums
// as they are (a reader must not call them bad).
type offloadEndpoint struct {
	*endpoint
	oep link.OffloadEndpoint
}

// ReadBatchInfo reads from the wrapped endpoint and records the packets.
func (e *offloadEndpoint) ReadBatchInfo(bufs [][]byte, sizes []int, infos []link.PacketInfo) (int, error) {
	n, err := e.oep.ReadBatchInfo(bufs, sizes, infos)
	e.recordRead(bufs, sizes, n)
	return n, err
}

// WriteBatchInfo writes to the wrapped endpoint and records the packets
// it accepted.
func (e *offloadEndpoint) WriteBatchInfo(pkts [][]byte, infos []link.PacketInfo) (int, error) {
	n, err := e.oep.WriteBatchInfo(pkts, infos)
	e.recordWritten(pkts, n)
	return n, err
}

// gatherEndpoint is the endpoint Wrap returns for a link that also writes
// packets in pieces: the stack sends as it would without the capture, and
// each packet is recorded whole.
type gatherEndpoint struct {
	offloadEndpoint
	gep  link.GatherEndpoint
	recs []byte // the records of the batch being written, guarded by mu
	ends []int  // where each packet's record ends in recs
}

// WriteBatchGather records the packets, their pieces joined, then writes
// them to the wrapped endpoint and keeps the records of those it accepted.
// The records are made first: the pieces are the sender's only until the
// link has the packet (a TCP payload lies in its send buffer, reused once
// the peer has acknowledged it, which may be before this call returns).
// Writes through a capture are serialised.
func (e *gatherEndpoint) WriteBatchGather(heads [][]byte, tails [][2][]byte, infos []link.PacketInfo) (int, error) {
	now := time.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	e.recs, e.ends = e.recs[:0], e.ends[:0]
	for i, h := range heads {
		var t [2][]byte
		if i < len(tails) {
			t = tails[i]
		}
		e.recs = appendRecord(e.recs, now, h, t[0], t[1])
		e.ends = append(e.ends, len(e.recs))
	}
	n, err := e.gep.WriteBatchGather(heads, tails, infos)
	if n > 0 && e.err == nil {
		_, e.err = e.w.Write(e.recs[:e.ends[min(n, len(e.ends))-1]])
	}
	return n, err
}

// ReadBatch reads from the wrapped endpoint and records what it returned.
func (e *endpoint) ReadBatch(bufs [][]byte, sizes []int) (int, error) {
	n, err := e.Endpoint.ReadBatch(bufs, sizes)
	e.recordRead(bufs, sizes, n)
	return n, err
}

// recordRead records the n packets a read returned.
func (e *endpoint) recordRead(bufs [][]byte, sizes []int, n int) {
	if n <= 0 {
		return
	}
	now := time.Now()
	e.mu.Lock()
	for i := range min(n, len(bufs), len(sizes)) {
		// Clamp, so that an endpoint reporting a bad size cannot make
		// the recorder panic.
		e.record(now, bufs[i][:min(max(sizes[i], 0), len(bufs[i]))])
	}
	e.mu.Unlock()
}

// WriteBatch writes to the wrapped endpoint and records the packets it
// accepted.
func (e *endpoint) WriteBatch(pkts [][]byte) (int, error) {
	n, err := e.Endpoint.WriteBatch(pkts)
	e.recordWritten(pkts, n)
	return n, err
}

// recordWritten records the first n packets of a write.
func (e *endpoint) recordWritten(pkts [][]byte, n int) {
	if n <= 0 {
		return
	}
	now := time.Now()
	e.mu.Lock()
	for _, p := range pkts[:min(n, len(pkts))] {
		e.record(now, p)
	}
	e.mu.Unlock()
}

// record writes one record for p. The caller holds e.mu.
func (e *endpoint) record(ts time.Time, p []byte) {
	if e.err != nil {
		return
	}
	e.buf = appendRecord(e.buf[:0], ts, p)
	_, e.err = e.w.Write(e.buf)
}

// appendRecord appends to b the record of the packet p followed by the
// pieces of more (a packet written in pieces), cut to SnapLen.
func appendRecord(b []byte, ts time.Time, p []byte, more ...[]byte) []byte {
	n := len(p)
	for _, m := range more {
		n += len(m)
	}
	incl := min(n, SnapLen)
	var h [recordHeaderLen]byte
	le := binary.LittleEndian
	le.PutUint32(h[0:], uint32(ts.Unix()))
	le.PutUint32(h[4:], uint32(ts.Nanosecond()/1000))
	le.PutUint32(h[8:], uint32(incl))
	le.PutUint32(h[12:], uint32(n))
	b = append(b, h[:]...)
	k := min(len(p), incl)
	b = append(b, p[:k]...)
	left := incl - k
	for _, m := range more {
		k := min(len(m), left)
		b = append(b, m[:k]...)
		left -= k
	}
	return b
}

// Close closes the wrapped endpoint, flushes the writer if it can be
// flushed, and returns the wrapped endpoint's error joined with the first
// error met writing the capture.
func (e *endpoint) Close() error {
	err := e.Endpoint.Close()
	e.mu.Lock()
	if f, ok := e.w.(interface{ Flush() error }); ok && e.err == nil {
		e.err = f.Flush()
	}
	werr := e.err
	e.mu.Unlock()
	if werr != nil {
		werr = fmt.Errorf("pcap: writing capture: %w", werr)
	}
	return errors.Join(err, werr)
}
