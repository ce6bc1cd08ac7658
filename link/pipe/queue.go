package pipe

import (
	"time"

	"github.com/renet-go/renet/link"
)

// packet is one pooled packet buffer and what the pipe decided about it.
type packet struct {
	buf     []byte // capacity for the largest packet the pipe accepts
	n       int    // bytes of buf in use
	due     time.Time
	seq     uint64 // write order; breaks ties between equal due times
	reorder bool   // to be held back behind the next packet
	info    link.PacketInfo
}

// ring is a FIFO of packets. Its capacity is a power of two and grows by
// doubling, so once it has reached the direction's working size it never
// allocates again.
type ring struct {
	buf  []*packet
	head int
	n    int
}

func (r *ring) len() int { return r.n }

func (r *ring) push(p *packet) {
	if r.n == len(r.buf) {
		r.grow()
	}
	r.buf[(r.head+r.n)&(len(r.buf)-1)] = p
	r.n++
}

func (r *ring) pop() *packet {
	p := r.buf[r.head]
	r.buf[r.head] = nil
	r.head = (r.head + 1) & (len(r.buf) - 1)
	r.n--
	return p
}

func (r *ring) grow() {
	nb := make([]*packet, max(16, 2*len(r.buf)))
	for i := range r.n {
		nb[i] = r.buf[(r.head+i)&(len(r.buf)-1)]
	}
	r.buf, r.head = nb, 0
}

// schedule is a binary min-heap of packets ordered by due time, then by
// write order, so that packets due at the same instant leave in the order
// they were written.
type schedule []*packet

func (s schedule) len() int { return len(s) }

func (s schedule) min() *packet { return s[0] }

func (s schedule) less(i, j int) bool {
	if !s[i].due.Equal(s[j].due) {
		return s[i].due.Before(s[j].due)
	}
	return s[i].seq < s[j].seq
}

func (s *schedule) push(p *packet) {
	*s = append(*s, p)
	h := *s
	for i := len(h) - 1; i > 0; {
		parent := (i - 1) / 2
		if !h.less(i, parent) {
			break
		}
		h[i], h[parent] = h[parent], h[i]
		i = parent
	}
}

func (s *schedule) pop() *packet {
	h := *s
	p := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h[last] = nil
	h = h[:last]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(h) && h.less(l, m) {
			m = l
		}
		if r < len(h) && h.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	*s = h
	return p
}
