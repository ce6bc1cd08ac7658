package tcp

import "time"

// sendRecord describes one transmitted segment, as Linux's tcp_skb_cb
// does: the sequence range it occupies (a FIN counts as its last sequence
// number), when it was last sent, and what the peer and loss detection
// have said about it. RACK, RFC 6675's retransmission choice, PRR, the
// undo of spurious recoveries and (later) segmentation offload all read
// these records.
type sendRecord struct {
	start, end Seq
	// sentAt is when the segment was last (re)transmitted, as an offset
	// from the connection's clock base, so a record stays small.
	sentAt time.Duration
	flags  recFlags
}

// recFlags are what is known about a sent segment.
type recFlags uint8

const (
	recSACKed  recFlags = 1 << iota // the peer SACKed it (RFC 2018)
	recLost                         // marked lost and not retransmitted since
	recRetrans                      // retransmitted at least once
	recFIN                          // carries our FIN
)

func (r *sendRecord) len() int { return r.end.Sub(r.start) }

func (r *sendRecord) has(f recFlags) bool { return r.flags&f != 0 }

// sendRecords is the ring of records for every segment in [SND.UNA,
// SND.MAX), in sequence order and contiguous: record i ends where record
// i+1 starts. It grows by doubling and is released when empty, so it costs
// nothing per segment in steady state and nothing when idle. It keeps the
// byte counts that RFC 6675's "pipe" needs up to date as flags change.
type sendRecords struct {
	r      []sendRecord
	head   int
	n      int
	sacked int // bytes in SACKed records
	lost   int // bytes in records marked lost (and not SACKed)
}

const minRecords = 16

// at returns the i-th record, counting from the oldest.
func (q *sendRecords) at(i int) *sendRecord { return &q.r[(q.head+i)&(len(q.r)-1)] }

// last returns the newest record; the ring must not be empty.
func (q *sendRecords) last() *sendRecord { return q.at(q.n - 1) }

// push appends the record of a newly sent segment.
func (q *sendRecords) push(rec sendRecord) {
	if q.n == len(q.r) {
		q.grow()
	}
	*q.at(q.n) = rec
	q.n++
}

func (q *sendRecords) grow() {
	nr := make([]sendRecord, max(2*len(q.r), minRecords))
	for i := 0; i < q.n; i++ {
		nr[i] = *q.at(i)
	}
	q.r, q.head = nr, 0
}

// popFront removes the oldest record.
func (q *sendRecords) popFront() {
	rec := q.at(0)
	q.setFlags(rec, rec.flags&^(recSACKed|recLost))
	q.head = (q.head + 1) & (len(q.r) - 1)
	q.n--
}

// trimFront drops the bytes of the oldest record before s (a cumulative
// ACK that ends inside it).
func (q *sendRecords) trimFront(s Seq) {
	rec := q.at(0)
	d := s.Sub(rec.start)
	if rec.has(recSACKed) {
		q.sacked -= d
	} else if rec.has(recLost) {
		q.lost -= d
	}
	rec.start = s
}

// setFlags changes a record's flags, keeping the byte counts right.
func (q *sendRecords) setFlags(rec *sendRecord, f recFlags) {
	n := rec.len()
	if rec.has(recSACKed) {
		q.sacked -= n
	} else if rec.has(recLost) {
		q.lost -= n
	}
	rec.flags = f
	if rec.has(recSACKed) {
		q.sacked += n
	} else if rec.has(recLost) {
		q.lost += n
	}
}

// search returns the index of the record holding sequence number s, or
// the index where such a record would be.
func (q *sendRecords) search(s Seq) int {
	lo, hi := 0, q.n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if q.at(m).end.LessEq(s) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// split cuts record i at s, which lies strictly inside it, so that a
// retransmission can be smaller than the original (a lowered MSS).
func (q *sendRecords) split(i int, s Seq) {
	if q.n == len(q.r) {
		q.grow()
	}
	for j := q.n; j > i+1; j-- {
		*q.at(j) = *q.at(j - 1)
	}
	q.n++
	a, b := q.at(i), q.at(i+1)
	*b = *a
	a.end, b.start = s, s
	a.flags &^= recFIN
}

// release frees the storage of an empty ring.
func (q *sendRecords) release() {
	if q.n == 0 {
		q.r, q.head = nil, 0
	}
}

// reset forgets every record.
func (q *sendRecords) reset() { *q = sendRecords{} }
