package wgnet

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"strings"

	"github.com/renet-go/renet/conn"
)

// Name lookups.
//
// Like tun/netstack, and unlike Go's resolver, a lookup depends on
// nothing from the host: no /etc/hosts, no search domains from
// /etc/resolv.conf, no host sockets. It is conn.LookupNetIP with the
// servers given to CreateNetTUN: the name asked as given (made absolute
// with a trailing dot), the servers in order, twice round, each exchange
// bounded by five seconds, over UDP and then over TCP when the answer is
// truncated. A name error (NXDOMAIN) ends the lookup at once; any other
// failure moves on to the next server.

// Errors of dialing and pinging.
var (
	errNumericPort     = errors.New("port must be numeric")
	errNoSuitableAddr  = errors.New("no suitable address found")
	errMissingAddress  = errors.New("missing address")
	errBadPingAddress  = errors.New("ping dial: invalid address")
	errMismatchedProto = errors.New("mismatched protocols")
	errNoSuchHost      = errors.New("no such host")
)

// LookupHost looks host up with the DNS servers given to CreateNetTUN,
// through the tunnel, returning its addresses of the families the Net has
// an address of, as tun/netstack's: IPv4 (A records) on a Net with an
// IPv4 address, IPv6 (AAAA) on one with an IPv6 address, and on a Net
// with both the IPv6 addresses first, then the IPv4 ones, each in the
// server's order. An IP literal is returned as it is, without a query.
func (n *Net) LookupHost(host string) ([]string, error) {
	return n.LookupContextHost(context.Background(), host)
}

// LookupContextHost is LookupHost with a context that bounds the lookup.
// Errors are *net.DNSError, with IsNotFound set when the name does not
// exist or has no address of the Net's families and IsTimeout when the
// servers did not answer in time.
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

// lookup is LookupContextHost returning netip.Addrs. Names go to
// conn.LookupNetIPFamily with the stack's servers, those of CreateNetTUN,
// asking for the record types of the families the Net has addresses of
// (IPv6 first), as tun/netstack does.
func (n *Net) lookup(ctx context.Context, host string) ([]netip.Addr, error) {
	literal := host
	if i := strings.LastIndexByte(host, '%'); i >= 0 && strings.IndexByte(host, ':') >= 0 {
		literal = host[:i] // an IPv6 zone, dropped as tun/netstack drops it
	}
	if a, err := netip.ParseAddr(literal); err == nil {
		return []netip.Addr{a}, nil
	}
	// Only the families the Net has addresses of, as tun/netstack asks.
	network := "ip"
	switch v4, v6 := n.families(); {
	case v4 && !v6:
		network = "ip4"
	case v6 && !v4:
		network = "ip6"
	}
	return conn.LookupNetIPFamily(ctx, n.stack, nil, network, host)
}

// ctxErr is the error of a done ctx as a net.Error, so that a deadline
// reads as a timeout.
func ctxErr(ctx context.Context) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return os.ErrDeadlineExceeded
	}
	return ctx.Err()
}
