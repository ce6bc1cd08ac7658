package netstack

// TCP Small Queues, after Linux's tcp_small_queue_check: a connection
// keeps at most smallQueueLimit bytes of its packets in the output queue
// at a time. Beyond that its new data waits in its send buffer (the
// connection is held, as for a full link) until the link has taken some,
// and flushLocked lets it send again after each batch written.
//
// Without the bound, one bulk sender filled the queue with its whole send
// buffer (8 MiB) whenever the link was the bottleneck: every other
// connection's packets, ACKs included, waited behind it, its own round
// trips grew to milliseconds (slowing its slow start tenfold), and the
// queued TSO packets pinned their buffers. With it the queue holds a few
// bursts per connection, enough to keep the link busy, and the round trip
// stays near the link's.

// smallQueueLimit is how many bytes of one connection's packets may wait
// for the link: four TSO bursts.
const smallQueueLimit = 1 << 20

// countQueued adds o to its connection's small queue. Called with mu held.
func countQueued(o *outPacket) {
	if o.owner != nil {
		o.owner.queued += len(*o.p)
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
			o.owner.queued -= len(*o.p)
		}
	}
	s.resumeHeld()
}
