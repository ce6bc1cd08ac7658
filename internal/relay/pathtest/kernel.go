package pathtest

import (
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/renet-go/renet/internal/relay"
	"github.com/renet-go/renet/link/pipe"
)

// Kernels is Linux sending to Linux through the same relay:
// kernel ns1 (10.77.0.1) ─ TUN ─ relay ─ TUN ─ kernel ns2 (10.77.0.2).
type Kernels struct {
	ns1, ns2 NS
	relay    *relay.Relay
}

// NewKernels builds the topology between two namespaces.
func NewKernels(ns1, ns2 NS, path pipe.Config) (*Kernels, error) {
	d1, err := openTUN(ns1, "rly1", addr1)
	if err != nil {
		return nil, err
	}
	d2, err := openTUN(ns2, "rly2", addr2)
	if err != nil {
		d1.Close()
		return nil, err
	}
	r, err := relay.New(d1, d2, relay.Config{Path: path})
	if err != nil {
		d1.Close()
		d2.Close()
		return nil, err
	}
	return &Kernels{ns1: ns1, ns2: ns2, relay: r}, nil
}

// HostDrops returns the packets the two kernels dropped at their TUN
// devices, which the relay never saw; a trustworthy run has none.
func (k *Kernels) HostDrops() (uint64, error) {
	d1, err := txDropped(k.ns1, "rly1")
	if err != nil {
		return 0, err
	}
	d2, err := txDropped(k.ns2, "rly2")
	return d1 + d2, err
}

// Relay returns the relay, for its counters.
func (k *Kernels) Relay() *relay.Relay { return k.relay }

// Send sends size bytes from ns1 to ns2 with congestion control cc ("" for
// ns1's default) and verifies them; the retransmission count is the
// sender's.
func (k *Kernels) Send(size int64, cc string, timeout time.Duration) (Result, error) {
	ln, err := listenKernel(k.ns2, addr2.Addr())
	if err != nil {
		return Result{}, err
	}
	defer ln.Close()
	accepted := acceptOne(ln)
	port := ln.Addr().(*net.TCPAddr).Port
	c, err := dialKernel(k.ns1, netip.AddrPortFrom(addr2.Addr(), uint16(port)).String(), cc)
	if err != nil {
		return Result{}, fmt.Errorf("pathtest: kernel dial: %w", err)
	}
	defer c.Close()
	rc, err := (<-accepted).get()
	if err != nil {
		return Result{}, err
	}
	defer rc.Close()
	return Transfer(c, rc, size, time.Now().Add(timeout), kernelRetrans(c))
}

// Close tears the relay down, and with it both TUN devices.
func (k *Kernels) Close() error { return k.relay.Close() }
