package tcp

import "fmt"

// checkInvariants reports the first broken invariant of the TCB.
func (c *Conn) checkInvariants() error {
	if c.sndUna.GreaterThan(c.sndNxt) {
		return fmt.Errorf("SND.UNA %d > SND.NXT %d", c.sndUna, c.sndNxt)
	}
	if c.sndNxt.GreaterThan(c.sndMax) {
		return fmt.Errorf("SND.NXT %d > SND.MAX %d", c.sndNxt, c.sndMax)
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
	for i := 0; i < c.sb.n; i++ {
		r := c.sb.r[i]
		if !r.start.LessThan(r.end) || r.start.LessThan(c.sndUna) || r.end.GreaterThan(c.sndMax) {
			return fmt.Errorf("scoreboard range [%d,%d) outside [%d,%d]", r.start, r.end, c.sndUna, c.sndMax)
		}
		if i > 0 && !c.sb.r[i-1].end.LessThan(r.start) {
			return fmt.Errorf("scoreboard ranges overlap or unsorted")
		}
	}
	return nil
}
