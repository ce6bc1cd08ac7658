package conn

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
	"sync"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/renet-go/renet/netstack"
)

// A small DNS client (RFC 1035) that needs nothing from the host: it is
// what Dial, Listen and ListenPacket use for a host name when no Resolver
// is given. Go's resolver, by contrast, reads /etc/hosts, /etc/resolv.conf
// and /etc/nsswitch.conf and opens a host UDP socket per address to sort
// its answers (see NewResolver).

const (
	dnsExchangeTimeout = 5 * time.Second // one question to one server: resolv.conf's default timeout
	dnsRounds          = 2               // times round the servers: resolv.conf's default attempts
	// dnsUDPBufSize is the read buffer for UDP answers. The queries carry
	// no EDNS(0) record, so a server keeps its answers within 512 bytes
	// (RFC 1035 §4.2.1) and truncates the rest; the slack only keeps a
	// careless server's larger answer from being cut short and ignored.
	dnsUDPBufSize = 1232
)

// aLongTimeAgo is a deadline in the past, set to wake a blocked call.
var aLongTimeAgo = time.Unix(1, 0)

// Causes in a *net.DNSError's Err, in the words of Go's resolver.
var (
	errNoSuchHost        = errors.New("no such host")
	errServerMisbehaving = errors.New("server misbehaving")
	errBadDNSResponse    = errors.New("cannot parse DNS response")
)

// LookupNetIP looks host up through s with the DNS servers given, or when
// none are, with the stack's Config.DNS. On a stack with an IPv6 address
// beyond link-local it asks for both AAAA and A records, in parallel, and
// returns the IPv6 addresses first, then the IPv4 ones (RFC 6724's default
// policy prefers IPv6 when the stack has a global IPv6 source), each in
// the order the server gave them; otherwise it asks for A records only,
// since the stack could not reach an IPv6 address anyway. An IP literal is
// returned as it is, without a query.
//
// Nothing comes from the host: no /etc/hosts (so "localhost" is a name
// like any other, asked of the servers), no search domains or options
// from /etc/resolv.conf, no host socket, no cgo. The name is asked as
// given, made absolute: "db" is asked as "db.". Each server is asked in
// turn, twice round, each question bounded by five seconds: over UDP,
// then over TCP when the answer is truncated. A server that fails (no
// answer, an ICMP error, SERVFAIL, REFUSED) hands over to the next; a
// name error (NXDOMAIN) or an answer without addresses ends the lookup.
// ctx bounds the whole.
//
// Errors are *net.DNSError: IsNotFound when the name does not exist or
// has no address of the families asked, IsTimeout when no server answered
// in time, and with no servers at all, Err is the text of ErrNoDNSServers
// (which errors.Is finds). When ctx ends first, errors.Is finds ctx's
// error.
func LookupNetIP(ctx context.Context, s *netstack.Stack, servers []netip.AddrPort, host string) ([]netip.Addr, error) {
	network := "ip4"
	if s != nil && hasGlobalIPv6(s) {
		network = "ip"
	}
	return lookupNetIP(ctx, s, servers, network, host)
}

// LookupNetIPFamily is LookupNetIP for the families network names, as
// net.Resolver.LookupNetIP takes them: "ip4" (A records), "ip6" (AAAA)
// or "ip" (both, IPv6 first), whatever addresses the stack has.
func LookupNetIPFamily(ctx context.Context, s *netstack.Stack, servers []netip.AddrPort, network, host string) ([]netip.Addr, error) {
	switch network {
	case "ip", "ip4", "ip6":
	default:
		return nil, &net.DNSError{Err: "unknown network " + network, Name: host}
	}
	return lookupNetIP(ctx, s, servers, network, host)
}

// lookupNetIP is LookupNetIP for the families of network: "ip4" (A
// records), "ip6" (AAAA) or "ip" (both, IPv6 first).
func lookupNetIP(ctx context.Context, s *netstack.Stack, servers []netip.AddrPort, network, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a}, nil
	}
	if s == nil {
		return nil, &net.DNSError{Err: "conn: LookupNetIP was given a nil stack", Name: host}
	}
	var qs []dnsmessage.Question
	for _, t := range dnsTypes(network) {
		q, ok := dnsQuestion(host, t)
		if !ok {
			return nil, &net.DNSError{Err: errNoSuchHost.Error(), Name: host, IsNotFound: true, UnwrapErr: errNoSuchHost}
		}
		qs = append(qs, q)
	}
	if len(servers) == 0 {
		servers = s.DNS()
	}
	if len(servers) == 0 {
		return nil, &net.DNSError{Err: ErrNoDNSServers.Error(), Name: host, UnwrapErr: ErrNoDNSServers}
	}
	var last *net.DNSError
	for range dnsRounds {
		for _, server := range servers {
			addrs, err := dnsAsk(ctx, s, server, qs)
			if err == nil && len(addrs) == 0 {
				err = errNoSuchHost // the name exists, but not for these types
			}
			if err == nil {
				return addrs, nil
			}
			if ctx.Err() != nil {
				err = ctx.Err()
			}
			last = dnsError(err, host, server)
			if last.IsNotFound || ctx.Err() != nil {
				return nil, last
			}
		}
	}
	return nil, last
}

// dnsTypes are the record types to ask for network, in the order their
// addresses are returned.
func dnsTypes(network string) []dnsmessage.Type {
	switch network {
	case "ip6":
		return []dnsmessage.Type{dnsmessage.TypeAAAA}
	case "ip":
		return []dnsmessage.Type{dnsmessage.TypeAAAA, dnsmessage.TypeA}
	}
	return []dnsmessage.Type{dnsmessage.TypeA}
}

// dnsAsk asks server every question of qs at once, as Go's resolver sends
// its A and AAAA queries in parallel, and returns the addresses of the
// answers in the order of qs. A name error for one type is no error if
// another has addresses; any other failure is the server's failure.
func dnsAsk(ctx context.Context, s *netstack.Stack, server netip.AddrPort, qs []dnsmessage.Question) ([]netip.Addr, error) {
	if len(qs) == 1 {
		return dnsExchange(ctx, s, server, qs[0])
	}
	type answer struct {
		addrs []netip.Addr
		err   error
	}
	answers := make([]answer, len(qs))
	var wg sync.WaitGroup
	for i, q := range qs {
		wg.Go(func() {
			a, err := dnsExchange(ctx, s, server, q)
			answers[i] = answer{a, err}
		})
	}
	wg.Wait()
	var addrs []netip.Addr
	var notFound, failed error
	for _, a := range answers {
		switch {
		case a.err == errNoSuchHost:
			notFound = a.err
		case a.err != nil:
			failed = a.err
		}
		addrs = append(addrs, a.addrs...)
	}
	switch {
	case failed != nil && len(addrs) == 0:
		return nil, failed
	case len(addrs) == 0 && notFound != nil:
		return nil, notFound
	}
	return addrs, nil
}

// dnsError reports err, met asking server about host.
func dnsError(err error, host string, server netip.AddrPort) *net.DNSError {
	var ne net.Error
	return &net.DNSError{
		Err:        err.Error(),
		Name:       host,
		Server:     server.String(),
		IsTimeout:  errors.As(err, &ne) && ne.Timeout(),
		IsNotFound: err == errNoSuchHost,
		UnwrapErr:  err,
	}
}

// dnsQuestion is the question for host's records of type t, with host
// made absolute, or false when host is not a valid name.
func dnsQuestion(host string, t dnsmessage.Type) (dnsmessage.Question, bool) {
	if !isDomainName(host) {
		return dnsmessage.Question{}, false
	}
	if !strings.HasSuffix(host, ".") {
		host += "."
	}
	name, err := dnsmessage.NewName(host)
	if err != nil {
		return dnsmessage.Question{}, false
	}
	return dnsmessage.Question{Name: name, Type: t, Class: dnsmessage.ClassINET}, true
}

// isDomainName reports whether s is a valid host name (RFC 1035 §2.3.1,
// with '_' allowed as resolvers allow it) with a non-digit somewhere, so
// that a mistyped address ("10.0.0") is not sent to the servers.
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
		for _, c := range []byte(label) {
			switch {
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

// dnsExchange asks server q within dnsExchangeTimeout and returns the
// addresses of the answer, or errNoSuchHost for a name error.
func dnsExchange(ctx context.Context, s *netstack.Stack, server netip.AddrPort, q dnsmessage.Question) ([]netip.Addr, error) {
	ctx, cancel := context.WithTimeout(ctx, dnsExchangeTimeout)
	defer cancel()
	// RFC 5452 §9.2: an unpredictable id (and, from the stack, a random
	// source port) so that an off-path forger must guess both.
	var idb [2]byte
	rand.Read(idb[:])
	id := binary.BigEndian.Uint16(idb[:])
	query := dnsmessage.Message{
		Header:    dnsmessage.Header{ID: id, RecursionDesired: true},
		Questions: []dnsmessage.Question{q},
	}
	req, err := query.Pack()
	if err != nil {
		return nil, err
	}
	resp, err := dnsExchangeUDP(ctx, s, server, req, id, q)
	if err == nil && resp.Truncated {
		resp, err = dnsExchangeTCP(ctx, s, server, req, id, q)
	}
	if err != nil {
		if ctx.Err() != nil {
			err = os.ErrDeadlineExceeded // net.Error with Timeout() true
		}
		return nil, err
	}
	switch resp.RCode {
	case dnsmessage.RCodeSuccess:
	case dnsmessage.RCodeNameError:
		return nil, errNoSuchHost
	default: // SERVFAIL, REFUSED, NOTIMP, FORMERR: another server may do better
		return nil, errServerMisbehaving
	}
	var addrs []netip.Addr
	for _, rr := range resp.Answers {
		// Records of other types (the CNAMEs leading to the name's
		// records) are skipped.
		switch b := rr.Body.(type) {
		case *dnsmessage.AResource:
			if q.Type == dnsmessage.TypeA {
				addrs = append(addrs, netip.AddrFrom4(b.A))
			}
		case *dnsmessage.AAAAResource:
			if q.Type == dnsmessage.TypeAAAA {
				addrs = append(addrs, netip.AddrFrom16(b.AAAA).Unmap())
			}
		}
	}
	return addrs, nil
}

// dnsResponse returns the message in b if it is the response to the query
// id, q: RFC 5452 §9.1 asks that the id and the question match (the
// connected socket sees to the server's address and port).
func dnsResponse(b []byte, id uint16, q dnsmessage.Question) (*dnsmessage.Message, bool) {
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

// dnsExchangeUDP sends req to server over UDP through s and waits, until
// ctx is done, for the response, ignoring datagrams that are not it.
func dnsExchangeUDP(ctx context.Context, s *netstack.Stack, server netip.AddrPort, req []byte, id uint16, q dnsmessage.Question) (*dnsmessage.Message, error) {
	d := Dialer{Stack: s}
	c, err := d.dialUDP("udp", server)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(aLongTimeAgo) })
	defer stop()
	if _, err := c.Write(req); err != nil {
		return nil, err
	}
	b := make([]byte, dnsUDPBufSize)
	for {
		n, err := c.Read(b)
		if err != nil {
			return nil, err
		}
		if m, ok := dnsResponse(b[:n], id, q); ok {
			return m, nil
		}
	}
}

// dnsExchangeTCP sends req to server over TCP through s, each message
// behind its two-byte length (RFC 1035 §4.2.2), and reads the response.
func dnsExchangeTCP(ctx context.Context, s *netstack.Stack, server netip.AddrPort, req []byte, id uint16, q dnsmessage.Question) (*dnsmessage.Message, error) {
	d := Dialer{Stack: s, KeepAlive: -1}
	c, err := d.dialTCP(ctx, "tcp", server)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(aLongTimeAgo) })
	defer stop()
	// One write, so that the length and the query leave in one segment
	// (RFC 7766 §8).
	if _, err := c.Write(append(binary.BigEndian.AppendUint16(nil, uint16(len(req))), req...)); err != nil {
		return nil, err
	}
	var n [2]byte
	if _, err := io.ReadFull(c, n[:]); err != nil {
		return nil, err
	}
	b := make([]byte, binary.BigEndian.Uint16(n[:]))
	if _, err := io.ReadFull(c, b); err != nil {
		return nil, err
	}
	m, ok := dnsResponse(b, id, q)
	if !ok {
		return nil, errBadDNSResponse
	}
	return m, nil
}
