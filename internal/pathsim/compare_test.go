package pathsim_test

import "testing"

func TestCompareTolerance(t *testing.T) {
	want := expectation{bytes: 1 << 20, goodput: 10, retrans: 4}
	for _, tc := range []struct {
		name                   string
		got                    expectation
		regressions, improving int
	}{
		{"same", want, 0, 0},
		{"goodput at 76%", expectation{bytes: 1 << 20, goodput: 7.6, retrans: 4}, 0, 0},
		{"goodput at 74%", expectation{bytes: 1 << 20, goodput: 7.4, retrans: 4}, 1, 0},
		{"goodput far better", expectation{bytes: 1 << 20, goodput: 14, retrans: 4}, 0, 1},
		{"retrans at limit", expectation{bytes: 1 << 20, goodput: 10, retrans: 9}, 0, 0},
		{"retrans over limit", expectation{bytes: 1 << 20, goodput: 10, retrans: 9.1}, 1, 0},
		{"retrans far better", expectation{bytes: 1 << 20, goodput: 10, retrans: 0.6}, 0, 1},
		{"other size", expectation{bytes: 2 << 20, goodput: 10, retrans: 4}, 1, 0},
	} {
		r, i := compare(tc.got, want)
		if len(r) != tc.regressions || len(i) != tc.improving {
			t.Errorf("%s: regressions %q, improvements %q; want %d and %d", tc.name, r, i, tc.regressions, tc.improving)
		}
	}
}

// The expectation file round-trips, and every grid cell has a distinct
// name (the file's key).
func TestExpectRoundTrip(t *testing.T) {
	cells := grid()
	got := map[string]expectation{}
	for i, c := range cells {
		got[c.name()] = expectation{bytes: c.bytes(), goodput: float64(i) + 0.125, retrans: 1.5, timeouts: uint64(i)}
	}
	if len(got) != len(cells) || len(cells) != 72 {
		t.Fatalf("%d cells, %d distinct names; want 72", len(cells), len(got))
	}
	path := t.TempDir() + "/expect.txt"
	if err := writeExpect(path, cells, got); err != nil {
		t.Fatal(err)
	}
	back, err := readExpect(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, e := range got {
		if back[name] != e {
			t.Errorf("%s: read back %+v, wrote %+v", name, back[name], e)
		}
	}
}
