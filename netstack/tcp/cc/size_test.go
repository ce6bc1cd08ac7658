package cc

import (
	"math"
	"runtime"
	"testing"
	"unsafe"
)

var ctlSink Controller

// allocBytes returns the heap bytes one call of f allocates as the
// allocator counts them, each object rounded up to its size class; the
// least of a few trials ignores allocations made meanwhile by others.
func allocBytes(f func()) float64 {
	const n = 256
	best := math.Inf(1)
	for range 5 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range n {
			f()
		}
		runtime.ReadMemStats(&after)
		best = min(best, float64(after.TotalAlloc-before.TotalAlloc)/n)
	}
	return best
}

// Every established connection holds a controller, CUBIC by default, so
// its size is paid once per connection (a million idle ones are a goal).
// The state Undo needs is allocated only at the first reduction; until
// then a CUBIC fits the allocator's 208-byte size class.
func TestCUBICSize(t *testing.T) {
	const class = 208
	newCUBIC := func() { ctlSink = NewCUBIC(1448) }
	if n := testing.AllocsPerRun(100, newCUBIC); n != 1 {
		t.Fatalf("NewCUBIC makes %v allocations, want 1", n)
	}
	if b := allocBytes(newCUBIC); b > class {
		t.Fatalf("NewCUBIC allocates %v bytes, past the %d-byte size class (unsafe.Sizeof(CUBIC{}) = %d)", b, class, unsafe.Sizeof(CUBIC{}))
	}
}
