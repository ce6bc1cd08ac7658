package tcp

// maxSACKRanges bounds the scoreboard. When a new SACK block would need
// one more range, the highest range is forgotten: the ranges nearest
// SND.UNA matter most for recovery, and forgetting a SACKed range only
// costs a needless retransmission.
const maxSACKRanges = 16

// scoreboard records which ranges above SND.UNA the peer has reported as
// received in SACK blocks (RFC 2018 §3, the "scoreboard" of RFC 6675 §3).
// Ranges are kept sorted by sequence number and disjoint, and every range
// lies inside (SND.UNA, SND.MAX]. Today it is filled and trimmed only; SACK
// based loss recovery (RFC 6675) will read it.
type scoreboard struct {
	r [maxSACKRanges]seqRange
	n int
}

// add records [start, end) as SACKed.
func (s *scoreboard) add(start, end Seq) {
	// Find the first range that ends at or after start.
	i := 0
	for i < s.n && s.r[i].end.LessThan(start) {
		i++
	}
	// Merge every range that overlaps or touches [start, end).
	j := i
	for j < s.n && s.r[j].start.LessEq(end) {
		if s.r[j].start.LessThan(start) {
			start = s.r[j].start
		}
		if s.r[j].end.GreaterThan(end) {
			end = s.r[j].end
		}
		j++
	}
	merged := j - i
	switch {
	case merged == 0 && s.n == len(s.r):
		if i == s.n {
			return // the highest range: drop it
		}
		s.n-- // drop the highest range to make room
		copy(s.r[i+1:s.n+1], s.r[i:s.n])
		s.n++
	case merged == 0:
		copy(s.r[i+1:s.n+1], s.r[i:s.n])
		s.n++
	default:
		copy(s.r[i+1:], s.r[j:s.n])
		s.n -= merged - 1
	}
	s.r[i] = seqRange{start, end}
}

// ackTo forgets everything before the cumulative ACK una.
func (s *scoreboard) ackTo(una Seq) {
	k := 0
	for k < s.n && s.r[k].end.LessEq(una) {
		k++
	}
	copy(s.r[:], s.r[k:s.n])
	s.n -= k
	if s.n > 0 && s.r[0].start.LessThan(una) {
		s.r[0].start = una
	}
}

// clear forgets everything; used after a retransmission timeout, since the
// receiver may have discarded SACKed data (RFC 2018 §8).
func (s *scoreboard) clear() { s.n = 0 }

// isSACKed reports whether the byte with sequence number q was SACKed.
func (s *scoreboard) isSACKed(q Seq) bool {
	for i := 0; i < s.n; i++ {
		if q.InWindow(s.r[i].start, s.r[i].len()) {
			return true
		}
	}
	return false
}

// sacked returns the number of bytes SACKed.
func (s *scoreboard) sacked() int {
	t := 0
	for i := 0; i < s.n; i++ {
		t += s.r[i].len()
	}
	return t
}
