package pathsim

import "testing"

// The integrity check must catch what a broken stack would do: flip a
// byte, deliver data at the wrong offset, or repeat a segment.
func TestCheckPatternCatchesDamage(t *testing.T) {
	const n = 4096
	scratch := make([]byte, n)
	good := make([]byte, n)
	fillPattern(good, 1000)
	if err := checkPattern(good, 1000, scratch); err != nil {
		t.Fatalf("intact data rejected: %v", err)
	}
	flipped := append([]byte(nil), good...)
	flipped[777] ^= 0x10
	shifted := make([]byte, n)
	fillPattern(shifted, 1000+1448) // a segment's worth too far
	repeated := append(append([]byte(nil), good[:1448]...), good[:n-1448]...)
	for name, b := range map[string][]byte{"flipped": flipped, "shifted": shifted, "repeated": repeated} {
		if err := checkPattern(b, 1000, scratch); err == nil {
			t.Errorf("%s data accepted", name)
		}
	}
}

// Filling in pieces at any offset gives the same bytes as one fill.
func TestFillPatternPiecewise(t *testing.T) {
	whole := make([]byte, 100)
	fillPattern(whole, 5)
	pieces := make([]byte, 100)
	for _, cut := range [][2]int{{0, 3}, {3, 11}, {11, 64}, {64, 100}} {
		fillPattern(pieces[cut[0]:cut[1]], 5+int64(cut[0]))
	}
	if string(whole) != string(pieces) {
		t.Error("piecewise fill differs from a single fill")
	}
}
