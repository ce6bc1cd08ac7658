package pathsim_test

import (
	"flag"
	"os"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/renet-go/renet/internal/pathsim"
)

var (
	update = flag.Bool("update", false, "run the whole table and rewrite testdata/expect.txt and testdata/table.md")
	all    = flag.Bool("all", false, "run the whole table even under -short or the race detector")
)

// TestPathTable moves data over every path of the grid, each in its own
// synctest bubble, and compares goodput and retransmissions with
// testdata/expect.txt. Under -short or the race detector it runs a subset
// of the cells, compared with the same lines of the file; -all runs them
// all anyway, and -update runs them all and rewrites the file:
//
//	go test ./internal/pathsim -run TestPathTable -update
//
// (flags for the test binary go after the package).
func TestPathTable(t *testing.T) {
	want, err := readExpect(expectPath)
	if err != nil && !*update {
		t.Fatalf("%v (create it with -update)", err)
	}
	cells := selectCells(grid())
	var mu sync.Mutex
	got := map[string]expectation{}
	start := time.Now()
	t.Cleanup(func() {
		t.Logf("%d cells in %v of wall time\n%s", len(got), time.Since(start).Round(time.Millisecond), markdown(cells, got))
		if *update && !t.Failed() {
			writeFiles(t, cells, got)
		}
	})
	for _, c := range cells {
		t.Run(c.name(), func(t *testing.T) {
			t.Parallel()
			e := runCell(t, c)
			mu.Lock()
			got[c.name()] = e
			mu.Unlock()
			if !*update {
				check(t, e, want, c.name())
			}
		})
	}
}

// selectCells returns the cells this run measures.
func selectCells(cells []cell) []cell {
	switch {
	case *update || *all:
		return cells
	case testing.Short():
		return pick(cells, shortCells)
	case raceEnabled:
		return pick(cells, raceCells)
	}
	return cells
}

// The subsets. raceCells covers every RTT and every bottleneck, and every
// impairment at least once; shortCells is smaller still.
var (
	raceCells = []string{
		"rtt=1ms/loss=0%/reorder=0%/bn=none",
		"rtt=20ms/loss=1%/reorder=5%/bn=10M",
		"rtt=100ms/loss=0%/reorder=5%/bn=100M",
		"rtt=300ms/loss=3%/reorder=0%/bn=10M",
	}
	shortCells = []string{
		"rtt=20ms/loss=1%/reorder=5%/bn=10M",
		"rtt=100ms/loss=0%/reorder=0%/bn=none",
	}
)

// pick returns the cells of all named in names, in grid order.
func pick(all []cell, names []string) []cell {
	var cs []cell
	for _, c := range all {
		for _, n := range names {
			if c.name() == n {
				cs = append(cs, c)
			}
		}
	}
	return cs
}

// runCell runs one cell in its own bubble and returns its measurement.
func runCell(t *testing.T, c cell) expectation {
	var r pathsim.Result
	synctest.Test(t, func(t *testing.T) {
		var err error
		r, err = pathsim.Run(c.path(), pathsim.Options{Bytes: c.bytes()})
		if err != nil {
			t.Fatal(err)
		}
	})
	return expectationOf(r)
}

// check compares one cell with its line of the expectation file.
func check(t *testing.T, got expectation, want map[string]expectation, name string) {
	w, ok := want[name]
	if !ok {
		t.Fatalf("no line for %s in %s: rerun with -update", name, expectPath)
	}
	regressions, improvements := compare(got, w)
	for _, r := range regressions {
		t.Error(r)
	}
	if len(improvements) > 0 {
		t.Logf("better than expected beyond tolerance (%s); consider rerunning with -update", strings.Join(improvements, "; "))
	}
}

// writeFiles rewrites the expectation file and the Markdown table.
func writeFiles(t *testing.T, cells []cell, got map[string]expectation) {
	if err := writeExpect(expectPath, cells, got); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tablePath, []byte(markdown(cells, got)), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s and %s", expectPath, tablePath)
}
