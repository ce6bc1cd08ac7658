package dhcp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/renet-go/renet/conn"
	"github.com/renet-go/renet/netstack"
)

// Ports of RFC 2131 §4.1.
const (
	ServerPort = 67
	ClientPort = 68
)

// Timing defaults and limits.
const (
	// DefaultTimeout is how long Start waits for the first lease.
	DefaultTimeout = 30 * time.Second
	// DefaultRetransmit is the first retransmission interval of RFC 2131
	// §4.1: 4 s, doubling to 64 s, each randomized by ±1 s.
	DefaultRetransmit = 4 * time.Second
	maxRetransmit     = 64 * time.Second
	// RFC 2131 §4.4.5: while renewing or rebinding, wait half the time
	// left, but no less than a minute.
	minRenewRetransmit = 60 * time.Second
	// requestTries is how many DHCPREQUESTs are sent for an offer before
	// the client goes back to discovering (RFC 2131 §4.4.1).
	requestTries = 4
	// releaseWait bounds how long Close keeps the address for a
	// DHCPRELEASE waiting on ARP to leave.
	releaseWait = time.Second
)

var (
	// ErrNoAnswer: no server answered before Start's deadline.
	ErrNoAnswer = errors.New("no answer from any server")
	// ErrNoLease: servers answered, but none granted a lease before
	// Start's deadline.
	ErrNoLease = errors.New("no lease")
	// ErrNAK: a server answered DHCPNAK (Renew's error).
	ErrNAK = errors.New("dhcp: server refused the lease (DHCPNAK)")
)

// Config configures a Client. The zero value is usable.
type Config struct {
	// Hostname, if set, is sent as option 12.
	Hostname string
	// ClientID is option 61 (type byte, then the identifier); nil means
	// type 1 (Ethernet) and the stack's MAC address, as most clients send.
	ClientID []byte
	// Timeout bounds how long Start waits for the first lease (as does
	// Start's context); zero means DefaultTimeout.
	Timeout time.Duration
	// Retransmit is the first retransmission interval; it doubles up to
	// 64 s, and each is randomized by ±1 s (a quarter of it when shorter,
	// for tests). Zero means DefaultRetransmit.
	Retransmit time.Duration
	// Logger, when set, receives a record for each lease taken or
	// renewed (Info), each lease lost and each rebinding (Warn), and each
	// message sent and received (Debug).
	Logger *slog.Logger
}

// Lease is what a server granted: an address with its prefix, the
// options applied to the stack, and the lease's times. RFC 2131 §4.4.1:
// the times count from when the DHCPREQUEST that won the lease was sent.
type Lease struct {
	Addr   netip.Prefix // yiaddr with option 1's mask (a classful one if none came)
	Server netip.Addr   // option 54, the server identifier
	Router netip.Addr   // option 3's first router, if any
	DNS    []netip.Addr // option 6
	MTU    int          // option 26, or 0; see the package comment

	Start    time.Time     // when the winning DHCPREQUEST was sent
	Duration time.Duration // option 51; Infinite for ever
	T1, T2   time.Time     // renewing and rebinding times; zero for an infinite lease
	Expiry   time.Time     // zero for an infinite lease
}

// String describes the lease on one line.
func (l Lease) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%v from %v", l.Addr, l.Server)
	if l.Router.IsValid() {
		fmt.Fprintf(&b, ", router %v", l.Router)
	}
	if len(l.DNS) > 0 {
		fmt.Fprintf(&b, ", dns %v", l.DNS)
	}
	if l.MTU > 0 {
		fmt.Fprintf(&b, ", mtu %d", l.MTU)
	}
	if l.Duration == Infinite {
		b.WriteString(", for ever")
	} else {
		fmt.Fprintf(&b, ", for %v", l.Duration)
	}
	return b.String()
}

// Client holds a lease on a stack and keeps it: one goroutine renews it
// at T1, rebinds at T2, and starts over when it ends. Its methods may be
// called from any goroutine.
type Client struct {
	s     *netstack.Stack
	cfg   Config
	conn  *conn.UDPConn
	mac   net.HardwareAddr
	cid   []byte
	first time.Duration
	buf   []byte
	out   []byte

	kick chan struct{} // a Close, Renew or context cancellation to look at
	done chan struct{} // closed when the goroutine has finished

	mu       sync.Mutex
	lease    Lease        // the lease held, as Lease returns it
	closing  bool         // Close was called
	renew    bool         // Renew was called and not yet acted on
	waiters  []chan error // Renew callers waiting for the next ACK or NAK
	dnsSet   []netip.AddrPort
	routerOn bool // the stack's gateway is the lease's router

	// The goroutine's own: the exchange in progress.
	xid   uint32
	began time.Time // start of the exchange, for the secs field
	ctx   context.Context
}

// Start binds UDP port 68 on s, obtains a lease (DHCPDISCOVER, DHCPOFFER,
// DHCPREQUEST, DHCPACK), applies it to the stack, and returns a Client
// that keeps it until Close. s is normally a stack created with no IPv4
// address.
//
// Start gives up when ctx is done or after cfg.Timeout, with an error
// that says what happened: errors.Is(err, ErrNoAnswer) when no server
// answered, ErrNoLease when offers came but no lease, or the context's
// error. ctx governs Start only, not the client it returns.
func Start(ctx context.Context, s *netstack.Stack, cfg Config) (*Client, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Retransmit <= 0 {
		cfg.Retransmit = DefaultRetransmit
	}
	mac := s.HardwareAddr()
	if len(mac) == 0 {
		// A TUN device carries IP packets only: no broadcast reaches a
		// DHCP server through it, and chaddr would be empty.
		return nil, errors.New("dhcp: the link has no hardware address (DHCP needs an Ethernet link)")
	}
	pc, err := conn.ListenPacket(s, "udp4", fmt.Sprintf(":%d", ClientPort))
	if err != nil {
		return nil, fmt.Errorf("dhcp: %w", err)
	}
	c := &Client{
		s:     s,
		cfg:   cfg,
		conn:  pc.(*conn.UDPConn),
		mac:   slices.Clone(mac),
		cid:   cfg.ClientID,
		first: cfg.Retransmit,
		buf:   make([]byte, max(s.MTU(), 1500)),
		kick:  make(chan struct{}, 1),
		done:  make(chan struct{}),
	}
	if c.cid == nil {
		c.cid = append([]byte{HTypeEthernet}, mac...)
	}
	deadline := time.Now().Add(cfg.Timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	c.ctx = ctx
	stop := context.AfterFunc(ctx, c.poke)
	l, err := c.acquire(deadline)
	stop()
	c.ctx = nil
	if err != nil {
		c.conn.Close()
		return nil, err
	}
	c.apply(l)
	go c.run()
	return c, nil
}

// Lease returns the lease held; its Addr is the zero Prefix while the
// client holds none (between an expiry and the next DHCPACK).
func (c *Client) Lease() Lease {
	c.mu.Lock()
	defer c.mu.Unlock()
	l := c.lease
	l.DNS = slices.Clone(l.DNS)
	return l
}

// Renew asks for the lease to be extended now, as at T1 (a unicast
// DHCPREQUEST to the server), and waits for the answer: nil once a
// DHCPACK arrives, ErrNAK for a DHCPNAK (the client then starts over),
// net.ErrClosed after Close, or ctx's error. Without an answer the client
// goes on retransmitting as at T1 and rebinds at T2.
func (c *Client) Renew(ctx context.Context) error {
	ch := make(chan error, 1)
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		return net.ErrClosed
	}
	c.renew = true
	c.waiters = append(c.waiters, ch)
	c.mu.Unlock()
	c.poke()
	select {
	case err := <-ch:
		return err
	case <-ctx.Done():
		return ctx.Err()
	case <-c.done:
		return net.ErrClosed
	}
}

// Close sends a DHCPRELEASE for the lease held, takes the address (and
// the router and name servers it set) off the stack, and stops the
// client. If the stack was closed first, nothing can be sent and Close
// only stops the client.
func (c *Client) Close() error {
	c.mu.Lock()
	c.closing = true
	c.mu.Unlock()
	c.poke()
	<-c.done
	return nil
}

// poke wakes the goroutine: it looks at closing, renew and its context
// before it next waits, and a wait in progress ends at once.
func (c *Client) poke() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
	c.conn.SetReadDeadline(time.Now())
}

// answerWaiters answers Renew callers.
func (c *Client) answerWaiters(err error) {
	c.mu.Lock()
	ws := c.waiters
	c.waiters = nil
	c.mu.Unlock()
	for _, w := range ws {
		w <- err
	}
}

// Interruptions of a wait.
var (
	errClosed   = errors.New("dhcp: client closed")
	errRenew    = errors.New("dhcp: renew requested")
	errGaveUp   = errors.New("dhcp: gave up")
	errStackEnd = errors.New("dhcp: stack closed")
)

// run is the client's goroutine once it holds its first lease: keep the
// lease; when it is lost, acquire another; on Close, release it.
func (c *Client) run() {
	defer close(c.done)
	defer c.conn.Close()
	for {
		err := c.keep()
		if err == nil {
			c.log(slog.LevelInfo, "dhcp: starting over")
			var l Lease
			if l, err = c.acquire(time.Time{}); err == nil {
				c.apply(l)
				continue
			}
		}
		if errors.Is(err, errClosed) && c.held().Addr.IsValid() {
			c.release()
		}
		c.answerWaiters(net.ErrClosed)
		return
	}
}

// held returns the lease held.
func (c *Client) held() Lease {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lease
}

// acquire runs DISCOVER → OFFER → REQUEST → ACK until it has a lease or
// until deadline (the zero time: never).
func (c *Client) acquire(deadline time.Time) (Lease, error) {
	start := time.Now()
	var discovers, offers, naks int
	var lastNak string
	for {
		c.newExchange()
		discover := c.message(Discover)
		discover.Broadcast = true
		discover.ParamRequest = []byte{optSubnetMask, optRouter, optDNS, optMTU, optLeaseTime, optT1, optT2}
		var from netip.AddrPort
		offer, err := c.exchange(exchange{
			to: broadcast, msg: discover, until: deadline, interval: c.backoff,
			accept: func(m *Message, src netip.AddrPort) bool {
				if m.Type != Offer || !usable(m.YourAddr) {
					return false
				}
				from = src
				return true
			},
		}, &discovers)
		if err != nil {
			return Lease{}, c.acquireErr(err, start, discovers, offers, naks, lastNak)
		}
		offers++
		server := offer.ServerID
		if !server.IsValid() {
			server = from.Addr() // RFC 2131 Table 3 requires option 54; be lenient
		}
		c.log(slog.LevelDebug, "dhcp: offer", "addr", offer.YourAddr, "server", server)

		// REQUESTING: the same xid (RFC 2131 §4.4.1).
		req := c.message(Request)
		req.Broadcast = true
		req.RequestedAddr = offer.YourAddr
		req.ServerID = server
		req.ParamRequest = discover.ParamRequest
		var sent time.Time
		ack, err := c.exchange(exchange{
			to: broadcast, msg: req, until: deadline, tries: requestTries, interval: c.backoff,
			sentAt: &sent,
			accept: func(m *Message, _ netip.AddrPort) bool {
				if m.ServerID.IsValid() && m.ServerID != server {
					return false
				}
				return m.Type == Nak || m.Type == Ack && m.YourAddr == offer.YourAddr
			},
		}, nil)
		switch {
		case errors.Is(err, errGaveUp) && (deadline.IsZero() || time.Now().Before(deadline)):
			continue // RFC 2131 §4.4.1: back to INIT
		case err != nil:
			return Lease{}, c.acquireErr(err, start, discovers, offers, naks, lastNak)
		case ack.Type == Nak:
			naks++
			lastNak = ack.Text
			c.log(slog.LevelInfo, "dhcp: DHCPNAK", "server", server, "text", ack.Text)
			c.answerWaiters(ErrNAK)
			// Do not hammer a server that refuses: wait one interval.
			if err := c.wait(time.Now().Add(c.first), false); err != nil && !errors.Is(err, errRenew) {
				return Lease{}, c.acquireErr(err, start, discovers, offers, naks, lastNak)
			}
			continue
		}
		l, ok := leaseFrom(&ack, offer.LeaseTime, server, sent)
		if !ok {
			c.log(slog.LevelInfo, "dhcp: DHCPACK without a lease time", "server", server)
			continue
		}
		return l, nil
	}
}

// acquireErr says why acquire stopped.
func (c *Client) acquireErr(err error, start time.Time, discovers, offers, naks int, lastNak string) error {
	took := time.Since(start).Round(100 * time.Millisecond)
	switch {
	case errors.Is(err, errGaveUp) && offers == 0:
		return fmt.Errorf("dhcp: %w after %s (%v)", ErrNoAnswer, tries(discovers), took)
	case errors.Is(err, errGaveUp):
		msg := fmt.Sprintf("dhcp: %%w after %s (%v): %d offers, %d refusals", tries(discovers), took, offers, naks)
		if lastNak != "" {
			msg += fmt.Sprintf(" (last: %q)", lastNak)
		}
		return fmt.Errorf(msg, ErrNoLease)
	case errors.Is(err, errClosed), errors.Is(err, errStackEnd):
		return err
	}
	return fmt.Errorf("dhcp: no lease after %s (%v): %w", tries(discovers), took, err)
}

// tries counts DHCPDISCOVERs for an error message.
func tries(n int) string {
	if n == 1 {
		return "1 try"
	}
	return fmt.Sprintf("%d tries", n)
}

// keep holds the lease: BOUND until T1, RENEWING (unicast to the server)
// until T2, REBINDING (broadcast) until the lease expires (RFC 2131
// §4.4.5). It returns nil when the lease is lost (NAK or expiry), having
// taken it off the stack.
func (c *Client) keep() error {
	for {
		l := c.held()
		if l.Duration == Infinite {
			if err := c.wait(time.Time{}, true); !errors.Is(err, errRenew) {
				return err
			}
		} else if err := c.wait(l.T1, true); err != nil && !errors.Is(err, errRenew) {
			return err
		}
		ack, err := c.extend(l, netip.AddrPortFrom(l.Server, ServerPort), l.T2)
		if errors.Is(err, errGaveUp) {
			c.log(slog.LevelWarn, "dhcp: no answer from the server; rebinding", "addr", l.Addr, "server", l.Server)
			ack, err = c.extend(l, broadcast, l.Expiry)
		}
		switch {
		case errors.Is(err, errGaveUp):
			c.log(slog.LevelWarn, "dhcp: lease expired", "addr", l.Addr)
			c.unapply()
			return nil
		case err != nil:
			return err
		case ack.Type == Nak:
			c.log(slog.LevelWarn, "dhcp: DHCPNAK", "addr", l.Addr, "text", ack.Text)
			c.unapply()
			c.answerWaiters(ErrNAK)
			return nil
		}
	}
}

// extend sends DHCPREQUESTs from the leased address (ciaddr, no options
// 50 and 54: RFC 2131 §4.3.2) to dst until an ACK or NAK, or until
// 'until'; an ACK is applied.
func (c *Client) extend(l Lease, dst netip.AddrPort, until time.Time) (Message, error) {
	c.newExchange()
	req := c.message(Request)
	req.ClientAddr = l.Addr.Addr()
	req.ParamRequest = []byte{optSubnetMask, optRouter, optDNS, optMTU, optLeaseTime, optT1, optT2}
	var sent time.Time
	half := func(_ int, now time.Time) time.Duration {
		if until.IsZero() {
			return maxRetransmit
		}
		return max(until.Sub(now)/2, minRenewRetransmit)
	}
	for {
		var from netip.AddrPort
		ack, err := c.exchange(exchange{
			to: dst, msg: req, until: until, interval: half, sentAt: &sent,
			accept: func(m *Message, src netip.AddrPort) bool {
				from = src
				return m.Type == Nak || m.Type == Ack && m.YourAddr == l.Addr.Addr()
			},
		}, nil)
		if err != nil || ack.Type == Nak {
			return ack, err
		}
		server := ack.ServerID
		if !server.IsValid() {
			server = from.Addr()
		}
		nl, ok := leaseFrom(&ack, l.Duration, server, sent)
		if !ok {
			continue
		}
		c.apply(nl)
		return ack, nil
	}
}

// broadcast is where a client without a server's address sends.
var broadcast = netip.AddrPortFrom(netip.AddrFrom4([4]byte{255, 255, 255, 255}), ServerPort)

// newExchange starts a transaction: a fresh xid and secs from now.
func (c *Client) newExchange() {
	c.xid = rand.Uint32()
	c.began = time.Now()
}

// message returns a request of type t with the client's identity.
func (c *Client) message(t MessageType) Message {
	m := Message{Op: BootRequest, HType: HTypeEthernet, XID: c.xid, HardwareAddr: c.mac}
	m.Type = t
	m.ClientID = c.cid
	m.Hostname = c.cfg.Hostname
	if t == Discover || t == Request {
		m.MaxSize = uint16(min(max(c.s.MTU(), 576), 65535))
	}
	return m
}

// backoff is RFC 2131 §4.1's retransmission interval before try n (from
// 0): the first interval doubled n times, at most 64 s, randomized by
// ±1 s (or a quarter of the interval, when that is less).
func (c *Client) backoff(n int, _ time.Time) time.Duration {
	d := c.first
	for range n {
		if d >= maxRetransmit {
			break
		}
		d *= 2
	}
	d = min(d, maxRetransmit)
	j := min(time.Second, d/4)
	return d - j + rand.N(2*j+1)
}

// exchange describes one transaction: what to send where, how often, and
// which replies end it.
type exchange struct {
	to       netip.AddrPort
	msg      Message
	until    time.Time // give up then; zero: never
	tries    int       // give up after this many sends; zero: never
	interval func(n int, now time.Time) time.Duration
	accept   func(m *Message, from netip.AddrPort) bool // after the xid and chaddr checks
	sentAt   *time.Time                                 // if set, receives when the message answered was first sent
}

// exchange sends x.msg and retransmits it until x.accept takes a reply
// (returned), or x.until or x.tries run out (errGaveUp), or the client is
// closed (errClosed) or Start's context is done. A Renew sends again at
// once. sends, if set, counts the messages sent.
func (c *Client) exchange(x exchange, sends *int) (Message, error) {
	for n := 0; ; n++ {
		now := time.Now()
		if x.tries > 0 && n >= x.tries || !x.until.IsZero() && !now.Before(x.until) {
			return Message{}, errGaveUp
		}
		x.msg.Secs = uint16(min(now.Sub(c.began)/time.Second, 0xffff))
		if err := c.send(&x.msg, x.to); err != nil {
			return Message{}, err
		}
		if x.sentAt != nil && n == 0 {
			*x.sentAt = now
		}
		if sends != nil {
			*sends++
		}
		next := now.Add(x.interval(n, now))
		if !x.until.IsZero() && next.After(x.until) {
			next = x.until
		}
		m, err := c.receive(next, x.accept)
		switch {
		case err == nil:
			return m, nil
		case errors.Is(err, errRenew), errors.Is(err, os.ErrDeadlineExceeded):
			continue
		}
		return Message{}, err
	}
}

// send encodes m and sends it to dst.
func (c *Client) send(m *Message, dst netip.AddrPort) error {
	c.out = slices.Grow(c.out[:0], m.Len())[:m.Len()]
	m.Encode(c.out)
	c.log(slog.LevelDebug, "dhcp: send", "type", m.Type, "to", dst, "xid", m.XID)
	if _, err := c.conn.WriteToUDPAddrPort(c.out, dst); err != nil {
		if errors.Is(err, net.ErrClosed) {
			return errStackEnd
		}
		// A full queue or an unresolved neighbour: the retransmission
		// covers it, as for a lost datagram.
		c.log(slog.LevelDebug, "dhcp: send failed", "err", err)
	}
	return nil
}

// receive waits until 'until' (os.ErrDeadlineExceeded) for a reply to the
// current transaction that accept takes.
func (c *Client) receive(until time.Time, accept func(*Message, netip.AddrPort) bool) (Message, error) {
	for {
		// The deadline first, then the look at pokes: a poke between the
		// two is seen now, and one after them ends the read.
		c.conn.SetReadDeadline(until)
		if err := c.interrupted(); err != nil {
			return Message{}, err
		}
		n, from, err := c.conn.ReadFromUDPAddrPort(c.buf)
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				if !time.Now().Before(until) {
					return Message{}, os.ErrDeadlineExceeded
				}
				continue // a poke: interrupted decides
			}
			return Message{}, errStackEnd
		}
		m, err := ParseMessage(c.buf[:n])
		if err != nil {
			c.log(slog.LevelDebug, "dhcp: dropped a bad message", "from", from, "err", err)
			continue
		}
		if m.Op != BootReply || m.XID != c.xid || !bytes.Equal(m.HardwareAddr, c.mac) {
			continue // another client's, or an old transaction's
		}
		c.log(slog.LevelDebug, "dhcp: received", "type", m.Type, "from", from, "xid", m.XID)
		if accept(&m, from) {
			return m, nil
		}
	}
}

// wait waits until 'until' (the zero time: for ever), discarding what
// arrives. It returns nil then, or errRenew (only when renewable) or
// another interruption.
func (c *Client) wait(until time.Time, renewable bool) error {
	c.began = time.Now()
	for {
		c.conn.SetReadDeadline(until) // the zero time: none
		if err := c.interrupted(); err != nil {
			if errors.Is(err, errRenew) && !renewable {
				continue
			}
			return err
		}
		if !until.IsZero() && !time.Now().Before(until) {
			return nil
		}
		_, _, err := c.conn.ReadFromUDPAddrPort(c.buf)
		if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			return errStackEnd
		}
	}
}

// interrupted looks at what a poke may have asked: Close, Renew, or the end of Start's
// context. It returns the reason to stop, if any.
func (c *Client) interrupted() error {
	select {
	case <-c.kick:
	default:
		return nil
	}
	c.mu.Lock()
	closing, renew := c.closing, c.renew
	c.renew = false
	c.mu.Unlock()
	switch {
	case closing:
		c.repoke() // every later wait stops too
		return errClosed
	case c.ctx != nil && c.ctx.Err() != nil:
		c.repoke()
		return c.ctx.Err()
	case renew:
		return errRenew
	}
	return nil
}

// repoke leaves the kick set, for a reason that lasts.
func (c *Client) repoke() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}
