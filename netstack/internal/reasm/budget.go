package reasm

// Memory accounting. Every buffer is in exactly one of three places: a
// pending datagram (counted in r.pending), the free lists (r.cached), or
// r.out, the buffer behind the last datagram Add returned (also r.cached).
// At the end of every call r.pending+r.cached <= MaxBytes.

// acquire returns a cleared buffer of class c for the datagram in slot
// keep (noSlot for a datagram not yet created). releasing is the cost of a
// buffer the caller will give back right after, so a datagram can trade
// its buffer for a larger one. To make room it drops cached buffers, then
// evicts the oldest datagrams other than keep. It fails with ErrLimit only
// when the buffer alone is over budget; the last return below is a guard
// that the accounting makes unreachable, since once everything else is
// gone keep holds only the buffer being released.
func (r *Reassembler) acquire(c int, releasing int, keep int32) (buffer, error) {
	cost := classCost(c)
	if cost > r.cfg.MaxBytes {
		return buffer{}, ErrLimit
	}
	for {
		if n := len(r.free[c]); n > 0 {
			b := r.free[c][n-1]
			r.free[c][n-1] = buffer{}
			r.free[c] = r.free[c][:n-1]
			r.cached -= cost
			r.pending += cost
			return b, nil
		}
		if r.pending+r.cached-releasing+cost <= r.cfg.MaxBytes {
			r.pending += cost
			return newBuffer(c), nil
		}
		if r.cached > 0 {
			r.discardCached()
			continue
		}
		victim := r.oldest
		if victim == keep && victim != noSlot {
			victim = r.slots[victim].newer
		}
		if victim == noSlot {
			return buffer{}, ErrLimit
		}
		r.drop(victim)
		r.evicted++
	}
}

// release takes back the buffer of a datagram that is gone, keeping it for
// reuse if the budget allows.
func (r *Reassembler) release(b buffer) {
	cost := b.cost()
	r.pending -= cost
	if r.pending+r.cached+cost > r.cfg.MaxBytes {
		return // over budget after a grow: let the garbage collector have it
	}
	b.reset()
	c := b.class()
	r.free[c] = append(r.free[c], b)
	r.cached += cost
}

// discardCached frees one cached buffer, the largest, to the garbage
// collector. r.cached must be positive.
func (r *Reassembler) discardCached() {
	for c := numClasses - 1; c >= 0; c-- {
		if n := len(r.free[c]); n > 0 {
			r.free[c][n-1] = buffer{}
			r.free[c] = r.free[c][:n-1]
			r.cached -= classCost(c)
			return
		}
	}
}

// lend moves the buffer of a completed datagram to r.out: the caller reads
// the datagram from it until its next call.
func (r *Reassembler) lend(b buffer) {
	cost := b.cost()
	r.pending -= cost
	r.cached += cost
	r.out = b
}

// Release ends the loan of the datagram the last Add returned: its buffer
// goes back to the free list, and its bytes must not be used afterwards.
// Add does this itself before anything else, so calling Release is
// optional; it marks where the caller stops reading the datagram.
func (r *Reassembler) Release() {
	if r.out.data == nil {
		return
	}
	b := r.out
	r.out = buffer{}
	b.reset()
	c := b.class()
	r.free[c] = append(r.free[c], b)
}
