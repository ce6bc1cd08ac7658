package pathsim

import (
	"bytes"
	"fmt"
)

// The sender writes, and the receiver expects, a pattern whose byte at
// offset i is byte k%8 of mix(i/8), k = i%8: no period short enough for
// a lost, repeated or misplaced segment to land on identical bytes, and
// computable at any offset so the receiver needs no copy of what was sent.

// mix is the splitmix64 finaliser: a cheap bijection with good avalanche.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// fillPattern fills b with the pattern starting at offset off.
func fillPattern(b []byte, off int64) {
	w := mix(uint64(off) >> 3)
	for i := range b {
		o := uint64(off) + uint64(i)
		if o&7 == 0 {
			w = mix(o >> 3)
		}
		b[i] = byte(w >> (8 * (o & 7)))
	}
}

// checkPattern reports the first byte of b that differs from the pattern
// at offset off. scratch must be at least as long as b.
func checkPattern(b []byte, off int64, scratch []byte) error {
	want := scratch[:len(b)]
	fillPattern(want, off)
	if bytes.Equal(b, want) {
		return nil
	}
	for i := range b {
		if b[i] != want[i] {
			return fmt.Errorf("pathsim: corrupt data at byte %d: got %#02x, want %#02x", off+int64(i), b[i], want[i])
		}
	}
	return nil
}
