package channel

// Stats holds the counters of both queues of a channel.
type Stats struct {
	// Inbound is the queue from Port.Write to the stack's ReadBatch.
	Inbound QueueStats
	// Outbound is the queue from the stack's WriteBatch to Port.Read.
	Outbound QueueStats
}

// QueueStats counts what went through one queue. At any time
//
//	Packets == Delivered + Discarded + Depth
type QueueStats struct {
	// Packets and Bytes count the packets accepted into the queue.
	Packets, Bytes uint64
	// Delivered is the number of packets read out of the queue.
	Delivered uint64
	// Full counts the times a writer found the queue full: for Inbound,
	// each time a Port.Write began to wait for room; for Outbound, each
	// WriteBatch call that returned link.ErrFull (a refusal).
	Full uint64
	// Notified (Outbound only) counts the calls of the write-notify
	// function, one per refusal episode that ended with room.
	Notified uint64
	// Oversize counts packets longer than the MTU plus the link header:
	// rejected with ErrTooLarge by Port.Write (Inbound), dropped by
	// WriteBatch (Outbound).
	Oversize uint64
	// Discarded is the number of packets still queued when the channel
	// was closed.
	Discarded uint64
	// Depth is the number of packets queued now, and Limit the queue's
	// bound (Config.InboundQueue or Config.OutboundQueue).
	Depth, Limit int
}
