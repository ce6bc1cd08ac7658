package pathsim

import (
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/renet-go/renet/netstack"
	"github.com/renet-go/renet/netstack/tcp"
)

// Direction says which stack sends the data.
type Direction uint8

const (
	// AToB: stack A, which dials, sends to stack B, which listens (an
	// upload).
	AToB Direction = iota
	// BToA: the listening stack sends (a download).
	BToA
)

// Options describes the transfer Run makes over a Path.
type Options struct {
	// Bytes is how many bytes to move; it must be positive.
	Bytes int64
	// Direction is which way they move.
	Direction Direction
	// Sender and Receiver are the TCP configurations of the sending and
	// the receiving stack (netstack.Config.TCP), e.g. to pick a
	// congestion controller or pin buffer sizes. Zero values are the
	// stack's defaults.
	Sender, Receiver tcp.Config
}

// The stacks' addresses, their prefix length, and the port B listens on.
var (
	addrA = netip.MustParseAddr("10.0.0.1")
	addrB = netip.MustParseAddr("10.0.0.2")
)

const (
	prefix = 24
	portB  = 5001
)

// Run builds two stacks joined by the network p describes, opens one TCP
// connection, moves o.Bytes bytes of a known pattern one way, checks every
// byte the receiver reads, and reports what it measured. It returns an
// error if the transfer fails or any byte arrives wrong. Stack A is
// 10.0.0.1/24 and dials; stack B is 10.0.0.2/24 and listens on port 5001.
// Call Run inside a testing/synctest bubble; see the package comment.
func Run(p Path, o Options) (Result, error) {
	if o.Bytes <= 0 {
		return Result{}, errors.New("pathsim: Options.Bytes must be positive")
	}
	nl := newNetLink(p)
	defer nl.close()
	cfgA, cfgB := stackConfig(addrA, o.Sender), stackConfig(addrB, o.Receiver)
	if o.Direction == BToA {
		cfgA.TCP, cfgB.TCP = o.Receiver, o.Sender
	}
	sa, err := netstack.New(nl.a, cfgA)
	if err != nil {
		return Result{}, fmt.Errorf("pathsim: stack A: %w", err)
	}
	defer sa.Close()
	sb, err := netstack.New(nl.b, cfgB)
	if err != nil {
		return Result{}, fmt.Errorf("pathsim: stack B: %w", err)
	}
	defer sb.Close()
	return connectAndMove(sa, sb, nl, o)
}

// connectAndMove opens the connection, runs the transfer and gathers the
// counters.
func connectAndMove(sa, sb *netstack.Stack, nl *netLink, o Options) (Result, error) {
	ca, cb, err := connect(sa, sb)
	if err != nil {
		return Result{}, err
	}
	defer ca.Close()
	defer cb.Close()
	snd, rcv := ca, cb
	if o.Direction == BToA {
		snd, rcv = cb, ca
	}
	r, err := transfer(snd, rcv, o.Bytes)
	if err != nil {
		return Result{}, err
	}
	r.Wire, r.Bottleneck = nl.stats()
	r.SenderStack, r.ReceiverStack = sa.Stats(), sb.Stats()
	if o.Direction == BToA {
		r.Wire, r.Bottleneck = flip(r.Wire), flip(r.Bottleneck)
		r.SenderStack, r.ReceiverStack = r.ReceiverStack, r.SenderStack
	}
	return r, nil
}

// arpTimeout outlives any transfer. With the default 60s, a long transfer
// loses its neighbour entry mid-flight: the stack does not confirm
// neighbours from TCP progress (as Linux does), so packets wait one ARP
// round trip, which on a 300 ms path fires a spurious RTO and a go-back-N
// of the whole window. That is a stack bug to fix, not something a TCP
// measurement should carry.
const arpTimeout = 24 * time.Hour

// stackConfig is the configuration of one of the two stacks.
func stackConfig(addr netip.Addr, tc tcp.Config) netstack.Config {
	return netstack.Config{
		Addrs:      []netip.Prefix{netip.PrefixFrom(addr, prefix)},
		TCP:        tc,
		ARPTimeout: arpTimeout,
	}
}
