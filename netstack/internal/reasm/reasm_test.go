package reasm

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"
)

var (
	t0   = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	key1 = Key{
		Src:   netip.MustParseAddr("192.168.69.100"),
		Dst:   netip.MustParseAddr("192.168.69.1"),
		ID:    0x1234,
		Proto: 17,
	}
)

// frag is one fragment as Add takes it.
type frag struct {
	off  int
	more bool
	data []byte
}

// fragment cuts payload into fragments of at most size bytes (a multiple
// of 8), as a sender with that much room per packet would.
func fragment(payload []byte, size int) []frag {
	var fs []frag
	for off := 0; off < len(payload); off += size {
		end := min(off+size, len(payload))
		fs = append(fs, frag{off: off, more: end < len(payload), data: payload[off:end]})
	}
	return fs
}

// pattern returns n bytes that differ from one offset to the next, so a
// fragment copied to the wrong place shows.
func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7+i>>8) ^ seed
	}
	return b
}

// feed adds fs in order and returns the datagram completed by the last
// one. Every fragment but the last must be accepted without completing;
// duplicates may report ErrDuplicate.
func feed(t *testing.T, r *Reassembler, now time.Time, k Key, fs []frag) []byte {
	t.Helper()
	for i, f := range fs {
		got, done, err := r.Add(now, k, f.off, f.more, f.data)
		if err != nil && !errors.Is(err, ErrDuplicate) {
			t.Fatalf("fragment %d (off %d len %d more %v): %v", i, f.off, len(f.data), f.more, err)
		}
		if done {
			if i != len(fs)-1 {
				t.Fatalf("datagram completed early, at fragment %d of %d", i, len(fs))
			}
			return bytes.Clone(got)
		}
	}
	t.Fatalf("datagram not completed after %d fragments", len(fs))
	return nil
}

func TestReassembleOrders(t *testing.T) {
	payload := pattern(4000, 0x5a) // three fragments at Ethernet's 1480
	in := fragment(payload, 1480)
	reversed := make([]frag, len(in))
	for i, f := range in {
		reversed[len(in)-1-i] = f
	}
	tests := []struct {
		name string
		fs   []frag
	}{
		{"in order", in},
		{"out of order", []frag{in[1], in[0], in[2]}},
		{"last first", []frag{in[2], in[0], in[1]}},
		{"reversed", reversed},
		{"duplicated", []frag{in[0], in[0], in[2], in[2], in[1]}},
		{"every fragment twice, reversed", []frag{in[2], in[2], in[1], in[1], in[0]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := New(Config{})
			got := feed(t, r, t0, key1, tt.fs)
			if !bytes.Equal(got, payload) {
				t.Fatalf("reassembled %d bytes, differ from the %d sent", len(got), len(payload))
			}
			if r.Len() != 0 || r.Bytes() != 0 {
				t.Fatalf("after completion Len=%d Bytes=%d, want 0 0", r.Len(), r.Bytes())
			}
		})
	}
}

func TestReassembleTinyFragmentsShuffled(t *testing.T) {
	// 8-byte fragments, the smallest RFC 791 allows, in random order,
	// with a final fragment that is not a multiple of 8.
	payload := pattern(1003, 0x11)
	fs := fragment(payload, 8)
	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(len(fs), func(i, j int) { fs[i], fs[j] = fs[j], fs[i] })
	r := New(Config{})
	if got := feed(t, r, t0, key1, fs); !bytes.Equal(got, payload) {
		t.Fatal("reassembled bytes differ from those sent")
	}
}

func TestReassembleMaxSize(t *testing.T) {
	// The largest IPv4 payload, 65515 bytes, in 1480-byte fragments,
	// last fragment first so the buffer is the largest from the start.
	payload := pattern(DefaultMaxDatagramSize, 0x77)
	fs := fragment(payload, 1480)
	fs[0], fs[len(fs)-1] = fs[len(fs)-1], fs[0]
	r := New(Config{})
	if got := feed(t, r, t0, key1, fs); !bytes.Equal(got, payload) {
		t.Fatal("reassembled bytes differ from those sent")
	}
}

func TestInterleavedDatagrams(t *testing.T) {
	// Fragments of datagrams differing in one element of the RFC 791
	// identity each go to their own datagram.
	keys := []Key{key1, key1, key1, key1, key1}
	keys[1].ID++
	keys[2].Proto = 6
	keys[3].Src = netip.MustParseAddr("192.168.69.101")
	keys[4].Dst = netip.MustParseAddr("10.0.0.1")
	r := New(Config{})
	payloads := make([][]byte, len(keys))
	frags := make([][]frag, len(keys))
	for i := range keys {
		payloads[i] = pattern(3000, byte(i))
		frags[i] = fragment(payloads[i], 1024)
	}
	for j := range frags[0] {
		for i, k := range keys {
			f := frags[i][j]
			got, done, err := r.Add(t0, k, f.off, f.more, f.data)
			if err != nil {
				t.Fatalf("datagram %d fragment %d: %v", i, j, err)
			}
			if done != !f.more {
				t.Fatalf("datagram %d fragment %d: done=%v", i, j, done)
			}
			if done && !bytes.Equal(got, payloads[i]) {
				t.Fatalf("datagram %d reassembled wrong", i)
			}
		}
		if want := len(keys); j < len(frags[0])-1 && r.Len() != want {
			t.Fatalf("Len=%d, want %d", r.Len(), want)
		}
	}
	if r.Len() != 0 {
		t.Fatalf("Len=%d after all completed", r.Len())
	}
}

func TestDatagramValidUntilNextAdd(t *testing.T) {
	// The returned slice is the Reassembler's; it stays intact until the
	// next call, whatever the caller does in between (except Release).
	r := New(Config{})
	p := pattern(2000, 1)
	fs := fragment(p, 1024)
	r.Add(t0, key1, fs[0].off, fs[0].more, fs[0].data)
	got, done, err := r.Add(t0, key1, fs[1].off, fs[1].more, fs[1].data)
	if err != nil || !done {
		t.Fatalf("done=%v err=%v", done, err)
	}
	r.Expire(t0)
	_ = r.Deadline()
	if !bytes.Equal(got, p) {
		t.Fatal("datagram changed before the next Add")
	}
}
