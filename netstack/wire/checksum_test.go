package wire

import (
	"math/rand/v2"
	"net/netip"
	"strconv"
	"testing"
)

// refSum is the oracle: the byte-pair loop of RFC 1071 §4.1, one 16-bit
// word at a time, folding carries as it goes.
func refSum(b []byte, initial uint32) uint32 {
	s := uint64(initial)
	for i := 0; i+1 < len(b); i += 2 {
		s += uint64(b[i])<<8 | uint64(b[i+1])
	}
	if len(b)%2 == 1 {
		s += uint64(b[len(b)-1]) << 8
	}
	for s>>32 != 0 {
		s = s>>32 + s&0xffffffff
	}
	return uint32(s)
}

// fold16 folds a partial sum to its 16-bit value, for comparing partial
// sums that are equal modulo 0xffff but not as numbers.
func fold16(s uint32) uint16 { return ^Finish(s) }

func TestChecksumRFC1071Example(t *testing.T) {
	// RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to 0x2ddf0, which
	// folds to 0xddf2.
	b := []byte{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7}
	if got := fold16(Sum(b, 0)); got != 0xddf2 {
		t.Errorf("folded sum = %#04x, want 0xddf2", got)
	}
	if got := Checksum(b); got != ^uint16(0xddf2) {
		t.Errorf("Checksum = %#04x, want %#04x", got, ^uint16(0xddf2))
	}
}

func TestChecksumEdgeCases(t *testing.T) {
	tests := []struct {
		desc string
		b    []byte
		want uint16
	}{
		{"empty", nil, 0xffff},
		{"one byte is the high byte", []byte{0x12}, ^uint16(0x1200)},
		{"all ones sum to negative zero", []byte{0xff, 0xff}, 0x0000},
		{"carry wraps around", []byte{0xff, 0xff, 0x00, 0x01}, ^uint16(0x0001)},
		{"seven bytes", []byte{1, 2, 3, 4, 5, 6, 7}, ^uint16(0x0102 + 0x0304 + 0x0506 + 0x0700)},
	}
	for _, tt := range tests {
		if got := Checksum(tt.b); got != tt.want {
			t.Errorf("%s: Checksum(% x) = %#04x, want %#04x", tt.desc, tt.b, got, tt.want)
		}
	}
	// A buffer of 0xff bytes drives the 64-bit accumulator to carry on
	// every add.
	ones := make([]byte, 4099)
	for i := range ones {
		ones[i] = 0xff
	}
	for n := range len(ones) {
		if got, want := fold16(Sum(ones[:n], 0xffffffff)), fold16(refSum(ones[:n], 0xffffffff)); got != want {
			t.Fatalf("all-ones, len %d: %#04x, want %#04x", n, got, want)
		}
	}
}

// TestSumMatchesReference is the property test: for random contents,
// lengths (odd ones included) and initial values, Sum agrees with the
// byte-pair oracle.
func TestSumMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 70000)
	for i := range buf {
		buf[i] = byte(rng.Uint32())
	}
	for i := range 20000 {
		n := rng.IntN(2000)
		if i%100 == 0 {
			n = rng.IntN(len(buf))
		}
		off := rng.IntN(len(buf) - n + 1) // unaligned starts too
		b := buf[off : off+n]
		init := rng.Uint32()
		if got, want := fold16(Sum(b, init)), fold16(refSum(b, init)); got != want {
			t.Fatalf("len %d off %d init %#x: Sum folds to %#04x, reference %#04x", n, off, init, got, want)
		}
	}
}

// TestSumChainsAtEvenSplits checks the documented chaining rule.
func TestSumChainsAtEvenSplits(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	b := make([]byte, 301)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	whole := Checksum(b)
	for k := 0; k <= len(b); k += 2 {
		if got := Finish(Sum(b[k:], Sum(b[:k], 0))); got != whole {
			t.Fatalf("split at %d: %#04x, want %#04x", k, got, whole)
		}
	}
}

func TestPseudoHeaderSum(t *testing.T) {
	src := netip.MustParseAddr("192.168.69.100")
	dst := netip.MustParseAddr("192.168.69.1")
	ph := []byte{192, 168, 69, 100, 192, 168, 69, 1, 0, 6, 0x05, 0xdc}
	if got, want := fold16(PseudoHeaderSum(src, dst, IPProtoTCP, 1500)), fold16(refSum(ph, 0)); got != want {
		t.Errorf("IPv4 pseudo-header: %#04x, want %#04x", got, want)
	}
	mapped := netip.AddrFrom16(src.As16())
	if got, want := PseudoHeaderSum(mapped, dst, IPProtoTCP, 1500), PseudoHeaderSum(src, dst, IPProtoTCP, 1500); got != want {
		t.Errorf("IPv4-mapped source: %#x, want %#x as for plain IPv4", got, want)
	}
	s6 := netip.MustParseAddr("2001:db8::1")
	d6 := netip.MustParseAddr("2001:db8::2")
	a, b := s6.As16(), d6.As16()
	ph6 := append(append(a[:], b[:]...), 0, 1, 0, 0, 0, 0, 0, 17)
	if got, want := fold16(PseudoHeaderSum(s6, d6, IPProtoUDP, 65536)), fold16(refSum(ph6, 0)); got != want {
		t.Errorf("IPv6 pseudo-header: %#04x, want %#04x", got, want)
	}
	// The zero Addr must not panic.
	_ = PseudoHeaderSum(netip.Addr{}, dst, IPProtoUDP, 8)
}

var sumSink uint32

func benchmarkSum(b *testing.B, sum func([]byte, uint32) uint32) {
	for _, n := range []int{64, 1500, 65536} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			buf := make([]byte, n)
			for i := range buf {
				buf[i] = byte(i * 7)
			}
			b.SetBytes(int64(n))
			for b.Loop() {
				sumSink = sum(buf, sumSink)
			}
		})
	}
}

// BenchmarkChecksum measures Sum; compare with BenchmarkChecksumReference.
func BenchmarkChecksum(b *testing.B) { benchmarkSum(b, Sum) }

// BenchmarkChecksumReference measures the byte-pair oracle.
func BenchmarkChecksumReference(b *testing.B) { benchmarkSum(b, refSum) }
