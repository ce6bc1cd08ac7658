package pathsim

import (
	"sync"

	"github.com/renet-go/renet/link"
)

// relayBatch is how many packets one relay read moves at most.
const relayBatch = 64

// relay joins two endpoints back to back, copying every packet one reads
// to the other, in both directions: a two-port hub between two pipes.
type relay struct {
	x, y link.Endpoint
	wg   sync.WaitGroup
}

// startRelay starts one goroutine per direction between x and y.
func startRelay(x, y link.Endpoint) *relay {
	r := &relay{x: x, y: y}
	r.wg.Add(2)
	go r.forward(x, y)
	go r.forward(y, x)
	return r
}

// forward copies from src to dst until src is closed. Packets dst refuses
// (closed) are dropped, as a hub would.
func (r *relay) forward(src, dst link.Endpoint) {
	defer r.wg.Done()
	size := src.MTU() + src.Medium().HeaderLen() + 4 // room for an 802.1Q tag
	bufs := make([][]byte, relayBatch)
	for i := range bufs {
		bufs[i] = make([]byte, size)
	}
	sizes := make([]int, relayBatch)
	pkts := make([][]byte, relayBatch)
	for {
		n, err := src.ReadBatch(bufs, sizes)
		if err != nil {
			return
		}
		for i := range n {
			pkts[i] = bufs[i][:sizes[i]]
		}
		dst.WriteBatch(pkts[:n])
	}
}

// stop closes both endpoints, which ends both goroutines, and waits for
// them.
func (r *relay) stop() {
	r.x.Close()
	r.y.Close()
	r.wg.Wait()
}
