package relay

import (
	"errors"
	"net"
	"sync/atomic"

	"github.com/renet-go/renet/link"
)

// hop moves frames from one endpoint to another, a batch at a time, with
// buffers allocated once.
type hop struct {
	src, dst link.Endpoint
	bufs     [][]byte // storage ReadBatch fills
	sizes    []int
	pkts     [][]byte // bufs cut to the sizes read; what WriteBatch gets

	read, written, bytes, drops atomic.Uint64
}

func newHop(src, dst link.Endpoint, batch, frame int) *hop {
	h := &hop{
		src:   src,
		dst:   dst,
		bufs:  make([][]byte, batch),
		sizes: make([]int, batch),
		pkts:  make([][]byte, batch),
	}
	// One allocation for the whole batch's storage.
	mem := make([]byte, batch*frame)
	for i := range h.bufs {
		h.bufs[i] = mem[i*frame : (i+1)*frame : (i+1)*frame]
	}
	return h
}

// run relays until the source fails to read, which after Close it always
// does.
func (h *hop) run() {
	for {
		n, err := h.src.ReadBatch(h.bufs, h.sizes)
		if err != nil {
			return
		}
		h.read.Add(uint64(n))
		for i := range n {
			h.pkts[i] = h.bufs[i][:h.sizes[i]]
		}
		h.write(h.pkts[:n])
	}
}

// write hands pkts to the destination. WriteBatch stops at the first frame
// that fails; that frame is dropped and the rest tried again, unless the
// destination is closed, when they all are.
func (h *hop) write(pkts [][]byte) {
	for len(pkts) > 0 {
		n, err := h.dst.WriteBatch(pkts)
		var b int
		for _, p := range pkts[:n] {
			b += len(p)
		}
		h.written.Add(uint64(n))
		h.bytes.Add(uint64(b))
		if err == nil {
			return
		}
		if errors.Is(err, net.ErrClosed) {
			h.drops.Add(uint64(len(pkts) - n))
			return
		}
		h.drops.Add(1)
		pkts = pkts[n+1:]
	}
}

// hopCounts is a snapshot of a hop's counters.
type hopCounts struct{ read, written, bytes, drops uint64 }

func (h *hop) snapshot() hopCounts {
	return hopCounts{h.read.Load(), h.written.Load(), h.bytes.Load(), h.drops.Load()}
}
