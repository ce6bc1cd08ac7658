package tcp

import (
	"bytes"
	"testing"
)

// The views of a range are the bytes readAt copies, in one piece or, across
// the end of the storage, two.
func TestRingViews(t *testing.T) {
	var r ring
	r.reserve(16)
	r.head = r.cap() - 6 // the data wraps after 6 bytes
	data := []byte("abcdefghijklmnop")
	r.writeAt(0, data)
	for _, c := range []struct{ off, n, pieces int }{
		{0, 6, 1}, {0, 7, 2}, {3, 10, 2}, {6, 10, 1}, {8, 0, 0}, {0, 16, 2},
	} {
		v := r.views(c.off, c.n)
		got := append(append([]byte{}, v[0]...), v[1]...)
		if !bytes.Equal(got, data[c.off:c.off+c.n]) {
			t.Errorf("views(%d, %d) = %q, want %q", c.off, c.n, got, data[c.off:c.off+c.n])
		}
		pieces := 0
		for _, p := range v {
			if len(p) > 0 {
				pieces++
			}
		}
		if pieces != c.pieces {
			t.Errorf("views(%d, %d) in %d pieces, want %d", c.off, c.n, pieces, c.pieces)
		}
	}
}
