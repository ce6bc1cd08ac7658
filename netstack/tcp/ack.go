package tcp

import (
	"time"

	"github.com/renet-go/renet/netstack/wire"
)

// processAck is the ACK check of RFC 9293 §3.10.7.4 for ESTABLISHED and
// the states after it. It reports false when the segment must be dropped.
func (c *Conn) processAck(now time.Time, seg *Segment, dataLen int, flags wire.TCPFlags) bool {
	ack := seg.Ack
	// RFC 5961 §5.2: an ACK outside [SND.UNA - MAX.SND.WND, SND.NXT] is
	// dropped with a challenge ACK (this covers RFC 9293's "ACK of
	// something not yet sent").
	if ack.GreaterThan(c.sndMax) || ack.LessThan(c.sndUna.Add(-c.maxSndWnd)) {
		c.challengeACK(now)
		c.stats.Dropped++
		return false
	}
	wnd := int(seg.Window) << c.sndWscale
	switch {
	case ack.GreaterThan(c.sndUna):
		c.onNewAck(now, seg)
	case ack == c.sndUna && dataLen == 0 && flags&(synFlag|finFlag) == 0 &&
		wnd == c.sndWnd && c.sndMax != c.sndUna:
		// RFC 5681 §2: a duplicate ACK.
		c.onDupAck()
	}
	// Window update, guarded by SND.WL1/SND.WL2 against reordered old
	// segments (RFC 9293 §3.10.7.4).
	if ack.GreaterEq(c.sndUna) &&
		(c.sndWl1.LessThan(seg.Seq) || (c.sndWl1 == seg.Seq && c.sndWl2.LessEq(ack))) {
		c.setSndWnd(seg, wnd)
	}
	if c.sackOK && seg.Options.NumSACK > 0 {
		c.takeSACK(&seg.Options)
	}
	return true
}

// onNewAck handles an ACK that advances SND.UNA.
func (c *Conn) onNewAck(now time.Time, seg *Segment) {
	ack := seg.Ack
	acked := ack.Sub(c.sndUna)
	c.measureRTT(now, seg)
	c.snd.ackTo(ack)
	c.stats.BytesAcked += uint64(acked)
	c.events |= EventWritable
	c.sndUna = ack
	c.sndNxt = seqMax(c.sndNxt, ack)
	c.retries = 0
	c.sb.ackTo(ack)
	if c.recoverOn && ack.GreaterEq(c.recover) {
		c.recoverOn = false
	}
	// RFC 6298 §5.2-§5.3: stop the timer when everything is acknowledged,
	// otherwise restart it.
	if c.sndUna == c.sndMax {
		c.rtoAt = time.Time{}
	} else {
		c.rtoAt = now.Add(c.rtt.rto)
	}
	flight := c.sndMax.Sub(ack)
	if c.recovery {
		if ack.GreaterEq(c.recover) {
			// A full ACK ends fast recovery (RFC 6582 §3.2 step 6).
			c.recovery = false
			c.dupAcks = 0
			c.cc.OnExitRecovery(flight)
		} else {
			// A partial ACK: the next hole is lost too; resend it now.
			c.cc.OnPartialAck(acked)
			c.retxNow = true
		}
		return
	}
	c.dupAcks = 0
	// Grow the window only while it is being used (RFC 7661's concern,
	// Linux's tcp_is_cwnd_limited test for slow start): an application
	// that sends little must not build up a cwnd it never tested.
	if 2*(flight+acked) >= c.cc.Window() {
		c.cc.OnAck(acked)
		c.tuneSendBuf()
	}
}

// onDupAck counts a duplicate ACK and starts fast retransmit and fast
// recovery on the third (RFC 5681 §3.2, RFC 6582 §3.2).
func (c *Conn) onDupAck() {
	c.stats.DupAcksIn++
	c.dupAcks++
	if c.recovery {
		c.cc.OnRecoveryDupAck()
		return
	}
	// RFC 6582 §3.2 step 2: after a timeout, duplicate ACKs for data sent
	// before it must not trigger another reduction.
	if c.dupAcks != dupThresh || c.recoverOn {
		return
	}
	c.recovery = true
	c.recover = c.sndMax
	c.cc.OnEnterRecovery(c.sndMax.Sub(c.sndUna))
	c.retxNow = true
	c.stats.FastRetransmits++
}

// measureRTT takes a round-trip sample from an ACK of new data: from the
// echoed timestamp when timestamps are in use (RFC 7323 §4.1), otherwise
// from the one timed segment, which Karn's algorithm discards once
// anything was retransmitted (RFC 6298 §3).
func (c *Conn) measureRTT(now time.Time, seg *Segment) {
	if c.tsOK && seg.Options.HasTimestamps && seg.Options.TSEcr != 0 {
		if d := int32(c.tsClock(now) - seg.Options.TSEcr); d >= 0 {
			c.rtt.sample(time.Duration(d) * time.Millisecond)
		}
		c.timing = false
		return
	}
	if c.timing && seg.Ack.GreaterEq(c.timedSeq) {
		c.rtt.sample(now.Sub(c.timedAt))
		c.timing = false
	}
}

// takeSACK records valid SACK blocks in the scoreboard. Blocks that are
// empty or reach outside (SND.UNA, SND.MAX] (including D-SACK blocks
// below SND.UNA, RFC 2883) are ignored.
func (c *Conn) takeSACK(o *wire.TCPOptions) {
	n := min(max(o.NumSACK, 0), len(o.SACK))
	for i := 0; i < n; i++ {
		s, e := Seq(o.SACK[i].Start), Seq(o.SACK[i].End)
		if !s.LessThan(e) || s.LessThan(c.sndUna) || e.GreaterThan(c.sndMax) {
			continue
		}
		c.sb.add(s, e)
	}
}
