package pathsim_test

import (
	"fmt"
	"strings"
)

const tablePath = "testdata/table.md"

// markdown renders the results of cells as a Markdown table, one row per
// cell in grid order; cells without a result are left out.
func markdown(cells []cell, got map[string]expectation) string {
	var b strings.Builder
	b.WriteString("| RTT | loss | reorder | bottleneck | transfer | goodput (Mbit/s) | retransmitted | spurious | timeouts |\n")
	b.WriteString("|---:|---:|---:|:---|---:|---:|---:|---:|---:|\n")
	for _, c := range cells {
		e, ok := got[c.name()]
		if !ok {
			continue
		}
		fmt.Fprintf(&b, "| %v | %s | %s | %s | %d MiB | %.2f | %.2f%% | %.2f%% | %d |\n",
			c.rtt, pct(c.loss), pct(c.reorder), c.bn.label, e.bytes>>20, e.goodput, e.retrans, e.spurious, e.timeouts)
	}
	return b.String()
}
