package tcp

import (
	"time"

	"github.com/renet-go/renet/netstack/wire"
)

// takeSACK applies the SACK blocks of an acceptable ACK to the send
// records (RFC 2018 §3, the scoreboard of RFC 6675 §3). A first block that
// lies below the cumulative ACK, or inside the second block, is a D-SACK
// (RFC 2883 §4): data the peer received twice. Other blocks must lie
// inside (SND.UNA, SND.MAX] and be non-empty; the rest, whatever a hostile
// peer puts there, is ignored. Only records a block covers whole are
// marked.
func (c *Conn) takeSACK(now time.Time, seg *Segment) {
	o := &seg.Options
	n := min(max(o.NumSACK, 0), len(o.SACK))
	for i := 0; i < n; i++ {
		s, e := Seq(o.SACK[i].Start), Seq(o.SACK[i].End)
		if !s.LessThan(e) {
			continue
		}
		if i == 0 && isDSACK(o, n, seg.Ack) {
			c.takeDSACK(s, e)
			continue
		}
		if s.LessThan(c.sndUna) || e.GreaterThan(c.sndMax) {
			continue
		}
		c.markSACKed(now, s, e, o.TSEcr)
	}
}

// isDSACK reports whether the first SACK block is a D-SACK (RFC 2883 §4).
func isDSACK(o *wire.TCPOptions, n int, ack Seq) bool {
	s0, e0 := Seq(o.SACK[0].Start), Seq(o.SACK[0].End)
	if e0.LessEq(ack) {
		return true
	}
	if n < 2 {
		return false
	}
	s1, e1 := Seq(o.SACK[1].Start), Seq(o.SACK[1].End)
	return s1.LessEq(s0) && e0.LessEq(e1)
}

// takeDSACK handles a D-SACK for [s, e): reordering evidence for RACK, and
// a spurious retransmission if we sent that data twice.
func (c *Conn) takeDSACK(s, e Seq) {
	if e.Sub(s) > c.maxSndWnd+c.smss() || s.LessThan(c.sndUna.Add(-c.maxSndWnd)) || e.GreaterThan(c.sndMax) {
		return // not anything we could have sent recently
	}
	c.stats.DSACKsIn++
	c.rackDSACK()
	if c.loss.tlp.active {
		c.loss.tlp.dsacked = true
	}
	c.dsackSpurious(s, e)
}

// markSACKed marks the records inside [s, e) SACKed and tells RACK they
// were delivered.
func (c *Conn) markSACKed(now time.Time, s, e Seq, tsecr uint32) {
	recs := &c.loss.recs
	for i := recs.search(s); i < recs.n; i++ {
		rec := recs.at(i)
		end := rec.end
		if rec.has(recFIN) {
			end = end.Add(-1) // a block may end at the last data byte, before our FIN
		}
		if end.GreaterThan(e) {
			break
		}
		if rec.start.LessThan(s) || rec.has(recSACKed) {
			continue
		}
		recs.setFlags(rec, (rec.flags|recSACKed)&^recLost)
		c.delivered(now, rec, tsecr)
	}
}

// delivered does the bookkeeping for a record newly acknowledged or
// SACKed.
func (c *Conn) delivered(now time.Time, rec *sendRecord, tsecr uint32) {
	c.loss.delivered += int64(rec.len())
	c.stats.Delivered++
	c.rackDelivered(now, rec, tsecr)
}
