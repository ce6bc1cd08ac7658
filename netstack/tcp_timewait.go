package netstack

import (
	"time"

	"github.com/renet-go/renet/netstack/internal/deadline"
	"github.com/renet-go/renet/netstack/tcp"
)

// twEntry is a 4-tuple in TIME-WAIT: the connection itself is gone, and
// this small record answers its stray segments until 2*MSL has passed.
type twEntry struct {
	slot deadline.Slot
	id   tuple
	rec  tcp.TimeWaitRecord
}

func (e *twEntry) Slot() *deadline.Slot { return &e.slot }

// twTable holds the stack's TIME-WAIT records, bounded by
// Config.MaxTimeWait and expired through a deadline heap.
type twTable struct {
	m map[tuple]*twEntry
	h deadline.Heap[*twEntry]
}

// tcpEnterTimeWait takes a connection that has just entered TIME-WAIT out
// of its TCB and into the TIME-WAIT table. Past the table's limit the
// connection skips TIME-WAIT, as Linux does past tcp_max_tw_buckets, and
// the overflow is counted. Called with s.mu held.
func (s *Stack) tcpEnterTimeWait(now time.Time, sk *TCPSocket) {
	if rec, ok := sk.tcb.TakeTimeWait(); ok {
		s.addTimeWait(now, sk.id, rec)
	}
}

// addTimeWait enters a TIME-WAIT record, or counts the overflow. Called
// with s.mu held.
func (s *Stack) addTimeWait(now time.Time, id tuple, rec tcp.TimeWaitRecord) {
	t := &s.tcp.tw
	if len(t.m) >= s.cfg.MaxTimeWait {
		s.stats.TCPTimeWaitOverflows++
		return
	}
	e := &twEntry{id: id, rec: rec}
	t.m[id] = e
	t.h.Set(e, s.clock(now.Add(rec.Period())))
	s.tcp.ports[id.local.Port()]++
}

// tcpTimeWaitInput answers a segment for a 4-tuple in TIME-WAIT. It
// reports true when the segment is a SYN that reopens the 4-tuple (RFC
// 6191), so it goes on to the listener. Called with s.mu held.
func (s *Stack) tcpTimeWaitInput(now time.Time, e *twEntry, seg *tcp.Segment) bool {
	switch e.rec.Input(now, seg) {
	case tcp.TimeWaitFIN:
		s.tcp.tw.h.Set(e, s.clock(now.Add(e.rec.Period())))
		fallthrough
	case tcp.TimeWaitACK:
		e.rec.ACK(now, &s.tcp.seg)
		s.sendTCP(now, e.id, &s.tcp.seg)
	case tcp.TimeWaitReopen:
		s.removeTimeWait(e)
		return true
	case tcp.TimeWaitEnd:
		s.removeTimeWait(e)
	}
	return false
}

// removeTimeWait forgets a TIME-WAIT record. Called with s.mu held.
func (s *Stack) removeTimeWait(e *twEntry) {
	t := &s.tcp.tw
	t.h.Remove(e)
	delete(t.m, e.id)
	s.unrefPort(e.id.local.Port())
}

// tcpExpireTimeWait forgets the records whose 2*MSL has passed. Called
// with s.mu held.
func (s *Stack) tcpExpireTimeWait(now time.Time) {
	for {
		e, ok := s.tcp.tw.h.PopDue(s.clock(now))
		if !ok {
			return
		}
		s.removeTimeWait(e)
	}
}

// nextTimeWait is the earliest TIME-WAIT expiry, or zero.
func (s *Stack) nextTimeWait() time.Time {
	at, ok := s.tcp.tw.h.Next()
	if !ok {
		return time.Time{}
	}
	return s.epoch.Add(time.Duration(at))
}
