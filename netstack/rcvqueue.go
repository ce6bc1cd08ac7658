package netstack

import "net/netip"

// Receive queues: the datagrams a UDP socket, a ping socket or a
// forwarded flow holds until its user reads them, charged against a
// receive limit.

// udpDatagram is one received datagram waiting in a socket's queue.
type udpDatagram struct {
	buf  *[]byte
	n    int
	from netip.AddrPort
}

// datagramQueue is a FIFO ring of datagrams that grows only when full, so
// in steady state it does not allocate.
type datagramQueue struct {
	ring       []udpDatagram
	head, size int
}

func (q *datagramQueue) push(d udpDatagram) {
	if q.size == len(q.ring) {
		grown := make([]udpDatagram, max(8, 2*len(q.ring)))
		for i := 0; i < q.size; i++ {
			grown[i] = q.ring[(q.head+i)%len(q.ring)]
		}
		q.ring, q.head = grown, 0
	}
	q.ring[(q.head+q.size)%len(q.ring)] = d
	q.size++
}

func (q *datagramQueue) pop() (udpDatagram, bool) {
	if q.size == 0 {
		return udpDatagram{}, false
	}
	d := q.ring[q.head]
	q.ring[q.head] = udpDatagram{}
	q.head = (q.head + 1) % len(q.ring)
	q.size--
	return d, true
}

// rcvQueue is a socket's received datagrams (UDP sockets, ping sockets,
// forwarded flows) and the buffer bytes they are charged against its
// receive limit, as Linux charges skb->truesize against sk_rcvbuf.
type rcvQueue struct {
	q     datagramQueue
	bytes int
}

// add queues a copy of payload, sent by (or, for a forwarded flow, to)
// from, unless its buffer would take the queue past limit; a datagram
// into an empty queue is always taken, as Linux lets one in whatever its
// size. It returns the bytes charged, 0 when the datagram was refused.
func (r *rcvQueue) add(s *Stack, payload []byte, from netip.AddrPort, limit int) int {
	buf := s.getBuf(len(payload))
	if r.bytes+cap(*buf) > limit && r.q.size > 0 {
		s.putBuf(buf)
		return 0
	}
	n := copy(*buf, payload)
	r.q.push(udpDatagram{buf: buf, n: n, from: from})
	r.bytes += cap(*buf)
	return cap(*buf)
}

// take copies the oldest datagram into p, truncating it as recvfrom(2)
// does, and frees it. It returns the bytes uncharged, 0 when the queue was
// empty.
func (r *rcvQueue) take(s *Stack, p []byte) (n int, from netip.AddrPort, freed int) {
	d, ok := r.q.pop()
	if !ok {
		return 0, netip.AddrPort{}, 0
	}
	n = copy(p, (*d.buf)[:d.n])
	freed = cap(*d.buf)
	r.bytes -= freed
	s.putBuf(d.buf)
	return n, d.from, freed
}

// len is the number of datagrams queued.
func (r *rcvQueue) len() int { return r.q.size }

// drain frees every queued datagram and returns the bytes uncharged.
func (r *rcvQueue) drain(s *Stack) int {
	for {
		d, ok := r.q.pop()
		if !ok {
			break
		}
		s.putBuf(d.buf)
	}
	freed := r.bytes
	r.bytes = 0
	return freed
}
