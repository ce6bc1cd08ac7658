package netstack

import (
	"net/netip"
	"time"

	"github.com/renet-go/renet/netstack/tcp"
)

// The TCPSocket methods user goroutines call (package conn wraps them):
// each takes the stack lock, acts on the TCB, sends what that produced,
// and returns without blocking.

// do runs f on sk's TCB under the stack lock, then sends what it produced.
func (sk *TCPSocket) do(f func(c *tcp.Conn)) {
	s := sk.s
	s.mu.Lock()
	now := time.Now()
	f(sk.tcb)
	if !sk.removed {
		s.tcpUpdate(now, sk)
	}
	s.armTimer(now)
	s.mu.Unlock()
	s.flush()
}

// TryRead moves received data into p. It returns ErrWouldBlock when
// nothing is available yet, io.EOF after the peer's FIN, or the
// connection's error.
func (sk *TCPSocket) TryRead(p []byte) (int, error) {
	s := sk.s
	s.mu.Lock()
	n, err := sk.tcb.Read(p)
	if n == 0 && err == nil {
		s.mu.Unlock()
		if len(p) == 0 {
			return 0, nil
		}
		return 0, ErrWouldBlock
	}
	now := time.Now()
	if !sk.removed {
		s.tcpUpdate(now, sk) // a window update may be due
	}
	s.armTimer(now)
	s.mu.Unlock()
	s.flush()
	return n, err
}

// TryWrite copies as much of p into the send buffer as fits and sends what
// the window allows. ErrWouldBlock means the buffer is full.
func (sk *TCPSocket) TryWrite(p []byte) (int, error) {
	var n int
	var err error
	sk.do(func(c *tcp.Conn) { n, err = c.Write(p) })
	if n == 0 && err == nil && len(p) > 0 {
		return 0, ErrWouldBlock
	}
	return n, err
}

// Readable returns the channel that receives a token when TryRead may make
// progress.
func (sk *TCPSocket) Readable() <-chan struct{} { return sk.waitChan(&sk.readable) }

// Writable returns the channel that receives a token when TryWrite may
// make progress or the connection's state changed.
func (sk *TCPSocket) Writable() <-chan struct{} { return sk.waitChan(&sk.writable) }

// waitChan returns *ch, making it on first use. A new channel starts with
// a token: a wake-up may have been due while there was no channel to
// carry it, and a spurious one only makes the waiter try again.
func (sk *TCPSocket) waitChan(ch *chan struct{}) <-chan struct{} {
	sk.s.mu.Lock()
	defer sk.s.mu.Unlock()
	if *ch == nil {
		*ch = make(chan struct{}, 1)
		(*ch) <- struct{}{}
	}
	return *ch
}

// State is the TCB's state.
func (sk *TCPSocket) State() tcp.State {
	sk.s.mu.Lock()
	defer sk.s.mu.Unlock()
	return sk.state()
}

// state is the TCB's state, or TIME-WAIT while the stack holds the
// connection's TIME-WAIT record (the TCB itself was closed when the record
// was taken). Called with s.mu held.
func (sk *TCPSocket) state() tcp.State {
	st := sk.tcb.State()
	if st == tcp.Closed && sk.tcb.Connected() && sk.s.tcp.tw.m[sk.id] != nil {
		return tcp.TimeWait
	}
	return st
}

// Connected reports whether the handshake completed (by any path,
// simultaneous open included); it stays true after the connection ends.
func (sk *TCPSocket) Connected() bool {
	sk.s.mu.Lock()
	defer sk.s.mu.Unlock()
	return sk.tcb.Connected()
}

// Closed reports whether the connection has ended, normally or with Err.
func (sk *TCPSocket) Closed() bool {
	sk.s.mu.Lock()
	defer sk.s.mu.Unlock()
	return sk.closed
}

// Err is the connection's error, if it failed.
func (sk *TCPSocket) Err() error {
	sk.s.mu.Lock()
	defer sk.s.mu.Unlock()
	return sk.tcb.Err()
}

// LocalAddr and RemoteAddr are the connection's ends.
func (sk *TCPSocket) LocalAddr() netip.AddrPort  { return sk.id.local }
func (sk *TCPSocket) RemoteAddr() netip.AddrPort { return sk.id.remote }

// CloseWrite sends a FIN after the data already written (half-close).
func (sk *TCPSocket) CloseWrite() { sk.do(func(c *tcp.Conn) { c.CloseWrite() }) }

// Close closes both directions: a FIN after queued data, or a reset when
// received data was left unread (as Linux does). The connection finishes
// its closing handshake in the background.
func (sk *TCPSocket) Close() { sk.do(func(c *tcp.Conn) { c.Close() }) }

// Abort resets the connection at once (SO_LINGER with a zero timeout).
func (sk *TCPSocket) Abort() { sk.do(func(c *tcp.Conn) { c.Abort() }) }

// SetCongestionControl switches the connection's congestion control
// ("cubic" or "reno"), as Linux's TCP_CONGESTION.
func (sk *TCPSocket) SetCongestionControl(name string) error {
	var err error
	sk.do(func(c *tcp.Conn) { err = c.SetCongestionControl(name) })
	return err
}

// SetUserTimeout sets how long transmitted data may stay unacknowledged,
// or a zero window stay closed with probes unanswered, before the
// connection fails with ETIMEDOUT (RFC 5482; Linux's TCP_USER_TIMEOUT).
// Zero turns it off.
func (sk *TCPSocket) SetUserTimeout(d time.Duration) {
	sk.do(func(c *tcp.Conn) { c.SetUserTimeout(d) })
}

// SetLinger2 sets how long a closed connection waits in FIN-WAIT-2 for the
// peer's FIN (Linux's TCP_LINGER2): zero is the default (60s), negative
// resets instead of waiting.
func (sk *TCPSocket) SetLinger2(d time.Duration) { sk.do(func(c *tcp.Conn) { c.SetLinger2(d) }) }

// SetCork holds partial segments back while on (Linux's TCP_CORK): only
// full-sized segments leave, until uncorked or for at most 200ms.
func (sk *TCPSocket) SetCork(on bool) { sk.do(func(c *tcp.Conn) { c.SetCork(on) }) }

// SetPathMTUDiscovery turns path MTU discovery on (the default) or off
// (Linux's IP_MTU_DISCOVER with IP_PMTUDISC_DONT): off, segments go without
// DF and ICMP "fragmentation needed" no longer lowers the MSS.
func (sk *TCPSocket) SetPathMTUDiscovery(on bool) {
	sk.do(func(c *tcp.Conn) { c.SetPathMTUDiscovery(on) })
}

// SetNoDelay turns Nagle's algorithm off (true) or on (false).
func (sk *TCPSocket) SetNoDelay(on bool) { sk.do(func(c *tcp.Conn) { c.SetNoDelay(on) }) }

// SetKeepAlive configures keepalive probes; zero values keep the current
// ones.
func (sk *TCPSocket) SetKeepAlive(on bool, idle, interval time.Duration, count int) {
	sk.do(func(c *tcp.Conn) { c.SetKeepAlive(on, idle, interval, count) })
}

// SetReadBuffer and SetWriteBuffer resize the receive and send buffers.
func (sk *TCPSocket) SetReadBuffer(n int)  { sk.do(func(c *tcp.Conn) { c.SetRecvBufSize(n) }) }
func (sk *TCPSocket) SetWriteBuffer(n int) { sk.do(func(c *tcp.Conn) { c.SetSendBufSize(n) }) }

// Info returns a snapshot of the connection, like Linux's TCP_INFO.
func (sk *TCPSocket) Info() tcp.Info {
	sk.s.mu.Lock()
	defer sk.s.mu.Unlock()
	in := sk.tcb.Info()
	in.State = sk.state()
	return in
}
