package pipe

import (
	"encoding/binary"
	"testing"
)

// frame returns a distinct packet of the given size (at least 18 bytes):
// an Ethernet-looking header, the index i at offset 14, and a pattern
// derived from i.
func frame(i, size int) []byte {
	b := make([]byte, size)
	copy(b, []byte{2, 0, 0, 0, 0, 0x0b, 2, 0, 0, 0, 0, 0x0a, 0x88, 0xb5})
	binary.BigEndian.PutUint32(b[14:], uint32(i))
	for j := 18; j < size; j++ {
		b[j] = byte(i*7 + j)
	}
	return b
}

// index returns the index frame stored in p.
func index(p []byte) int { return int(binary.BigEndian.Uint32(p[14:])) }

// frames returns n frames with indices 0..n-1 and sizes cycling through
// 60..1514.
func frames(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = frame(i, 60+(i*97)%1455)
	}
	return out
}

// readN reads exactly n packets from ep and returns copies of them. It
// fails the test on an error.
func readN(t testing.TB, ep *Endpoint, n int) [][]byte {
	t.Helper()
	bufs := make([][]byte, 32)
	for i := range bufs {
		bufs[i] = make([]byte, 1518)
	}
	sizes := make([]int, len(bufs))
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

// write writes pkts in one batch and fails the test unless all are
// accepted.
func write(t testing.TB, ep *Endpoint, pkts [][]byte) {
	t.Helper()
	n, err := ep.WriteBatch(pkts)
	if err != nil || n != len(pkts) {
		t.Fatalf("WriteBatch = %d, %v; want %d, nil", n, err, len(pkts))
	}
}

// pending is the number of packets the receiver of s can still read,
// once nothing is in flight.
func pending(s DirectionStats) int {
	return int(s.Sent + s.Duplicated - s.Delivered - s.Lost - s.QueueDrops - s.Oversize - s.Unplugged)
}
