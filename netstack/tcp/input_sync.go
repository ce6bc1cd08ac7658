package tcp

import (
	"time"

	"github.com/renet-go/renet/netstack/wire"
)

// pawsIdle is how long TS.Recent stays valid on an idle connection
// (RFC 7323 §5.5: 24 days, within the 2^31 ms of a 1ms clock).
const pawsIdle = 24 * 24 * time.Hour

// challengeACKLimit is the most challenge ACKs (RFC 5961 §3.2, §4.2, §5.2)
// one connection sends per second. RFC 5961 §7 asks for a limit without
// fixing it; Linux allows 1000 per second host-wide. Ten per connection
// answers any honest confusion while bounding what a blind attacker can
// make us send.
const challengeACKLimit = 10

// dupThresh is the duplicate ACK count that triggers fast retransmit
// (RFC 5681 §3.2).
const dupThresh = 3

// inputSynchronized handles a segment in SYN-RECEIVED and every later state
// (RFC 9293 §3.10.7.4, "Otherwise"), in the RFC's order: sequence number,
// RST, SYN, ACK, text, FIN.
func (c *Conn) inputSynchronized(now time.Time, seg *Segment) {
	seq, flags, payload := seg.Seq, seg.Flags, seg.Payload

	if c.state == SynReceived && flags&synFlag != 0 && seq == c.irs {
		if flags&(ackFlag|rstFlag) == 0 {
			// The peer's SYN again: our SYN-ACK was lost, so resend it.
			c.ackNow = true
			return
		}
		// The peer's SYN-ACK in a simultaneous open (RFC 9293 Figure 6,
		// line 6): its SYN is the one we already hold, so trim it as the
		// RFC's "idealized segment" rule says and process the rest.
		flags &^= synFlag
		seq = seq.Add(1)
	}

	// A segment with none of ACK, RST and SYN is dropped unanswered
	// before its sequence number is looked at, as Linux does ("if
	// (!th->ack && !th->rst && !th->syn) goto discard"): no acceptable
	// peer sends one once synchronized, and an ACK in reply would only
	// feed whoever forged it.
	if flags&(ackFlag|rstFlag|synFlag) == 0 {
		c.stats.Dropped++
		return
	}
	if c.pawsRejects(now, seg, flags) {
		return
	}
	// First: is the segment acceptable (RFC 9293 §3.10.7.4 table)?
	var ok bool
	if flags, payload, ok = c.checkSequence(now, seq, flags, payload); !ok {
		return
	}
	c.lastRecv = c.mono(now)
	c.kaProbes, c.probesOut = 0, 0
	if c.keepAlive && c.state.synchronized() {
		c.keepaliveAt = c.at(now, c.kaIdle)
	}
	// Second: RST (RFC 5961 §3.2). Only an exact match resets; any other
	// in-window RST draws a challenge ACK.
	if flags&rstFlag != 0 {
		if seq != c.rcvNxt {
			c.challengeACK(now)
			return
		}
		c.onReset()
		return
	}

	// Fourth: SYN. In a passive SYN-RECEIVED a new SYN sends the
	// connection back to LISTEN (RFC 9293), which for us ends this Conn;
	// in a synchronized state it draws a challenge ACK (RFC 5961 §4.2).
	if flags&synFlag != 0 {
		if c.state == SynReceived && c.passive {
			c.close()
			return
		}
		c.challengeACK(now)
		return
	}

	// Fifth: ACK.
	if flags&ackFlag == 0 || !c.inputAck(now, seg, seq, len(payload), flags) {
		return
	}

	// Seventh and eighth: text and FIN.
	fin := flags&finFlag != 0
	if len(payload) == 0 && !fin {
		return
	}
	switch c.state {
	case Established, FinWait1, FinWait2:
		c.processText(now, seg, seq, payload, fin)
	}
	// CLOSE-WAIT, CLOSING, LAST-ACK: the peer's FIN has been received, so
	// text or a FIN here can only be a duplicate; RFC 9293 says ignore it.
}

// inputAck is the fifth check of RFC 9293 §3.10.7.4: the ACK completes the
// handshake in SYN-RECEIVED or drives the send side, and an acknowledged
// FIN moves the state on. It reports false when the segment goes no
// further (dropped, or the connection ended).
func (c *Conn) inputAck(now time.Time, seg *Segment, seq Seq, dataLen int, flags wire.TCPFlags) bool {
	if c.state == SynReceived {
		if !seg.Ack.GreaterThan(c.sndUna) || seg.Ack.GreaterThan(c.sndMax) {
			c.queueRST(seg.Ack, 0, false)
			return false
		}
		c.ackSyn(now, seg)
		c.establish(now)
		c.setSndWnd(seg, int(seg.Window)<<c.sndWscale)
	} else if !c.processAck(now, seg, dataLen, flags) {
		return false
	}
	c.updateTSRecent(now, seg, seq)
	if !c.finAcked() {
		return true
	}
	switch c.state {
	case FinWait1:
		c.state = FinWait2
		if c.userClose && c.cfg.Linger2MS < 0 {
			// SetLinger2 with a negative value: no FIN-WAIT-2 for an
			// orphan. Linux answers the ACK of its FIN with a RST.
			c.queueRST(seg.Ack, 0, false)
			c.close()
			return false
		}
		if c.userClose {
			// Linux's tcp_fin_timeout: an orphaned FIN-WAIT-2 does not
			// wait for the peer's FIN forever.
			c.timeWaitAt = c.at(now, c.finWait2Timeout())
		}
	case Closing:
		c.enterTimeWait(now)
	case LastAck:
		c.close()
		return false
	}
	return true
}

// oowAckInterval is the least time between ACKs that answer unacceptable
// segments carrying no data (Linux's tcp_invalid_ratelimit). Unlimited,
// two confused peers could bounce bare ACKs at each other forever; probes,
// which rely on such ACKs, are sent seconds apart.
const oowAckInterval = 500 * time.Millisecond

// dupAckForUnacceptable answers an unacceptable segment without SYN (RFC
// 9293 §3.10.7.4) with an ACK, following Linux's tcp_oow_rate_limited:
// a segment that occupies sequence space (data or FIN) is always
// answered, since the sender's loss recovery counts on those ACKs and
// such segments are not part of an ACK loop; a bare one is answered at
// most once per oowAckInterval per connection.
func (c *Conn) dupAckForUnacceptable(now time.Time, segLen int) {
	if segLen > 0 {
		c.ackNow = true
		return
	}
	if !c.lastOOWAck.set() || c.elapsed(now, c.lastOOWAck) >= oowAckInterval {
		c.lastOOWAck = c.mono(now)
		c.ackNow = true
	}
}

// answerUnacceptable replies to a segment that failed the PAWS or the
// sequence number test. A SYN draws a challenge ACK, as in a synchronized
// state wherever it lies (RFC 5961 §4.2; Linux's syn_challenge), under
// that rate limit; a RST draws nothing (RFC 9293 §3.10.7.4); anything
// else a duplicate ACK.
func (c *Conn) answerUnacceptable(now time.Time, flags wire.TCPFlags, dataLen int) {
	switch {
	case flags&rstFlag != 0:
	case flags&synFlag != 0:
		c.challengeACK(now)
	default:
		if flags&finFlag != 0 {
			dataLen++
		}
		c.dupAckForUnacceptable(now, dataLen)
	}
}

// acceptable is the segment acceptance test of RFC 9293 §3.10.7.4.
func acceptable(seq Seq, segLen int, rcvNxt Seq, wnd int) bool {
	switch {
	case segLen == 0 && wnd == 0:
		return seq == rcvNxt
	case segLen == 0:
		return seq.InWindow(rcvNxt, wnd)
	case wnd == 0:
		return false
	default:
		return seq.InWindow(rcvNxt, wnd) || seq.Add(segLen-1).InWindow(rcvNxt, wnd)
	}
}

// rcvWindow is the receive window for acceptance: the free buffer space,
// but never less than what we have advertised.
func (c *Conn) rcvWindow() int {
	w := max(c.rcv.free(), c.rcvAdv.Sub(c.rcvNxt))
	return min(w, 0xffff<<c.rcvWscale)
}

// finAcked reports whether our FIN has been sent and acknowledged.
func (c *Conn) finAcked() bool {
	return c.finQueued && c.sndUna.GreaterThan(c.snd.end())
}

// onReset handles an acceptable RST (RFC 9293 §3.10.7.4 second check).
func (c *Conn) onReset() {
	switch c.state {
	case SynReceived:
		if c.passive {
			c.fail(errConnReset) // never accepted: the stack just forgets it
		} else {
			c.fail(errConnRefused) // came from SYN-SENT: refused
		}
	case Established, FinWait1, FinWait2, CloseWait:
		c.fail(errConnReset)
	default: // CLOSING, LAST-ACK, TIME-WAIT
		c.close()
	}
	c.stats.ResetsIn++
}

// challengeACK queues a challenge ACK, within the rate limit.
func (c *Conn) challengeACK(now time.Time) {
	if !c.chalStart.set() || c.elapsed(now, c.chalStart) >= time.Second {
		c.chalStart = c.mono(now)
		c.chalCount = 0
	}
	if c.chalCount < challengeACKLimit {
		c.chalCount++
		c.ackNow = true
		c.stats.ChallengeACKs++
	}
}

// updateTSRecent records the timestamp of a segment that has passed every
// check, the ACK check included. RFC 7323 §4.3 takes TS.Recent from a
// segment that covers Last.ACK.sent; taking it before the ACK check (RFC
// 5961's blind-injection defences) would let one forged in-window segment
// with an absurd TSval make PAWS reject every genuine segment afterwards.
func (c *Conn) updateTSRecent(now time.Time, seg *Segment, seq Seq) {
	if c.tsOK && seg.Options.HasTimestamps && seq.LessEq(c.lastAckSent) &&
		int32(seg.Options.TSVal-c.tsRecent) >= 0 {
		c.tsRecent = seg.Options.TSVal
		c.tsRecentT = c.mono(now)
	}
}

// pawsRejects applies the timestamp checks of RFC 7323 to a non-RST
// segment: one without timestamps once they are negotiated is dropped
// (§3.2), and PAWS rejects one whose timestamp is older than TS.Recent
// unless TS.Recent has gone stale (§5.3 R1, §5.5).
func (c *Conn) pawsRejects(now time.Time, seg *Segment, flags wire.TCPFlags) bool {
	if !c.tsOK || flags&rstFlag != 0 {
		return false
	}
	if !seg.Options.HasTimestamps {
		c.stats.Dropped++
		return true
	}
	if int32(seg.Options.TSVal-c.tsRecent) < 0 && c.elapsed(now, c.tsRecentT) <= pawsIdle {
		// Answered with a duplicate ACK (§5.3), rate-limited for bare
		// segments as Linux's tcp_oow_rate_limited: a flood of stale or
		// forged ACKs must not turn us into an ACK reflector.
		c.stats.PAWSRejected++
		c.answerUnacceptable(now, flags, len(seg.Payload))
		return true
	}
	return false
}

// checkSequence is the first check of RFC 9293 §3.10.7.4: is the segment
// acceptable? An unacceptable one is answered (an ACK, a D-SACK for old
// data) and dropped. A zero
// window accepts nothing, but "special allowance should be made to accept
// valid ACKs, URGs, and RSTs": the control part is kept, the text and FIN
// dropped.
func (c *Conn) checkSequence(now time.Time, seq Seq, flags wire.TCPFlags, payload []byte) (wire.TCPFlags, []byte, bool) {
	segLen := len(payload)
	if flags&synFlag != 0 {
		segLen++
	}
	if flags&finFlag != 0 {
		segLen++
	}
	wnd := c.rcvWindow()
	if acceptable(seq, segLen, c.rcvNxt, wnd) {
		return flags, payload, true
	}
	if wnd == 0 && seq == c.rcvNxt {
		c.ackNow = true
		return flags &^ (finFlag | synFlag), nil, true
	}
	if flags&(rstFlag|synFlag) == 0 && len(payload) > 0 && seq.LessThan(c.rcvNxt) {
		c.reportDuplicate(seq, seqMin(seq.Add(len(payload)), c.rcvNxt))
	}
	c.answerUnacceptable(now, flags, len(payload))
	c.stats.Dropped++
	return flags, payload, false
}
