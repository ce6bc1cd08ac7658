package wgnet

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"sync"

	wgconn "golang.zx2c4.com/wireguard/conn"
	"golang.zx2c4.com/wireguard/tun"

	"github.com/renet-go/renet/link/channel"
	"github.com/renet-go/renet/netstack"
)

// Net is the user's side of a TUN device made by CreateNetTUN: dial,
// listen, ping and look up names through the tunnel. Its methods are safe
// for concurrent use.
type Net struct {
	stack *netstack.Stack
}

// netTun is the tun.Device side: wireguard-go reads the packets the stack
// sends and writes the packets that came out of the tunnel.
type netTun struct {
	port   *channel.Port
	stack  *netstack.Stack
	mtu    int
	events chan tun.Event

	closeOnce sync.Once
}

var _ tun.Device = (*netTun)(nil)

// CreateNetTUN starts a renet stack with localAddresses as its addresses
// and returns the tun.Device that carries its packets, for
// device.NewDevice, and the Net through which to use it. Every
// destination is routed into the device, as tun/netstack routes 0.0.0.0/0
// and ::/0. dnsServers are the name servers LookupHost and Dial ask (on
// port 53), through the tunnel; mtu is the largest IP packet the device
// carries.
//
// Local addresses and DNS servers may be IPv4 or IPv6, as tun/netstack's:
// each local address is a /32 or /128 (an IPv4-mapped IPv6 address is
// taken as the IPv4 address, and an IPv6 zone is dropped). The device
// carries no neighbour discovery: an IPv6 address is usable at once. An
// empty localAddresses is an error.
func CreateNetTUN(localAddresses, dnsServers []netip.Addr, mtu int) (tun.Device, *Net, error) {
	if len(localAddresses) == 0 {
		return nil, nil, errors.New("wgnet: no local addresses")
	}
	var cfg netstack.Config
	for _, a := range localAddresses {
		if !a.IsValid() {
			return nil, nil, fmt.Errorf("wgnet: invalid local address")
		}
		a = a.Unmap().WithZone("")
		cfg.Addrs = append(cfg.Addrs, netip.PrefixFrom(a, a.BitLen()))
	}
	n := &Net{}
	for _, a := range dnsServers {
		if !a.IsValid() {
			return nil, nil, fmt.Errorf("wgnet: invalid DNS server address")
		}
		cfg.DNS = append(cfg.DNS, netip.AddrPortFrom(a.Unmap().WithZone(""), 53))
	}
	// Every destination goes into the tunnel: on a point-to-point link
	// (link.IP) renet routes everything of both families out of the link,
	// as tun/netstack's 0.0.0.0/0 and ::/0 routes do.
	ep, port := channel.New(channel.Config{MTU: mtu})
	s, err := netstack.New(ep, cfg)
	if err != nil {
		port.Close()
		return nil, nil, fmt.Errorf("wgnet: %w", err)
	}
	n.stack = s
	t := &netTun{
		port:   port,
		stack:  s,
		mtu:    s.MTU(),
		events: make(chan tun.Event, 10),
	}
	t.events <- tun.EventUp
	return t, n, nil
}

// Stack returns the renet stack behind n, for what package conn and
// netstack offer beyond tun/netstack's methods (a Forwarder, Stats,
// socket options). It is an extension: tun/netstack has no such method.
func (n *Net) Stack() *netstack.Stack { return n.stack }

// Name returns "go", as tun/netstack's device does.
func (t *netTun) Name() (string, error) { return "go", nil }

// File returns nil: there is no file descriptor behind the device.
func (t *netTun) File() *os.File { return nil }

// Events returns the device's events: EventUp once, at creation. It is
// closed by Close.
func (t *netTun) Events() <-chan tun.Event { return t.events }

// MTU returns the MTU given to CreateNetTUN (1500 if that was zero or
// less).
func (t *netTun) MTU() (int, error) { return t.mtu, nil }

// BatchSize is wireguard-go's ideal batch, so one Read can return a whole
// burst of the stack's output.
func (t *netTun) BatchSize() int { return wgconn.IdealBatchSize }

// Read waits for the stack to send, then copies up to len(bufs) packets,
// packet i into bufs[i][offset:] and its length into sizes[i]. After
// Close it returns os.ErrClosed.
func (t *netTun) Read(bufs [][]byte, sizes []int, offset int) (int, error) {
	n, err := t.port.Read(context.Background(), bufs, sizes, offset)
	if err != nil && n == 0 {
		return 0, closedAs(err)
	}
	return n, nil
}

// Write gives the packets bufs[i][offset:] to the stack, waiting while
// its inbound queue is full; it never drops one (the stack checks and
// counts what it cannot use). After Close it returns os.ErrClosed.
func (t *netTun) Write(bufs [][]byte, offset int) (int, error) {
	n, err := t.port.Write(context.Background(), bufs, offset)
	if err != nil {
		return n, closedAs(err)
	}
	return n, nil
}

// closedAs turns the channel's net.ErrClosed into os.ErrClosed, the error
// tun/netstack's device returns once closed; other errors pass.
func closedAs(err error) error {
	if errors.Is(err, net.ErrClosed) {
		return os.ErrClosed
	}
	return err
}

// Close stops the stack (every connection of the Net fails with
// net.ErrClosed), wakes a blocked Read or Write, and closes the Events
// channel. Calling it again does nothing.
func (t *netTun) Close() error {
	t.closeOnce.Do(func() {
		t.stack.Close() // closes the channel, both ends
		t.port.Close()
		close(t.events)
	})
	return nil
}
