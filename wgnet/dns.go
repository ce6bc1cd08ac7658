package wgnet

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"strings"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

// Name lookups.
//
// Like tun/netstack, and unlike Go's resolver, a lookup depends on
// nothing from the host: no /etc/hosts, no search domains from
// /etc/resolv.conf, no host sockets. The name is asked as given (made
// absolute with a trailing dot) of the servers given to CreateNetTUN, in
// order, twice round, each exchange bounded by five seconds: first over
// UDP, then over TCP when the answer is truncated. A name error
// (NXDOMAIN) ends the lookup at once; any other failure moves on to the
// next server.

const (
	dnsTimeout  = 5 * time.Second
	dnsAttempts = 2
	dnsUDPSize  = 512 // RFC 1035 §4.2.1, without EDNS(0)
)

// Causes reported in *net.DNSError.Err.
var (
	errNoSuchHost      = errors.New("no such host")
	errNoServers       = errors.New("no DNS servers")
	errBadResponse     = errors.New("cannot parse DNS response")
	errServerFailure   = errors.New("server misbehaving")
	errNumericPort     = errors.New("port must be numeric")
	errNoSuitableAddr  = errors.New("no suitable address found")
	errMissingAddress  = errors.New("missing address")
	errBadPingAddress  = errors.New("ping dial: invalid address")
	errMismatchedProto = errors.New("mismatched protocols")
)

// LookupHost looks host up with the DNS servers given to CreateNetTUN,
// through the tunnel, returning its IPv4 addresses. An IP literal is
// returned as it is, without a query.
func (n *Net) LookupHost(host string) ([]string, error) {
	return n.LookupContextHost(context.Background(), host)
}

// LookupContextHost is LookupHost with a context that bounds the lookup.
// Errors are *net.DNSError, with IsNotFound set when the name does not
// exist or has no IPv4 address and IsTimeout when the servers did not
// answer in time.
func (n *Net) LookupContextHost(ctx context.Context, host string) ([]string, error) {
	addrs, err := n.lookup(ctx, host)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(addrs))
	for i, a := range addrs {
		out[i] = a.String()
	}
	return out, nil
}

// lookup is LookupContextHost returning netip.Addrs.
func (n *Net) lookup(ctx context.Context, host string) ([]netip.Addr, error) {
	notFound := &net.DNSError{Err: errNoSuchHost.Error(), Name: host, IsNotFound: true}
	if host == "" {
		return nil, notFound
	}
	literal := host
	if i := strings.LastIndexByte(host, '%'); i >= 0 && strings.IndexByte(host, ':') >= 0 {
		literal = host[:i] // an IPv6 zone
	}
	if a, err := netip.ParseAddr(literal); err == nil {
		return []netip.Addr{a}, nil
	}
	if !isDomainName(host) {
		return nil, notFound
	}
	if len(n.dns) == 0 {
		return nil, &net.DNSError{Err: errNoServers.Error(), Name: host}
	}
	fqdn := host
	if !strings.HasSuffix(fqdn, ".") {
		fqdn += "."
	}
	name, err := dnsmessage.NewName(fqdn)
	if err != nil {
		return nil, notFound
	}
	q := dnsmessage.Question{Name: name, Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET}
	var last *net.DNSError
	for range dnsAttempts {
		for _, server := range n.dns {
			addrs, err := n.ask(ctx, server, q)
			if err == nil {
				if len(addrs) == 0 {
					return nil, &net.DNSError{Err: errNoSuchHost.Error(), Name: host, Server: server.String(), IsNotFound: true}
				}
				return addrs, nil
			}
			last = &net.DNSError{Err: err.Error(), Name: host, Server: server.String(), UnwrapErr: err}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				last.IsTimeout = true
			}
			if errors.Is(err, errNoSuchHost) {
				last.IsNotFound = true
				return nil, last
			}
			if ctx.Err() != nil {
				return nil, last
			}
		}
	}
	return nil, last
}

// isDomainName reports whether s is a syntactically valid host name
// (RFC 1035 §2.3.1, with '_' allowed as resolvers do), with at least one
// non-digit so that a mistyped address is not sent to the servers.
func isDomainName(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	nonNumeric := false
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			switch c := label[i]; {
			case '0' <= c && c <= '9':
			case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', c == '-', c == '_':
				nonNumeric = true
			default:
				return false
			}
		}
	}
	return nonNumeric
}

// ask sends q to server and returns the A records of the answer, or
// errNoSuchHost for a name error. It asks over UDP, then over TCP when
// the answer is truncated.
func (n *Net) ask(ctx context.Context, server netip.Addr, q dnsmessage.Question) ([]netip.Addr, error) {
	ctx, cancel := context.WithTimeout(ctx, dnsTimeout)
	defer cancel()
	var idb [2]byte
	rand.Read(idb[:])
	id := binary.BigEndian.Uint16(idb[:])
	msg := dnsmessage.Message{
		Header:    dnsmessage.Header{ID: id, RecursionDesired: true},
		Questions: []dnsmessage.Question{q},
	}
	req, err := msg.Pack()
	if err != nil {
		return nil, err
	}
	dst := netip.AddrPortFrom(server, 53)
	resp, err := n.exchangeUDP(ctx, dst, req, id, q)
	if err != nil {
		return nil, err
	}
	if resp.Truncated {
		if resp, err = n.exchangeTCP(ctx, dst, req, id, q); err != nil {
			return nil, err
		}
	}
	switch resp.RCode {
	case dnsmessage.RCodeSuccess:
	case dnsmessage.RCodeNameError:
		return nil, errNoSuchHost
	default:
		return nil, errServerFailure
	}
	var addrs []netip.Addr
	for _, rr := range resp.Answers {
		if a, ok := rr.Body.(*dnsmessage.AResource); ok {
			addrs = append(addrs, netip.AddrFrom4(a.A))
		}
	}
	return addrs, nil
}

// matches reports whether b is the response to the query id, q.
func matches(b []byte, id uint16, q dnsmessage.Question) (*dnsmessage.Message, bool) {
	var m dnsmessage.Message
	if err := m.Unpack(b); err != nil || !m.Response || m.ID != id || len(m.Questions) != 1 {
		return nil, false
	}
	rq := m.Questions[0]
	if rq.Type != q.Type || rq.Class != q.Class || !strings.EqualFold(rq.Name.String(), q.Name.String()) {
		return nil, false
	}
	return &m, true
}

// exchangeUDP sends req to dst over UDP and waits for the matching
// response, ignoring anything else (RFC 5452 §9.1: the id, question and
// server must all match).
func (n *Net) exchangeUDP(ctx context.Context, dst netip.AddrPort, req []byte, id uint16, q dnsmessage.Question) (*dnsmessage.Message, error) {
	c, err := n.DialUDPAddrPort(netip.AddrPort{}, dst)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	if _, err := c.Write(req); err != nil {
		return nil, err
	}
	b := make([]byte, dnsUDPSize)
	for {
		k, err := c.Read(b)
		if err != nil {
			if ctx.Err() != nil && errors.Is(err, os.ErrDeadlineExceeded) {
				return nil, ctxErr(ctx)
			}
			return nil, err
		}
		if m, ok := matches(b[:k], id, q); ok {
			return m, nil
		}
	}
}

// exchangeTCP sends req to dst over TCP (RFC 1035 §4.2.2: a two-byte
// length before each message) and reads the response.
func (n *Net) exchangeTCP(ctx context.Context, dst netip.AddrPort, req []byte, id uint16, q dnsmessage.Question) (*dnsmessage.Message, error) {
	c, err := n.DialContextTCPAddrPort(ctx, dst)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	b := make([]byte, 2+len(req))
	binary.BigEndian.PutUint16(b, uint16(len(req)))
	copy(b[2:], req)
	if _, err := c.Write(b); err != nil {
		return nil, err
	}
	var lb [2]byte
	if _, err := io.ReadFull(c, lb[:]); err != nil {
		return nil, tcpErr(ctx, err)
	}
	b = make([]byte, binary.BigEndian.Uint16(lb[:]))
	if _, err := io.ReadFull(c, b); err != nil {
		return nil, tcpErr(ctx, err)
	}
	m, ok := matches(b, id, q)
	if !ok {
		return nil, errBadResponse
	}
	return m, nil
}

func tcpErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctxErr(ctx)
	}
	return err
}

// ctxErr is the error of a done ctx as a net.Error, so that a deadline
// reads as a timeout.
func ctxErr(ctx context.Context) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return os.ErrDeadlineExceeded
	}
	return ctx.Err()
}
