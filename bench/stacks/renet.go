package stacks

import (
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/renet-go/renet/conn"
	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/link/pipe"
	"github.com/renet-go/renet/netstack"
	"github.com/renet-go/renet/netstack/tcp"
)

var (
	renetServer = netip.MustParseAddr("10.0.0.1")
	renetClient = netip.MustParseAddr("10.0.0.2")
)

type renetNet struct {
	server, client *netstack.Stack
	// link is the pipe's server end, whose counters the tests read.
	link *pipe.Endpoint
}

// NewRenet returns two renet stacks joined by a clean link/pipe carrying
// bare IP packets (as gVisor's channel endpoint does), MTU 1500, software
// checksums: the server at 10.0.0.1, the client at 10.0.0.2. TCP buffers
// are fixed at BufferSize, autotuning off, as gVisor is configured here:
// the figures compare the stacks, not their buffer policies.
func NewRenet() (Network, error) {
	return newRenet(
		pipe.Config{Medium: link.IP, MTU: MTU, Seed: 1},
		tcp.Config{RecvBufSize: BufferSize, SendBufSize: BufferSize, RecvBufMax: BufferSize, SendBufMax: BufferSize},
	)
}

// NewRenet64K returns two renet stacks joined by a clean link/pipe
// carrying bare IP packets with MTU64K and offload on (checksum offload,
// TSO and GRO, as a veth pair between two stacks of one host), and renet's
// default TCP configuration (autotuned buffers): the counterpart of the
// kernel's loopback, whose MTU is 65536, which skips checksums and which
// keeps its own defaults. The server is at 10.0.0.1, the client at
// 10.0.0.2.
func NewRenet64K() (Network, error) {
	return newRenet(pipe.Config{Medium: link.IP, MTU: MTU64K, Offload: true, Seed: 1}, tcp.Config{})
}

// newRenet joins two renet stacks, configured with tcfg, by a pipe
// configured by pcfg.
func newRenet(pcfg pipe.Config, tcfg tcp.Config) (Network, error) {
	ea, eb := pipe.New(pcfg)
	srv, err := netstack.New(ea, netstack.Config{
		Addrs: []netip.Prefix{netip.PrefixFrom(renetServer, 24)},
		TCP:   tcfg,
	})
	if err != nil {
		eb.Close()
		return nil, fmt.Errorf("renet server stack: %w", err)
	}
	cli, err := netstack.New(eb, netstack.Config{
		Addrs: []netip.Prefix{netip.PrefixFrom(renetClient, 24)},
		TCP:   tcfg,
	})
	if err != nil {
		srv.Close()
		eb.Close()
		return nil, fmt.Errorf("renet client stack: %w", err)
	}
	return &renetNet{server: srv, client: cli, link: ea}, nil
}

func (n *renetNet) ListenTCP() (net.Listener, error) {
	return conn.ListenTCP(n.server, netip.AddrPortFrom(netip.IPv4Unspecified(), tcpPort))
}

func (n *renetNet) DialTCP(port int) (net.Conn, error) {
	return conn.Dial(n.client, "tcp", netip.AddrPortFrom(renetServer, uint16(port)).String())
}

func (n *renetNet) ListenUDP() (net.PacketConn, error) {
	return conn.ListenUDP(n.server, "udp", netip.AddrPortFrom(netip.IPv4Unspecified(), udpPort))
}

func (n *renetNet) DialUDP(port int) (net.Conn, error) {
	return conn.Dial(n.client, "udp", netip.AddrPortFrom(renetServer, uint16(port)).String())
}

func (n *renetNet) Close() error {
	return errors.Join(n.client.Close(), n.server.Close())
}
