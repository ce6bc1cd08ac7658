package pathtest

import (
	"time"

	"github.com/renet-go/renet/link/pipe"
)

// Path is a named set of impairments for relay.Config.Path.
type Path struct {
	Name string
	// Desc says what the path is, for tables.
	Desc   string
	Impair pipe.Config
}

// deepQueue lets an unlimited path hold a whole bandwidth-delay product in
// its delay line: the pipe counts packets in flight against QueueLen, and
// its default of 1024 frames would cap a 100 ms path near 30 MB/s.
const deepQueue = 1 << 16

// Paths returns the standard paths, in table order. Delays are one way;
// RTT is twice that.
func Paths() []Path {
	d20 := 10 * time.Millisecond
	return []Path{
		{"clean20", "clean, 20 ms RTT", pipe.Config{Delay: d20, QueueLen: deepQueue, Seed: 1}},
		{"loss1", "1% loss each way, 20 ms RTT", pipe.Config{Delay: d20, Loss: 0.01, QueueLen: deepQueue, Seed: 1}},
		{"loss3", "3% loss each way, 20 ms RTT", pipe.Config{Delay: d20, Loss: 0.03, QueueLen: deepQueue, Seed: 1}},
		{"reorder", "5% reorder + 1% loss + 0.5% dup, 20 ms RTT", pipe.Config{
			Delay: d20, Reorder: 0.05, Loss: 0.01, Duplicate: 0.005, QueueLen: deepQueue, Seed: 1}},
		// The 1000 frames include those in the 10 ms delay line (about 85
		// at 100 Mbit/s), since the pipe counts both.
		{"rate100", "100 Mbit/s, 1000-frame queue, 20 ms RTT", pipe.Config{
			Delay: d20, Rate: 100e6 / 8, QueueLen: 1000, Seed: 1}},
		{"clean100", "clean, 100 ms RTT", pipe.Config{Delay: 50 * time.Millisecond, QueueLen: deepQueue, Seed: 1}},
	}
}

// PathByName returns the standard path called name.
func PathByName(name string) (Path, bool) {
	for _, p := range Paths() {
		if p.Name == name {
			return p, true
		}
	}
	return Path{}, false
}
