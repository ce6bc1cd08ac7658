package tcp

import "time"

// processText stores a segment's data and handles its FIN (RFC 9293
// §3.10.7.4, seventh and eighth checks). seq is the sequence number of the
// first payload byte; the segment has passed the acceptance test, so it
// overlaps the window.
func (c *Conn) processText(now time.Time, seg *Segment, seq Seq, payload []byte, fin bool) {
	// Trim what was already received, and report it in a D-SACK.
	if d := c.rcvNxt.Sub(seq); d > 0 {
		c.reportDuplicate(seq, seq.Add(min(d, len(payload))))
		if d > len(payload) {
			fin = false // the FIN too is a duplicate
			payload = nil
		} else {
			payload = payload[d:]
		}
		seq = c.rcvNxt
		c.ackNow = true // a duplicate: ACK at once (RFC 5681 §4.2)
	}
	// Trim what lies beyond the window, or beyond the buffer: after
	// SetRecvBufSize shrank it, the window already advertised is not
	// taken back (RFC 9293 §3.8.6.2.2), but data past the new buffer is
	// dropped and answered with an ACK, as Linux drops what its receive
	// buffer cannot hold.
	off := seq.Sub(c.rcvNxt)
	if wnd := min(c.rcvWindow(), c.rcv.free()); off+len(payload) > wnd {
		payload = payload[:max(wnd-off, 0)]
		fin = false
		c.ackNow = true
	}
	if len(payload) > 0 && c.userClose {
		// RFC 2525 §2.17 and Linux: data for a socket the user has closed
		// cannot be delivered; reset the connection so the peer knows.
		if rst, ok := ResetFor(seg, len(seg.Payload)); ok {
			c.rstPending = true
			c.rst = compactRST(&rst)
		}
		c.fail(errConnReset)
		return
	}
	if len(payload) > 0 {
		dup := off > 0 && c.rcv.holds(seq, seq.Add(len(payload)))
		next, stored, filled := c.rcv.insert(c.rcvNxt, seq, payload)
		switch {
		case !stored:
			c.ackNow = true
		case off > 0:
			// Out of order: ACK at once so the sender sees the hole
			// (RFC 5681 §4.2), with SACK blocks.
			c.ackNow = true
			if dup {
				c.reportDuplicate(seq, seq.Add(len(payload)))
			}
		default:
			c.stats.BytesReceived += uint64(next.Sub(c.rcvNxt))
			c.rcvNxt = next
			c.events |= EventReadable
			c.measureRcvRTT(now, seg)
			c.tuneRecvBuf(now)
			c.rcvMSS = max(c.rcvMSS, min(int32(len(payload)), c.cfg.MSS))
			if filled {
				c.ackNow = true // filled a hole: ACK at once (RFC 5681 §4.2)
			} else {
				c.delayAck(now, len(payload))
			}
		}
	}
	if fin {
		if finSeq := seq.Add(len(payload)); finSeq == c.rcvNxt {
			c.consumeFin(now)
		} else {
			c.oooFin, c.oooFinSeq = true, finSeq
		}
	} else if c.oooFin && c.oooFinSeq == c.rcvNxt {
		c.consumeFin(now)
	}
}

// delayAck schedules the ACK of n in-order bytes: at once for every second
// full-sized segment, otherwise after at most the configured delay
// (RFC 9293 §3.8.6.3, RFC 5681 §4.2).
func (c *Conn) delayAck(now time.Time, n int) {
	if c.cfg.DelayedAck < 0 {
		c.ackNow = true
		return
	}
	c.ackPending += int32(n)
	if c.ackPending >= 2*c.rcvMSS {
		c.ackNow = true
		return
	}
	if !c.ackAt.set() {
		c.ackAt = c.at(now, c.cfg.DelayedAck)
	}
}

// consumeFin takes the peer's FIN at RCV.NXT (RFC 9293 §3.10.7.4 eighth
// check).
func (c *Conn) consumeFin(now time.Time) {
	c.rcvNxt = c.rcvNxt.Add(1)
	c.finRcvd = true
	c.events |= EventReadable
	c.oooFin = false
	c.ackNow = true
	switch c.state {
	case SynReceived, Established:
		c.state = CloseWait
	case FinWait1:
		if c.finAcked() {
			c.enterTimeWait(now)
		} else {
			c.state = Closing // simultaneous close (RFC 9293 Figure 13)
		}
	case FinWait2:
		c.enterTimeWait(now)
	}
}

// reportDuplicate arranges for the next ACK to carry a D-SACK block for
// [start, end), data that arrived twice (RFC 2883 §4): the sender learns
// that a retransmission was needless, or that the network duplicates.
func (c *Conn) reportDuplicate(start, end Seq) {
	if !c.sackOK || !start.LessThan(end) {
		return
	}
	c.dsack, c.dsackOn = seqRange{start, end}, true
}
