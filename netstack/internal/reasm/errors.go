package reasm

import "errors"

// Errors returned by Add, one per reason a fragment is dropped, so the
// caller can count drops by reason.
var (
	// ErrOverlap means the fragment overlaps data already held for its
	// datagram without being an exact duplicate of one fragment held
	// (equal bytes cut differently count as overlap); the whole datagram
	// has been dropped (RFC 5722 §4 policy, Linux since CVE-2018-5391).
	ErrOverlap = errors.New("reasm: overlapping fragment")
	// ErrTooBig means the fragment ends beyond Config.MaxDatagramSize;
	// the whole datagram, if any was pending, has been dropped.
	ErrTooBig = errors.New("reasm: fragment beyond maximum datagram size")
	// ErrBadOffset means the fragment is malformed: its offset is negative
	// or not a multiple of 8, it is empty, or it is not the final fragment
	// and its length is not a multiple of 8 (RFC 791 §3.2). The fragment
	// is ignored; its datagram is kept.
	ErrBadOffset = errors.New("reasm: bad fragment offset or length")
	// ErrInconsistent means the fragment disagrees with the datagram's
	// length: it ends beyond the end given by the final fragment, or it is
	// a final fragment ending before data already held or at a different
	// end than an earlier final fragment. The whole datagram has been
	// dropped.
	ErrInconsistent = errors.New("reasm: fragment inconsistent with datagram length")
	// ErrLimit means there was no room for the fragment even after
	// evicting older datagrams: the buffer it needs exceeds
	// Config.MaxBytes on its own. The fragment, and its datagram, have
	// been dropped.
	ErrLimit = errors.New("reasm: reassembly memory limit")
	// ErrDuplicate means the fragment is an exact resend of one fragment
	// held: same offset, same length, same bytes. It is ignored and the
	// datagram is kept.
	ErrDuplicate = errors.New("reasm: duplicate fragment")
)
