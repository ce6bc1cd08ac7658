package dhcp

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"time"
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
