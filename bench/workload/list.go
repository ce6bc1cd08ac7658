package workload

import (
	"testing"

	"github.com/renet-go/renet/bench/stacks"
)

// Workload is one benchmark body, run on the implementation it is given.
type Workload struct {
	// Name is the name of the Benchmark function that runs it, without the
	// Benchmark prefix.
	Name string
	// Run is the benchmark body.
	Run func(b *testing.B, impl stacks.Impl)
	// Metrics lists the figures the comparison prints for it: "ns/op",
	// "MB/s", "allocs/op" or a custom unit passed to b.ReportMetric.
	Metrics []string
}

// All lists every workload in the order the comparison prints them.
var All = []Workload{
	{Name: "TCPBulk", Run: TCPBulk, Metrics: []string{"MB/s", "allocs/op"}},
	{Name: "TCPRoundTrip", Run: TCPRoundTrip, Metrics: []string{"ns/op", "allocs/op"}},
	{Name: "TCPConnect", Run: TCPConnect, Metrics: []string{"ns/op", UnitUnstalled, UnitStalls, "allocs/op"}},
	{Name: "UDPRoundTrip", Run: UDPRoundTrip, Metrics: []string{"ns/op", "allocs/op"}},
	{Name: "IdleConnMemory", Run: IdleConnMemory, Metrics: []string{UnitHeapPerConn}},
}

// Run runs w as sub-benchmarks of b, one per implementation, named after
// the implementation.
func Run(b *testing.B, w func(*testing.B, stacks.Impl)) {
	for _, impl := range stacks.Impls {
		b.Run(impl.Name, func(b *testing.B) { w(b, impl) })
	}
}

// newNetwork builds a fresh network on impl and closes it when b ends.
func newNetwork(b *testing.B, impl stacks.Impl) stacks.Network {
	b.Helper()
	n, err := impl.New()
	if err != nil {
		b.Fatalf("%s: %v", impl.Name, err)
	}
	b.Cleanup(func() { n.Close() })
	return n
}
