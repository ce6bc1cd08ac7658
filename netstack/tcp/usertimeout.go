package tcp

import (
	"math"
	"time"
)

// The user timeout (RFC 5482 §2, Linux's TCP_USER_TIMEOUT) bounds how
// long the connection waits for a sign of life from the peer before it
// fails with ETIMEDOUT, in time rather than in retries:
//
//   - Retransmissions: once the retransmission timer has fired for the
//     data at SND.UNA, the connection fails at the next timeout that finds
//     the data unacknowledged for the user timeout since it was first sent
//     (Linux's retransmits_timed_out with retrans_stamp), and the timer is
//     shortened so that this happens close to the limit rather than up to
//     one backed-off RTO later (tcp_clamp_rto_to_user_timeout).
//   - Zero window (persist probes, or retransmissions into a closed
//     window) and keepalive: the connection fails once probes have gone
//     unanswered and nothing has been heard from the peer for the user
//     timeout.
//
// A peer that answers is never timed out: any acceptable segment restarts
// the silence, and an ACK of new data ends the retransmission episode.

// SetUserTimeout sets the connection's user timeout (see
// Config.UserTimeout), as Linux's TCP_USER_TIMEOUT; zero or a negative
// value turns it off. It takes effect at the next expiry of a timer.
func (c *Conn) SetUserTimeout(d time.Duration) { c.cfg.UserTimeoutMS = millis(d) }

// millis returns d in whole milliseconds, rounded up so that a positive
// duration stays positive, saturating at math.MaxInt32; zero if d <= 0.
func millis(d time.Duration) int32 {
	if d <= 0 {
		return 0
	}
	return int32(min((d+time.Millisecond-1)/time.Millisecond, math.MaxInt32))
}

// userTimeout returns the user timeout, zero when off.
func (c *Conn) userTimeout() time.Duration {
	return time.Duration(c.cfg.UserTimeoutMS) * time.Millisecond
}

// rtxStart returns when the data the retransmission timer watches was
// first sent: the stamp of the retransmission episode, or else the send
// time of the segment at SND.UNA, which the timeout is about to resend.
func (c *Conn) rtxStart() mono {
	if c.retransStamp.set() {
		return c.retransStamp
	}
	if c.loss.recs.n > 0 {
		return mono(c.loss.recs.at(0).sentAt) + 1
	}
	return 0
}

// noteRetransmitStart starts the retransmission episode's clock, if not
// running, at sentAt, when the segment about to be resent was last (so,
// outside an episode, first) sent.
func (c *Conn) noteRetransmitStart(sentAt time.Duration) {
	if !c.retransStamp.set() {
		c.retransStamp = mono(sentAt) + 1
	}
}

// rtxTimedOut reports, when the retransmission timer fires, that the user
// timeout has passed since the unacknowledged data was first sent and a
// retransmission of it has already gone unanswered.
func (c *Conn) rtxTimedOut(now time.Time) bool {
	ut, start := c.userTimeout(), c.rtxStart()
	return ut > 0 && c.retries > 0 && start.set() && c.elapsed(now, start) >= ut
}

// silentTimedOut reports that probes (unanswered being the caller's
// condition) have met nothing but silence for the user timeout.
func (c *Conn) silentTimedOut(now time.Time) bool {
	ut := c.userTimeout()
	return ut > 0 && c.lastRecv.set() && c.elapsed(now, c.lastRecv) >= ut
}

// clampToUserTimeout shortens d, a timer about to be armed, so that it
// fires no later than the user timeout after start (but not at once).
func (c *Conn) clampToUserTimeout(now time.Time, d time.Duration, start mono) time.Duration {
	ut := c.userTimeout()
	if ut == 0 || !start.set() {
		return d
	}
	return min(d, max(ut-c.elapsed(now, start), time.Millisecond))
}

// rtoTimeout is the retransmission timer's period: the RTO, clamped to
// the user timeout once a timeout has fired for the data in flight.
func (c *Conn) rtoTimeout(now time.Time) time.Duration {
	switch {
	case c.userTimeout() == 0, c.state == SynReceived && c.passive:
	case c.sndWnd == 0 && c.probesOut > 0 && c.state.synchronized():
		return c.clampToUserTimeout(now, c.rtt.rto, c.lastRecv)
	case c.retries > 0:
		return c.clampToUserTimeout(now, c.rtt.rto, c.rtxStart())
	}
	return c.rtt.rto
}
