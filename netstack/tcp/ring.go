package tcp

// ring is a byte ring whose capacity is a power of two, allocated lazily
// and grown by doubling, so that an idle connection costs no buffer memory
// and a busy one stops allocating once its buffer has reached its working
// size. Offsets are logical: offset 0 is the byte at head.
type ring struct {
	buf  []byte
	head int
}

// minRingSize is the first allocation of a ring.
const minRingSize = 4096

func (r *ring) cap() int { return len(r.buf) }

// reserve makes offsets [0, need) addressable, preserving the current
// contents at their logical offsets.
func (r *ring) reserve(need int) {
	if need <= len(r.buf) {
		return
	}
	n := max(len(r.buf), minRingSize)
	for n < need {
		n *= 2
	}
	nb := make([]byte, n)
	if len(r.buf) > 0 {
		r.readAt(0, nb[:len(r.buf)])
	}
	r.buf = nb
	r.head = 0
}

// writeAt copies p to logical offset off. The caller has reserved
// off+len(p) bytes.
func (r *ring) writeAt(off int, p []byte) {
	mask := len(r.buf) - 1
	i := (r.head + off) & mask
	n := copy(r.buf[i:], p)
	copy(r.buf, p[n:])
}

// readAt copies len(p) bytes from logical offset off into p. The caller
// ensures off+len(p) <= cap.
func (r *ring) readAt(off int, p []byte) {
	mask := len(r.buf) - 1
	i := (r.head + off) & mask
	n := copy(p, r.buf[i:])
	copy(p[n:], r.buf)
}

// views returns the n bytes from logical offset off as they lie in the
// storage: one piece, or two when they wrap around its end. The caller
// ensures off+n <= cap.
func (r *ring) views(off, n int) [2][]byte {
	if n == 0 {
		return [2][]byte{}
	}
	mask := len(r.buf) - 1
	i := (r.head + off) & mask
	if k := len(r.buf) - i; k < n {
		return [2][]byte{r.buf[i:], r.buf[:n-k]}
	}
	return [2][]byte{r.buf[i : i+n]}
}

// advance discards n bytes from the front.
func (r *ring) advance(n int) {
	if len(r.buf) == 0 {
		return
	}
	r.head = (r.head + n) & (len(r.buf) - 1)
}

// release frees the storage (used when a connection ends).
func (r *ring) release() {
	r.buf = nil
	r.head = 0
}
