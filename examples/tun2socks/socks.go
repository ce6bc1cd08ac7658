package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"syscall"
	"time"
)

// upstreamDialer returns how TCP reaches its destination: the host's own
// dialer, or a SOCKS5 CONNECT through the proxy the URL names.
//
// The SOCKS5 client is our own, not golang.org/x/net/proxy's, for two
// reasons: its connections are the proxy's *net.TCPConn, so CloseWrite
// carries a half-close through the proxy, and its errors are errnos, so a
// proxy's "connection refused" reaches the client as a RST and "host
// unreachable" as ICMP, as a direct dial's would.
func upstreamDialer(proxyURL string) (dialFunc, error) {
	direct := &net.Dialer{}
	if proxyURL == "" {
		return direct.DialContext, nil
	}
	u, err := url.Parse(proxyURL)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "socks5" || u.Host == "" || u.Port() == "" {
		return nil, fmt.Errorf("%q: want socks5://[USER:PASS@]HOST:PORT", redact(proxyURL))
	}
	var user, pass string
	if u.User != nil {
		user = u.User.Username()
		pass, _ = u.User.Password()
		if len(user) > 255 || len(pass) > 255 {
			return nil, errors.New("user and password must be at most 255 bytes")
		}
	}
	proxy := u.Host
	return func(ctx context.Context, network, address string) (net.Conn, error) {
		dst, err := netip.ParseAddrPort(address)
		if err != nil || !dst.Addr().Is4() {
			return nil, fmt.Errorf("socks5: %q is not an IPv4 address and port", address)
		}
		c, err := direct.DialContext(ctx, "tcp", proxy)
		if err != nil {
			// The proxy itself failed: %v, not %w, so its errno is not
			// mistaken for the destination's and the client hears nothing.
			return nil, fmt.Errorf("socks5: proxy %s: %v", proxy, err)
		}
		if err := socksConnect(ctx, c, user, pass, dst); err != nil {
			c.Close()
			return nil, err
		}
		return c, nil
	}, nil
}

// SOCKS5 reply codes (RFC 1928 §6) and what a direct dial would have
// returned instead.
var socksReplyErrno = map[byte]syscall.Errno{
	0x01: syscall.ETIMEDOUT,    // general failure: silence
	0x02: syscall.EACCES,       // not allowed by ruleset: ICMP prohibited
	0x03: syscall.ENETUNREACH,  // network unreachable
	0x04: syscall.EHOSTUNREACH, // host unreachable
	0x05: syscall.ECONNREFUSED, // connection refused: RST
	0x06: syscall.ETIMEDOUT,    // TTL expired
}

// socksError is a SOCKS5 failure reply. It unwraps to the errno a direct
// dial would have met, so netstack.RefusalFor maps it the same way.
type socksError struct {
	code  byte
	errno syscall.Errno
}

func (e *socksError) Error() string {
	return fmt.Sprintf("socks5: proxy replied %d (%v)", e.code, e.errno)
}

func (e *socksError) Unwrap() error { return e.errno }

// socksConnect runs the SOCKS5 greeting, the optional user and password
// sub-negotiation (RFC 1929) and CONNECT to dst on c.
func socksConnect(ctx context.Context, c net.Conn, user, pass string, dst netip.AddrPort) error {
	if d, ok := ctx.Deadline(); ok {
		c.SetDeadline(d)
		defer c.SetDeadline(time.Time{})
	}
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	methods := []byte{5, 1, 0} // version 5, one method: no authentication
	if user != "" {
		methods = []byte{5, 2, 0, 2} // or user and password
	}
	if _, err := c.Write(methods); err != nil {
		return fmt.Errorf("socks5: %w", err)
	}
	var b [262]byte
	if _, err := io.ReadFull(c, b[:2]); err != nil {
		return fmt.Errorf("socks5: greeting: %w", err)
	}
	if b[0] != 5 {
		return fmt.Errorf("socks5: proxy speaks version %d", b[0])
	}
	switch b[1] {
	case 0:
	case 2:
		if user == "" {
			return errors.New("socks5: proxy wants a user and password")
		}
		msg := append([]byte{1, byte(len(user))}, user...)
		msg = append(msg, byte(len(pass)))
		msg = append(msg, pass...)
		if _, err := c.Write(msg); err != nil {
			return fmt.Errorf("socks5: %w", err)
		}
		if _, err := io.ReadFull(c, b[:2]); err != nil {
			return fmt.Errorf("socks5: authentication: %w", err)
		}
		if b[1] != 0 {
			return errors.New("socks5: proxy refused the user and password")
		}
	default:
		return errors.New("socks5: proxy accepts none of our authentication methods")
	}

	req := []byte{5, 1, 0, 1} // CONNECT, IPv4 address
	a := dst.Addr().As4()
	req = append(req, a[:]...)
	req = binary.BigEndian.AppendUint16(req, dst.Port())
	if _, err := c.Write(req); err != nil {
		return fmt.Errorf("socks5: %w", err)
	}
	if _, err := io.ReadFull(c, b[:4]); err != nil {
		return fmt.Errorf("socks5: connect: %w", err)
	}
	if b[1] != 0 {
		errno, ok := socksReplyErrno[b[1]]
		if !ok {
			errno = syscall.ETIMEDOUT
		}
		return &socksError{b[1], errno}
	}
	// The bound address, which we do not need.
	var n int
	switch b[3] {
	case 1:
		n = 4
	case 4:
		n = 16
	case 3:
		if _, err := io.ReadFull(c, b[:1]); err != nil {
			return fmt.Errorf("socks5: connect: %w", err)
		}
		n = int(b[0])
	default:
		return fmt.Errorf("socks5: bad address type %d in reply", b[3])
	}
	if _, err := io.ReadFull(c, b[:n+2]); err != nil {
		return fmt.Errorf("socks5: connect: %w", err)
	}
	return nil
}

// redact hides the password in a proxy URL, for logs.
func redact(proxyURL string) string {
	u, err := url.Parse(proxyURL)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
