package tcp

import (
	"time"

	"github.com/renet-go/renet/netstack/wire"
)

// Short names for the flags.
const (
	synFlag = wire.TCPFlagSYN
	ackFlag = wire.TCPFlagACK
	finFlag = wire.TCPFlagFIN
	rstFlag = wire.TCPFlagRST
	pshFlag = wire.TCPFlagPSH
)

// Option sizes as encoded with the usual NOP padding to 4-byte multiples.
const (
	tsOptLen       = 12 // NOP NOP TS(10)
	sackBlockLen   = 8
	sackOptBaseLen = 4  // NOP NOP kind len
	maxWscale      = 14 // RFC 7323 §2.3
)

// optLen is the encoded length of non-SYN options.
func optLen(o *wire.TCPOptions) int {
	n := 0
	if o.HasTimestamps {
		n += tsOptLen
	}
	if o.NumSACK > 0 {
		n += sackOptBaseLen + sackBlockLen*o.NumSACK
	}
	return n
}

// tsClock returns our timestamp clock at now: milliseconds plus the
// per-connection offset (RFC 7323 §5.4). One tick per millisecond is within
// the 1ms..1s range of RFC 7323 §5.4.
func (c *Conn) tsClock(now time.Time) uint32 {
	return uint32(now.UnixMilli()) + c.tsOffset
}

// wscaleFor returns the smallest shift that lets a 16-bit window cover
// size bytes (RFC 7323 §2.2).
func wscaleFor(size int) uint8 {
	var s uint8
	for s < maxWscale && 0xffff<<s < size {
		s++
	}
	return s
}

// synOptionsOut fills the options of our SYN or SYN-ACK. A SYN offers
// everything enabled; a SYN-ACK answers only what the peer's SYN offered
// (RFC 7323 §2.2, §3.2; RFC 2018 §2).
func (c *Conn) synOptionsOut(now time.Time, o *wire.TCPOptions, synAck bool) {
	*o = wire.TCPOptions{MSS: uint16(c.cfg.MSS)}
	if !c.cfg.DisableWindowScale && (!synAck || c.synOpt.ws) {
		o.HasWindowScale = true
		o.WindowScale = c.rcvWscale
	}
	if !c.cfg.DisableSACK && (!synAck || c.synOpt.sackPermitted) {
		o.SACKPermitted = true
	}
	if !c.cfg.DisableTimestamps && (!synAck || c.synOpt.ts) {
		o.HasTimestamps = true
		o.TSVal = c.tsClock(now)
		if synAck {
			o.TSEcr = c.tsRecent
		}
	}
}

// chooseRcvWscale fixes the shift for our receive window before our SYN
// goes out.
func (c *Conn) chooseRcvWscale() {
	c.rcvWscale = rcvWscaleFor(c.cfg.DisableWindowScale, c.rcv.max, c.cfg.RecvBufMax, c.rcvTune.pinned)
}

// rcvWscaleFor is the shift for a receive buffer of bufSize that may grow
// to bufMax unless pinned; zero when window scaling is disabled.
func rcvWscaleFor(disabled bool, bufSize, bufMax int, pinned bool) uint8 {
	if disabled {
		return 0
	}
	if !pinned {
		bufSize = max(bufSize, bufMax)
	}
	return wscaleFor(bufSize)
}

// takeSynOptions records the options of the peer's SYN or SYN-ACK and
// settles what is negotiated. Each extension is used only if both SYNs
// carried it (RFC 7323 §2.2, §3.2; RFC 2018 §2).
func (c *Conn) takeSynOptions(now time.Time, seg *Segment) {
	o := &seg.Options
	c.synOpt = synOptions{ws: o.HasWindowScale, sackPermitted: o.SACKPermitted, ts: o.HasTimestamps}
	c.sndMSS = defaultPeerMSS // RFC 9293 §3.7.1: 536 when absent
	if o.MSS != 0 {
		c.sndMSS = int32(max(int(o.MSS), minMSS))
	}
	c.wsOK = !c.cfg.DisableWindowScale && o.HasWindowScale
	if c.wsOK {
		c.sndWscale = min(o.WindowScale, maxWscale) // RFC 7323 §2.3
	} else {
		c.sndWscale, c.rcvWscale = 0, 0
	}
	c.sackOK = !c.cfg.DisableSACK && o.SACKPermitted
	c.tsOK = !c.cfg.DisableTimestamps && o.HasTimestamps
	if c.tsOK {
		c.tsRecent = o.TSVal
		c.tsRecentT = c.mono(now)
	}
}

// dataOptions fills the options of a non-SYN segment: the timestamps
// option when negotiated (RFC 7323 §3.2: on every segment) and SACK blocks
// for out-of-order data (RFC 2018 §4).
func (c *Conn) dataOptions(now time.Time, o *wire.TCPOptions) {
	*o = wire.TCPOptions{}
	if c.tsOK {
		o.HasTimestamps = true
		o.TSVal = c.tsClock(now)
		o.TSEcr = c.tsRecent
	}
	if c.sackOK && (c.rcv.nooo > 0 || c.dsackOn) {
		c.sackBlocks(o)
	}
}

// sackBlocks fills SACK blocks per RFC 2018 §4: the first block holds the
// most recently received segment, the rest are the other ranges, most
// recently changed first; three fit beside timestamps, four without. A
// pending D-SACK goes first (RFC 2883 §4).
func (c *Conn) sackBlocks(o *wire.TCPOptions) {
	limit := wire.MaxSACKBlocks
	if o.HasTimestamps {
		limit = 3
	}
	if c.dsackOn {
		o.SACK[0] = wire.SACKBlock{Start: uint32(c.dsack.start), End: uint32(c.dsack.end)}
		o.NumSACK = 1
	}
	var before uint32
	for o.NumSACK < limit {
		i := c.rcv.mostRecent(before)
		if i < 0 {
			break
		}
		before = c.rcv.ooo[i].stamp
		r := c.rcv.ooo[i]
		if c.oooFin && r.end == c.oooFinSeq {
			r.end = r.end.Add(1) // the FIN was received too, as Linux reports it
		}
		o.SACK[o.NumSACK] = wire.SACKBlock{Start: uint32(r.start), End: uint32(r.end)}
		o.NumSACK++
	}
}
