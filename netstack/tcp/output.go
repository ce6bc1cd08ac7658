package tcp

import (
	"math"
	"time"

	"github.com/renet-go/renet/netstack/wire"
)

// Output pulls the next segment to send. It fills *seg (flags, sequence
// and acknowledgement numbers, window, options) and copies up to len(buf)
// payload bytes into buf, setting seg.Payload = buf[:n]. It returns false
// when there is nothing (more) to send now. The caller loops until false
// after every Input, user call and Tick; buf must hold at least the
// effective MSS. Segment sizes are chosen here: the sender MSS less the
// options the segment carries.
func (c *Conn) Output(now time.Time, seg *Segment, buf []byte) bool {
	return c.outputMode(now, seg, buf, 0)
}

// OutputMode says what OutputFrame may send.
type OutputMode uint8

const (
	// OutputTSO: the link cuts large segments itself, so new data may
	// come as several segments in one, as much as the frame holds,
	// described by seg.SegSize (see tso.go).
	OutputTSO OutputMode = 1 << iota
	// OutputHoldData: the link is backed up (its queue is full, as with
	// Linux's TCP Small Queues), so no new data goes out now; ACKs,
	// retransmissions, probes and control segments still do. The caller
	// calls again without it once the link has room.
	OutputHoldData
	// OutputGather: the caller writes new data to the link straight from
	// the send buffer, so the payload is not copied into the frame: seg.Held
	// says where it lies (see Segment.Held). Retransmissions and probes are
	// still copied, since data already sent may be acknowledged (and its
	// buffer space reused) before a late copy reaches the link.
	OutputGather
)

// OutputFrame is Output for a caller that builds the packet around the
// payload: frame is room for the whole TCP segment, and the payload is
// copied once, from the send buffer to frame[20+seg.Options.Len():],
// right behind the header the caller then writes in front of it. (The
// options of a data segment are known before its payload is read, so the
// room left is exact.) mode says whether the link cuts large segments and
// whether new data must wait.
func (c *Conn) OutputFrame(now time.Time, seg *Segment, frame []byte, mode OutputMode) bool {
	var o wire.TCPOptions
	c.dataOptions(now, &o)
	room := wire.TCPMinHeaderLen + optLen(&o)
	return c.outputMode(now, seg, frame[room:], mode)
}

func (c *Conn) outputMode(now time.Time, seg *Segment, buf []byte, mode OutputMode) bool {
	if !c.output(now, seg, buf, mode) {
		c.armTimers(now)
		return false
	}
	c.stats.SegsOut++
	return true
}

func (c *Conn) output(now time.Time, seg *Segment, buf []byte, mode OutputMode) bool {
	if c.rstPending {
		c.rstPending = false
		*seg = Segment{Seq: c.rst.seq, Ack: c.rst.ack, Flags: c.rst.flags}
		c.stats.ResetsOut++
		return true
	}
	switch c.state {
	case Closed, Listen:
		return false
	case SynSent:
		if c.sndNxt != c.iss {
			return false
		}
		c.sendSyn(now, seg, false)
		return true
	case SynReceived:
		if c.sndNxt != c.iss && !c.ackNow {
			return false
		}
		c.sendSyn(now, seg, true)
		return true
	}
	if c.loss.tlp.probe && c.sendProbe(now, seg, buf) {
		return true
	}
	if c.sendRetransmission(now, seg, buf) {
		return true
	}
	if mode&OutputHoldData == 0 && c.sendData(now, seg, buf, false, mode) {
		return true
	}
	if c.ackNow || c.probeNow {
		c.fillAck(now, seg)
		if c.probeNow {
			// A probe (zero-window or keepalive) carries SND.UNA-1: the peer
			// finds it unacceptable and must answer with an ACK that shows
			// its current window (RFC 9293 §3.8.6.1, §3.8.4). Linux probes
			// the same way.
			seg.Seq = c.sndUna.Add(-1)
			c.probeNow = false
		}
		return true
	}
	return false
}

// sendSyn fills our SYN, or SYN-ACK when synAck is set.
func (c *Conn) sendSyn(now time.Time, seg *Segment, synAck bool) {
	*seg = Segment{Seq: c.iss, Flags: synFlag}
	if synAck {
		seg.Flags |= ackFlag
		seg.Ack = c.rcvNxt
		wnd := min(c.rcv.free(), 0xffff) // RFC 7323 §2.2: never scaled on a SYN
		seg.Window = uint16(wnd)
		c.rcvAdv = c.rcvNxt.Add(wnd)
		c.ackSent()
	} else {
		c.chooseRcvWscale()
		seg.Window = uint16(min(c.rcv.free(), 0xffff))
	}
	c.synOptionsOut(now, &seg.Options, synAck)
	if c.retries == 0 && !c.timing {
		c.timing, c.timedSeq, c.timedAt = true, c.iss.Add(1), c.mono(now)
	}
	c.noteRetransmitStart(c.clock(now))
	if c.retries > 0 {
		c.stats.Retransmits++
	}
	c.sndNxt = c.iss.Add(1)
	c.sndMax = seqMax(c.sndMax, c.sndNxt)
	if !c.rtoAt.set() {
		c.rtoAt = c.at(now, c.rtt.rto)
	}
}

// fillAck fills a segment that carries no data: an ACK, a window update or
// the base of a probe. Its sequence number is SND.MAX, the next new byte,
// as BSD's tcp_output and Linux do.
func (c *Conn) fillAck(now time.Time, seg *Segment) {
	*seg = Segment{Seq: c.sndMax, Ack: c.rcvNxt, Flags: ackFlag}
	c.dataOptions(now, &seg.Options)
	seg.Window = c.windowField()
	c.ackSent()
}

// ackSent records that a segment acknowledging RCV.NXT is going out: any
// pending or delayed ACK is satisfied.
func (c *Conn) ackSent() {
	c.ackNow = false
	c.dsackOn = false
	c.ackAt = 0
	c.ackPending = 0
	c.lastAckSent = c.rcvNxt
}

// windowField returns the window to advertise and moves RCV.ADV. Receiver
// SWS avoidance (RFC 9293 §3.8.6.2.2): the right edge moves forward only
// in steps of at least min(RCV.BUFF/2, MSS), and never moves back.
func (c *Conn) windowField() uint16 {
	free := min(c.rcv.free(), 0xffff<<c.rcvWscale)
	if c.rcvAdv.LessThan(c.rcvNxt) {
		c.rcvAdv = c.rcvNxt
	}
	if right := c.rcvNxt.Add(free); right.Sub(c.rcvAdv) >= c.windowStep() {
		c.rcvAdv = right
	}
	return uint16(min(c.rcvAdv.Sub(c.rcvNxt)>>c.rcvWscale, 0xffff))
}

// windowStep is the smallest worthwhile window increase (RFC 9293
// §3.8.6.2.2).
func (c *Conn) windowStep() int { return max(min(c.rcv.max/2, int(c.cfg.MSS)), 1) }

// maxPayload is the most data seg may carry beside its options.
func (c *Conn) maxPayload(seg *Segment, buf []byte) int {
	return min(c.pathMSS()-optLen(&seg.Options), len(buf))
}

// sendData sends new data from SND.MAX and the FIN, within the send and
// congestion windows and subject to Nagle and sender SWS avoidance
// (RFC 9293 §3.8.6.2.1, §3.7.4). A tail loss probe (probe set) needs only
// the peer's window (RFC 8985 §7.3).
func (c *Conn) sendData(now time.Time, seg *Segment, buf []byte, probe bool, mode OutputMode) bool {
	switch c.state {
	case Established, CloseWait, FinWait1, Closing, LastAck:
	default:
		return false
	}
	end := c.snd.end()
	avail := max(end.Sub(c.sndMax), 0)
	finToSend := c.finQueued && c.sndMax.LessEq(end)
	if avail == 0 && !finToSend {
		return false
	}
	inflight := c.sndMax.Sub(c.sndUna)
	if inflight == 0 && c.lastSend.set() && c.elapsed(now, c.lastSend) > c.rtt.rto {
		c.cc.OnIdle(now) // RFC 5681 §4.1: restart window after an idle period
	}
	usable := c.sndUna.Add(c.sndWnd).Sub(c.sndMax) // the peer's window
	if !probe {
		usable = min(usable, c.cwndRoom())
	}
	usable = max(usable, 0)

	*seg = Segment{}
	c.dataOptions(now, &seg.Options)
	maxSeg := min(c.maxPayload(seg, buf), c.halfWindowBound())
	n := min(avail, maxSeg, usable)
	// The FIN takes a sequence number, so it too must fit in the window:
	// a FIN sent into a zero window would only be dropped and retried.
	fin := finToSend && n == avail && usable > n
	switch {
	case n == 0 && !fin:
		return false
	case n < maxSeg && !fin && !probe && c.corked && !c.corkFlush:
		return false // corked: full segments only (cork.go)
	case n == maxSeg, fin:
		// A full segment, or the last one with the FIN (which Nagle lets
		// through, as Linux does).
	case n == avail:
		// Everything queued fits. Go's writes are all "pushed"; Nagle
		// holds a small segment back while data is unacknowledged.
		if c.cfg.Nagle && inflight > 0 {
			return false
		}
	default:
		// Window-limited: sender SWS avoidance sends at least half the
		// largest window the peer has offered, or anything when nothing
		// is in flight (standing in for the RFC's override timer, since a
		// window opening can only be learned from an ACK).
		if n < c.maxSndWnd/2 && inflight > 0 {
			return false
		}
	}
	if n < maxSeg {
		c.corkFlush = false
	}
	if mode&OutputTSO != 0 && n == maxSeg && !probe {
		n, fin = c.tsoBurst(n, maxSeg, avail, usable, len(buf), finToSend)
	}
	c.emitNewData(now, seg, buf[:n], maxSeg, fin, end, mode&OutputGather != 0 && !probe)
	return true
}

// emitNewData fills seg with the n = len(payload) bytes of new data at
// SND.MAX (and the FIN), several segments of maxSeg for the link to cut
// when n is larger, and does the bookkeeping of sending them. The data is
// copied into payload, or, with held, left where it is (seg.Held).
func (c *Conn) emitNewData(now time.Time, seg *Segment, payload []byte, maxSeg int, fin bool, end Seq, held bool) {
	n, seq := len(payload), c.sndMax
	if held {
		seg.Held = c.snd.views(seq, n)
	} else {
		c.snd.read(seq, payload)
		seg.Payload = payload
	}
	seg.Seq, seg.Ack, seg.Flags = seq, c.rcvNxt, ackFlag
	if n > maxSeg {
		seg.SegSize = maxSeg
		c.stats.SegsOut += uint64((n - 1) / maxSeg) // the link sends these too
	}
	if n > 0 && seq.Add(n) == end {
		seg.Flags |= pshFlag
	}
	if fin {
		seg.Flags |= finFlag
	}
	seg.Window = c.windowField()
	c.ackSent()
	c.recordSent(now, seq, n, maxSeg, fin)
	c.sndMax = seq.Add(n)
	if fin {
		c.sndMax = c.sndMax.Add(1)
	}
	c.sndNxt = c.sndMax
	c.sent(now)
	c.armPTO(now)
}

// recordSent enters the send records of new data [seq, seq+n), one per
// segment of at most maxSeg bytes, so loss recovery works per segment
// even when the link cut them from one; the FIN goes with the last.
func (c *Conn) recordSent(now time.Time, seq Seq, n, maxSeg int, fin bool) {
	at := c.clock(now)
	for off := 0; off < n || (off == 0 && fin); off += maxSeg {
		k := min(maxSeg, n-off)
		rec := sendRecord{start: seq.Add(off), end: seq.Add(off + k), sentAt: at}
		if fin && off+k == n {
			rec.end = rec.end.Add(1)
			rec.flags = recFIN
		}
		c.loss.recs.push(rec)
		c.loss.sent += int64(rec.len())
		if c.loss.phase == phaseFast {
			c.loss.prrOut += rec.len()
		}
		if k == 0 {
			break
		}
	}
}

// halfWindowBound caps new segments at half the largest window the peer
// has offered, as Linux's tcp_bound_to_half_wnd: a peer whose window is
// not much larger than an MSS (an embedded stack, a tiny receive buffer)
// then gets two half-window segments per window instead of one full one
// and a remainder that sender SWS avoidance (RFC 9293 §3.8.6.2.1) would
// hold back, so its window is filled. Windows of at most 536 bytes are
// used whole; the bound never goes below 48 bytes (a 68-byte IPv4 MTU).
func (c *Conn) halfWindowBound() int {
	cut := c.maxSndWnd
	if cut > defaultPeerMSS {
		cut /= 2
	}
	if cut == 0 {
		return math.MaxInt
	}
	return max(cut, 48)
}

// cwndRoom is how much more the congestion window lets into the network.
func (c *Conn) cwndRoom() int {
	// RFC 3042's limited transmit needs no special case: pipe counts each
	// duplicate ACK as a segment that has left the network.
	return c.cc.Window() - c.pipe()
}

// sendRetransmission resends the lowest segment marked lost (RFC 6675 §4
// NextSeg rule 1), if the congestion window (paced by PRR in fast
// recovery) allows.
func (c *Conn) sendRetransmission(now time.Time, seg *Segment, buf []byte) bool {
	i := c.nextLost()
	if i < 0 || !c.canRetransmit(c.loss.recs.at(i).len()) {
		return false
	}
	c.retransmit(now, i, seg, buf)
	return true
}

// retransmit resends record i, cutting it first if it no longer fits in
// one segment (the MSS fell, or the segment carries more SACK blocks).
func (c *Conn) retransmit(now time.Time, i int, seg *Segment, buf []byte) {
	recs := &c.loss.recs
	*seg = Segment{}
	c.dataOptions(now, &seg.Options)
	maxSeg := c.maxPayload(seg, buf)
	rec := recs.at(i)
	fin := rec.has(recFIN)
	n := rec.len()
	if fin {
		n--
	}
	if n > maxSeg {
		recs.split(i, rec.start.Add(maxSeg))
		rec, n, fin = recs.at(i), maxSeg, false
	}
	c.snd.read(rec.start, buf[:n])
	seg.Seq, seg.Ack, seg.Flags = rec.start, c.rcvNxt, ackFlag
	seg.Payload = buf[:n]
	if fin {
		seg.Flags |= finFlag
	}
	seg.Window = c.windowField()
	c.ackSent()
	recs.setFlags(rec, (rec.flags|recRetrans)&^recLost)
	c.noteRetransmitStart(rec.sentAt)
	rec.sentAt = c.clock(now)
	if rec.start.LessThan(c.loss.rack.hint) {
		c.loss.rack.hint = rec.start // to be judged again
	}
	c.stats.Retransmits++
	c.stats.BytesRetransmitted += uint64(n)
	c.noteRetransmit(now, rec.start, rec.end)
	if i == 0 {
		// The retransmission of the oldest segment restarts the timer,
		// as Linux does: its ACK needs a full round trip from now.
		c.rtoAt = c.at(now, c.rtoTimeout(now))
	}
	if c.loss.phase == phaseFast {
		c.loss.prrOut += rec.len()
	}
	c.sent(now)
}

// sent does the bookkeeping common to every data segment: the
// retransmission timer (RFC 6298 §5.1) and the idle clock.
func (c *Conn) sent(now time.Time) {
	if !c.rtoAt.set() {
		c.rtoAt = c.at(now, c.rtt.rto)
	}
	c.lastSend = c.mono(now)
}
