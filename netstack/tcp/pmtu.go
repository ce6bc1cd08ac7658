package tcp

import "time"

// Path MTU discovery. Every segment is sent with DF set, so a router that
// cannot forward it answers with ICMP "fragmentation needed" and the MTU
// of the next hop (RFC 1191); the stack validates the message against the
// connection (RFC 5927) and calls LowerMSS. Paths that drop those messages
// (ICMP black holes) are caught by the retransmission timer instead, in
// the spirit of packetization-layer PMTU discovery (RFC 4821 §7.7, RFC
// 8899): when full-sized segments keep timing out, the MSS comes down.

// minPathMSS is the smallest MSS path MTU discovery goes down to: an IPv4
// MTU of 576 (RFC 1191 §3's guarantee for every path, RFC 791's minimum
// reassembly size) less 40 bytes of headers.
const minPathMSS = 536

// blackholeHold is how long a black hole, once confirmed, keeps the MSS
// down before the full size is tried again (RFC 1191 §6.3's ten minutes
// for raising a path MTU estimate).
const blackholeHold = 10 * time.Minute

// blackholeTimeouts is how many consecutive timeouts of a full-sized
// segment make us suspect a path MTU black hole (Linux's tcp_mtu_probing
// also acts on the second).
const blackholeTimeouts = 2

// SetPathMTUDiscovery turns path MTU discovery on (the default) or off
// for the connection, as Linux's IP_MTU_DISCOVER with IP_PMTUDISC_DO or
// IP_PMTUDISC_DONT. Off, the stack sends the connection's segments
// without DF, so routers fragment them instead of reporting a smaller
// MTU: LowerMSS is ignored (Linux's tcp_v4_mtu_reduced does not resync
// the MSS of a PMTUDISC_DONT socket) and black-hole detection, which
// guesses at a silently smaller MTU, is off. An MSS lowered before stays
// lowered until black-hole detection restores it.
func (c *Conn) SetPathMTUDiscovery(on bool) { c.pmtudOff = !on }

// PathMTUDiscovery reports whether path MTU discovery is on: whether the
// stack sets DF on the connection's segments.
func (c *Conn) PathMTUDiscovery() bool { return !c.pmtudOff }

// LowerMSS lowers the largest segment the connection sends to mss bytes
// (before options), after an ICMP message reported a smaller path MTU. A
// value not below the current one is ignored, and the MSS never goes below
// 536. Segments in flight that no longer fit are marked lost, to be resent
// at once in pieces that do (RFC 1191 §6.5: "retransmit").
//
// A value from ICMP ends any black-hole episode: it is the path's real
// limit, so the trial restore must not go past it, and one between the
// black-hole guess and the size before it is taken as it is.
//
// With path MTU discovery off (SetPathMTUDiscovery) it does nothing.
func (c *Conn) LowerMSS(now time.Time, mss int) {
	mss = max(mss, minPathMSS)
	if !c.state.synchronized() || c.pmtudOff {
		return
	}
	if bh := &c.blackhole; bh.from > 0 && mss < int(bh.from) && mss > c.pathMSS() {
		c.blackhole = blackholeState{}
		c.setPathMSS(mss)
		return
	}
	if mss < c.pathMSS() {
		c.blackhole = blackholeState{}
	}
	c.lowerMSS(mss)
}

// lowerMSS lowers the MSS to mss, if that is lower, and marks lost the
// segments in flight that no longer fit.
func (c *Conn) lowerMSS(mss int) {
	if mss >= c.pathMSS() {
		return
	}
	c.setPathMSS(mss)
	recs := &c.loss.recs
	for i := 0; i < recs.n; i++ {
		rec := recs.at(i)
		data := rec.len()
		if rec.has(recFIN) {
			data--
		}
		if data > c.smss() && !rec.has(recSACKed) {
			c.markLost(rec)
		}
	}
}

// setPathMSS records what path MTU discovery allows and tells the
// congestion controller.
func (c *Conn) setPathMSS(mss int) {
	c.pmtuMSS = int32(mss)
	c.stats.PMTUChanges++
	if c.cc != nil {
		c.cc.SetMSS(c.smss())
	}
}

// pathMSS is the largest segment the connection may send, before options:
// the peer's MSS, ours, and what path MTU discovery has learned.
func (c *Conn) pathMSS() int {
	m := int(min(c.sndMSS, c.cfg.MSS))
	if c.pmtuMSS > 0 {
		m = min(m, int(c.pmtuMSS))
	}
	return m
}

// suspectBlackhole lowers the MSS when the segment at SND.UNA, a full-sized
// one, has timed out blackholeTimeouts times in a row: a path that drops
// large packets silently.
func (c *Conn) suspectBlackhole(now time.Time) {
	if c.retries != blackholeTimeouts || c.loss.recs.n == 0 || c.pmtudOff {
		return
	}
	full := c.pathMSS() - tsOptLenIf(c.tsOK)
	if head := c.loss.recs.at(0); head.len() < full || c.pathMSS() <= minPathMSS {
		return
	}
	bh := &c.blackhole
	from := c.pathMSS()
	c.lowerMSS(max(from/2, minPathMSS))
	if bh.verifying {
		// The full size failed again right after it was restored: a real
		// black hole. Keep the MSS down for a while.
		bh.holdUntil = c.at(now, blackholeHold)
	}
	bh.from, bh.verifying = int32(from), false
}

// blackholeState tracks an MSS lowered by black-hole detection. Two
// timeouts in a row also happen in an outage, when nothing gets through
// whatever its size; so once the smaller segments are acknowledged the
// full size is tried again, and only if it fails at once is the path
// taken for a black hole (for blackholeHold).
type blackholeState struct {
	holdUntil mono  // no restore before this
	from      int32 // the MSS before the reduction; 0: none in force
	verifying bool  // the full size was restored and is on trial
}

// blackholeCheck runs on an ACK of new data: after a black-hole reduction
// it restores the full MSS on trial; on trial, a full-sized segment
// acknowledged without retransmission (full) ends the trial.
func (c *Conn) blackholeCheck(now time.Time, full bool) {
	bh := &c.blackhole
	if bh.verifying && full {
		bh.verifying = false
	}
	if bh.from == 0 || (bh.holdUntil.set() && c.elapsed(now, bh.holdUntil) < 0) {
		return
	}
	c.pmtuMSS = bh.from
	if c.cc != nil {
		c.cc.SetMSS(c.smss())
	}
	bh.from, bh.verifying, bh.holdUntil = 0, true, 0
}

func tsOptLenIf(ts bool) int {
	if ts {
		return tsOptLen
	}
	return 0
}
