package tcp

import "fmt"

// checkInvariants reports the first broken invariant of the TCB.
func (c *Conn) checkInvariants() error {
	if c.sndUna.GreaterThan(c.sndMax) {
		return fmt.Errorf("SND.UNA %d > SND.MAX %d", c.sndUna, c.sndMax)
	}
	if c.snd.n < 0 || (c.snd.n > 0 && c.snd.n > c.snd.r.cap()) {
		return fmt.Errorf("send buffer holds %d of %d", c.snd.n, c.snd.r.cap())
	}
	if c.state.synchronized() && c.state != TimeWait && c.snd.n > 0 {
		// The send buffer starts at SND.UNA once the SYN is acknowledged.
		if c.snd.seq != c.sndUna {
			return fmt.Errorf("send buffer starts at %d, SND.UNA %d", c.snd.seq, c.sndUna)
		}
		if end := c.snd.end(); c.sndMax.GreaterThan(end.Add(1)) {
			return fmt.Errorf("SND.MAX %d beyond data end %d + FIN", c.sndMax, end)
		}
	}
	if c.rcv.n < 0 || c.rcv.n > c.rcv.r.cap() {
		return fmt.Errorf("receive buffer holds %d of %d", c.rcv.n, c.rcv.r.cap())
	}
	if c.rcv.nooo < 0 || c.rcv.nooo > len(c.rcv.ooo) {
		return fmt.Errorf("%d out-of-order ranges", c.rcv.nooo)
	}
	for i := 0; i < c.rcv.nooo; i++ {
		r := c.rcv.ooo[i]
		if !c.rcvNxt.LessThan(r.start) || !r.start.LessThan(r.end) {
			return fmt.Errorf("out-of-order range [%d,%d) with RCV.NXT %d", r.start, r.end, c.rcvNxt)
		}
		if off := c.rcv.n + r.end.Sub(c.rcvNxt); off > c.rcv.r.cap() {
			return fmt.Errorf("out-of-order range [%d,%d) beyond ring %d", r.start, r.end, c.rcv.r.cap())
		}
	}
	return c.checkRecords()
}

// checkRecords reports a broken invariant of the send records: they cover
// [SND.UNA, SND.MAX) contiguously, and the byte counts match the flags.
func (c *Conn) checkRecords() error {
	q := &c.loss.recs
	sacked, lost := 0, 0
	for i := 0; i < q.n; i++ {
		r := q.at(i)
		if !r.start.LessThan(r.end) {
			return fmt.Errorf("empty record [%d,%d)", r.start, r.end)
		}
		if i == 0 && r.start != c.sndUna {
			return fmt.Errorf("first record starts at %d, SND.UNA %d", r.start, c.sndUna)
		}
		if i > 0 && q.at(i-1).end != r.start {
			return fmt.Errorf("records not contiguous at %d", r.start)
		}
		if i == q.n-1 && r.end != c.sndMax {
			return fmt.Errorf("last record ends at %d, SND.MAX %d", r.end, c.sndMax)
		}
		if h := c.loss.rack.hint; h.GreaterThan(c.sndUna) && h.LessEq(c.sndMax) && r.end.LessEq(h) && !r.has(recSACKed|recLost) {
			return fmt.Errorf("record [%d,%d) below the RACK hint %d is neither SACKed nor lost", r.start, r.end, h)
		}
		if h := c.loss.retxHint; h.GreaterThan(c.sndUna) && h.LessEq(c.sndMax) && r.end.LessEq(h) && r.has(recLost) && !r.has(recSACKed) {
			return fmt.Errorf("lost record [%d,%d) below the retransmission hint %d", r.start, r.end, h)
		}
		switch {
		case r.has(recSACKed):
			sacked += r.len()
		case r.has(recLost):
			lost += r.len()
		}
	}
	if sacked != q.sacked || lost != q.lost {
		return fmt.Errorf("counts: sacked %d (records say %d), lost %d (records say %d)", q.sacked, sacked, q.lost, lost)
	}
	return nil
}
