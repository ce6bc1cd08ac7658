package pathtest

import (
	"bytes"
	"testing"
)

// Filling in odd-sized pieces gives the same stream as one Fill, and the
// Checker accepts it piecewise but rejects a single flipped byte or a
// chunk shifted by one word.
func TestPatternPiecewiseAndChecked(t *testing.T) {
	whole := make([]byte, 1000)
	Fill(whole, 0)
	var pieces []byte
	for off := 0; off < len(whole); {
		n := min(1+off%13, len(whole)-off)
		p := make([]byte, n)
		Fill(p, int64(off))
		pieces = append(pieces, p...)
		off += n
	}
	if !bytes.Equal(whole, pieces) {
		t.Fatal("piecewise Fill differs from one Fill")
	}
	var c Checker
	for i := 0; i < len(whole); i += 77 {
		if _, err := c.Write(whole[i:min(i+77, len(whole))]); err != nil {
			t.Fatal(err)
		}
	}
	if c.Len() != 1000 {
		t.Fatalf("checked %d bytes", c.Len())
	}
	bad := bytes.Clone(whole)
	bad[500] ^= 1
	if _, err := new(Checker).Write(bad); err == nil {
		t.Error("a flipped byte passed")
	}
	if _, err := new(Checker).Write(append(bytes.Clone(whole[:64]), whole[72:200]...)); err == nil {
		t.Error("a stream missing one word passed")
	}
}
