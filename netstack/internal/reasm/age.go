package reasm

import "time"

// Pending datagrams form a doubly linked list ordered by the arrival of
// their first fragment, oldest first: expiry and eviction both take from
// the old end, and the expiry deadline is the oldest entry's.

// link inserts slot s, whose first time is set, into the age list.
func (r *Reassembler) link(s int32) {
	t := r.slots[s].first
	// Walk back from the newest: with a clock that does not go backwards
	// the new datagram is the newest and this loop never runs.
	p := r.newest
	for p != noSlot && r.slots[p].first.After(t) {
		p = r.slots[p].older
	}
	d := &r.slots[s]
	d.older = p
	if p == noSlot {
		d.newer = r.oldest
		r.oldest = s
	} else {
		d.newer = r.slots[p].newer
		r.slots[p].newer = s
	}
	if d.newer == noSlot {
		r.newest = s
	} else {
		r.slots[d.newer].older = s
	}
}

// unlink removes slot s from the age list.
func (r *Reassembler) unlink(s int32) {
	d := &r.slots[s]
	if d.older == noSlot {
		r.oldest = d.newer
	} else {
		r.slots[d.older].newer = d.newer
	}
	if d.newer == noSlot {
		r.newest = d.older
	} else {
		r.slots[d.newer].older = d.older
	}
	d.older, d.newer = noSlot, noSlot
}

// expire drops every datagram whose first fragment arrived at or before
// now-Timeout, adding them to r.expired.
func (r *Reassembler) expire(now time.Time) {
	cutoff := now.Add(-r.cfg.Timeout)
	for r.oldest != noSlot && !r.slots[r.oldest].first.After(cutoff) {
		r.drop(r.oldest)
		r.expired++
	}
}

// Expire drops the datagrams whose first fragment arrived at or before
// now-Timeout and returns how many datagrams timed out since the previous
// call to Expire. Add drops timed-out datagrams too before handling a
// fragment, and those are counted here as well, so the sum of Expire's
// results counts every timeout exactly once.
func (r *Reassembler) Expire(now time.Time) int {
	r.expire(now)
	n := r.expired
	r.expired = 0
	return n
}

// Deadline returns when the oldest pending datagram times out, or the zero
// time if none is pending. Calling Expire at or after it drops that
// datagram.
func (r *Reassembler) Deadline() time.Time {
	if r.oldest == noSlot {
		return time.Time{}
	}
	return r.slots[r.oldest].first.Add(r.cfg.Timeout)
}
