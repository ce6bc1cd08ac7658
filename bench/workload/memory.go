package workload

import (
	"net"
	"runtime"
	"testing"

	"github.com/renet-go/renet/bench/stacks"
)

// IdleConns is how many connections IdleConnMemory holds open.
const IdleConns = 1000

// Units of the metrics IdleConnMemory reports.
const (
	// UnitHeapPerConn is live heap bytes per established idle connection,
	// counting both ends (client and server) of it.
	UnitHeapPerConn = "B/conn"
	// UnitStackPerConn is goroutine stack bytes per connection: zero, give
	// or take the noise of other goroutines' stacks growing and shrinking,
	// unless an implementation runs goroutines per connection.
	UnitStackPerConn = "stackB/conn"
)

// IdleConnMemory measures what IdleConns established, idle connections
// cost: it reads the live heap (after runtime.GC) with the listener open,
// opens the connections — both ends kept, no data sent — and reads it
// again. Each op builds a fresh network; the metric is the mean over ops.
// For the kernel only the Go side (file descriptors, net.TCPConn) is on the
// heap: the kernel's own socket memory is not counted.
func IdleConnMemory(b *testing.B, impl stacks.Impl) {
	b.ReportAllocs()
	var heap, stack float64
	for range b.N {
		h, s := idleConnMemory(b, impl)
		heap += h
		stack += s
	}
	b.ReportMetric(heap/float64(b.N), UnitHeapPerConn)
	b.ReportMetric(stack/float64(b.N), UnitStackPerConn)
}

func idleConnMemory(b *testing.B, impl stacks.Impl) (heapPerConn, stackPerConn float64) {
	n, err := impl.New()
	if err != nil {
		b.Fatal(err)
	}
	defer n.Close()
	l, err := n.ListenTCP()
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	conns := make([]net.Conn, 0, 2*IdleConns)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	before := liveMemory()
	for i := range IdleConns {
		c, s, err := connect(n, l)
		if err != nil {
			b.Fatalf("connection %d: %v", i, err)
		}
		conns = append(conns, c, s)
	}
	after := liveMemory()
	runtime.KeepAlive(conns)
	heap := float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / IdleConns
	stack := float64(int64(after.StackInuse)-int64(before.StackInuse)) / IdleConns
	return heap, stack
}

// liveMemory collects garbage (twice, so that objects freed by finalizers
// go too) and returns the memory statistics.
func liveMemory() runtime.MemStats {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m
}
