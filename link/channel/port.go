package channel

import (
	"context"
	"fmt"
	"io"
	"net"
)

// Port is your end of a channel: Write gives packets to the stack, Read
// takes the packets the stack sends. Its methods have the shape of
// wireguard-go's tun.Device Read and Write, with a context added. All are
// safe for concurrent use.
type Port struct {
	c *core
}

// Read blocks until the stack has sent at least one packet, then copies
// as many queued packets as there are buffers: packet i into
// bufs[i][offset:], its length into sizes[i]. It returns how many it
// stored.
//
// Buffers should hold offset plus the MTU plus the medium's header (plus
// 4 on Ethernet, for a VLAN tag). A packet is never truncated: one that
// does not fit its buffer stays queued, Read returns the packets before
// it, and a Read that could store nothing returns an error matching
// io.ErrShortBuffer.
//
// Read returns 0 and no error at once if bufs or sizes is empty. It
// returns ctx.Err() if ctx is done while it waits, and net.ErrClosed once
// the channel is closed (what was queued is then discarded).
//
// When the stack was refused for lack of room and this Read leaves room
// for a quarter of the outbound queue, Read calls the stack's
// write-notify function before returning (see Endpoint.SetWriteNotify).
func (p *Port) Read(ctx context.Context, bufs [][]byte, sizes []int, offset int) (int, error) {
	if offset < 0 {
		return 0, errOffset
	}
	limit := min(len(bufs), len(sizes))
	q := p.c.out
	q.mu.Lock()
	for !q.closed && q.n == 0 && limit > 0 {
		if q.wait(q.readable, &q.readers, p.c.done, ctx.Done()) {
			q.mu.Unlock()
			return 0, ctx.Err()
		}
	}
	if q.closed {
		q.mu.Unlock()
		return 0, net.ErrClosed
	}
	n, err := p.take(bufs[:limit], sizes, offset)
	q.woke()
	notify := p.roomMade()
	q.mu.Unlock()
	if notify != nil {
		notify() // after Unlock: the stack writes to us from inside it
	}
	return n, err
}

// take copies queued packets into bufs, stopping at the first that does
// not fit. It is called with the outbound lock held.
func (p *Port) take(bufs [][]byte, sizes []int, offset int) (int, error) {
	q := p.c.out
	n := 0
	for ; n < len(bufs) && q.n > 0; n++ {
		pkt := q.peek()
		if offset > len(bufs[n]) || len(pkt) > len(bufs[n])-offset {
			if n > 0 {
				break // report it on the next call, alone
			}
			return 0, fmt.Errorf("channel: %d-byte packet, %d-byte buffer at offset %d: %w",
				len(pkt), len(bufs[n]), offset, io.ErrShortBuffer)
		}
		sizes[n] = copy(bufs[n][offset:], pkt)
		q.drop()
	}
	return n, nil
}

// roomMade ends a refusal episode once the outbound queue has room for a
// quarter of its bound again, returning the function to call (nil when
// there is nothing to do). It is called with the outbound lock held.
//
// Why a quarter and not one packet: the stack, once told, writes what it
// kept and then new TCP data; with a single free slot it would be refused
// again at once and be woken once per packet, paying a notification and
// a pass over its sockets for each. A quarter lets it write a batch per
// wake-up while three quarters of the queue are still there for the
// reader, which therefore never runs dry waiting for the stack.
func (p *Port) roomMade() func() {
	q := p.c.out
	if !q.refused || q.room() < p.c.notifyRoom {
		return nil
	}
	q.refused = false
	if q.notify != nil {
		q.stats.Notified++
	}
	return q.notify
}

// Write gives the packets pkts[i][offset:] to the stack, in order,
// copying them: the caller may reuse its buffers when Write returns. It
// returns how many it wrote.
//
// Write never drops a packet. While the inbound queue is full it waits
// for the stack to read; it returns early with ctx.Err() if ctx is done
// first, and with net.ErrClosed if the channel is closed. A packet longer
// than the MTU plus the medium's header (plus 4 for a VLAN-tagged
// Ethernet frame) is not written: Write stops there with an error
// matching ErrTooLarge.
//
// Concurrent Writes are allowed; each one's packets stay in order, but
// the packets of a Write that had to wait may be interleaved with
// another's.
func (p *Port) Write(ctx context.Context, pkts [][]byte, offset int) (int, error) {
	if offset < 0 {
		return 0, errOffset
	}
	q := p.c.in
	q.mu.Lock()
	defer q.mu.Unlock()
	sent := 0
	for {
		n, err := p.put(pkts[sent:], offset)
		sent += n
		q.woke()
		if err != nil || sent == len(pkts) {
			return sent, err
		}
		q.stats.Full++
		if q.wait(q.writable, &q.writers, p.c.done, ctx.Done()) {
			return sent, ctx.Err()
		}
	}
}

// put queues copies of pkts until the queue is full, returning how many
// it took. It is called with the inbound lock held.
func (p *Port) put(pkts [][]byte, offset int) (int, error) {
	q := p.c.in
	if q.closed {
		return 0, net.ErrClosed
	}
	for i, b := range pkts {
		if offset > len(b) {
			return i, errOffset
		}
		b = b[offset:]
		if !p.c.fits(b) {
			q.stats.Oversize++
			return i, fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, len(b), p.c.maxLen)
		}
		if q.full() {
			return i, nil
		}
		q.push(b)
	}
	return len(pkts), nil
}

// Close closes the channel, both ends. Every pending and later call on
// either end (Read, Write, ReadBatch, WriteBatch) returns net.ErrClosed,
// and the packets still queued either way are discarded. Close always
// returns nil, and calling it again, on either end, does nothing.
func (p *Port) Close() error {
	p.c.close()
	return nil
}

// Stats returns the counters of both queues.
func (p *Port) Stats() Stats { return p.c.stats() }
