package wire

import (
	"encoding/binary"
	"math/bits"
	"net/netip"
)

// Sum adds the bytes of b, taken as big-endian 16-bit words, to initial in
// one's-complement arithmetic and returns the partial sum, not yet folded
// to 16 bits or complemented (RFC 1071 §2). A final odd byte counts as the
// high byte of a word whose low byte is zero.
//
// Partial sums chain: Sum(b[k:], Sum(b[:k], 0)) equals Sum(b, 0) when k is
// even. With odd k the bytes after the split would be summed in the wrong
// half of their words, so callers summing a buffer in pieces must cut it
// at even offsets.
//
// Sum reads eight bytes at a time into a 64-bit accumulator with
// end-around carry, which gives the same 16-bit result because 2^16 ≡ 1
// modulo 2^16-1 (RFC 1071 §2(C)).
func Sum(b []byte, initial uint32) uint32 {
	acc := uint64(initial)
	var c uint64
	for len(b) >= 32 {
		acc, c = bits.Add64(acc, binary.BigEndian.Uint64(b[0:8]), c)
		acc, c = bits.Add64(acc, binary.BigEndian.Uint64(b[8:16]), c)
		acc, c = bits.Add64(acc, binary.BigEndian.Uint64(b[16:24]), c)
		acc, c = bits.Add64(acc, binary.BigEndian.Uint64(b[24:32]), c)
		b = b[32:]
	}
	for len(b) >= 8 {
		acc, c = bits.Add64(acc, binary.BigEndian.Uint64(b), c)
		b = b[8:]
	}
	// The tail is at an even offset, so a 4- or 2-byte word may be added
	// at any 16-bit position of the accumulator.
	if len(b) >= 4 {
		acc, c = bits.Add64(acc, uint64(binary.BigEndian.Uint32(b)), c)
		b = b[4:]
	}
	if len(b) >= 2 {
		acc, c = bits.Add64(acc, uint64(binary.BigEndian.Uint16(b)), c)
		b = b[2:]
	}
	if len(b) == 1 {
		acc, c = bits.Add64(acc, uint64(b[0])<<8, c)
	}
	acc, c = bits.Add64(acc, 0, c)
	acc += c // acc was all ones, so this cannot carry again
	return fold64(acc)
}

// fold64 folds a 64-bit one's-complement sum into 32 bits, keeping its
// value modulo 2^16-1.
func fold64(s uint64) uint32 {
	s = s>>32 + s&0xffffffff
	s = s>>32 + s&0xffffffff
	return uint32(s)
}

// Finish folds a partial sum to 16 bits and complements it, giving the
// value to store in a checksum field. Over data that already holds its
// correct checksum, Finish(Sum(data, 0)) is 0.
func Finish(sum uint32) uint16 {
	sum = sum>>16 + sum&0xffff
	sum = sum>>16 + sum&0xffff
	return ^uint16(sum)
}

// Checksum is the Internet checksum of b: Finish(Sum(b, 0)).
func Checksum(b []byte) uint16 {
	return Finish(Sum(b, 0))
}

// PseudoHeaderSum is the partial sum of the pseudo-header that the TCP
// and UDP checksums cover (RFC 9293 §3.1, RFC 768): source and destination
// addresses, protocol and the length in bytes of the TCP or UDP header plus
// payload. IPv4-mapped IPv6 addresses are treated as IPv4; if either
// address is then not IPv4 the IPv6 pseudo-header of RFC 8200 §8.1 is
// summed instead, so no input panics.
func PseudoHeaderSum(src, dst netip.Addr, proto IPProto, length int) uint32 {
	src, dst = src.Unmap(), dst.Unmap()
	var s uint64
	if src.Is4() && dst.Is4() {
		a, b := src.As4(), dst.As4()
		s = uint64(binary.BigEndian.Uint32(a[:])) + uint64(binary.BigEndian.Uint32(b[:]))
	} else {
		a, b := src.As16(), dst.As16()
		s = uint64(binary.BigEndian.Uint32(a[0:])) + uint64(binary.BigEndian.Uint32(a[4:])) +
			uint64(binary.BigEndian.Uint32(a[8:])) + uint64(binary.BigEndian.Uint32(a[12:])) +
			uint64(binary.BigEndian.Uint32(b[0:])) + uint64(binary.BigEndian.Uint32(b[4:])) +
			uint64(binary.BigEndian.Uint32(b[8:])) + uint64(binary.BigEndian.Uint32(b[12:]))
	}
	s += uint64(proto) + uint64(uint32(length))
	return fold64(s)
}
