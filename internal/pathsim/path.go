package pathsim

import "time"

// Path describes the network between the two stacks. The zero Path is a
// perfect link: no delay, no loss, no rate limit.
type Path struct {
	// RTT is the round-trip propagation delay; each direction delays
	// packets by RTT/2. Serialisation at the bottleneck comes on top.
	RTT time.Duration
	// Loss, Reorder and Duplicate are per-packet probabilities, applied
	// independently in each direction (see pipe.Config).
	Loss, Reorder, Duplicate float64
	// Rate is the bottleneck's bandwidth in bytes per second, each way,
	// counting whole frames (Ethernet header included). Zero means no
	// bottleneck.
	Rate int64
	// Queue is how many packets may wait for the bottleneck's transmitter
	// before it tail-drops; zero means pipe's default, 1024. Ignored
	// without Rate.
	Queue int
	// Seed seeds every random decision of both pipes.
	Seed uint64
}
