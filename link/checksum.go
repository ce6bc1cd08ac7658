package link

import "encoding/binary"

// CompleteChecksum does in software what PacketInfo.NeedsCsum asks of a
// link: it adds the sum over pkt[CsumStart:] to the pseudo-header sum
// already in the field at CsumStart+CsumOffset and stores the result, as
// a kernel does before a packet leaves on a wire, then clears NeedsCsum.
// It returns false, changing nothing, when the field lies outside pkt.
// A packet that needs nothing is left alone.
func (pi *PacketInfo) CompleteChecksum(pkt []byte) bool {
	if !pi.NeedsCsum {
		return true
	}
	s, field := int(pi.CsumStart), int(pi.CsumStart)+int(pi.CsumOffset)
	if field+2 > len(pkt) {
		return false
	}
	// The field holds the folded pseudo-header sum; summing the region
	// with it in place counts it once, which is what we want.
	c := ^fold(sum(pkt[s:], 0))
	if c == 0 && pi.CsumOffset == 6 {
		// RFC 768: a UDP checksum that computes to zero is sent as all
		// ones (zero means none). For TCP (offset 16) zero is a value.
		c = 0xffff
	}
	binary.BigEndian.PutUint16(pkt[field:], c)
	pi.NeedsCsum, pi.CsumStart, pi.CsumOffset = false, 0, 0
	return true
}

// sum adds b, as big-endian 16-bit words, to a one's complement sum.
func sum(b []byte, s uint64) uint64 {
	for len(b) >= 8 {
		s += uint64(binary.BigEndian.Uint32(b)) + uint64(binary.BigEndian.Uint32(b[4:]))
		b = b[8:]
	}
	for len(b) >= 2 {
		s += uint64(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		s += uint64(b[0]) << 8
	}
	return s
}

// fold folds a 64-bit one's complement sum into 16 bits.
func fold(s uint64) uint16 {
	for s > 0xffff {
		s = s>>16 + s&0xffff
	}
	return uint16(s)
}
