package channel

import (
	"context"
	"encoding/binary"
	"testing"
)

// packet returns a distinct packet of the given size (at least 4 bytes):
// the index i in its first 4 bytes, then a pattern derived from i.
func packet(i, size int) []byte {
	b := make([]byte, size)
	binary.BigEndian.PutUint32(b, uint32(i))
	for j := 4; j < size; j++ {
		b[j] = byte(i*7 + j)
	}
	return b
}

// index returns the index packet stored in p.
func index(p []byte) int { return int(binary.BigEndian.Uint32(p)) }

// withOffset returns pkts each behind offset bytes of headroom filled
// with 0xee, as wireguard-go hands them over.
func withOffset(pkts [][]byte, offset int) [][]byte {
	out := make([][]byte, len(pkts))
	for i, p := range pkts {
		b := make([]byte, offset+len(p))
		for j := range offset {
			b[j] = 0xee
		}
		copy(b[offset:], p)
		out[i] = b
	}
	return out
}

// buffers returns n buffers of size bytes and a sizes slice to match.
func buffers(n, size int) ([][]byte, []int) {
	bufs := make([][]byte, n)
	for i := range bufs {
		bufs[i] = make([]byte, size)
	}
	return bufs, make([]int, n)
}

// readBatchN reads exactly n packets from ep and returns copies of them.
func readBatchN(t testing.TB, ep *Endpoint, n int) [][]byte {
	t.Helper()
	bufs, sizes := buffers(32, 1600)
	var out [][]byte
	for len(out) < n {
		k, err := ep.ReadBatch(bufs[:min(len(bufs), n-len(out))], sizes)
		if err != nil {
			t.Fatalf("ReadBatch after %d of %d packets: %v", len(out), n, err)
		}
		for i := range k {
			out = append(out, append([]byte(nil), bufs[i][:sizes[i]]...))
		}
	}
	return out
}

// readN reads exactly n packets from p, with the given offset, and
// returns copies of them.
func readN(t testing.TB, p *Port, n, offset int) [][]byte {
	t.Helper()
	bufs, sizes := buffers(32, offset+1600)
	var out [][]byte
	for len(out) < n {
		k, err := p.Read(context.Background(), bufs[:min(len(bufs), n-len(out))], sizes, offset)
		if err != nil {
			t.Fatalf("Read after %d of %d packets: %v", len(out), n, err)
		}
		for i := range k {
			out = append(out, append([]byte(nil), bufs[i][offset:offset+sizes[i]]...))
		}
	}
	return out
}

// result is what a blocked call returned.
type result struct {
	n   int
	err error
}
