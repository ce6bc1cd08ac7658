package dhcp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
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
