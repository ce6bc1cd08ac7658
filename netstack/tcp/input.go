package tcp

import (
	"time"
)

// Input processes one arriving segment (RFC 9293 §3.10.7, "SEGMENT
// ARRIVES"). seg.Payload is only read during the call. Afterwards the
// caller drains Output and re-reads Deadline.
func (c *Conn) Input(now time.Time, seg *Segment) {
	c.stats.SegsIn++
	switch c.state {
	case Closed:
		c.inputClosed(seg)
	case Listen:
		c.inputListen(now, seg)
	case SynSent:
		c.inputSynSent(now, seg)
	case TimeWait:
		c.inputTimeWait(now, seg)
	default:
		c.inputSynchronized(now, seg)
	}
	c.updatePersist(now)
}

// inputClosed answers any segment but a RST with a RST (RFC 9293
// §3.10.7.1).
func (c *Conn) inputClosed(seg *Segment) {
	if rst, ok := ResetFor(seg, len(seg.Payload)); ok {
		c.rstPending = true
		c.rst = compactRST(&rst)
	}
}

// inputListen handles a segment in LISTEN (RFC 9293 §3.10.7.2).
func (c *Conn) inputListen(now time.Time, seg *Segment) {
	switch {
	case seg.Flags&rstFlag != 0:
		// First: an incoming RST is ignored.
	case seg.Flags&ackFlag != 0:
		// Second: an ACK in LISTEN is bad; <SEQ=SEG.ACK><CTL=RST>.
		c.queueRST(seg.Ack, 0, false)
	case seg.Flags&synFlag != 0:
		// Third: a SYN. Data and FIN on it are not kept (no TCP Fast Open);
		// the peer retransmits them once the handshake completes.
		c.base = now // first, for the instants takeSynOptions records
		c.irs = seg.Seq
		c.rcvNxt = seg.Seq.Add(1)
		c.rcvAdv = c.rcvNxt
		c.lastAckSent = c.rcvNxt
		c.chooseRcvWscale()
		c.takeSynOptions(now, seg)
		c.setSndWnd(seg, int(seg.Window)) // RFC 7323 §2.2: a SYN's window is never scaled
		c.state = SynReceived
		c.lastRecv = c.mono(now)
		// SND.NXT == ISS: Output sends <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>.
	}
}

// inputSynSent handles a segment in SYN-SENT (RFC 9293 §3.10.7.3).
func (c *Conn) inputSynSent(now time.Time, seg *Segment) {
	// First: check the ACK.
	hasAck := seg.Flags&ackFlag != 0
	if hasAck && (seg.Ack.LessEq(c.iss) || seg.Ack.GreaterThan(c.sndMax)) {
		if seg.Flags&rstFlag == 0 {
			c.queueRST(seg.Ack, 0, false)
		}
		return
	}
	// Second: a RST is acceptable only if it acknowledges our SYN
	// (RFC 9293 §3.10.7.3, RFC 5961 §3.2); it means the port is closed.
	if seg.Flags&rstFlag != 0 {
		if hasAck {
			c.fail(errConnRefused)
		}
		return
	}
	// Fourth: the SYN.
	if seg.Flags&synFlag == 0 {
		return
	}
	c.irs = seg.Seq
	c.rcvNxt = seg.Seq.Add(1)
	c.rcvAdv = c.rcvNxt
	c.takeSynOptions(now, seg)
	c.setSndWnd(seg, int(seg.Window))
	c.lastRecv = c.mono(now)
	if !hasAck {
		// Simultaneous open (RFC 9293 §3.5, Figure 6): answer with
		// <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> and wait in SYN-RECEIVED.
		c.state = SynReceived
		c.sndNxt = c.iss
		c.rtoAt = 0
		return
	}
	c.ackSyn(now, seg)
	c.establish(now)
	c.ackNow = true
	// Data on a SYN-ACK is rare but legal: keep it.
	if len(seg.Payload) > 0 || seg.Flags&finFlag != 0 {
		c.processText(now, seg, seg.Seq.Add(1), seg.Payload, seg.Flags&finFlag != 0)
	}
}

// setSndWnd records the peer's window from seg (already scaled by the
// caller when it should be) and the segment that set it.
func (c *Conn) setSndWnd(seg *Segment, wnd int) {
	c.sndWnd = wnd
	c.maxSndWnd = max(c.maxSndWnd, wnd)
	c.sndWl1 = seg.Seq
	c.sndWl2 = seg.Ack
}

// ackSyn processes the acknowledgement of our SYN: SND.UNA moves past it
// and the handshake round trip is measured.
func (c *Conn) ackSyn(now time.Time, seg *Segment) {
	c.sndUna = seg.Ack
	c.sndNxt = seqMax(c.sndNxt, c.sndUna)
	c.rtoAt = 0
	c.retries = 0
	c.retransStamp = 0
	if !c.cookie {
		// A cookie's timestamp had its low bits replaced: no sample.
		c.measureRTT(now, seg, -1)
	}
	c.sndWl1, c.sndWl2 = seg.Seq, seg.Ack
}

// establish enters ESTABLISHED (or FIN-WAIT-1 when the user already closed
// the sending side) and starts congestion control now that the MSS is
// known.
func (c *Conn) establish(now time.Time) {
	c.state = Established
	c.connected = true
	c.events |= EventEstablished | EventWritable
	if c.finQueued {
		c.state = FinWait1
	}
	smss := c.smss()
	c.cc = c.cfg.newController(smss)
	if c.synRetransmitted {
		// RFC 5681 §3.1: after a lost SYN the initial window is one segment;
		// RFC 6298 §5.7: and the RTO restarts from 3s if no sample was
		// taken.
		c.cc.OnRTO(now, c.cc.Window(), true)
		if !c.rtt.haveSample {
			c.rtt.rto = c.rtt.clamp(3 * time.Second)
		}
	}
	c.lastSend = c.mono(now)
	if c.keepAlive {
		c.keepaliveAt = c.at(now, c.kaIdle)
	}
}
