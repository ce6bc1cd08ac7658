package tcp

import "github.com/renet-go/renet/netstack/wire"

// ResetFor returns the RST that answers seg when no connection exists for
// it (RFC 9293 §3.10.7.1, CLOSED state; also §3.5.2): none for a RST;
// <SEQ=SEG.ACK><CTL=RST> if seg carries an ACK; otherwise
// <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. payloadLen is the length of
// seg's data (SYN and FIN are counted here).
func ResetFor(seg *Segment, payloadLen int) (rst Segment, ok bool) {
	if seg.Flags&rstFlag != 0 {
		return Segment{}, false
	}
	if seg.Flags&ackFlag != 0 {
		return Segment{Seq: seg.Ack, Flags: rstFlag}, true
	}
	n := max(payloadLen, 0)
	if seg.Flags&synFlag != 0 {
		n++
	}
	if seg.Flags&finFlag != 0 {
		n++
	}
	return Segment{Ack: seg.Seq.Add(n), Flags: rstFlag | ackFlag}, true
}

// AcceptsSYNInTimeWait reports whether a SYN arriving for this
// connection's 4-tuple while it is in TIME-WAIT may open a new incarnation
// (see TimeWaitRecord.AcceptsSYN). If it does, the stack drops this Conn and
// hands the SYN to a new one.
func (c *Conn) AcceptsSYNInTimeWait(seg *Segment) bool {
	if c.state != TimeWait {
		return false
	}
	tw := c.timeWait()
	return tw.AcceptsSYN(seg)
}

// AcceptsICMPFor reports whether an ICMP error quoting a segment with
// sequence number seq may concern this connection: seq must lie in
// [SND.UNA, SND.MAX), data we sent and is not yet acknowledged. Anything
// else is a forgery or stale, and acting on it would let an off-path
// attacker reset connections blindly (RFC 5927 §4.1).
func (c *Conn) AcceptsICMPFor(seq Seq) bool {
	return c.sndUna.LessEq(seq) && seq.LessThan(c.sndMax)
}

// rstSegment is a pending RST: all a RST carries, kept small in the Conn.
type rstSegment struct {
	seq, ack Seq
	flags    wire.TCPFlags
}

func compactRST(s *Segment) rstSegment { return rstSegment{s.Seq, s.Ack, s.Flags} }
