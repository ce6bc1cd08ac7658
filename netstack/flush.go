package netstack

import "github.com/renet-go/renet/link"

// flush delivers loopback packets and writes the output queue to the link.
// Call it without mu held after any operation that may have queued
// packets. It may return before they are written (below); flushWait
// does not.
//
// One goroutine at a time flushes (flushing, under mu). When one already
// is, flush leaves the packets to it and returns at once: it finds them
// before it stops. When the queue holds a TCP burst for the link to cut
// (TSO), flush hands the writing to the stack's writer goroutine instead
// of writing itself: such a write is a system call in which the kernel
// receives the burst (tens of microseconds), and meanwhile the user's
// Write goes back to copying the next data, so the two overlap on two
// cores (+12% download over a tap). Small packets are written at once by
// whoever sent them: a hand-over would cost a wake-up on every round trip.
func (s *Stack) flush() {
	s.mu.Lock()
	if s.flushing {
		s.mu.Unlock()
		return
	}
	s.flushing = true
	burst := s.outqHasBurst()
	s.mu.Unlock()
	if burst {
		select {
		case s.kick <- struct{}{}:
		default: // a kick is pending: the writer will find these packets too
		}
		return
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.flushLocked()
}

// outqHasBurst reports whether outq holds a packet the link is to cut
// into segments. Called with mu held.
func (s *Stack) outqHasBurst() bool {
	for i := len(s.outq) - 1; i >= 0; i-- {
		if s.outq[i].info.GSO != link.GSONone {
			return true
		}
	}
	return false
}

// writer is the stack's writer goroutine: it writes the output queue when
// flush hands it over, until the stack closes.
func (s *Stack) writer() {
	defer s.driverWG.Done()
	for {
		select {
		case <-s.kick:
		case <-s.done:
			return
		}
		s.writeMu.Lock()
		s.flushLocked()
		s.writeMu.Unlock()
	}
}

// flushWait is flush for callers that need their packets written when it
// returns (Close, before the link goes).
func (s *Stack) flushWait() {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.flushLocked()
}

// flushLocked is flush with writeMu held. While the link is full it only
// delivers loopback packets: the queue waits for linkWritable. It clears
// flushing when it finds nothing more to write, under mu, so a packet
// queued after that finds nobody flushing and its sender flushes.
func (s *Stack) flushLocked() {
	for {
		s.mu.Lock()
		if len(s.loopq) > 0 && !s.stopping {
			s.deliverLoopback()
		}
		if len(s.outq) == 0 || s.linkFull {
			more := len(s.loopq) > 0 && !s.stopping
			if !more {
				s.flushing = false
			}
			s.mu.Unlock()
			if more {
				continue
			}
			return
		}
		s.outq, s.flushq = s.flushq[:0], s.outq
		s.mu.Unlock()

		written := s.writeOut()
		s.linkTook(s.flushq[:written])
		for i, o := range s.flushq[:written] {
			s.putBuf(o.p)
			s.flushq[i] = outPacket{}
			s.wbufs[i] = nil
			s.wtails[i] = [2][]byte{}
		}
		if written < len(s.flushq) {
			// The link is full: keep the rest for linkWritable, and go
			// round once more for loopback packets queued meanwhile by
			// senders that left them to us (the top of the loop also
			// clears flushing).
			s.holdRest(s.flushq[written:])
			continue
		}
		if cap(s.flushq) > keptQueueLen {
			// A burst (thousands of resets when forwarded requests time
			// out) grew the queues: give their memory back. outq and
			// flushq trade arrays, so each comes here in turn.
			s.flushq, s.wbufs, s.winfos, s.wtails = nil, nil, nil, nil
		}
	}
}

// keptQueueLen is the most packets the output queue arrays keep room for
// once a flush is done.
const keptQueueLen = 1024

// writeOut writes flushq to the link and returns how many packets it is
// done with: all of them, unless the link reported itself full. A packet
// the link failed to write for another reason is counted and skipped.
// Called with writeMu held.
func (s *Stack) writeOut() int {
	s.wbufs, s.winfos, s.wtails = s.wbufs[:0], s.winfos[:0], s.wtails[:0]
	pieces := false
	for _, o := range s.flushq {
		pieces = pieces || o.bodyLen() > 0
		s.wbufs = append(s.wbufs, *o.p)
		s.winfos = append(s.winfos, o.info)
		s.wtails = append(s.wtails, o.body)
	}
	written := 0
	for written < len(s.wbufs) {
		var n int
		var err error
		switch {
		case pieces:
			n, err = s.gep.WriteBatchGather(s.wbufs[written:], s.wtails[written:], s.winfos[written:])
		case s.oep != nil:
			n, err = s.oep.WriteBatchInfo(s.wbufs[written:], s.winfos[written:])
		default:
			n, err = s.ep.WriteBatch(s.wbufs[written:])
		}
		written += n
		if err == link.ErrFull {
			for i := written; i < len(s.wbufs); i++ {
				s.wbufs[i] = nil
				s.wtails[i] = [2][]byte{}
			}
			return written
		}
		if err != nil {
			s.mu.Lock()
			s.stats.LinkWriteErrors++
			s.stats.Drops[DropLinkWrite]++
			s.mu.Unlock()
			written++ // skip the packet that failed
		}
	}
	return written
}
