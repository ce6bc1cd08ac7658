package pathtest

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/renet-go/renet/conn"
	"github.com/renet-go/renet/internal/relay"
	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/link/pipe"
	"github.com/renet-go/renet/netstack"
)

// Peer is a userspace stack under test, sitting on the far end of the
// clean segment behind the relay.
type Peer interface {
	// Dial connects to a kernel listener.
	Dial(dst netip.AddrPort) (net.Conn, error)
	// Listen listens for TCP on any free port of the peer's address.
	Listen() (net.Listener, error)
	// Retrans returns the segments c retransmitted, if the stack says.
	Retrans(c net.Conn) (uint64, bool)
	// Close stops the stack and closes its endpoint.
	Close() error
}

// NewPeer builds a Peer on ep with address addr.
type NewPeer func(ep link.Endpoint, addr netip.Prefix) (Peer, error)

// Behind is a Peer behind an impaired path from the kernel of one
// namespace: kernel (10.77.0.1) ─ TUN ─ relay ─ clean pipe ─ peer
// (10.77.0.2).
type Behind struct {
	ns    NS
	relay *relay.Relay
	peer  Peer
	// CC is the kernel's congestion control for Upload ("" for the
	// namespace default).
	CC string
}

// NewBehind builds the topology in ns with the given impairments.
func NewBehind(ns NS, path pipe.Config, newPeer NewPeer) (*Behind, error) {
	dev, err := openTUN(ns, "rly0", addr1)
	if err != nil {
		return nil, err
	}
	near, far := pipe.New(pipe.Config{Medium: link.IP, MTU: 1500, QueueLen: deepQueue})
	r, err := relay.New(dev, near, relay.Config{Path: path})
	if err != nil {
		dev.Close()
		near.Close()
		far.Close()
		return nil, err
	}
	p, err := newPeer(far, addr2)
	if err != nil {
		r.Close()
		far.Close()
		return nil, err
	}
	return &Behind{ns: ns, relay: r, peer: p}, nil
}

// NewRenet puts a renet stack with configuration cfg behind the path.
func NewRenet(ns NS, path pipe.Config, cfg netstack.Config) (*Behind, error) {
	return NewBehind(ns, path, RenetPeer(cfg))
}

// HostDrops returns the packets the kernel dropped at the TUN device,
// which the relay never saw; a trustworthy run has none.
func (e *Behind) HostDrops() (uint64, error) { return txDropped(e.ns, "rly0") }

// Relay returns the relay, for its counters.
func (e *Behind) Relay() *relay.Relay { return e.relay }

// Peer returns the stack under test.
func (e *Behind) Peer() Peer { return e.peer }

// Download sends size bytes from the peer to a kernel socket and verifies
// them; the retransmission count is the peer's.
func (e *Behind) Download(size int64, timeout time.Duration) (Result, error) {
	ln, err := listenKernel(e.ns, addr1.Addr())
	if err != nil {
		return Result{}, err
	}
	defer ln.Close()
	accepted := acceptOne(ln)
	c, err := e.peer.Dial(netip.MustParseAddrPort(ln.Addr().String()))
	if err != nil {
		return Result{}, fmt.Errorf("pathtest: peer dial: %w", err)
	}
	defer c.Close()
	kc, err := (<-accepted).get()
	if err != nil {
		return Result{}, err
	}
	defer kc.Close()
	return Transfer(c, kc, size, time.Now().Add(timeout), func() (uint64, bool) {
		return e.peer.Retrans(c)
	})
}

// Upload sends size bytes from a kernel socket to the peer and verifies
// them; the retransmission count is the kernel's.
func (e *Behind) Upload(size int64, timeout time.Duration) (Result, error) {
	ln, err := e.peer.Listen()
	if err != nil {
		return Result{}, err
	}
	defer ln.Close()
	accepted := acceptOne(ln)
	port := ln.Addr().(*net.TCPAddr).Port
	kc, err := dialKernel(e.ns, netip.AddrPortFrom(addr2.Addr(), uint16(port)).String(), e.CC)
	if err != nil {
		return Result{}, fmt.Errorf("pathtest: kernel dial: %w", err)
	}
	defer kc.Close()
	c, err := (<-accepted).get()
	if err != nil {
		return Result{}, err
	}
	defer c.Close()
	return Transfer(kc, c, size, time.Now().Add(timeout), kernelRetrans(kc))
}

// Close tears the peer and the relay down (and with it the TUN device).
func (e *Behind) Close() error {
	return errors.Join(e.peer.Close(), e.relay.Close())
}

// renetPeer is a renet stack as a Peer.
type renetPeer struct{ s *netstack.Stack }

// RenetPeer returns a NewPeer that starts a renet stack with cfg (its
// Addrs are set to the peer's address).
func RenetPeer(cfg netstack.Config) NewPeer {
	return func(ep link.Endpoint, addr netip.Prefix) (Peer, error) {
		cfg.Addrs = []netip.Prefix{addr}
		s, err := netstack.New(ep, cfg)
		if err != nil {
			ep.Close()
			return nil, err
		}
		return renetPeer{s}, nil
	}
}

func (p renetPeer) Dial(dst netip.AddrPort) (net.Conn, error) {
	return conn.Dial(p.s, "tcp4", dst.String())
}

func (p renetPeer) Listen() (net.Listener, error) {
	return conn.ListenTCP(p.s, netip.AddrPortFrom(netip.IPv4Unspecified(), 0))
}

func (p renetPeer) Retrans(c net.Conn) (uint64, bool) {
	tc, ok := c.(*conn.TCPConn)
	if !ok {
		return 0, false
	}
	return tc.Info().Retransmits, true
}

func (p renetPeer) Close() error { return p.s.Close() }

type acceptResult struct {
	c   net.Conn
	err error
}

func (a acceptResult) get() (net.Conn, error) {
	if a.err != nil {
		return nil, fmt.Errorf("pathtest: accept: %w", a.err)
	}
	return a.c, nil
}

// acceptOne accepts one connection on ln in the background; closing ln
// ends the wait.
func acceptOne(ln net.Listener) <-chan acceptResult {
	ch := make(chan acceptResult, 1)
	go func() {
		c, err := ln.Accept()
		ch <- acceptResult{c, err}
	}()
	return ch
}
