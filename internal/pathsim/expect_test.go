package pathsim_test

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/renet-go/renet/internal/pathsim"
)

// The expectation file holds one line per cell, in grid order:
//
//	<cell name> <bytes> <goodput Mbit/s> <retransmitted %> <spurious %> <timeouts>
//
// Lines starting with # are comments. Bytes records the transfer size the
// cell was measured with, so a subset run (-short, -race) compares the
// same cell definition, and a changed definition is caught, not compared.
const expectPath = "testdata/expect.txt"

// An expectation is one line of the file.
type expectation struct {
	bytes    int64
	goodput  float64 // Mbit/s
	retrans  float64 // % of segments sent
	spurious float64 // % of segments sent
	timeouts uint64
}

// expectationOf turns a result into the line it would be written as.
func expectationOf(r pathsim.Result) expectation {
	return expectation{
		bytes:    r.Bytes,
		goodput:  mbits(r.Goodput()),
		retrans:  r.RetransPercent(),
		spurious: r.SpuriousPercent(),
		timeouts: r.Sender.Timeouts,
	}
}

func mbits(bytesPerSec float64) float64 { return bytesPerSec * 8 / 1e6 }

const expectHeader = `# pathsim expectations for TestPathTable: one line per cell, in grid order.
# Regenerate with: go test ./internal/pathsim -run TestPathTable -update
# goodput in Mbit/s (payload bytes over virtual time, first Write to last
# byte read); retrans% and spurious% of the segments the sender sent.
`

// expectFormat is one cell line; the widths keep columns aligned and
// diffs small.
const expectFormat = "%-40s %10d %10.3f %8.2f %9.2f %8d\n"

// writeExpect writes the expectation file for cells, whose results are in
// got.
func writeExpect(path string, cells []cell, got map[string]expectation) error {
	var b strings.Builder
	b.WriteString(expectHeader)
	fmt.Fprintf(&b, "%-40s %10s %10s %8s %9s %8s\n", "# cell", "bytes", "goodput", "retrans%", "spurious%", "timeouts")
	for _, c := range cells {
		e := got[c.name()]
		fmt.Fprintf(&b, expectFormat, c.name(), e.bytes, e.goodput, e.retrans, e.spurious, e.timeouts)
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// readExpect reads the expectation file into a map keyed by cell name.
func readExpect(path string) (map[string]expectation, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m := map[string]expectation{}
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		name, e, err := parseExpect(s)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, line, err)
		}
		m[name] = e
	}
	return m, sc.Err()
}

// parseExpect parses one cell line.
func parseExpect(s string) (string, expectation, error) {
	f := strings.Fields(s)
	if len(f) != 6 {
		return "", expectation{}, fmt.Errorf("want 6 fields, got %d", len(f))
	}
	var e expectation
	var errs [5]error
	e.bytes, errs[0] = strconv.ParseInt(f[1], 10, 64)
	e.goodput, errs[1] = strconv.ParseFloat(f[2], 64)
	e.retrans, errs[2] = strconv.ParseFloat(f[3], 64)
	e.spurious, errs[3] = strconv.ParseFloat(f[4], 64)
	e.timeouts, errs[4] = strconv.ParseUint(f[5], 10, 64)
	for _, err := range errs {
		if err != nil {
			return "", expectation{}, err
		}
	}
	return f[0], e, nil
}
