package reasm

import "math/bits"

// Buffer geometry. RFC 791 §3.2 counts fragment offsets in 8-octet blocks,
// so one bitmap bit per block records exactly what has arrived: every
// fragment but the last covers whole blocks.
const (
	blockSize    = 8
	wordBytes    = 64 * blockSize // data bytes described by one bitmap word
	minBufShift  = 10             // smallest buffer: 1 KiB
	maxBufShift  = 16             // largest buffer: 64 KiB, room for any IPv4 datagram
	numClasses   = maxBufShift - minBufShift + 1
	maxBufferLen = 1 << maxBufShift
)

// buffer is the reassembly space of one datagram: data at its final
// offsets, and two bitmaps of one bit per block. Bit i of have is set when
// block i (bytes 8i..8i+7) has arrived; bit i of starts when a fragment
// held begins at block i, so that an exact resend of one fragment can be
// told from a resend cut differently. len(data) is a power of two and each
// bitmap has len(data)/wordBytes words.
type buffer struct {
	data   []byte
	have   []uint64
	starts []uint64
}

// classFor returns the size class of the smallest buffer holding n bytes;
// n must be at most maxBufferLen.
func classFor(n int) int {
	if n <= 1<<minBufShift {
		return 0
	}
	return bits.Len(uint(n-1)) - minBufShift
}

// classSize returns the data length of buffers in class c.
func classSize(c int) int { return 1 << (minBufShift + c) }

// classCost returns the bytes a buffer of class c charges to the budget:
// its data and its two bitmaps.
func classCost(c int) int {
	n := classSize(c)
	return n + 2*(n/wordBytes*8)
}

// newBuffer allocates a zeroed buffer of class c.
func newBuffer(c int) buffer {
	n := classSize(c)
	w := n / wordBytes
	bits := make([]uint64, 2*w)
	return buffer{data: make([]byte, n), have: bits[:w:w], starts: bits[w:]}
}

// reset clears b's bitmaps for reuse; its data need not be cleared, since
// only bytes marked as arrived are ever read.
func (b *buffer) reset() {
	clear(b.have)
	clear(b.starts)
}

// copyFrom copies what src holds into b, which is at least as large and
// empty; maxEnd bounds the data src holds.
func (b *buffer) copyFrom(src *buffer, maxEnd int) {
	copy(b.data, src.data[:maxEnd])
	copy(b.have, src.have)
	copy(b.starts, src.starts)
}

// add records a fragment [off, end) whose bytes are already in data.
func (b *buffer) add(off, end int) {
	lo, hi := blocks(off, end)
	setRange(b.have, lo, hi)
	b.starts[lo/64] |= 1 << (lo % 64)
}

// holds reports whether [off, end) is exactly one fragment held, not a
// part of one nor a run of several: it begins at a fragment start, every
// block is held, no other fragment starts inside, and the next block is
// another fragment's start or missing.
func (b *buffer) holds(off, end int) bool {
	lo, hi := blocks(off, end)
	if countRange(b.have, lo, hi) != hi-lo || countRange(b.starts, lo, lo+1) != 1 ||
		countRange(b.starts, lo+1, hi) != 0 {
		return false
	}
	return countRange(b.have, hi, hi+1) == 0 || countRange(b.starts, hi, hi+1) == 1
}

// blocks returns the blocks that bytes [off, end) touch.
func blocks(off, end int) (lo, hi int) {
	return off / blockSize, (end + blockSize - 1) / blockSize
}

// class returns b's size class.
func (b *buffer) class() int { return classFor(len(b.data)) }

// cost returns the bytes b charges to the budget.
func (b *buffer) cost() int { return classCost(b.class()) }

// countRange returns how many of bits lo..hi-1 of ws are set. Bits beyond
// ws count as clear.
func countRange(ws []uint64, lo, hi int) int {
	hi = min(hi, len(ws)*64)
	n := 0
	for lo < hi {
		w, s := lo/64, lo%64
		e := min(hi-w*64, 64)
		n += bits.OnesCount64(ws[w] & wordMask(s, e))
		lo = w*64 + e
	}
	return n
}

// setRange sets bits lo..hi-1 of ws; hi must not exceed len(ws)*64.
func setRange(ws []uint64, lo, hi int) {
	for lo < hi {
		w, s := lo/64, lo%64
		e := min(hi-w*64, 64)
		ws[w] |= wordMask(s, e)
		lo = w*64 + e
	}
}

// wordMask has bits s..e-1 set, for 0 <= s < e <= 64.
func wordMask(s, e int) uint64 {
	return ^uint64(0) >> (64 - (e - s)) << s
}
