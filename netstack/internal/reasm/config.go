package reasm

import (
	"encoding/binary"
	"net/netip"
	"time"
)

// Defaults applied by New to zero (or negative) Config fields.
const (
	// DefaultMaxDatagrams is the default number of datagrams under
	// reassembly at once.
	DefaultMaxDatagrams = 64
	// DefaultMaxBytes is the default memory budget, the value of Linux's
	// net.ipv4.ipfrag_high_thresh.
	DefaultMaxBytes = 4 << 20
	// DefaultTimeout is Linux's net.ipv4.ipfrag_time. RFC 791 §3.2
	// suggests a lower bound of 15 seconds.
	DefaultTimeout = 30 * time.Second
	// DefaultMaxDatagramSize is the largest payload an IPv4 datagram with
	// a minimal 20-byte header can carry: 65535 - 20.
	DefaultMaxDatagramSize = maxIPv4Len - 20
)

// maxIPv4Len is the largest value of the IPv4 total length field.
const maxIPv4Len = 65535

// Config sets the limits of a Reassembler. The zero value selects every
// default.
type Config struct {
	// MaxDatagrams is how many datagrams may be under reassembly at once
	// (default 64). Each costs about 200 bytes of bookkeeping, outside
	// MaxBytes, once the table has grown to hold it.
	MaxDatagrams int
	// MaxBytes bounds the buffer memory held, pending and cached for
	// reuse together (default 4 MiB). A datagram's buffer costs its size
	// rounded up to a power of two (at least 1 KiB) plus 1/32 for its
	// bitmaps, so reassembling a 64 KiB datagram needs MaxBytes of at
	// least 67584.
	MaxBytes int
	// Timeout is how long a datagram may wait for its missing fragments,
	// counted from its first fragment (default 30s).
	Timeout time.Duration
	// MaxDatagramSize is the largest reassembled payload accepted; a
	// fragment ending beyond it is rejected with ErrTooBig (default
	// 65515). Values above 65535 are lowered to 65535.
	MaxDatagramSize int
}

// withDefaults returns c with every unset field given its default.
func (c Config) withDefaults() Config {
	if c.MaxDatagrams <= 0 {
		c.MaxDatagrams = DefaultMaxDatagrams
	}
	if c.MaxBytes <= 0 {
		c.MaxBytes = DefaultMaxBytes
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.MaxDatagramSize <= 0 {
		c.MaxDatagramSize = DefaultMaxDatagramSize
	}
	// The buffers top out at 64 KiB; no IPv4 datagram is longer anyway.
	c.MaxDatagramSize = min(c.MaxDatagramSize, maxIPv4Len)
	return c
}

// Key identifies the datagram a fragment belongs to: RFC 791 §3.2 joins
// fragments with equal source, destination, identification and protocol.
type Key struct {
	Src, Dst netip.Addr
	ID       uint32 // IPv4's 16 bits, or IPv6's 32
	Proto    uint8
}

// hash mixes k with a per-Reassembler seed, so that a sender cannot choose
// identifications that all collide in the table.
func (k Key) hash(seed uint64) uint64 {
	s, d := k.Src.As16(), k.Dst.As16()
	h := seed ^ uint64(k.ID)<<8 ^ uint64(k.Proto)
	h = mix64(h ^ binary.LittleEndian.Uint64(s[:8]))
	h = mix64(h ^ binary.LittleEndian.Uint64(s[8:]))
	h = mix64(h ^ binary.LittleEndian.Uint64(d[:8]))
	return mix64(h ^ binary.LittleEndian.Uint64(d[8:]))
}

// mix64 is the 64-bit finaliser of MurmurHash3: every input bit affects
// every output bit.
func mix64(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}
