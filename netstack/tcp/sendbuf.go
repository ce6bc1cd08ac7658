package tcp

// sendBuffer holds the bytes written by the user and not yet acknowledged:
// it is both the queue of data to send and the retransmission queue. Byte
// i of the buffer has sequence number seq+i.
type sendBuffer struct {
	r   ring
	seq Seq // sequence number of the first buffered byte
	n   int // bytes buffered
	max int // most bytes Write may buffer
}

func (b *sendBuffer) free() int { return max(b.max-b.n, 0) }

// end is the sequence number just after the last buffered byte.
func (b *sendBuffer) end() Seq { return b.seq.Add(b.n) }

// write appends as much of p as fits and returns how much that was.
func (b *sendBuffer) write(p []byte) int {
	k := min(len(p), b.free())
	if k == 0 {
		return 0
	}
	b.r.reserve(b.n + k)
	b.r.writeAt(b.n, p[:k])
	b.n += k
	return k
}

// read copies buffered bytes starting at sequence number s into p. The
// caller ensures [s, s+len(p)) is buffered.
func (b *sendBuffer) read(s Seq, p []byte) {
	b.r.readAt(s.Sub(b.seq), p)
}

// views returns the n buffered bytes from sequence number s where they
// lie, in at most two pieces. The caller ensures [s, s+n) is buffered.
func (b *sendBuffer) views(s Seq, n int) [2][]byte {
	return b.r.views(s.Sub(b.seq), n)
}

// ackTo drops the bytes before sequence number s (a cumulative ACK).
func (b *sendBuffer) ackTo(s Seq) {
	k := s.Sub(b.seq)
	if k <= 0 {
		return
	}
	k = min(k, b.n)
	b.r.advance(k)
	b.n -= k
	b.seq = b.seq.Add(k)
}
