package pathsim_test

import (
	"fmt"
	"strconv"
	"time"

	"github.com/renet-go/renet/internal/pathsim"
)

// A cell is one path of the table: an RTT, a loss and a reordering
// probability, and a bottleneck.
type cell struct {
	rtt     time.Duration
	loss    float64
	reorder float64
	bn      bottleneck
}

// A bottleneck is a rate limit with a bounded queue; the zero rate means
// none.
type bottleneck struct {
	name  string // in cell names: "none", "10M", "100M"
	label string // in the Markdown table
	rate  int64  // bytes per second
	queue int    // packets
}

// The grid of the issue: RTT × loss × reordering × bottleneck.
var (
	rtts        = []time.Duration{1 * time.Millisecond, 20 * time.Millisecond, 100 * time.Millisecond, 300 * time.Millisecond}
	losses      = []float64{0, 0.01, 0.03}
	reorders    = []float64{0, 0.05}
	bottlenecks = []bottleneck{
		{name: "none", label: "none"},
		{name: "10M", label: "10 Mbit/s, 100 pkts", rate: 10e6 / 8, queue: 100},
		{name: "100M", label: "100 Mbit/s, 1000 pkts", rate: 100e6 / 8, queue: 1000},
	}
)

// seed is every cell's pipe seed. Changing it changes every expectation.
const seed = 1

// grid returns every cell, in table order.
func grid() []cell {
	var cs []cell
	for _, rtt := range rtts {
		for _, loss := range losses {
			for _, reorder := range reorders {
				for _, bn := range bottlenecks {
					cs = append(cs, cell{rtt, loss, reorder, bn})
				}
			}
		}
	}
	return cs
}

// name is the cell's subtest name and its key in the expectation file,
// e.g. "rtt=20ms/loss=1%/reorder=5%/bn=10M".
func (c cell) name() string {
	return fmt.Sprintf("rtt=%v/loss=%s/reorder=%s/bn=%s", c.rtt, pct(c.loss), pct(c.reorder), c.bn.name)
}

// pct prints a probability as a percentage: 0.01 is "1%".
func pct(p float64) string {
	return strconv.FormatFloat(100*p, 'f', -1, 64) + "%"
}

func (c cell) path() pathsim.Path {
	return pathsim.Path{
		RTT:     c.rtt,
		Loss:    c.loss,
		Reorder: c.reorder,
		Rate:    c.bn.rate,
		Queue:   c.bn.queue,
		Seed:    seed,
	}
}

// Transfer sizes. A cell must last many RTTs so that the sender reaches
// its steady state: 30 RTTs at the bottleneck rate, and on unlimited paths
// ten windows of 6 MiB (the receive window an autotuning stack would
// reach), with a 2 MiB floor. Virtual time is free; the CPU per byte is
// what these sizes spend.
const (
	minTransfer    = 2 << 20
	rttsAtRate     = 30
	bigWindow      = 6 << 20
	windowsNoLimit = 10
)

// bytes is how much the cell moves, rounded up to a whole MiB.
func (c cell) bytes() int64 {
	n := int64(windowsNoLimit * bigWindow)
	if c.bn.rate > 0 {
		n = int64(rttsAtRate * c.rtt.Seconds() * float64(c.bn.rate))
	}
	n = max(n, minTransfer)
	return (n + 1<<20 - 1) &^ (1<<20 - 1)
}
