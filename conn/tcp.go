package conn

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"time"

	"github.com/renet-go/renet/netstack"
	"github.com/renet-go/renet/netstack/tcp"
)

// defaultKeepAlive is net.Dialer's default keep-alive period.
const defaultKeepAlive = 15 * time.Second

// TCPConn is a TCP connection on a renet stack, with the methods of
// *net.TCPConn.
type TCPConn struct {
	stack  *netstack.Stack
	sk     *netstack.TCPSocket
	dual   bool // accepted on a listener bound to ::
	laddr  *net.TCPAddr
	raddr  *net.TCPAddr
	rd, wd deadline

	closeOnce sync.Once
	closed    chan struct{}

	readClosed chan struct{} // closed by CloseRead
	readOnce   sync.Once

	mu     sync.Mutex // guards linger
	linger int        // seconds; negative: the default graceful close
}

var _ net.Conn = (*TCPConn)(nil)

// newTCPConn wraps sk; dual says it came from a dual-stack listener (bound
// to ::), whose IPv4 connections show IPv4-mapped addresses (see
// presented).
func newTCPConn(s *netstack.Stack, sk *netstack.TCPSocket, dual bool) *TCPConn {
	return &TCPConn{
		stack:      s,
		sk:         sk,
		dual:       dual,
		laddr:      net.TCPAddrFromAddrPort(presented(sk.LocalAddr(), dual)),
		raddr:      net.TCPAddrFromAddrPort(presented(sk.RemoteAddr(), dual)),
		rd:         newDeadline(),
		wd:         newDeadline(),
		closed:     make(chan struct{}),
		readClosed: make(chan struct{}),
		linger:     -1,
	}
}

func (c *TCPConn) opErr(op string, err error) error {
	return opError(op, "tcp", c.laddr, c.raddr, err)
}

// Read reads data from the connection. It returns io.EOF once the peer has
// closed its side and everything before the FIN has been read.
func (c *TCPConn) Read(b []byte) (int, error) {
	if isClosed(c.closed) {
		return 0, c.opErr("read", net.ErrClosed)
	}
	if isClosed(c.readClosed) {
		return 0, io.EOF
	}
	// A deadline already past wins over buffered data, as in net: setting
	// one is how callers (net/http among them) interrupt reads.
	if isClosed(c.rd.wait()) {
		return 0, c.opErr("read", errDeadline)
	}
	for {
		n, err := c.sk.TryRead(b)
		if !errors.Is(err, netstack.ErrWouldBlock) {
			if err == io.EOF {
				return n, io.EOF
			}
			if err != nil {
				return n, c.opErr("read", c.mapErr(err))
			}
			return n, nil
		}
		select {
		case <-c.sk.Readable():
		case <-c.rd.wait():
			return 0, c.opErr("read", errDeadline)
		case <-c.closed:
			return 0, c.opErr("read", net.ErrClosed)
		case <-c.readClosed:
			return 0, io.EOF
		case <-c.stack.Done():
			return 0, c.opErr("read", net.ErrClosed)
		}
	}
}

// Write writes all of b, blocking while the send buffer is full. On error
// it returns how much was written.
func (c *TCPConn) Write(b []byte) (int, error) {
	if isClosed(c.closed) {
		return 0, c.opErr("write", net.ErrClosed)
	}
	written := 0
	for {
		if isClosed(c.wd.wait()) {
			return written, c.opErr("write", errDeadline)
		}
		n, err := c.sk.TryWrite(b[written:])
		written += n
		if err != nil && !errors.Is(err, netstack.ErrWouldBlock) {
			return written, c.opErr("write", c.mapErr(err))
		}
		if written == len(b) {
			return written, nil
		}
		if n > 0 {
			continue
		}
		select {
		case <-c.sk.Writable():
		case <-c.wd.wait():
			return written, c.opErr("write", errDeadline)
		case <-c.closed:
			return written, c.opErr("write", net.ErrClosed)
		case <-c.stack.Done():
			return written, c.opErr("write", net.ErrClosed)
		}
	}
}

// mapErr turns what the TCB reports into what net users expect: once the
// conn or the stack is closed, whatever the TCB says (EPIPE, ENOTCONN,
// ECONNRESET from our own close) is net.ErrClosed, as net reports for a
// call racing Close.
func (c *TCPConn) mapErr(err error) error {
	if isClosed(c.closed) || isClosed(c.stack.Done()) {
		return net.ErrClosed
	}
	return err
}

// Close closes the connection. Unread received data makes it a reset, as
// on Linux; SetLinger(0) makes it a reset always.
func (c *TCPConn) Close() error {
	err := c.opErr("close", net.ErrClosed)
	c.closeOnce.Do(func() {
		err = nil
		close(c.closed)
		c.mu.Lock()
		linger := c.linger
		c.mu.Unlock()
		if linger == 0 {
			c.sk.Abort()
		} else {
			c.sk.Close()
		}
	})
	return err
}

// CloseWrite shuts down the writing side: a FIN follows the data already
// written, and the peer reads io.EOF. Reading goes on.
func (c *TCPConn) CloseWrite() error {
	if isClosed(c.closed) {
		return c.opErr("close", net.ErrClosed)
	}
	c.sk.CloseWrite()
	return nil
}

// CloseRead shuts down the reading side: further Reads return io.EOF.
// Nothing is sent, as with shutdown(SHUT_RD) on Linux.
func (c *TCPConn) CloseRead() error {
	if isClosed(c.closed) {
		return c.opErr("close", net.ErrClosed)
	}
	c.readOnce.Do(func() { close(c.readClosed) })
	return nil
}

// LocalAddr returns the local address as a *net.TCPAddr.
func (c *TCPConn) LocalAddr() net.Addr { return c.laddr }

// RemoteAddr returns the peer's address as a *net.TCPAddr.
func (c *TCPConn) RemoteAddr() net.Addr { return c.raddr }

// LocalAddrPort and RemoteAddrPort are the netip forms of the addresses,
// the AddrPort of LocalAddr and RemoteAddr: IPv4-mapped for an IPv4
// connection accepted on a dual-stack listener, as Go's are.
func (c *TCPConn) LocalAddrPort() netip.AddrPort  { return presented(c.sk.LocalAddr(), c.dual) }
func (c *TCPConn) RemoteAddrPort() netip.AddrPort { return presented(c.sk.RemoteAddr(), c.dual) }

// SetDeadline sets the read and write deadlines.
func (c *TCPConn) SetDeadline(t time.Time) error {
	if isClosed(c.closed) {
		return c.opErr("set", net.ErrClosed)
	}
	c.rd.set(t)
	c.wd.set(t)
	return nil
}

// SetReadDeadline sets the read deadline; it wakes a blocked Read.
func (c *TCPConn) SetReadDeadline(t time.Time) error {
	if isClosed(c.closed) {
		return c.opErr("set", net.ErrClosed)
	}
	c.rd.set(t)
	return nil
}

// SetWriteDeadline sets the write deadline; it wakes a blocked Write.
func (c *TCPConn) SetWriteDeadline(t time.Time) error {
	if isClosed(c.closed) {
		return c.opErr("set", net.ErrClosed)
	}
	c.wd.set(t)
	return nil
}

// SetNoDelay controls Nagle's algorithm: true (the default, as in Go's
// net) sends small writes at once.
func (c *TCPConn) SetNoDelay(noDelay bool) error {
	c.sk.SetNoDelay(noDelay)
	return nil
}

// SetCongestionControl chooses the connection's congestion control
// algorithm, as Linux's TCP_CONGESTION socket option: "cubic" (the
// default) or "reno". An unknown name gives an error and changes nothing.
func (c *TCPConn) SetCongestionControl(name string) error {
	if err := c.sk.SetCongestionControl(name); err != nil {
		return c.opErr("set", err)
	}
	return nil
}

// SetKeepAlive turns keep-alive probes on or off.
func (c *TCPConn) SetKeepAlive(on bool) error {
	c.sk.SetKeepAlive(on, 0, 0, 0)
	return nil
}

// SetKeepAlivePeriod sets the idle time before probes and the interval
// between them, as net.TCPConn does.
func (c *TCPConn) SetKeepAlivePeriod(d time.Duration) error {
	if d <= 0 {
		return c.opErr("set", syscall.EINVAL)
	}
	c.sk.SetKeepAlive(true, d, d, 0)
	return nil
}

// SetKeepAliveConfig applies a net.KeepAliveConfig.
func (c *TCPConn) SetKeepAliveConfig(cfg net.KeepAliveConfig) error {
	c.sk.SetKeepAlive(cfg.Enable, max(cfg.Idle, 0), max(cfg.Interval, 0), max(cfg.Count, 0))
	return nil
}

// SetLinger sets what Close does with unsent data: a negative value (the
// default) closes gracefully in the background; zero resets the connection
// at once; a positive value is treated as the default.
func (c *TCPConn) SetLinger(sec int) error {
	c.mu.Lock()
	c.linger = sec
	c.mu.Unlock()
	return nil
}

// SetReadBuffer sets the receive buffer size, which bounds the window.
func (c *TCPConn) SetReadBuffer(bytes int) error {
	if bytes <= 0 {
		return c.opErr("set", syscall.EINVAL)
	}
	c.sk.SetReadBuffer(bytes)
	return nil
}

// SetWriteBuffer sets the send buffer size.
func (c *TCPConn) SetWriteBuffer(bytes int) error {
	if bytes <= 0 {
		return c.opErr("set", syscall.EINVAL)
	}
	c.sk.SetWriteBuffer(bytes)
	return nil
}

// SetUserTimeout sets how long written data may stay unacknowledged (or
// the peer's window stay shut with probes unanswered) before the
// connection fails with ETIMEDOUT: Linux's TCP_USER_TIMEOUT (RFC 5482),
// which gRPC sets. Zero turns it off; the stack default is
// tcp.Config.UserTimeout.
func (c *TCPConn) SetUserTimeout(d time.Duration) error {
	if d < 0 {
		return c.opErr("set", syscall.EINVAL)
	}
	c.sk.SetUserTimeout(d)
	return nil
}

// SetLinger2 sets how long the connection, once closed, waits in
// FIN-WAIT-2 for the peer's FIN (Linux's TCP_LINGER2): zero means the
// default of 60s, negative resets the connection instead of waiting.
func (c *TCPConn) SetLinger2(d time.Duration) error {
	c.sk.SetLinger2(d)
	return nil
}

// SetCork holds back partial segments while on (Linux's TCP_CORK): only
// full-sized segments leave; turning it off, or 200ms, sends the rest.
// Useful to send a header and a body written separately in full segments.
func (c *TCPConn) SetCork(on bool) error {
	c.sk.SetCork(on)
	return nil
}

// SetPathMTUDiscovery turns path MTU discovery off (Linux's IP_MTU_DISCOVER
// with IP_PMTUDISC_DONT) or back on: off, segments are sent without DF, so
// routers may fragment them.
func (c *TCPConn) SetPathMTUDiscovery(on bool) error {
	c.sk.SetPathMTUDiscovery(on)
	return nil
}

// Info returns a snapshot of the connection, like Linux's TCP_INFO: state,
// RTT, congestion window, buffer sizes, retransmissions and more.
func (c *TCPConn) Info() tcp.Info { return c.sk.Info() }

// copyBufs holds the buffers ReadFrom and WriteTo move data through, so
// io.Copy over a TCPConn does not allocate one per call.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// ReadFrom copies from r to the connection until EOF; io.Copy uses it.
func (c *TCPConn) ReadFrom(r io.Reader) (int64, error) {
	bp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bp)
	buf := *bp
	var total int64
	for {
		n, rerr := r.Read(buf)
		if n > 0 {
			w, err := c.Write(buf[:n])
			total += int64(w)
			if err != nil {
				return total, err
			}
		}
		if rerr == io.EOF {
			return total, nil
		}
		if rerr != nil {
			return total, rerr
		}
	}
}

// WriteTo copies from the connection to w until EOF; io.Copy uses it.
func (c *TCPConn) WriteTo(w io.Writer) (int64, error) {
	bp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bp)
	buf := *bp
	var total int64
	for {
		n, rerr := c.Read(buf)
		if n > 0 {
			m, err := w.Write(buf[:n])
			total += int64(m)
			if err != nil {
				return total, err
			}
			if m < n {
				return total, io.ErrShortWrite
			}
		}
		if rerr == io.EOF {
			return total, nil
		}
		if rerr != nil {
			return total, rerr
		}
	}
}

// TCPListener is a TCP listener on a renet stack, with the methods of
// *net.TCPListener.
type TCPListener struct {
	stack     *netstack.Stack
	l         *netstack.TCPListener
	addr      *net.TCPAddr
	network   string        // "tcp", "tcp4" or "tcp6", for errors
	dual      bool          // bound to ::: IPv4 peers show IPv4-mapped
	keepAlive time.Duration // for accepted connections; negative: off
	dl        deadline
	closed    chan struct{}
	once      sync.Once
}

var _ net.Listener = (*TCPListener)(nil)

// Listen announces on a local TCP address ("tcp", "tcp4" or "tcp6"), e.g.
// ":80", with the stack's default backlog (4096, as Go's net.Listen gets
// from somaxconn). The result is a *TCPListener. ListenConfig sets the
// backlog. On a stack with IPv6, ":80" listens on both families; see
// ListenConfig.Listen.
func Listen(s *netstack.Stack, network, address string) (net.Listener, error) {
	lc := ListenConfig{Stack: s}
	return lc.Listen(context.Background(), network, address)
}

// ListenTCP is Listen with a typed address and result. The address is
// bound as it is: 0.0.0.0 takes IPv4 only, :: both families.
func ListenTCP(s *netstack.Stack, laddr netip.AddrPort) (*TCPListener, error) {
	return listenTCP(s, "tcp", laddr, 0, 0)
}

// listenTCP opens a listener; backlog and keepAlive as in ListenConfig.
func listenTCP(s *netstack.Stack, network string, laddr netip.AddrPort, backlog int, keepAlive time.Duration) (*TCPListener, error) {
	// "tcp6" on :: is IPv6 only, as Go sets IPV6_V6ONLY for it.
	l, err := s.ListenTCPWith(laddr, backlog, netstack.BindOptions{V6Only: network == "tcp6"})
	if err != nil {
		return nil, &net.OpError{Op: "listen", Net: network, Addr: net.TCPAddrFromAddrPort(laddr), Err: err}
	}
	if keepAlive == 0 {
		keepAlive = defaultKeepAlive
	}
	return &TCPListener{
		stack:     s,
		l:         l,
		addr:      net.TCPAddrFromAddrPort(l.Addr()),
		network:   network,
		dual:      isDual(l.Addr()),
		keepAlive: keepAlive,
		dl:        newDeadline(),
		closed:    make(chan struct{}),
	}, nil
}

// Accept waits for and returns the next connection.
func (l *TCPListener) Accept() (net.Conn, error) { return l.AcceptTCP() }

// AcceptTCP is Accept returning a *TCPConn.
func (l *TCPListener) AcceptTCP() (*TCPConn, error) {
	for {
		sk, err := l.l.TryAccept()
		if err == nil {
			// net.Listen's default: keep-alive every 15s on accepted
			// connections, so vanished clients do not linger forever.
			if l.keepAlive > 0 {
				sk.SetKeepAlive(true, l.keepAlive, l.keepAlive, 0)
			}
			return newTCPConn(l.stack, sk, l.dual), nil
		}
		if !errors.Is(err, netstack.ErrWouldBlock) {
			return nil, l.opErr(err)
		}
		select {
		case <-l.l.Readable():
		case <-l.dl.wait():
			return nil, l.opErr(errDeadline)
		case <-l.closed:
			return nil, l.opErr(net.ErrClosed)
		case <-l.stack.Done():
			return nil, l.opErr(net.ErrClosed)
		}
	}
}

func (l *TCPListener) opErr(err error) error {
	return &net.OpError{Op: "accept", Net: l.network, Addr: l.addr, Err: err}
}

// Close stops listening; a blocked Accept returns net.ErrClosed, and
// connections not yet accepted are reset.
func (l *TCPListener) Close() error {
	err := error(&net.OpError{Op: "close", Net: l.network, Addr: l.addr, Err: net.ErrClosed})
	l.once.Do(func() {
		err = nil
		close(l.closed)
		l.l.Close()
	})
	return err
}

// Addr returns the listener's address as a *net.TCPAddr.
func (l *TCPListener) Addr() net.Addr { return l.addr }

// SetBacklog changes how many established connections may wait for
// Accept, as a second listen(2) does; see ListenConfig.Backlog.
func (l *TCPListener) SetBacklog(n int) { l.l.SetBacklog(n) }

// Backlog returns the limit of connections waiting for Accept.
func (l *TCPListener) Backlog() int { return l.l.Backlog() }

// SetDeadline sets the deadline for Accept.
func (l *TCPListener) SetDeadline(t time.Time) error {
	l.dl.set(t)
	return nil
}

// awaitHandshake waits until sk is established, and returns nil, or the
// connection's error, the context's (the half-open connection is then
// reset) or net.ErrClosed with the stack. A connection that ended without
// an error of its own reports closedErr.
func awaitHandshake(ctx context.Context, s *netstack.Stack, sk *netstack.TCPSocket, closedErr error) error {
	for {
		if sk.Connected() {
			return nil
		}
		if err := sk.Err(); err != nil {
			sk.Abort()
			return err
		}
		if sk.Closed() {
			// Err again: the connection may have failed between the two
			// looks, and its own error says more.
			if err := sk.Err(); err != nil {
				return err
			}
			return closedErr
		}
		select {
		case <-sk.Writable():
		case <-ctx.Done():
			sk.Abort()
			return ctx.Err()
		case <-s.Done():
			return net.ErrClosed
		}
	}
}

// setKeepAlive applies a Dialer-style keep-alive period to sk: 0 is
// defaultKeepAlive, negative leaves keep-alives off.
func setKeepAlive(sk *netstack.TCPSocket, ka time.Duration) {
	if ka < 0 {
		return
	}
	if ka == 0 {
		ka = defaultKeepAlive
	}
	sk.SetKeepAlive(true, ka, ka, 0)
}

// dialTCP opens a connection and waits for the handshake, the context, or
// a failure.
func (d *Dialer) dialTCP(ctx context.Context, network string, raddr netip.AddrPort) (net.Conn, error) {
	fail := func(err error) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: network, Source: d.LocalAddr, Addr: net.TCPAddrFromAddrPort(raddr), Err: err}
	}
	var local netip.AddrPort
	if d.LocalAddr != nil {
		var ok bool
		if local, ok = addrPortOf(d.LocalAddr); !ok {
			return fail(&net.AddrError{Err: "mismatched local address type", Addr: d.LocalAddr.String()})
		}
	}
	sk, err := d.Stack.DialTCP(local, raddr, nil)
	if err != nil {
		return fail(err)
	}
	if err := awaitHandshake(ctx, d.Stack, sk, syscall.ECONNREFUSED); err != nil {
		return fail(err)
	}
	setKeepAlive(sk, d.KeepAlive)
	return newTCPConn(d.Stack, sk, false), nil
}
