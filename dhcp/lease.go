package dhcp

import (
	"context"
	"errors"
	"log/slog"
	"math/bits"
	"net/netip"
	"slices"
	"syscall"
	"time"
)

// leaseFrom reads the lease in a DHCPACK sent in answer to a DHCPREQUEST
// sent at 'sent'. A missing lease time is taken from fallback (the offer's,
// or the lease being renewed); with neither there is no lease.
func leaseFrom(ack *Message, fallback time.Duration, server netip.Addr, sent time.Time) (Lease, bool) {
	d := ack.LeaseTime
	if d == 0 {
		d = fallback
	}
	if d == 0 || !usable(ack.YourAddr) {
		return Lease{}, false
	}
	l := Lease{
		Addr:     netip.PrefixFrom(ack.YourAddr, maskBits(ack.SubnetMask, ack.YourAddr)),
		Server:   server,
		MTU:      int(ack.MTU),
		Start:    sent,
		Duration: d,
	}
	for _, r := range ack.Routers {
		if usable(r) {
			l.Router = r
			break
		}
	}
	for _, a := range ack.DNS {
		if usable(a) {
			l.DNS = append(l.DNS, a)
		}
	}
	if d != Infinite {
		// RFC 2131 §4.4.5: T1 defaults to half the lease, T2 to 7/8; we
		// take the server's only when 0 < T1 < T2 < lease.
		t1, t2 := ack.T1, ack.T2
		if t1 <= 0 || t1 >= d {
			t1 = d / 2
		}
		if t2 <= 0 || t2 >= d {
			t2 = d * 7 / 8
		}
		if t1 >= t2 {
			t1, t2 = d/2, d*7/8
		}
		l.T1, l.T2, l.Expiry = sent.Add(t1), sent.Add(t2), sent.Add(d)
	}
	return l, true
}

// maskBits is the prefix length of a subnet mask (option 1), or, if the
// mask is absent or not contiguous, the classful one of a (RFC 2131 §2
// leaves the default to the client; RFC 1122 §3.3.1.1's classes are what
// clients use).
func maskBits(mask, a netip.Addr) int {
	if mask.Is4() {
		b := mask.As4()
		v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
		n := bits.LeadingZeros32(^v)
		if n > 0 && v<<n == 0 {
			return n
		}
	}
	switch first := a.As4()[0]; {
	case first < 128:
		return 8
	case first < 192:
		return 16
	}
	return 24
}

// usable reports whether a can be a host's unicast IPv4 address.
func usable(a netip.Addr) bool {
	return a.Is4() && !a.IsUnspecified() && !a.IsLoopback() && !a.IsMulticast() &&
		a != netip.AddrFrom4([4]byte{255, 255, 255, 255})
}

// apply puts a lease on the stack: the address (replacing the old one if
// it changed), the router, the name servers, and records it.
func (c *Client) apply(l Lease) {
	old := c.held()
	if old.Addr != l.Addr {
		if old.Addr.IsValid() {
			c.s.RemoveAddr(old.Addr.Addr())
		}
		if err := c.s.AddAddr(l.Addr); err != nil && !errors.Is(err, syscall.EEXIST) {
			c.log(slog.LevelWarn, "dhcp: cannot add the leased address", "addr", l.Addr, "err", err)
		}
	}
	c.mu.Lock()
	routerOn, dnsSet := c.routerOn, c.dnsSet
	c.mu.Unlock()
	if l.Router.IsValid() {
		if err := c.s.SetGateway(l.Router); err != nil {
			c.log(slog.LevelWarn, "dhcp: router not on the leased prefix; no default route", "router", l.Router, "addr", l.Addr)
			routerOn = false
		} else {
			routerOn = true
		}
	} else if routerOn {
		c.s.SetGateway(netip.Addr{})
		routerOn = false
	}
	var servers []netip.AddrPort
	for _, a := range l.DNS {
		servers = append(servers, netip.AddrPortFrom(a, 53))
	}
	if len(servers) > 0 {
		c.s.SetDNS(servers)
		dnsSet = servers
	} else if dnsSet != nil {
		c.clearDNS(dnsSet)
		dnsSet = nil
	}
	if l.MTU > 0 && l.MTU < c.s.MTU() {
		// Option 26 (RFC 2132 §5.1): the link's MTU is smaller than the
		// device says. Kept after the lease, as Linux's dhclient keeps it.
		if err := c.s.SetMTU(l.MTU); err != nil {
			c.log(slog.LevelWarn, "dhcp: cannot apply the server's MTU", "mtu", l.MTU, "err", err)
		}
	}
	c.mu.Lock()
	c.lease, c.routerOn, c.dnsSet = l, routerOn, dnsSet
	c.mu.Unlock()
	c.log(slog.LevelInfo, "dhcp: lease", "lease", l.String())
	c.answerWaiters(nil)
}

// unapply takes the lease off the stack: its address, and the router and
// name servers it set if nobody has changed them since.
func (c *Client) unapply() {
	c.mu.Lock()
	l, routerOn, dnsSet := c.lease, c.routerOn, c.dnsSet
	c.lease, c.routerOn, c.dnsSet = Lease{}, false, nil
	c.mu.Unlock()
	if l.Addr.IsValid() {
		c.s.RemoveAddr(l.Addr.Addr())
	}
	if routerOn {
		c.s.SetGateway(netip.Addr{})
	}
	c.clearDNS(dnsSet)
}

// clearDNS empties the stack's name servers if they are still 'ours'.
func (c *Client) clearDNS(ours []netip.AddrPort) {
	if ours != nil && slices.Equal(c.s.DNS(), ours) {
		c.s.SetDNS(nil)
	}
}

// release sends a DHCPRELEASE for the lease held (RFC 2131 §4.4.6:
// unicast to the server, ciaddr set, options 54 and 61) and takes the
// lease off the stack.
func (c *Client) release() {
	l := c.held()
	c.newExchange()
	m := c.message(Release)
	m.ClientAddr = l.Addr.Addr()
	m.ServerID = l.Server
	m.Hostname = ""
	before := c.s.Stats()
	if err := c.send(&m, netip.AddrPortFrom(l.Server, ServerPort)); err == nil {
		// If the stack had to ask ARP for the server's MAC address, the
		// DHCPRELEASE waits for the reply, which the stack takes only
		// while it holds the address: keep it until the frame is out.
		after := c.s.Stats()
		if after.ARPRequestsOut > before.ARPRequestsOut {
			tick := time.NewTicker(10 * time.Millisecond)
			for end := time.Now().Add(releaseWait); c.s.Stats().FramesOut == after.FramesOut && time.Now().Before(end); {
				<-tick.C
			}
			tick.Stop()
		}
	}
	c.log(slog.LevelInfo, "dhcp: released", "addr", l.Addr, "server", l.Server)
	c.unapply()
}

// log logs at level if the configuration has a logger that wants it.
func (c *Client) log(level slog.Level, msg string, args ...any) {
	if lg := c.cfg.Logger; lg != nil && lg.Enabled(context.Background(), level) {
		lg.Log(context.Background(), level, msg, args...)
	}
}
