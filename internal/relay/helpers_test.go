package relay

import (
	"encoding/binary"
	"testing"

	"github.com/renet-go/renet/link/pipe"
)

// rig is a relay between two in-memory "devices". Each device is a clean
// pipe: the relay holds one end, the test plays the far side through ta
// and tb, as the kernel would behind a tap.
type rig struct {
	ta, tb *pipe.Endpoint
	r      *Relay
}

// deviceQueue is deep enough that a test can write or leave thousands of
// frames on a device without tail drops of its own.
const deviceQueue = 1 << 14

func newRig(t testing.TB, path pipe.Config) *rig {
	t.Helper()
	ta, ra := pipe.New(pipe.Config{QueueLen: deviceQueue})
	tb, rb := pipe.New(pipe.Config{QueueLen: deviceQueue})
	r, err := New(ra, rb, Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		r.Close()
		ta.Close()
		tb.Close()
	})
	return &rig{ta: ta, tb: tb, r: r}
}

// frame returns a distinct frame of the given size (at least 18 bytes):
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

// frames returns n frames with indices first..first+n-1 and sizes cycling
// through 60..1514.
func frames(first, n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		k := first + i
		out[i] = frame(k, 60+(k*97)%1455)
	}
	return out
}

// write writes pkts in one batch and fails the test unless all are
// accepted.
func write(t testing.TB, ep *pipe.Endpoint, pkts [][]byte) {
	t.Helper()
	if n, err := ep.WriteBatch(pkts); err != nil || n != len(pkts) {
		t.Fatalf("WriteBatch = %d, %v; want %d, nil", n, err, len(pkts))
	}
}

// readN reads exactly n frames from ep and returns copies of them.
func readN(t testing.TB, ep *pipe.Endpoint, n int) [][]byte {
	t.Helper()
	bufs := make([][]byte, 32)
	for i := range bufs {
		bufs[i] = make([]byte, 9018) // jumbo frames too
	}
	sizes := make([]int, len(bufs))
	var out [][]byte
	for len(out) < n {
		k, err := ep.ReadBatch(bufs[:min(len(bufs), n-len(out))], sizes)
		if err != nil {
			t.Fatalf("ReadBatch after %d of %d frames: %v", len(out), n, err)
		}
		for i := range k {
			out = append(out, append([]byte(nil), bufs[i][:sizes[i]]...))
		}
	}
	return out
}

// waiting is the number of frames ep can read now, once nothing is in
// flight towards it.
func waiting(ep *pipe.Endpoint) int {
	s := ep.Stats().Rx
	return int(s.Sent + s.Duplicated - s.Delivered - s.Lost - s.QueueDrops - s.Oversize - s.Unplugged)
}
