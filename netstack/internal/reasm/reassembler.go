package reasm

import (
	"bytes"
	"math/rand/v2"
	"time"
)

// Reassembler puts fragmented IPv4 datagrams back together. Create one
// with New; the zero value is not usable. It is not safe for concurrent
// use: the caller serialises every call.
type Reassembler struct {
	cfg  Config
	seed uint64 // hash seed, random per Reassembler

	slots     []entry // grown up to MaxDatagrams, then reused
	freeSlots []int32
	table     []int32 // open-addressed index of slots by key
	live      int     // datagrams pending

	oldest, newest int32 // age list, by first arrival

	free    [numClasses][]buffer // cached buffers by size class
	out     buffer               // backs the datagram Add last returned
	pending int                  // budget charged to pending datagrams
	cached  int                  // budget charged to free and out

	expired int    // timeouts not yet reported by Expire
	evicted uint64 // datagrams evicted to make room, ever
}

// entry is one datagram under reassembly.
type entry struct {
	key      Key
	hash     uint64
	first    time.Time // arrival of the first fragment
	buf      buffer
	total    int // payload length, from the final fragment; -1 until it arrives
	received int // payload bytes held
	maxEnd   int // end of the furthest fragment held
	older    int32
	newer    int32
}

// New returns a Reassembler with the limits in cfg; zero fields take their
// defaults.
func New(cfg Config) *Reassembler {
	return &Reassembler{
		cfg:    cfg.withDefaults(),
		seed:   rand.Uint64(),
		oldest: noSlot,
		newest: noSlot,
	}
}

// Add records one fragment of datagram k arriving at now. off is the
// fragment offset in bytes (the header's offset field times 8), more the
// MF flag, and payload the fragment's IP payload, which Add copies.
//
// When the fragment completes its datagram, Add returns the reassembled
// payload and done=true and forgets the datagram. The returned slice
// belongs to the Reassembler: it is valid until the next call to Add or
// Release, so a caller keeping the bytes must copy them. (A packet that is
// not a fragment at all, off 0 and more false, completes at once.)
//
// A non-nil error says why the fragment was not used; see the Err values
// for which of them also drop the datagram. Before anything else Add drops
// the datagrams that have timed out (see Expire).
func (r *Reassembler) Add(now time.Time, k Key, off int, more bool, payload []byte) (datagram []byte, done bool, err error) {
	r.Release()
	r.expire(now)

	n := len(payload)
	// RFC 791 §3.2: offsets count 8-octet blocks, and every fragment but
	// the last carries a whole number of them.
	if off < 0 || off%blockSize != 0 || n == 0 || (more && n%blockSize != 0) {
		return nil, false, ErrBadOffset
	}
	h := k.hash(r.seed)
	s := r.lookup(k, h)
	if off > r.cfg.MaxDatagramSize || n > r.cfg.MaxDatagramSize-off {
		if s != noSlot {
			r.drop(s)
		}
		return nil, false, ErrTooBig
	}
	end := off + n

	if s == noSlot {
		if s, err = r.create(now, k, h, end); err != nil {
			return nil, false, err
		}
	} else if err := r.slots[s].check(off, end, more, payload); err != nil {
		if err != ErrDuplicate {
			r.drop(s)
		}
		return nil, false, err
	}
	if end > len(r.slots[s].buf.data) {
		if err := r.grow(s, end); err != nil {
			r.drop(s)
			return nil, false, err
		}
	}

	d := &r.slots[s]
	copy(d.buf.data[off:end], payload)
	d.buf.add(off, end)
	d.received += n
	d.maxEnd = max(d.maxEnd, end)
	if !more {
		d.total = end
	}
	if d.received != d.total {
		return nil, false, nil
	}
	datagram = d.buf.data[:d.total]
	b := d.buf
	d.buf = buffer{}
	r.lend(b)
	r.forget(s)
	return datagram, true, nil
}

// check decides whether fragment [off, end) fits datagram d: nil if it
// fills only holes, or the error saying why not.
func (d *entry) check(off, end int, more bool, payload []byte) error {
	if d.total >= 0 {
		if end > d.total || (!more && end != d.total) {
			return ErrInconsistent
		}
	} else if !more && end < d.maxEnd {
		return ErrInconsistent
	}
	lo, hi := blocks(off, end)
	switch {
	case countRange(d.buf.have, lo, hi) == 0:
		return nil
	case d.buf.holds(off, end) && bytes.Equal(d.buf.data[off:end], payload) && (more || d.total >= 0):
		// A resend of one fragment held, byte for byte, telling
		// nothing new about the length: harmless. Any other overlap,
		// even of equal bytes, is the ambiguity RFC 5722 rules out.
		return ErrDuplicate
	default:
		return ErrOverlap
	}
}

// create starts a datagram for key k with a buffer reaching end.
func (r *Reassembler) create(now time.Time, k Key, h uint64, end int) (int32, error) {
	c := classFor(end)
	if classCost(c) > r.cfg.MaxBytes {
		return noSlot, ErrLimit // before evicting anyone for nothing
	}
	if r.live >= r.cfg.MaxDatagrams {
		r.drop(r.oldest)
		r.evicted++
	}
	b, err := r.acquire(c, 0, noSlot)
	if err != nil {
		return noSlot, err
	}
	var s int32
	if n := len(r.freeSlots); n > 0 {
		s = r.freeSlots[n-1]
		r.freeSlots = r.freeSlots[:n-1]
	} else {
		s = int32(len(r.slots))
		r.slots = append(r.slots, entry{})
	}
	r.slots[s] = entry{key: k, hash: h, first: now, buf: b, total: -1}
	r.index(s)
	r.link(s)
	return s, nil
}

// grow moves datagram s into a buffer reaching end.
func (r *Reassembler) grow(s int32, end int) error {
	old := r.slots[s].buf
	b, err := r.acquire(classFor(end), old.cost(), s)
	if err != nil {
		return err
	}
	d := &r.slots[s]
	b.copyFrom(&old, d.maxEnd)
	d.buf = b
	r.release(old)
	return nil
}

// drop discards datagram s and its fragments.
func (r *Reassembler) drop(s int32) {
	b := r.slots[s].buf
	r.slots[s].buf = buffer{}
	r.release(b)
	r.forget(s)
}

// forget removes datagram s, whose buffer is already taken, from the
// table and frees its slot.
func (r *Reassembler) forget(s int32) {
	r.unindex(s)
	r.unlink(s)
	r.slots[s] = entry{older: noSlot, newer: noSlot}
	r.freeSlots = append(r.freeSlots, s)
}

// Len returns the number of datagrams pending.
func (r *Reassembler) Len() int { return r.live }

// Bytes returns the buffer memory held by pending datagrams: each one's
// buffer and bitmaps, which is more than the payload bytes it holds. It
// never exceeds Config.MaxBytes.
func (r *Reassembler) Bytes() int { return r.pending }

// Evicted returns how many datagrams have been dropped, since New, to make
// room for fragments of newer ones. Such datagrams are lost silently to
// the sender, so a stack counts them as drops.
func (r *Reassembler) Evicted() uint64 { return r.evicted }
