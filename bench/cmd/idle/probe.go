package main

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"time"
)

// probeMsg is the request, echoed back as the response: a few bytes each
// way.
const probeMsg = "ping1234"

// idleRoundTrips times o.tries request/response exchanges on connection
// o.n/2, which has sat idle since the build-up, while its server end
// echoes.
func idleRoundTrips(o *options, set *idleSet) ([]time.Duration, error) {
	k := o.n / 2
	c := set.clients[k]
	srv := set.serverEnd(k%o.listeners, c.LocalAddrPort())
	if srv == nil {
		return nil, fmt.Errorf("no server end for %v", c.LocalAddrPort())
	}
	echoed := make(chan error, 1)
	go func() { echoed <- echo(srv, o.tries) }()
	rtts := make([]time.Duration, 0, o.tries)
	buf := make([]byte, len(probeMsg))
	for range o.tries {
		t0 := time.Now()
		if err := roundTrip(c, buf); err != nil {
			return nil, err
		}
		rtts = append(rtts, time.Since(t0))
	}
	return rtts, <-echoed
}

// serverEnd finds, among the ends accepted by listener j, the one whose
// peer is client. A scan, done once: the harness keeps no map of its own
// that would grow the heap it measures.
func (set *idleSet) serverEnd(j int, client netip.AddrPort) stream {
	for _, s := range set.servers[j] {
		if s.RemoteAddrPort() == client {
			return s
		}
	}
	return nil
}

// connectRoundTrips times o.tries times a new connection (to the probe
// listener, from an ephemeral port, as an ordinary client would) plus one
// request/response on it, with the idle connections open.
func connectRoundTrips(ctx context.Context, o *options, nw *network) ([]time.Duration, error) {
	served := make(chan error, 1)
	go func() { served <- serveProbes(nw.probe, o.tries) }()
	local := netip.AddrPortFrom(clientAddr, 0)
	remote := netip.AddrPortFrom(serverAddr, probePort)
	rtts := make([]time.Duration, 0, o.tries)
	buf := make([]byte, len(probeMsg))
	for range o.tries {
		t0 := time.Now()
		c, err := o.layer.dial(ctx, nw.client, local, remote)
		if err != nil {
			return nil, fmt.Errorf("probe dial: %w", err)
		}
		err = roundTrip(c, buf)
		rtts = append(rtts, time.Since(t0))
		c.Close()
		if err != nil {
			return nil, err
		}
	}
	return rtts, <-served
}

// serveProbes accepts n probe connections one after another and answers
// one request on each.
func serveProbes(l acceptor, n int) error {
	for range n {
		c, err := l.accept()
		if err != nil {
			return err
		}
		err = echo(c, 1)
		c.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// echo sends back each of rounds requests.
func echo(c stream, rounds int) error {
	buf := make([]byte, len(probeMsg))
	for range rounds {
		if _, err := io.ReadFull(c, buf); err != nil {
			return fmt.Errorf("echo read: %w", err)
		}
		if _, err := c.Write(buf); err != nil {
			return fmt.Errorf("echo write: %w", err)
		}
	}
	return nil
}

// roundTrip sends the request on c and reads and checks the response.
func roundTrip(c stream, buf []byte) error {
	if _, err := io.WriteString(c, probeMsg); err != nil {
		return fmt.Errorf("request: %w", err)
	}
	if _, err := io.ReadFull(c, buf); err != nil {
		return fmt.Errorf("response: %w", err)
	}
	if string(buf) != probeMsg {
		return fmt.Errorf("response %q, want %q", buf, probeMsg)
	}
	return nil
}

// median returns the middle value of d (the upper one of the middle two).
func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(d))
	return s[len(s)/2]
}
