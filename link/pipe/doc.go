// Package pipe joins two link.Endpoints back to back in memory, like a
// cable, and can make that cable misbehave: drop, duplicate, reorder and
// corrupt packets, delay them, and limit the rate they cross at.
//
// New returns the two ends, a and b. What a writes, b reads, and the other
// way round. Each way is a separate direction with its own queue, its own
// counters and its own random stream, derived from Config.Seed, so that two
// runs with the same seed and the same traffic make the same decisions.
//
// # Delivery
//
// A packet written with no Delay, Jitter or Rate is ready to read as soon as
// WriteBatch returns: it is copied into a pooled buffer, put on the
// direction's ready queue, and a reader blocked in ReadBatch is woken. With
// any of them set, the packet is given a due time and waits in a heap; one
// scheduler goroutine per direction, started on first need, keeps a single
// time.Timer armed for the earliest due packet and moves due packets to the
// ready queue. There is never a goroutine or timer per packet, and in steady
// state there is no allocation per packet: buffers come from a per-direction
// free list.
//
// # Impairments
//
// For each packet, in this order, under the direction's lock: Loss may drop
// it; a full queue (QueueLen packets waiting) tail-drops it; Corrupt may flip
// one random bit; Duplicate may queue an exact second copy right after it;
// Reorder may hold it back until the next packet has been made ready (or,
// if none follows, for ReorderHold); Jitter adds a uniform extra delay.
// Rate charges each packet its serialisation time on a per-direction
// transmitter, so packets queue behind each other as at a router.
//
// Packets longer than MTU plus the medium's header (plus 4 for an 802.1Q
// tagged Ethernet frame) are dropped without an error and counted in
// DirectionStats.Oversize; WriteBatch still counts them as sent, as a
// network interface does with a frame the wire rejects.
//
// # Close
//
// Closing either end closes both of its directions: its pending and future
// ReadBatch calls return net.ErrClosed, its WriteBatch calls return
// net.ErrClosed, and what was queued towards it is discarded. The peer is
// not told: its writes are silently dropped (counted in Unplugged), as if
// the cable had been pulled out, and its reads block until it closes too.
// Packets already in flight from a closed end to an open peer are still
// delivered. The scheduler goroutine of a direction ends when that
// direction's receiver closes, so close both ends when done.
//
// # Concurrency
//
// All methods are safe for concurrent use. Each direction has one mutex,
// taken once per WriteBatch or ReadBatch call; writers to the same end are
// ordered by that lock, so packets from one writer keep their order unless
// an impairment changes it.
package pipe
