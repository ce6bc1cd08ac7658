package tcp

import (
	"net/netip"
	"time"

	"github.com/renet-go/renet/netstack/wire"
)

// SYN cookies (RFC 4987 §3.6). When a listener's SYN queue is full, the
// stack answers a SYN without keeping any state: the SYN-ACK's sequence
// number (the cookie) encodes, under a keyed hash, the 4-tuple, the peer's
// ISN, a coarse clock and the peer's MSS; the timestamp option, when the
// peer offered it, carries its window scale and SACK-permitted in the low
// bits of our TSval, as Linux does. A client that completes the handshake
// echoes both back in its ACK, from which the connection is rebuilt.
//
// The cookie is
//
//	H1(4-tuple) + peer ISN + t<<24 + (H2(4-tuple, t) + mssIndex) mod 2^24
//
// where t counts 64-second periods and H1, H2 are SipHash under the
// stack's secret. A cookie is accepted for two periods: an off-path
// attacker must guess 24 bits to forge one.
const (
	cookieBits   = 24
	cookieMask   = 1<<cookieBits - 1
	cookiePeriod = 64 * time.Second
	cookieMaxAge = 2 // periods

	// Hash domains beyond the ISN's (0) and the timestamp offset's (1).
	domainCookie      = 2
	domainCookieClock = 3
)

// cookieMSS are the MSS values a cookie can name: the usual ones, so that
// a client rounded down to the nearest loses little.
var cookieMSS = [...]uint16{536, 1300, 1440, 1460}

// The low bits of a cookie SYN-ACK's TSval: the peer's window scale (15:
// the peer sent none) and whether it permitted SACK.
const (
	tsCookieMask = 1<<6 - 1
	tsNoWscale   = 0xf
	tsSACK       = 1 << 4
)

// CookiePeriod is how long one tick of the cookie clock lasts; a cookie
// stays valid for two ticks. A stack expects cookie ACKs for that long
// after it last sent a cookie.
const CookiePeriod = cookiePeriod * cookieMaxAge

// cookieClock is t, the cookie's coarse clock.
func cookieClock(now time.Time) uint32 { return uint32(now.Unix() / int64(cookiePeriod/time.Second)) }

// cookie computes the sequence number of a cookie SYN-ACK.
func (g *ISNGenerator) cookie(local, remote netip.AddrPort, peerISN Seq, t uint32, mssIndex int) Seq {
	h1 := uint32(g.hashWith(local, remote, domainCookie, 0))
	h2 := uint32(g.hashWith(local, remote, domainCookieClock, t))
	return Seq(h1 + uint32(peerISN) + t<<cookieBits + (h2+uint32(mssIndex))&cookieMask)
}

// checkCookie returns the MSS index a valid cookie carries, or -1 when the
// cookie is forged, mangled or too old.
func (g *ISNGenerator) checkCookie(local, remote netip.AddrPort, peerISN, cookie Seq, now time.Time) int {
	v := uint32(cookie) - uint32(g.hashWith(local, remote, domainCookie, 0)) - uint32(peerISN)
	t := cookieClock(now)
	age := (t - v>>cookieBits) & (1<<(32-cookieBits) - 1)
	if age >= cookieMaxAge {
		return -1
	}
	h2 := uint32(g.hashWith(local, remote, domainCookieClock, t-age))
	if i := (v - h2) & cookieMask; i < uint32(len(cookieMSS)) {
		return int(i)
	}
	return -1
}

// CookieSYNACK fills out with the SYN-ACK that answers syn, sent from
// local to remote, with a SYN cookie as its sequence number. It keeps no
// state. cfg is the listener's connection configuration.
func (g *ISNGenerator) CookieSYNACK(cfg Config, local, remote netip.AddrPort, syn *Segment, now time.Time, out *Segment) {
	cfg.fill()
	in := &syn.Options
	peerMSS := defaultPeerMSS
	if in.MSS != 0 {
		peerMSS = int(in.MSS)
	}
	idx := 0
	for i, m := range cookieMSS {
		if int(m) <= peerMSS {
			idx = i
		}
	}
	*out = Segment{
		Seq: g.cookie(local, remote, syn.Seq, cookieClock(now), idx), Ack: syn.Seq.Add(1),
		Flags:  synFlag | ackFlag,
		Window: uint16(min(cfg.RecvBufSize, 0xffff)), // as a new Conn's SYN-ACK
	}
	o := &out.Options
	*o = wire.TCPOptions{MSS: uint16(min(cfg.MSS, 0xffff))}
	if !in.HasTimestamps || cfg.DisableTimestamps {
		return // nowhere to keep window scale and SACK: offer neither
	}
	bits := uint32(tsNoWscale)
	if in.HasWindowScale && !cfg.DisableWindowScale {
		o.HasWindowScale, o.WindowScale = true, rcvWscaleFor(cfg.DisableWindowScale, cfg.RecvBufSize, cfg.RecvBufMax, false)
		bits = uint32(min(in.WindowScale, maxWscale))
	}
	if in.SACKPermitted && !cfg.DisableSACK {
		o.SACKPermitted = true
		bits |= tsSACK
	}
	ts := uint32(now.UnixMilli()) + g.TSOffset(local, remote)
	enc := ts&^tsCookieMask | bits
	if int32(enc-ts) > 0 {
		enc -= tsCookieMask + 1 // never ahead of the clock later segments use
	}
	o.HasTimestamps, o.TSVal, o.TSEcr = true, enc, in.TSVal
}

// CookieConn checks whether ack, which matched no connection at a
// listener that recently sent cookies, completes a cookie handshake. If
// it does, CookieConn returns a Conn rebuilt from the cookie in
// SYN-RECEIVED, with the MSS, window scale, SACK and timestamps the SYNs
// negotiated; the caller passes ack to its Input, which completes the
// handshake and takes any data ack carries. It returns nil for anything
// else.
func (g *ISNGenerator) CookieConn(cfg Config, local, remote netip.AddrPort, ack *Segment, now time.Time) *Conn {
	if ack.Flags&(synFlag|rstFlag|ackFlag) != ackFlag {
		return nil
	}
	iss := ack.Ack.Add(-1)
	idx := g.checkCookie(local, remote, ack.Seq.Add(-1), iss, now)
	if idx < 0 {
		return nil
	}
	c := NewConn(cfg)
	c.SetISS(iss)
	c.SetTSOffset(g.TSOffset(local, remote))
	c.restoreFromCookie(now, ack, int(cookieMSS[idx]))
	return c
}

// restoreFromCookie sets up the state a SYN and our cookie SYN-ACK would
// have left: SYN-RECEIVED, the SYN-ACK sent, the options decoded.
func (c *Conn) restoreFromCookie(now time.Time, ack *Segment, peerMSS int) {
	c.state, c.passive, c.cookie = SynReceived, true, true
	c.base = now
	c.lastRecv = c.mono(now)
	c.irs = ack.Seq.Add(-1)
	c.rcvNxt = ack.Seq
	c.lastAckSent = c.rcvNxt
	c.sndMSS = int32(peerMSS)
	c.sndNxt, c.sndMax = c.iss.Add(1), c.iss.Add(1)
	if o := &ack.Options; o.HasTimestamps && !c.cfg.DisableTimestamps {
		bits := o.TSEcr & tsCookieMask
		c.tsOK, c.tsRecent, c.tsRecentT = true, o.TSVal, c.mono(now)
		if ws := bits & 0xf; ws != tsNoWscale && !c.cfg.DisableWindowScale {
			c.wsOK, c.sndWscale = true, uint8(min(ws, maxWscale))
			c.chooseRcvWscale()
		}
		c.sackOK = bits&tsSACK != 0 && !c.cfg.DisableSACK
	}
	c.synOpt = synOptions{ws: c.wsOK, sackPermitted: c.sackOK, ts: c.tsOK}
	c.rcvAdv = c.rcvNxt.Add(min(c.rcv.free(), 0xffff))
}
