package pipe

// Stats holds the counters of both directions of a pipe, as seen from one
// end.
type Stats struct {
	// Tx counts the packets this end wrote, travelling to the peer.
	Tx DirectionStats
	// Rx counts the packets the peer wrote, travelling to this end.
	Rx DirectionStats
}

// DirectionStats counts what happened to the packets of one direction.
// Once nothing is in flight,
//
//	Sent + Duplicated == Delivered + Lost + QueueDrops + Oversize + Unplugged
type DirectionStats struct {
	// Sent is the number of packets passed to WriteBatch and accepted.
	Sent uint64
	// Delivered is the number of packets returned by ReadBatch,
	// duplicates included.
	Delivered uint64
	// Lost is the number of packets dropped by the Loss impairment.
	Lost uint64
	// Duplicated is the number of extra copies made by Duplicate.
	Duplicated uint64
	// Reordered is the number of packets that were held back and
	// delivered after a later one.
	Reordered uint64
	// Corrupted is the number of packets that had a bit flipped.
	Corrupted uint64
	// QueueDrops is the number of packets tail-dropped because QueueLen
	// packets were already waiting.
	QueueDrops uint64
	// Oversize is the number of packets dropped for being longer than
	// the MTU plus the link header.
	Oversize uint64
	// Unplugged is the number of packets dropped because the receiving
	// end was closed, whether they were written after it closed or were
	// still queued when it did.
	Unplugged uint64
}
