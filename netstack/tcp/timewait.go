package tcp

import (
	"time"

	"github.com/renet-go/renet/netstack/wire"
)

// TimeWaitRecord is what a connection in TIME-WAIT (RFC 9293 §3.10.7.4) still
// needs: the sequence numbers to acknowledge a retransmitted FIN, the
// timestamps for PAWS and RFC 6191's reuse test, and the ACK rate limit.
// About 40 bytes, against a Conn's 1.5 KB, so a stack can keep the 4-tuple
// reserved for its 2*MSL without keeping the connection: it takes the
// record with TakeTimeWait and answers later segments with Input and ACK.
// A Conn left in TIME-WAIT runs the same code on a record of its own.
type TimeWaitRecord struct {
	sndNxt, rcvNxt Seq
	tsRecent       uint32
	tsOffset       uint32
	lastOOWAck     int64         // Unix nanoseconds of the last rate-limited ACK; 0: none
	period         time.Duration // 2*MSL: how long the record lives, restarted by a FIN
	window         uint16
	tsOK           bool
}

// TimeWaitVerdict says what to do with a segment that reached a TIME-WAIT
// record.
type TimeWaitVerdict uint8

const (
	TimeWaitDrop   TimeWaitVerdict = iota // nothing to answer
	TimeWaitACK                           // answer with ACK
	TimeWaitFIN                           // a retransmitted FIN: answer with ACK and restart the 2*MSL timer
	TimeWaitReopen                        // a new SYN for the 4-tuple (RFC 6191): forget the record, hand the SYN to the listener
	TimeWaitEnd                           // an RST at RCV.NXT: forget the record
)

// timeWait is the connection's TIME-WAIT record.
func (c *Conn) timeWait() TimeWaitRecord {
	tw := TimeWaitRecord{
		sndNxt: c.sndMax, rcvNxt: c.rcvNxt,
		tsRecent: c.tsRecent, tsOffset: c.tsOffset, tsOK: c.tsOK,
		period: c.cfg.TimeWait,
		window: uint16(min(max(c.rcvAdv.Sub(c.rcvNxt), 0)>>c.rcvWscale, 0xffff)),
	}
	if c.lastOOWAck.set() {
		tw.lastOOWAck = c.time(c.lastOOWAck).UnixNano()
	}
	return tw
}

// TakeTimeWait hands over a connection in TIME-WAIT: it returns its
// record and closes the Conn (Done becomes true; unread data stays
// readable). It reports false in any other state.
func (c *Conn) TakeTimeWait() (TimeWaitRecord, bool) {
	if c.state != TimeWait {
		return TimeWaitRecord{}, false
	}
	tw := c.timeWait()
	c.close()
	return tw, true
}

// Period is how long the record lives: the connection's 2*MSL, counted
// from entering TIME-WAIT and again from each retransmitted FIN.
func (tw *TimeWaitRecord) Period() time.Duration { return tw.period }

// inputTimeWait handles a segment for a Conn kept in TIME-WAIT.
func (c *Conn) inputTimeWait(now time.Time, seg *Segment) {
	tw := c.timeWait()
	v := tw.Input(now, seg)
	c.tsRecent = tw.tsRecent
	if tw.lastOOWAck != 0 {
		c.lastOOWAck = c.mono(time.Unix(0, tw.lastOOWAck))
	}
	switch v {
	case TimeWaitFIN:
		c.timeWaitAt = c.at(now, c.cfg.TimeWait)
		c.ackNow = true
	case TimeWaitACK:
		c.ackNow = true
	case TimeWaitEnd:
		c.stats.ResetsIn++
		c.close()
	}
}

// Input decides what to do with seg (RFC 9293 §3.10.7.4 in TIME-WAIT,
// with RFC 7323's PAWS and RFC 6191's reuse).
func (tw *TimeWaitRecord) Input(now time.Time, seg *Segment) TimeWaitVerdict {
	f := seg.Flags
	if f&rstFlag != 0 {
		// Second check: an RST exactly at RCV.NXT ends TIME-WAIT, as in
		// Linux with tcp_rfc1337 off; any other is ignored (RFC 5961 §3).
		if seg.Seq == tw.rcvNxt {
			return TimeWaitEnd
		}
		return TimeWaitDrop
	}
	if tw.AcceptsSYN(seg) {
		return TimeWaitReopen
	}
	if tw.tsOK && seg.Options.HasTimestamps && int32(seg.Options.TSVal-tw.tsRecent) < 0 {
		return tw.oowACK(now, 0) // PAWS (RFC 7323 §5.3): a duplicate ACK
	}
	n := len(seg.Payload)
	if f&finFlag != 0 && f&synFlag == 0 && seg.Seq.Add(n+1) == tw.rcvNxt {
		// The peer's FIN again: our ACK of it was lost.
		if tw.tsOK && seg.Options.HasTimestamps {
			tw.tsRecent = seg.Options.TSVal
		}
		return TimeWaitFIN
	}
	if f&(synFlag|finFlag) == 0 && n == 0 && seg.Seq == tw.rcvNxt {
		return TimeWaitDrop // a bare ACK inside the window: nothing to say
	}
	// Anything else is unacceptable, a SYN included (RFC 5961 §4.2).
	return tw.oowACK(now, n)
}

// oowACK answers an unacceptable segment: always when it carries data,
// within the rate limit otherwise (Linux's tcp_invalid_ratelimit).
func (tw *TimeWaitRecord) oowACK(now time.Time, dataLen int) TimeWaitVerdict {
	t := now.UnixNano()
	if dataLen == 0 && tw.lastOOWAck != 0 && time.Duration(t-tw.lastOOWAck) < oowAckInterval {
		return TimeWaitDrop
	}
	if dataLen == 0 {
		tw.lastOOWAck = t
	}
	return TimeWaitACK
}

// AcceptsSYN reports whether seg is a SYN that may open a new incarnation
// of the 4-tuple (RFC 6191 §2): when both the old connection and the SYN
// use timestamps, the SYN's timestamp must be newer than TS.Recent, or
// equal to it with a sequence number beyond RCV.NXT (timestamps tick in
// milliseconds, so a client that reconnects within the same millisecond
// repeats one; Linux accepts it too); without timestamps the sequence
// number must be beyond RCV.NXT (RFC 1122 §4.2.2.13).
func (tw *TimeWaitRecord) AcceptsSYN(seg *Segment) bool {
	if seg.Flags&(synFlag|ackFlag|rstFlag) != synFlag {
		return false
	}
	if tw.tsOK && seg.Options.HasTimestamps {
		if d := int32(seg.Options.TSVal - tw.tsRecent); d != 0 {
			return d > 0
		}
	}
	return seg.Seq.GreaterThan(tw.rcvNxt)
}

// ACK fills seg with the ACK that answers a segment in TIME-WAIT.
func (tw *TimeWaitRecord) ACK(now time.Time, seg *Segment) {
	*seg = Segment{Seq: tw.sndNxt, Ack: tw.rcvNxt, Flags: ackFlag, Window: tw.window}
	if tw.tsOK {
		seg.Options = wire.TCPOptions{HasTimestamps: true, TSVal: uint32(now.UnixMilli()) + tw.tsOffset, TSEcr: tw.tsRecent}
	}
}
