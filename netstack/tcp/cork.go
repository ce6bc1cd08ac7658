package tcp

import "time"

// Corking (Linux's TCP_CORK): while corked, only full-sized segments
// leave, so that a header and body written separately, or a file sent in
// pieces, share segments. The FIN is never held: closing sends what
// remains (Linux's tcp_send_fin pushes with Nagle off). A partial segment
// is not held for ever either: after corkCeiling it goes anyway, the
// ceiling tcp(7) documents. Linux gets that from its window-probe timer,
// and so does this: the persist timer's slot, probeAt, is idle whenever
// the peer's window is open, which is when the cork holds data back.

// corkCeiling is the longest a corked partial segment is held.
const corkCeiling = 200 * time.Millisecond

// SetCork corks (true) or uncorks (false) the connection, as Linux's
// TCP_CORK. Uncorking sends what was held back at once (drain Output).
func (c *Conn) SetCork(on bool) {
	c.corked, c.corkFlush = on, false
}

// corkHolding reports that the cork holds unsent data back.
func (c *Conn) corkHolding() bool {
	switch c.state {
	case Established, CloseWait:
	default:
		return false
	}
	return c.corked && c.snd.end().GreaterThan(c.sndMax)
}

// armCork runs the cork ceiling while the cork holds data back and the
// peer's window is open (the persist timer has the slot otherwise),
// starting it if it is not running. It reports whether it is running.
func (c *Conn) armCork(now time.Time) bool {
	if !c.corkHolding() || c.corkFlush {
		return false
	}
	if !c.probeAt.set() {
		c.probeAt = c.at(now, corkCeiling)
	}
	return true
}

// onProbeTimer runs the timer in probeAt: the cork ceiling while the
// peer's window is open, otherwise the persist timer. It reports false
// when the connection ended.
func (c *Conn) onProbeTimer(now time.Time) bool {
	if c.sndWnd > 0 {
		c.probeAt = 0
		c.corkFlush = c.corkHolding()
		return true
	}
	return c.onPersist(now)
}
