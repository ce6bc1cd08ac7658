package channel

import (
	"net"

	"github.com/renet-go/renet/link"
)

// Endpoint is the stack's end of a channel. It implements link.Endpoint
// and link.WriteNotifier: its ReadBatch returns what the Port wrote, and
// its WriteBatch queues packets for the Port to read, never blocking.
type Endpoint struct {
	c *core
}

var (
	_ link.Endpoint      = (*Endpoint)(nil)
	_ link.WriteNotifier = (*Endpoint)(nil)
)

// ReadBatch blocks until the Port has written at least one packet, then
// copies as many queued packets as fit into bufs (one per buffer,
// truncated to the buffer's length) and stores their lengths in sizes.
// It returns 0 and no error at once if bufs or sizes is empty, and
// net.ErrClosed once the channel is closed. Writers waiting in Port.Write
// for the room it makes are woken.
func (e *Endpoint) ReadBatch(bufs [][]byte, sizes []int) (int, error) {
	limit := min(len(bufs), len(sizes))
	q := e.c.in
	q.mu.Lock()
	defer q.mu.Unlock()
	for !q.closed && q.n == 0 && limit > 0 {
		q.wait(q.readable, &q.readers, e.c.done, nil)
	}
	if q.closed {
		return 0, net.ErrClosed
	}
	n := 0
	for ; n < limit && q.n > 0; n++ {
		sizes[n] = copy(bufs[n], q.peek())
		q.drop()
	}
	q.woke()
	return n, nil
}

// WriteBatch copies packets into the outbound queue for Port.Read; the
// caller may reuse the slices when it returns. It never blocks. When the
// queue is full it returns the number taken and link.ErrFull, and calls
// the function given to SetWriteNotify once Port.Read has made room for
// a quarter of the queue. A packet longer than the MTU plus the link
// header is dropped, counted in Stats as Oversize, and counted in n, as
// a network interface does with a frame its wire rejects. It returns
// net.ErrClosed, taking nothing, once the channel is closed.
func (e *Endpoint) WriteBatch(pkts [][]byte) (int, error) {
	q := e.c.out
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return 0, net.ErrClosed
	}
	n := 0
	var err error
	for _, b := range pkts {
		if !e.c.fits(b) {
			q.stats.Oversize++
			n++
			continue
		}
		if q.full() {
			q.refused = true
			q.stats.Full++
			err = link.ErrFull
			break
		}
		q.push(b)
		n++
	}
	q.woke()
	return n, err
}

// SetWriteNotify registers f, replacing any earlier function, to be
// called once after each refusal (WriteBatch returning link.ErrFull) as
// soon as Port.Read has drained room for a quarter of the outbound queue.
// f runs on the goroutine of that Port.Read, with no lock of the channel
// held, so it may call WriteBatch; it should not block, as the Port's
// reader waits for it.
func (e *Endpoint) SetWriteNotify(f func()) {
	q := e.c.out
	q.mu.Lock()
	q.notify = f
	q.mu.Unlock()
}

// MTU returns the largest IP packet the channel carries.
func (e *Endpoint) MTU() int { return e.c.cfg.MTU }

// Medium returns the kind of packet the channel carries.
func (e *Endpoint) Medium() link.Medium { return e.c.cfg.Medium }

// HardwareAddr returns Config.HardwareAddr on an Ethernet channel, nil
// otherwise. The caller must not modify it.
func (e *Endpoint) HardwareAddr() net.HardwareAddr { return e.c.cfg.HardwareAddr }

// Offload reports no offloads: packets cross complete and at most MTU
// bytes long.
func (e *Endpoint) Offload() link.Offload { return link.Offload{} }

// Close closes the channel, both ends: see Port.Close.
func (e *Endpoint) Close() error {
	e.c.close()
	return nil
}

// Stats returns the counters of both queues.
func (e *Endpoint) Stats() Stats { return e.c.stats() }
