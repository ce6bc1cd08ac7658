package tcp

import "time"

// Tail loss probes (RFC 8985 §7): when the last segments of a flight are
// lost there are no later ACKs for RACK to act on, and only the
// retransmission timer would notice, after hundreds of milliseconds. A
// probe sent after about two round trips of silence elicits an ACK whose
// SACK blocks let RACK find the loss and recover fast.

// tlpState is RFC 8985's TLP.* variables.
type tlpState struct {
	at      mono // the probe timeout (PTO), when armed
	end     Seq  // TLP.end_seq: SND.NXT when the probe was sent
	retrans bool // the probe was a retransmission (TLP.is_retrans)
	active  bool // a probe is outstanding
	probe   bool // send a probe on the next Output
	dsacked bool // a D-SACK arrived while the probe was out
}

// maxAckDelay is the worst-case delayed ACK of a peer (RFC 8985 §7.2's
// WCDelAckT).
const maxAckDelay = 200 * time.Millisecond

// tlpReset forgets any probe.
func (c *Conn) tlpReset() { c.loss.tlp = tlpState{} }

// armPTO schedules a tail loss probe (§7.2) when segments are in flight,
// nothing is being recovered and no probe is outstanding: two SRTTs, plus
// the peer's worst-case ACK delay when a single segment is in flight. If
// that is later than the retransmission timeout, the probe goes at the
// timeout's time instead of it.
func (c *Conn) armPTO(now time.Time) {
	t := &c.loss.tlp
	t.at = 0
	if !c.sackOK || c.loss.phase != phaseOpen || t.active || c.sndUna == c.sndMax || !c.rtt.haveSample {
		return
	}
	pto := 2 * c.rtt.srtt
	if c.sndMax.Sub(c.sndUna) <= c.smss() {
		pto += maxAckDelay
	}
	pto = max(pto, 10*time.Millisecond)
	at := c.at(now, pto)
	if c.rtoAt.set() && at > c.rtoAt {
		at = c.rtoAt // §7.2: the probe goes instead of the timeout
	}
	t.at = at
}

// onPTO fires the probe: Output sends one new segment if the windows allow,
// otherwise it retransmits the last one (§7.3).
func (c *Conn) onPTO(now time.Time) {
	t := &c.loss.tlp
	t.at = 0
	if c.sndUna == c.sndMax || c.loss.phase != phaseOpen {
		return
	}
	t.probe = true
	c.rtoAt = c.at(now, c.rtt.rto) // §7.3: the RTO follows the probe
}

// sendProbe sends the tail loss probe: new data if any may go, else the
// last segment again.
func (c *Conn) sendProbe(now time.Time, seg *Segment, buf []byte) bool {
	t := &c.loss.tlp
	t.probe = false
	t.active = true // one probe per episode: sending must not arm another
	if c.sendData(now, seg, buf, true, 0) {
		t.end, t.retrans, t.at = c.sndMax, false, 0
		c.stats.TLPProbes++
		return true
	}
	recs := &c.loss.recs
	if recs.n == 0 {
		t.active = false
		return false
	}
	c.retransmit(now, recs.n-1, seg, buf)
	t.active, t.end, t.retrans = true, c.sndMax, true
	c.stats.TLPProbes++
	return true
}

// tlpOnAck ends a probe episode when SND.UNA passes the probe (§7.4): if
// the probe was a retransmission and no D-SACK showed the original had
// arrived, the probe repaired a real loss, which calls for the same
// congestion response as fast recovery.
func (c *Conn) tlpOnAck(now time.Time) {
	t := &c.loss.tlp
	if !t.active || c.sndUna.LessThan(t.end) {
		return
	}
	if t.retrans && !t.dsacked && c.loss.phase == phaseOpen && c.cc != nil {
		c.cc.OnCongestion(now, c.cc.Window())
		c.cc.SetWindow(c.cc.Threshold())
	}
	t.active = false
}
