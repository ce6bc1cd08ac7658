// Package pathsim runs one TCP transfer between two renet stacks over a
// simulated network path, for tests that measure how TCP copes with
// latency, loss, reordering, duplication and a bottleneck.
//
// # Virtual time
//
// Run is meant to be called inside a testing/synctest bubble (the caller
// calls synctest.Test). The stacks' timers, the pipes' delay lines and the
// transfer's goroutines then all live in the bubble, whose clock jumps
// forward whenever every goroutine is blocked: a transfer over a 300 ms
// path costs only the CPU its packets take, and the same Path (Seed
// included) gives the same result. Outside a bubble Run still works, in
// real time.
//
// # Topology
//
//	stack A ── bottleneck pipe ── relay ── wire pipe ── stack B
//	10.0.0.1   Rate, Queue                 RTT/2 each way,   10.0.0.2
//	           (no delay)                  Loss, Reorder,
//	                                       Duplicate
//
// The bottleneck exists only when Path.Rate is set. It is a pipe of its
// own because link/pipe counts every packet in its delay line against
// QueueLen: one pipe with both Delay and QueueLen would bound the packets
// in flight, not the router queue, and a 100-packet queue could not even
// hold the bandwidth-delay product of a 10 Mbit/s, 300 ms path. Split in
// two, the bottleneck's QueueLen bounds exactly the packets waiting for
// the transmitter, as at a router, and the wire's delay line is unbounded.
// Impairments apply in both directions, as the pipe applies them.
//
// # Lifetime
//
// Run closes everything it opens (connections, listener, stacks, pipes,
// relay goroutines) before it returns, whatever the outcome, so no
// goroutine outlives the bubble.
package pathsim
