package tcp

import (
	"encoding/binary"
	"math/bits"
	"net/netip"
	"time"
)

// ISNGenerator chooses initial sequence numbers as RFC 6528 §3 asks:
// ISN = M + F(localip, localport, remoteip, remoteport, secretkey), where M
// is a clock ticking every 4 microseconds and F is a keyed pseudorandom
// function, here SipHash-2-4 (the function Linux uses for the same job).
// The hash keeps ISNs of different 4-tuples unpredictable to an off-path
// attacker; the clock keeps successive incarnations of one 4-tuple moving
// forward, so old duplicates are not mistaken for new data. It is safe for
// concurrent use (it holds only its key).
type ISNGenerator struct {
	k0, k1 uint64
}

// NewISNGenerator returns a generator keyed by key, which should come from
// a cryptographic random source.
func NewISNGenerator(key [16]byte) *ISNGenerator {
	return &ISNGenerator{
		k0: binary.LittleEndian.Uint64(key[:8]),
		k1: binary.LittleEndian.Uint64(key[8:]),
	}
}

// ISN returns the initial sequence number for a connection between local
// and remote opened at now. It does not allocate.
func (g *ISNGenerator) ISN(local, remote netip.AddrPort, now time.Time) Seq {
	m := uint32(now.UnixNano() / 4000) // RFC 6528 §3: 4µs ticks
	return Seq(m + uint32(g.hash(local, remote, 0)))
}

// TSOffset returns the offset to add to the timestamp clock of a
// connection between local and remote (RFC 7323 §5.4 recommends a random
// offset per connection). It depends on the 4-tuple only, not on time, so
// that a new incarnation of a 4-tuple sends timestamps greater than the old
// one did, which RFC 6191's TIME-WAIT reuse test relies on.
func (g *ISNGenerator) TSOffset(local, remote netip.AddrPort) uint32 {
	return uint32(g.hash(local, remote, 1))
}

// hash is SipHash-2-4 (Aumasson and Bernstein, 2012) of the 4-tuple and a
// domain byte that separates ISNs from timestamp offsets.
func (g *ISNGenerator) hash(local, remote netip.AddrPort, domain byte) uint64 {
	return g.hashWith(local, remote, domain, 0)
}

// hashWith is hash with a 32-bit value mixed in (the SYN cookie's clock).
func (g *ISNGenerator) hashWith(local, remote netip.AddrPort, domain byte, v uint32) uint64 {
	var msg [48]byte
	l, r := local.Addr().As16(), remote.Addr().As16()
	copy(msg[0:16], l[:])
	copy(msg[16:32], r[:])
	binary.LittleEndian.PutUint16(msg[32:], local.Port())
	binary.LittleEndian.PutUint16(msg[34:], remote.Port())
	msg[36] = domain
	binary.LittleEndian.PutUint32(msg[37:], v)
	n := 37
	if domain >= domainCookie {
		n = 41 // ISNs and offsets keep the hash they always had
	}
	return sipHash24(g.k0, g.k1, msg[:n])
}

// sipHash24 computes SipHash-2-4 of m under the key (k0, k1).
func sipHash24(k0, k1 uint64, m []byte) uint64 {
	v0 := k0 ^ 0x736f6d6570736575
	v1 := k1 ^ 0x646f72616e646f6d
	v2 := k0 ^ 0x6c7967656e657261
	v3 := k1 ^ 0x7465646279746573
	round := func() {
		v0 += v1
		v1 = bits.RotateLeft64(v1, 13)
		v1 ^= v0
		v0 = bits.RotateLeft64(v0, 32)
		v2 += v3
		v3 = bits.RotateLeft64(v3, 16)
		v3 ^= v2
		v0 += v3
		v3 = bits.RotateLeft64(v3, 21)
		v3 ^= v0
		v2 += v1
		v1 = bits.RotateLeft64(v1, 17)
		v1 ^= v2
		v2 = bits.RotateLeft64(v2, 32)
	}
	n := len(m)
	for len(m) >= 8 {
		w := binary.LittleEndian.Uint64(m)
		v3 ^= w
		round()
		round()
		v0 ^= w
		m = m[8:]
	}
	// The last block holds the remaining bytes and the length's low byte.
	var last [8]byte
	copy(last[:], m)
	last[7] = byte(n)
	w := binary.LittleEndian.Uint64(last[:])
	v3 ^= w
	round()
	round()
	v0 ^= w
	v2 ^= 0xff
	round()
	round()
	round()
	round()
	return v0 ^ v1 ^ v2 ^ v3
}
