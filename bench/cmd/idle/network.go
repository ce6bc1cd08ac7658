package main

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/link/pipe"
	"github.com/renet-go/renet/netstack"
)

// The two stacks' addresses and ports. The idle connections go to
// listeners on firstServerPort, firstServerPort+1, ...; the connect probe
// has a listener of its own so it never competes with them.
var (
	serverAddr = netip.MustParseAddr("10.9.0.1")
	clientAddr = netip.MustParseAddr("10.9.0.2")
)

const (
	probePort       = 9999
	firstServerPort = 10000
	firstClientPort = 1024
	lastClientPort  = 65535
	ephemeralPorts  = 60999 - 32768 + 1 // the stack's range, Linux's default
)

// network is two stacks over one in-memory pipe, with the server's
// listeners.
type network struct {
	client, server *netstack.Stack
	listeners      []acceptor // listeners[j] is on firstServerPort+j
	probe          acceptor   // on probePort
}

// newNetwork joins two stacks with a clean pipe carrying bare IPv4
// packets. The IP medium is the cheaper one for this job: no Ethernet
// header to build and parse on every segment and no ARP, while the
// per-connection state, which is what is measured, is the same on both.
func newNetwork(o *options) (*network, error) {
	ea, eb := pipe.New(pipe.Config{Medium: link.IP, QueueLen: o.queueLen, Seed: 1})
	srv, err := netstack.New(ea, netstack.Config{Addrs: []netip.Prefix{netip.PrefixFrom(serverAddr, 24)}})
	if err != nil {
		return nil, fmt.Errorf("server stack: %w", err)
	}
	cli, err := netstack.New(eb, netstack.Config{Addrs: []netip.Prefix{netip.PrefixFrom(clientAddr, 24)}})
	if err != nil {
		srv.Close()
		return nil, fmt.Errorf("client stack: %w", err)
	}
	nw := &network{client: cli, server: srv}
	if err := nw.listen(o); err != nil {
		nw.Close()
		return nil, err
	}
	return nw, nil
}

// listen opens the server's listeners through the layer under test.
func (nw *network) listen(o *options) error {
	for j := range o.listeners {
		l, err := o.layer.listen(nw.server, netip.AddrPortFrom(serverAddr, uint16(firstServerPort+j)), o.backlog)
		if err != nil {
			return fmt.Errorf("listen on port %d: %w", firstServerPort+j, err)
		}
		nw.listeners = append(nw.listeners, l)
	}
	l, err := o.layer.listen(nw.server, netip.AddrPortFrom(serverAddr, probePort), o.backlog)
	if err != nil {
		return fmt.Errorf("listen on port %d: %w", probePort, err)
	}
	nw.probe = l
	return nil
}

// closeListeners stops every listener, which ends blocked accepts.
func (nw *network) closeListeners() {
	for _, l := range nw.listeners {
		l.Close()
	}
	if nw.probe != nil {
		nw.probe.Close()
	}
}

// Close tears everything down. Stack.Close resets every connection, one
// RST each, so at a million connections it takes seconds; main skips it
// and lets the process exit instead.
func (nw *network) Close() error {
	nw.closeListeners()
	return errors.Join(nw.client.Close(), nw.server.Close())
}
