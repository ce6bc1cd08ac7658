package pathtest

import (
	"encoding/binary"
	"fmt"
)

// word is the 8-byte word at word index k of the pattern. Multiplying by
// an odd constant is a bijection on uint64, so no two words within 2^64
// bytes are equal: a segment delivered at the wrong place cannot pass.
func word(k int64) uint64 { return uint64(k+1) * 0x9e3779b97f4a7c15 }

// Fill writes the pattern bytes at stream offsets off, off+1, ... into b.
func Fill(b []byte, off int64) {
	for len(b) > 0 && off%8 != 0 {
		b[0] = byte(word(off/8) >> (8 * (off % 8)))
		b, off = b[1:], off+1
	}
	for len(b) >= 8 {
		binary.LittleEndian.PutUint64(b, word(off/8))
		b, off = b[8:], off+8
	}
	for i := range b {
		b[i] = byte(word(off/8) >> (8 * (off % 8)))
		off++
	}
}

// Checker verifies that what is written to it continues the pattern from
// offset 0.
type Checker struct {
	off  int64
	want []byte
}

// Write checks b against the pattern at the current offset.
func (c *Checker) Write(b []byte) (int, error) {
	if cap(c.want) < len(b) {
		c.want = make([]byte, len(b))
	}
	want := c.want[:len(b)]
	Fill(want, c.off)
	for i := range b {
		if b[i] != want[i] {
			return i, fmt.Errorf("pathtest: byte %d of the stream is %#02x, want %#02x", c.off+int64(i), b[i], want[i])
		}
	}
	c.off += int64(len(b))
	return len(b), nil
}

// Len returns how many bytes have been checked.
func (c *Checker) Len() int64 { return c.off }
