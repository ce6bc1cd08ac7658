package netstack

// TCP Small Queues, after Linux's tcp_small_queue_check: a connection
// keeps at most smallQueueLimit bytes of its packets in the output queue
// at a time. Beyond that its new data waits in its send buffer (the
// connection is held, as for a full link) until the link has taken some,
// and flushLocked lets it send again after each batch written.
//
// Without the bound, a bulk sender whose link is the bottleneck (a tap,
// where each 64 KiB write costs the kernel's receive path) queued its
// whole send buffer, 8 MiB, ahead of every other connection's packets,
// ACKs included: milliseconds of delay, and 128 TSO packet buffers pinned
// per connection. With it the queue holds enough to keep the link busy
// and no more (TestKernelRoundTripUnderLoad logs the difference).

// smallQueueLimit is how many bytes of one connection's packets may wait
// for the link: sixteen TSO bursts, about 0.3 ms of a tap's write rate.
// Smaller bounds (256 KiB) let the link run dry at times.
const smallQueueLimit = 1 << 20

// countQueued adds o to its connection's small queue. Called with mu held.
func countQueued(o *outPacket) {
	if o.owner != nil {
		o.owner.queued += o.size()
	}
}

// linkTook takes the packets the link is done with (written, or dropped
// on an error) out of their connections' small queues, and lets held
// connections send again. Called with writeMu held and mu not held.
func (s *Stack) linkTook(done []outPacket) {
	owned := false
	for i := range done {
		if done[i].owner != nil {
			owned = true
			break
		}
	}
	if !owned {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range done {
		if o := &done[i]; o.owner != nil {
			o.owner.queued -= o.size()
		}
	}
	s.resumeHeld()
}
