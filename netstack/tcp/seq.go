package tcp

// Seq is a TCP sequence number. Sequence numbers live in a 32-bit space
// that wraps (RFC 9293 §3.4), so two of them are compared by the sign of
// their difference, never as raw integers: s is "less than" w when w lies
// within the 2^31 numbers after s.
type Seq uint32

// LessThan reports whether s comes before w.
func (s Seq) LessThan(w Seq) bool { return int32(s-w) < 0 }

// LessEq reports whether s comes before w or equals it.
func (s Seq) LessEq(w Seq) bool { return int32(s-w) <= 0 }

// GreaterThan reports whether s comes after w.
func (s Seq) GreaterThan(w Seq) bool { return int32(s-w) > 0 }

// GreaterEq reports whether s comes after w or equals it.
func (s Seq) GreaterEq(w Seq) bool { return int32(s-w) >= 0 }

// Add returns s advanced by n (which may be negative), wrapping.
func (s Seq) Add(n int) Seq { return s + Seq(uint32(n)) }

// Sub returns the signed distance from w to s, so that w.Add(s.Sub(w)) == s.
func (s Seq) Sub(w Seq) int { return int(int32(s - w)) }

// InWindow reports whether s lies in [start, start+size). A window of size
// zero or less contains nothing.
func (s Seq) InWindow(start Seq, size int) bool {
	if size <= 0 {
		return false
	}
	return uint32(s-start) < uint32(size)
}

// seqMax returns whichever of a and b comes later.
func seqMax(a, b Seq) Seq {
	if a.GreaterThan(b) {
		return a
	}
	return b
}

// seqMin returns whichever of a and b comes first.
func seqMin(a, b Seq) Seq {
	if a.LessThan(b) {
		return a
	}
	return b
}

// seqRange is the half-open range of sequence numbers [start, end).
type seqRange struct {
	start, end Seq
}

func (r seqRange) len() int { return r.end.Sub(r.start) }
