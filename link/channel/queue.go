package channel

import "sync"

// queue is one direction of a channel: a bounded FIFO of packet copies,
// with the free list their buffers come from and the tokens that wake the
// goroutines waiting on it. Every field below mu is guarded by it.
//
// A waiter registers itself (readers or writers) in the same critical
// section in which it found nothing to do, then sleeps on a token channel
// of capacity one. Whoever changes the queue sends a token, without
// blocking, only when someone is registered; a token that arrives for a
// waiter which has already left makes the next one wake early and look
// again, which is harmless. One token wakes one waiter: a waiter that
// leaves something behind (packets, room) passes a token on.
type queue struct {
	limit  int // packets the queue may hold
	bufLen int // size of every packet buffer

	readable chan struct{} // token: packets were queued
	writable chan struct{} // token: room was made

	mu      sync.Mutex
	ring    [][]byte // len limit; entries in use are slices of pooled buffers
	head    int
	n       int
	free    [][]byte // recycled buffers; never more than limit in all
	readers int      // goroutines waiting for packets
	writers int      // goroutines waiting for room
	closed  bool

	// Outbound only: WriteBatch was refused since the last notify, and
	// the function to call once there is room again.
	refused bool
	notify  func()

	stats QueueStats
}

func newQueue(limit, bufLen int) *queue {
	return &queue{
		limit:    limit,
		bufLen:   bufLen,
		readable: make(chan struct{}, 1),
		writable: make(chan struct{}, 1),
		ring:     make([][]byte, limit),
		free:     make([][]byte, 0, limit),
	}
}

func (q *queue) full() bool { return q.n == q.limit }

func (q *queue) room() int { return q.limit - q.n }

// push queues a copy of b, which must fit a buffer, in a queue that is
// not full.
func (q *queue) push(b []byte) {
	var buf []byte
	if k := len(q.free); k > 0 {
		buf = q.free[k-1]
		q.free[k-1] = nil
		q.free = q.free[:k-1]
	} else {
		buf = make([]byte, q.bufLen)
	}
	buf = buf[:copy(buf[:cap(buf)], b)]
	q.ring[(q.head+q.n)%q.limit] = buf
	q.n++
	q.stats.Packets++
	q.stats.Bytes += uint64(len(buf))
}

// peek returns the oldest packet of a non-empty queue.
func (q *queue) peek() []byte { return q.ring[q.head] }

// drop removes the oldest packet of a non-empty queue, its buffer going
// back to the free list.
func (q *queue) drop() {
	buf := q.ring[q.head]
	q.ring[q.head] = nil
	q.head = (q.head + 1) % q.limit
	q.n--
	q.free = append(q.free, buf)
	q.stats.Delivered++
}

// wake sends a token on ch if someone waits for one. It never blocks.
func wake(ch chan struct{}, waiting int) {
	if waiting == 0 {
		return
	}
	select {
	case ch <- struct{}{}:
	default: // a token is already pending
	}
}

// woke passes tokens on after the queue changed: to waiting readers if
// packets remain, to waiting writers if room does.
func (q *queue) woke() {
	if q.n > 0 {
		wake(q.readable, q.readers)
	}
	if q.n < q.limit {
		wake(q.writable, q.writers)
	}
}

// wait sleeps, with mu released, until a token arrives on ch, the channel
// closes (done) or cancel fires. waiting is q.readers or q.writers, counted
// while asleep so that the other side knows to send a token. It is called
// with mu held and returns with mu held; it reports whether cancel fired.
func (q *queue) wait(ch chan struct{}, waiting *int, done, cancel <-chan struct{}) (cancelled bool) {
	*waiting++
	q.mu.Unlock()
	select {
	case <-ch:
	case <-done:
	case <-cancel:
		cancelled = true
	}
	q.mu.Lock()
	*waiting--
	return cancelled
}

// shut closes the queue and discards its packets and buffers, so that
// the memory goes back even while the ends are still referenced.
func (q *queue) shut() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	q.stats.Discarded += uint64(q.n)
	q.ring, q.free = nil, nil
	q.head, q.n = 0, 0
	q.refused, q.notify = false, nil
}

func (q *queue) snapshot() QueueStats {
	q.mu.Lock()
	defer q.mu.Unlock()
	s := q.stats
	s.Depth = q.n
	s.Limit = q.limit
	return s
}
