package tcp

import (
	"time"

	"github.com/renet-go/renet/netstack/tcp/cc"
)

// Conn is one TCP connection: its transmission control block (RFC 9293
// §3.3.1) and the state machine that drives it. It is sans-IO: it performs
// no I/O, reads no clock and starts no goroutine. Segments go in through
// Input, come out through Output, user data through Read and Write, and
// time through the now arguments and Tick. A Conn is not safe for
// concurrent use; the stack serialises every call.
type Conn struct {
	// Fields are grouped by what they are for and, within a group,
	// ordered so that small ones share words: an idle connection costs
	// little more than this struct, so every byte counts a million times.
	state     State
	passive   bool   // opened by Listen: a reset in SYN-RECEIVED just ends it
	cookie    bool   // rebuilt from a SYN cookie: the handshake is not timed
	connected bool   // EventEstablished was raised
	userClose bool   // Close (not CloseWrite) was called
	events    Events // collected for TakeEvents
	// synRetransmitted records a lost SYN or SYN-ACK: RFC 6298 §5.7 and
	// RFC 5681 §3.1 then start data transfer conservatively.
	synRetransmitted bool
	pmtudOff         bool // SetPathMTUDiscovery(false)

	cfg connConfig

	// Send sequence space (RFC 9293 §3.3.1).
	//
	//	     SND.UNA                   SND.MAX       SND.UNA+SND.WND
	//	------|-------------------------|--------------|-------
	//	acked | in flight (send records) | may be sent  | beyond window
	//
	// sndMax is the highest sequence number ever sent plus one, where new
	// data goes; retransmissions are chosen from the send records, so
	// sndNxt matters only for the SYN (it falls back to ISS when the SYN
	// must be resent) and equals sndMax once the handshake is done.
	iss       Seq
	sndUna    Seq
	sndNxt    Seq
	sndMax    Seq
	sndWl1    Seq
	sndWl2    Seq
	sndWnd    int // peer's window, scaled
	maxSndWnd int // largest window the peer has offered (RFC 5961 §5.2)
	snd       sendBuffer
	blackhole blackholeState
	pmtuMSS   int32 // MSS allowed by path MTU discovery; 0: not limited
	sndMSS    int32 // sender MSS from the peer's SYN, before options
	// finQueued is set once the user closed the sending direction: a FIN
	// follows the last buffered byte, at sequence number snd.end().
	finQueued bool
	sndPinned bool // SetSendBufSize was called: no send-buffer tuning
	// corked holds partial segments back (SetCork); corkFlush lets one
	// out after corkCeiling.
	corked, corkFlush bool

	// Receive sequence space.
	irs       Seq
	rcvNxt    Seq
	rcvAdv    Seq // right edge of the window last advertised
	oooFinSeq Seq // where an out-of-order FIN is, if oooFin
	rcv       recvBuffer
	// dsack is a duplicate range the next ACK reports (RFC 2883).
	dsack seqRange
	// finRcvd is set once the peer's FIN has been consumed (RCV.NXT is past
	// it): Read returns io.EOF once the buffer is drained.
	finRcvd bool
	dsackOn bool
	oooFin  bool // a FIN arrived out of order, at oooFinSeq

	// Negotiated options (RFC 7323, RFC 2018).
	wsOK      bool
	sndWscale uint8 // shift applied to windows the peer sends
	rcvWscale uint8 // shift applied to windows we send
	sackOK    bool
	tsOK      bool
	// synOpt is what the peer's SYN offered, kept to build our SYN-ACK.
	synOpt   synOptions
	tsRecent uint32 // TS.Recent (RFC 7323 §4.3)
	tsOffset uint32
	// lastAckSent is Last.ACK.sent of RFC 7323 §4.3: the ACK field of the
	// last segment we sent.
	lastAckSent Seq
	tsRecentT   mono // when TS.Recent was set (RFC 7323 §5.5)

	// base is the connection's clock origin: timers, send records and
	// every other instant the connection keeps are offsets from it.
	base               time.Time
	lastSend, lastRecv mono

	// Timers as data, as instants after base: zero means "not armed".
	// reclaimAt frees the ring storage of an idle connection.
	rtoAt, ackAt, probeAt, keepaliveAt, timeWaitAt, reclaimAt mono

	rtt     rttEstimator
	lastRTT time.Duration // the RTT sample of the ACK being processed
	// The handshake's RTT is timed from the SYN (Karn's algorithm: not
	// when it was retransmitted); data segments are timed from their send
	// records.
	timedAt mono
	// retransStamp is when the data being retransmitted was first sent
	// (the SYN: when it was first sent), the origin of the user timeout
	// (Linux's retrans_stamp). Zero when nothing is being retransmitted.
	retransStamp mono
	timedSeq     Seq
	retries      int32 // consecutive timeouts of the same data
	timing       bool

	// Pending output.
	ackNow     bool  // an ACK must go out now
	rstPending bool  // rst must go out
	probeNow   bool  // send a zero-window or keepalive probe
	ackPending int32 // received in-order bytes not yet acknowledged
	rcvMSS     int32 // largest segment received: "full-sized" for delayed ACKs
	rst        rstSegment

	probeBackoff int32 // persist timer exponent
	probesOut    int32 // window probes sent since the peer last answered

	kaIdle     time.Duration
	kaInterval time.Duration
	kaCount    int32
	kaProbes   int32

	// challenge ACK rate limit (RFC 5961 §7)
	chalStart mono
	// lastOOWAck rate-limits ACKs for unacceptable bare segments.
	lastOOWAck mono
	chalCount  int32
	keepAlive  bool

	cc   cc.Controller
	loss lossRecovery

	err     error // sticky error
	softErr error // last ICMP soft error, reported on timeout

	stats Counters

	rcvTune rcvTuner
}

// synOptions records the options of the peer's SYN.
type synOptions struct {
	ws            bool
	sackPermitted bool
	ts            bool
}

// NewConn returns a connection in state CLOSED configured by cfg. Call
// Connect for an active open, or Listen (then SetISS and Input with the
// SYN) for a passive one.
func NewConn(cfg Config) *Conn {
	cfg.fill()
	c := &Conn{cfg: cfg.conn()}
	c.snd.max = cfg.SendBufSize
	c.rcv.max = cfg.RecvBufSize
	c.rtt.init(&cfg)
	c.keepAlive = cfg.KeepAlive
	c.kaIdle, c.kaInterval, c.kaCount = cfg.KeepAliveIdle, cfg.KeepAliveInterval, int32(min(cfg.KeepAliveCount, 1<<30))
	c.rcvMSS = defaultPeerMSS
	c.loss.rack.init()
	return c
}

// SetISS sets our initial sequence number. The stack calls it on a
// listening Conn before handing it the SYN; Connect calls it itself.
func (c *Conn) SetISS(iss Seq) {
	c.iss = iss
	c.sndUna, c.sndNxt, c.sndMax = iss, iss, iss
	c.snd.seq = iss.Add(1)
	c.loss.retxHint = iss.Add(1)
	c.loss.rack.hint = iss.Add(1)
}

// SetTSOffset sets the offset added to our timestamp clock (RFC 7323 §5.4);
// see ISNGenerator.TSOffset. Call it before the handshake.
func (c *Conn) SetTSOffset(off uint32) { c.tsOffset = off }

// Connect starts an active open (RFC 9293 §3.10.1): the connection moves to
// SYN-SENT and the SYN is ready for Output.
func (c *Conn) Connect(now time.Time, iss Seq) {
	if c.state != Closed {
		return
	}
	c.SetISS(iss)
	c.state = SynSent
	c.base = now
	c.lastRecv = c.mono(now)
}

// Listen puts a fresh connection in LISTEN (RFC 9293 §3.10.1). The stack
// makes one Conn per arriving SYN: Listen, SetISS, then Input(SYN).
func (c *Conn) Listen() {
	if c.state == Closed {
		c.state = Listen
		c.passive = true
	}
}

// State returns the connection's state.
func (c *Conn) State() State { return c.state }

// Established reports whether the handshake has completed and the
// connection has not been fully closed or reset.
func (c *Conn) Established() bool { return c.state.synchronized() && c.state != TimeWait }

// Done reports whether the connection is finished, including TIME-WAIT,
// and has nothing left to send: the stack may forget it.
func (c *Conn) Done() bool { return c.state == Closed && !c.rstPending }

// Err returns the connection's sticky error: syscall.ECONNRESET,
// ECONNREFUSED, ETIMEDOUT, or an error given to SoftError. It is nil while
// the connection is healthy.
func (c *Conn) Err() error { return c.err }

// SoftError reports an ICMP error for the connection (RFC 9293 §3.9.2.2,
// RFC 1122 §4.2.3.9). In SYN-SENT it fails the connection with err: the
// stack passes only the errors it judges hard there, such as ECONNREFUSED
// for port unreachable. In other states it is remembered, as Linux's
// sk_err_soft, and reported instead of ETIMEDOUT if the connection later
// times out.
func (c *Conn) SoftError(err error) {
	if err == nil {
		return
	}
	if c.state == SynSent {
		c.fail(err)
		return
	}
	c.softErr = err
}

// smss is the sender maximum segment size used for congestion control:
// the peer's MSS, capped by ours, less the timestamps option that every
// segment carries once negotiated.
func (c *Conn) smss() int {
	m := c.pathMSS()
	if c.tsOK {
		m -= tsOptLen
	}
	return m
}

// enterTimeWait moves to TIME-WAIT and arms its 2*MSL timer (RFC 9293
// §3.10.7.4); every other timer stops.
func (c *Conn) enterTimeWait(now time.Time) {
	c.state = TimeWait
	c.rtoAt, c.probeAt, c.keepaliveAt = 0, 0, 0
	c.loss.tlp.at, c.loss.rack.reorderAt = 0, 0
	c.loss.recs.reset()
	c.timeWaitAt = c.at(now, c.cfg.TimeWait)
	c.snd.r.release()
}

// close moves to CLOSED and releases everything.
func (c *Conn) close() {
	if c.state != Closed {
		c.events |= EventClosed | EventReadable | EventWritable
	}
	c.state = Closed
	c.rtoAt, c.ackAt, c.probeAt, c.keepaliveAt, c.timeWaitAt = 0, 0, 0, 0, 0
	c.reclaimAt = 0
	c.ackNow, c.probeNow = false, false
	c.loss.tlp.at, c.loss.rack.reorderAt = 0, 0
	c.loss.recs.reset()
	c.snd.r.release()
	c.snd.n = 0
	if c.rcv.n == 0 {
		c.rcv.reset()
	}
}

// fail ends the connection with err, discarding buffered data (RFC 9293
// §3.10.7.4: on reset "all segment queues should be flushed").
func (c *Conn) fail(err error) {
	if c.err == nil {
		c.err = err
	}
	c.events |= EventReadable | EventWritable
	c.rcv.reset()
	c.close()
}

// queueRST arranges for a RST (with ACK when ack is set) to go out.
func (c *Conn) queueRST(seq Seq, ack Seq, withAck bool) {
	c.rstPending = true
	c.rst = rstSegment{seq: seq, flags: rstFlag}
	if withAck {
		c.rst.ack = ack
		c.rst.flags |= ackFlag
	}
}
