package tcp

import (
	"io"
	"time"

	"github.com/renet-go/renet/netstack/tcp/cc"
)

// Write copies as much of p as fits into the send buffer and returns how
// much that was. It never blocks: (0, nil) means the buffer is full. Data
// written before the handshake completes is sent after it. After
// CloseWrite or Close it fails with EPIPE; after a reset or timeout it
// returns the connection's error.
func (c *Conn) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	if c.finQueued || c.userClose {
		return 0, errPipe
	}
	switch c.state {
	case SynSent, SynReceived, Established, CloseWait:
	default:
		return 0, errNotConn
	}
	return c.snd.write(p), nil
}

// Read moves received in-order data into p. It never blocks: (0, nil)
// means nothing is available yet. After the peer's FIN and the data before
// it have been read it returns io.EOF; after a reset or timeout, the
// connection's error. Reading opens the receive window; a window update is
// queued for Output when the window grows by at least min(MSS, half the
// buffer) (receiver SWS avoidance, RFC 9293 §3.8.6.2.2).
func (c *Conn) Read(p []byte) (int, error) {
	if n := c.rcv.read(p); n > 0 {
		c.rcvTune.read += uint64(n)
		c.maybeWindowUpdate()
		return n, nil
	}
	switch {
	case c.err != nil:
		return 0, c.err
	case c.finRcvd:
		return 0, io.EOF
	case c.state == Closed || c.state == Listen:
		return 0, errNotConn
	}
	return 0, nil
}

// maybeWindowUpdate queues a window update when the receive window can
// move forward by a worthwhile step.
func (c *Conn) maybeWindowUpdate() {
	if c.finRcvd || !c.state.synchronized() || c.state == TimeWait {
		return
	}
	free := min(c.rcv.free(), 0xffff<<c.rcvWscale)
	if c.rcvNxt.Add(free).Sub(c.rcvAdv) >= c.windowStep() {
		c.ackNow = true
	}
}

// Readable reports whether Read would return without blocking: data, EOF
// or an error is pending.
func (c *Conn) Readable() bool {
	return c.rcv.n > 0 || c.finRcvd || c.err != nil || c.state == Closed
}

// Writable reports whether Write would return without blocking: there is
// room in the send buffer, or Write would fail.
func (c *Conn) Writable() bool {
	if c.err != nil || c.finQueued || c.userClose {
		return true
	}
	switch c.state {
	case SynSent, SynReceived, Established, CloseWait:
		return c.snd.free() > 0
	}
	return true
}

// CloseWrite closes the sending direction (RFC 9293 §3.10.4 CLOSE, used as
// a half-close): a FIN follows the data already written. Reading goes on
// until the peer's FIN.
func (c *Conn) CloseWrite() {
	if c.finQueued {
		return
	}
	c.events |= EventWritable // a blocked Write now fails with EPIPE
	switch c.state {
	case SynSent, SynReceived:
		c.finQueued = true // sent once the handshake completes
	case Established:
		c.finQueued = true
		c.state = FinWait1
	case CloseWait:
		c.finQueued = true
		c.state = LastAck
	}
}

// Close closes the connection in both directions. If received data is
// still unread the connection is reset, as Linux does (RFC 2525 §2.17), so
// the peer learns its data was not consumed; otherwise a FIN is sent after
// the queued data. Data arriving after Close also resets the connection.
func (c *Conn) Close() {
	c.userClose = true
	c.events |= EventWritable | EventReadable
	switch c.state {
	case Closed:
		return
	case Listen, SynSent:
		c.close()
		return
	}
	if c.rcv.n > 0 || (c.state == FinWait2 && c.cfg.Linger2MS < 0) {
		c.Abort()
		return
	}
	c.CloseWrite()
}

// maxLinger2 caps SetLinger2, as Linux's TCP_FIN_TIMEOUT_MAX.
const maxLinger2 = 120 * time.Second

// SetLinger2 sets how long the connection, once closed by Close and its
// FIN acknowledged, waits in FIN-WAIT-2 for the peer's FIN before it is
// dropped, as Linux's TCP_LINGER2: zero restores the default
// (Config.TimeWait, Linux's tcp_fin_timeout), values above two minutes
// are capped, and a negative value skips FIN-WAIT-2: the connection is
// reset (a RST answers the ACK of our FIN, or goes out at once if Close
// comes in FIN-WAIT-2) and closed, as Linux does with linger2 < 0.
// It applies from the next entry into FIN-WAIT-2.
func (c *Conn) SetLinger2(d time.Duration) {
	switch {
	case d < 0:
		c.cfg.Linger2MS = -1
	default:
		c.cfg.Linger2MS = millis(min(d, maxLinger2))
	}
}

// finWait2Timeout is how long an orphan waits in FIN-WAIT-2.
func (c *Conn) finWait2Timeout() time.Duration {
	if c.cfg.Linger2MS > 0 {
		return time.Duration(c.cfg.Linger2MS) * time.Millisecond
	}
	return c.cfg.TimeWait
}

// Abort resets the connection (RFC 9293 §3.10.5 ABORT, SO_LINGER 0): a RST
// is queued if the peer knows of the connection, buffers are discarded,
// and the state becomes CLOSED.
func (c *Conn) Abort() {
	c.userClose = true
	switch c.state {
	case SynReceived, Established, FinWait1, FinWait2, CloseWait:
		c.queueRST(c.sndMax, c.rcvNxt, true)
	}
	c.rcv.reset()
	c.close()
}

// SetNoDelay turns Nagle's algorithm off (true) or on (false), like
// TCP_NODELAY.
func (c *Conn) SetNoDelay(noDelay bool) { c.cfg.Nagle = !noDelay }

// SetKeepAlive turns keepalive probes on or off. Zero durations and counts
// keep the current values.
func (c *Conn) SetKeepAlive(on bool, idle, interval time.Duration, count int) {
	c.keepAlive = on
	if idle > 0 {
		c.kaIdle = idle
	}
	if interval > 0 {
		c.kaInterval = interval
	}
	if count > 0 {
		c.kaCount = int32(min(count, 1<<30))
	}
	c.keepaliveAt = 0
	if on && c.lastRecv.set() && (c.state == Established || c.state == CloseWait) {
		c.keepaliveAt = c.mono(c.time(c.lastRecv).Add(c.kaIdle))
	}
}

// SetRecvBufSize pins the receive buffer size and turns its autotuning
// off, as SO_RCVBUF does on Linux. Before the SYN is sent it also decides
// the window scale; afterwards the window can grow only up to what the
// negotiated scale expresses. Shrinking it on a live connection never
// moves back the right edge of the window already advertised (RFC 9293
// §3.8.6.2.2, RFC 7323 §2.4): the window stops growing until the buffer
// has room again, and data that arrives inside the old window but beyond
// the new buffer is dropped and answered with an ACK.
func (c *Conn) SetRecvBufSize(n int) {
	c.rcv.max = max(n, minBufSize)
	c.rcvTune.pinned = true
	c.maybeWindowUpdate()
}

// SetSendBufSize pins the send buffer size and turns its autotuning off,
// as SO_SNDBUF does on Linux. Shrinking it below what is buffered only
// delays further writes.
func (c *Conn) SetSendBufSize(n int) {
	c.snd.max = max(n, minBufSize)
	c.sndPinned = true
	c.events |= EventWritable
}

// SetCongestionControl switches the connection's congestion control
// algorithm, as Linux's TCP_CONGESTION: "cubic" or "reno". An established
// connection's new controller starts from the current window.
func (c *Conn) SetCongestionControl(name string) error {
	if _, err := cc.New(name, DefaultMSS); err != nil {
		return err
	}
	c.cfg.Congestion, c.cfg.CongestionControl = nil, name
	if c.cc != nil {
		cwnd := c.cc.Window()
		c.cc = c.cfg.newController(c.smss())
		c.cc.SetWindow(cwnd)
	}
	return nil
}

// Unsent returns the bytes written and not yet sent once: what the next
// Output calls may send as new data, windows permitting.
func (c *Conn) Unsent() int { return max(c.snd.end().Sub(c.sndMax), 0) }

// HasUnsent reports whether data or a FIN waits to be sent for the first
// time.
func (c *Conn) HasUnsent() bool {
	return c.Unsent() > 0 || c.finQueued && c.sndMax.LessEq(c.snd.end())
}
