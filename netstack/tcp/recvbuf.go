package tcp

// maxOOORanges bounds how many disjoint out-of-order ranges the receive
// buffer tracks. A segment that would need one more is dropped; the sender
// retransmits it later. A queue that overflows in front of a large window
// drops every other segment for a while, so a window of 4000 segments can
// hold hundreds of holes: the table is allocated as needed, up to this
// bound, and freed with the ring.
const maxOOORanges = 1024

// recvBuffer is the receive ring. In-order bytes ready for the user sit at
// logical offsets [0, n); the byte with sequence number rcvNxt+k, once
// received out of order, sits at offset n+k, so out-of-order data is
// written directly where it belongs and becomes readable, without a copy,
// when the hole before it is filled. ooo records which such ranges hold
// data; every range lies after rcvNxt and inside the receive window, so the
// ring never holds more than n plus one window of bytes.
//
//	offset 0        n = readable       n + window
//	|  readable     | hole | ooo | hole | ooo |    |
//	                ^ RCV.NXT
type recvBuffer struct {
	r   ring
	n   int // in-order bytes not yet read
	max int // configured buffer size: bounds the advertised window

	ooo  []oooRange // the ranges, unsorted; len(ooo) is how many
	nooo int        // len(ooo), kept for readers of the hot path
	// stamp counts insertions so SACK blocks can be reported most recent
	// first (RFC 2018 §4).
	stamp uint32
}

// oooRange is a range of out-of-order data and the stamp of the last
// segment that added to it.
type oooRange struct {
	seqRange
	stamp uint32
}

func (b *recvBuffer) free() int { return max(b.max-b.n, 0) }

// read moves up to len(p) in-order bytes into p.
func (b *recvBuffer) read(p []byte) int {
	k := min(len(p), b.n)
	if k == 0 {
		return 0
	}
	b.r.readAt(0, p[:k])
	b.r.advance(k)
	b.n -= k
	return k
}

// insert stores data whose first byte has sequence number seq, which lies
// at or after rcvNxt; the caller has trimmed it to the window. It returns
// the new rcvNxt, whether the data was stored (false when it was out of
// order and no range slot was free), and whether it filled a hole (made
// previously out-of-order data readable).
func (b *recvBuffer) insert(rcvNxt, seq Seq, data []byte) (next Seq, stored, filled bool) {
	off := b.n + seq.Sub(rcvNxt)
	end := seq.Add(len(data))
	if seq != rcvNxt {
		if !b.addRange(seq, end) {
			return rcvNxt, false, false
		}
		b.r.reserve(off + len(data))
		b.r.writeAt(off, data)
		return rcvNxt, true, false
	}
	b.r.reserve(off + len(data))
	b.r.writeAt(off, data)
	b.n += len(data)
	next = end
	// Absorb every out-of-order range that now touches RCV.NXT.
	for {
		i := b.rangeAt(next)
		if i < 0 {
			break
		}
		if r := b.ooo[i]; r.end.GreaterThan(next) {
			b.n += r.end.Sub(next)
			next = r.end
		}
		b.removeRange(i)
		filled = true
	}
	return next, true, filled
}

// rangeAt returns the index of a range starting at or before s, or -1.
func (b *recvBuffer) rangeAt(s Seq) int {
	for i := 0; i < b.nooo; i++ {
		if b.ooo[i].start.LessEq(s) {
			return i
		}
	}
	return -1
}

// addRange records [start, end) as received, merging it with the ranges
// it overlaps or touches. It reports false when there was no slot.
func (b *recvBuffer) addRange(start, end Seq) bool {
	if b.stamp++; b.stamp == 0 {
		b.stamp = 1 // zero means "no bound" to mostRecent
	}
	merged := oooRange{seqRange{start, end}, b.stamp}
	for i := 0; i < b.nooo; {
		r := b.ooo[i]
		if r.end.LessThan(merged.start) || r.start.GreaterThan(merged.end) {
			i++
			continue
		}
		if r.start.LessThan(merged.start) {
			merged.start = r.start
		}
		if r.end.GreaterThan(merged.end) {
			merged.end = r.end
		}
		b.removeRange(i)
	}
	if b.nooo == maxOOORanges {
		return false
	}
	b.ooo = append(b.ooo, merged)
	b.nooo++
	return true
}

func (b *recvBuffer) removeRange(i int) {
	b.nooo--
	b.ooo[i] = b.ooo[b.nooo]
	b.ooo = b.ooo[:b.nooo]
}

// mostRecent returns the index of the range with the highest stamp below
// before (stamps are unique), or -1; before == 0 means no bound.
func (b *recvBuffer) mostRecent(before uint32) int {
	best := -1
	for i := 0; i < b.nooo; i++ {
		s := b.ooo[i].stamp
		if before != 0 && int32(s-before) >= 0 {
			continue
		}
		if best < 0 || int32(s-b.ooo[best].stamp) > 0 {
			best = i
		}
	}
	return best
}

// reset drops everything buffered and frees the storage.
func (b *recvBuffer) reset() {
	b.r.release()
	b.n = 0
	b.nooo = 0
	b.ooo = nil
}

// holds reports whether [start, end) lies inside one out-of-order range:
// data received before.
func (b *recvBuffer) holds(start, end Seq) bool {
	for i := 0; i < b.nooo; i++ {
		if r := b.ooo[i]; r.start.LessEq(start) && end.LessEq(r.end) {
			return true
		}
	}
	return false
}
