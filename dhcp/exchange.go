package dhcp

import (
	"bytes"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"slices"
	"time"
)

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
