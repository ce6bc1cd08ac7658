package tcp

import "time"

// Buffer autotuning and memory reclaim.
//
// The receive buffer follows what the application actually reads per
// round trip (dynamic right-sizing, as Linux's tcp_rcv_space_adjust): a
// reader that keeps up with a fast path gets a window that keeps ahead of
// the sender's slow start, and one that reads slowly never makes us
// advertise space it will not use. The send buffer follows the congestion
// window (Linux's tcp_sndbuf_expand), so Write accepts a little more than
// the path can take per round trip. Both stop at their configured maxima;
// SetRecvBufSize and SetSendBufSize pin a size and stop tuning that side.
//
// Memory goes back: ring storage is allocated lazily, and once both rings
// are empty and the connection has been quiet for reclaimDelay, the reclaim
// timer frees them.

// reclaimDelay is how long a connection with empty buffers stays quiet
// before its ring storage is freed.
const reclaimDelay = time.Second

// rcvTuner holds the state of receive-buffer autotuning.
type rcvTuner struct {
	// read counts bytes the user has read, ever; space is what was read in
	// the last measured round trip (Linux's rcvq_space.space).
	read      uint64
	readMark  uint64 // read at the start of the current measurement
	markAt    mono   // start of the current measurement
	space     int
	rtt       time.Duration // receiver's RTT estimate
	rttAt     mono
	rttSeq    Seq  // without timestamps: time one window's arrival
	rttTiming bool // a window's arrival is being timed
	pinned    bool // SetRecvBufSize was called: no tuning
}

// rcvRTTSample folds one receiver-side round-trip sample into the estimate:
// decreases are taken at once, increases slowly, since the samples are
// upper bounds (the sender may have sat on the data).
func (c *Conn) rcvRTTSample(d time.Duration) {
	t := &c.rcvTune
	if d <= 0 {
		d = time.Millisecond
	}
	if t.rtt == 0 || d < t.rtt {
		t.rtt = d
		return
	}
	t.rtt += (d - t.rtt) / 8
}

// measureRcvRTT takes a receiver RTT sample from an in-order data segment
// (Linux's tcp_rcv_rtt_measure_ts and tcp_rcv_rtt_measure): with
// timestamps, the age of the TSval we sent that the segment echoes;
// without, the time a window's worth of data takes to arrive.
func (c *Conn) measureRcvRTT(now time.Time, seg *Segment) {
	t := &c.rcvTune
	if c.tsOK && seg.Options.TSEcr != 0 {
		if d := int32(c.tsClock(now) - seg.Options.TSEcr); d >= 0 {
			c.rcvRTTSample(time.Duration(d) * time.Millisecond)
		}
		return
	}
	if t.rttTiming && c.rcvNxt.GreaterEq(t.rttSeq) {
		c.rcvRTTSample(c.elapsed(now, t.rttAt))
		t.rttTiming = false
	}
	if !t.rttTiming {
		t.rttSeq, t.rttAt, t.rttTiming = c.rcvNxt.Add(max(c.rcvAdv.Sub(c.rcvNxt), 1)), c.mono(now), true
	}
}

// tuneRecvBuf runs once per receiver RTT as data arrives: if the user read
// more in the last round trip than before, the buffer grows to twice that
// plus room for reordering, more when the rate is still climbing.
func (c *Conn) tuneRecvBuf(now time.Time) {
	t := &c.rcvTune
	if t.pinned || t.rtt == 0 {
		return
	}
	if !t.markAt.set() {
		t.markAt, t.readMark = c.mono(now), t.read
		t.space = max(t.space, 10*int(c.cfg.MSS))
		return
	}
	if c.elapsed(now, t.markAt) < t.rtt {
		return
	}
	copied := int(min(t.read-t.readMark, 1<<29))
	t.markAt, t.readMark = c.mono(now), t.read
	if copied <= t.space {
		return
	}
	// Twice what was read covers a sender whose rate doubles per RTT in
	// slow start; 16 segments absorb reordering; a rate still climbing
	// fast earns proportionally more (Linux's grow term).
	// In int64: on a 32-bit platform the product overflows an int.
	want := int64(2*copied) + int64(16*int(c.cfg.MSS))
	want += want * int64(min(copied-t.space, t.space)) / int64(t.space)
	t.space = copied
	if want > int64(c.rcv.max) {
		c.rcv.max = int(min(want, int64(c.cfg.RecvBufMax)))
		c.maybeWindowUpdate()
	}
}

// tuneSendBuf grows the send buffer to twice the congestion window, so a
// writer can keep a full window in flight plus the next one queued.
func (c *Conn) tuneSendBuf() {
	if c.sndPinned || c.cc == nil {
		return
	}
	if want := 2 * c.cc.Window(); want > c.snd.max {
		c.snd.max = min(want, c.cfg.SendBufMax)
		c.events |= EventWritable
	}
}

// armReclaim arms the reclaim timer when both buffers are empty and
// storage is held.
func (c *Conn) armReclaim(now time.Time) {
	if c.reclaimAt.set() || !c.buffersIdle() {
		return
	}
	c.reclaimAt = c.at(now, reclaimDelay)
}

func (c *Conn) buffersIdle() bool {
	return c.snd.n == 0 && c.rcv.n == 0 && c.rcv.nooo == 0 && (c.snd.r.cap() > 0 || c.rcv.r.cap() > 0)
}

// onReclaim frees ring storage if the buffers are still empty and nothing
// was sent or received for reclaimDelay; otherwise it waits again.
func (c *Conn) onReclaim(now time.Time) {
	c.reclaimAt = 0
	if !c.buffersIdle() {
		return
	}
	if last := max(c.lastSend, c.lastRecv); last.set() {
		if quiet := c.elapsed(now, last); quiet < reclaimDelay {
			c.reclaimAt = c.at(now, reclaimDelay-quiet)
			return
		}
	}
	c.snd.r.release()
	c.rcv.r.release()
	c.rcv.ooo = nil
	c.loss.recs.release()
	c.loss.undo.recent, c.loss.undo.nrecent, c.loss.undo.next = nil, 0, 0 // D-SACKs a second late are not worth keeping
}
