package stacks

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/adapters/gonet"
	"gvisor.dev/gvisor/pkg/tcpip/link/channel"
	"gvisor.dev/gvisor/pkg/tcpip/network/arp"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"
	"gvisor.dev/gvisor/pkg/tcpip/transport/udp"
)

var (
	gvServer = tcpip.AddrFrom4([4]byte{10, 0, 0, 1})
	gvClient = tcpip.AddrFrom4([4]byte{10, 0, 0, 2})
)

// nicID is the one NIC of each gVisor stack.
const nicID = 1

// channelQueue is the packets each channel endpoint holds, as link/pipe's
// default QueueLen.
const channelQueue = 1024

type gvisorNet struct {
	server, client *stack.Stack
	eps            [2]*channel.Endpoint
	cancel         context.CancelFunc
	pumps          sync.WaitGroup
}

// NewGVisor returns two gVisor stacks joined by two channel endpoints
// (MTU 1500, bare IP packets) and one pump goroutine per direction: the
// server at 10.0.0.1, the client at 10.0.0.2. TCP buffers are set to
// BufferSize with receive-buffer autotuning off, matching renet.
func NewGVisor() (Network, error) {
	n := &gvisorNet{}
	srvEP := channel.New(channelQueue, MTU, "")
	cliEP := channel.New(channelQueue, MTU, "")
	n.eps = [2]*channel.Endpoint{srvEP, cliEP}
	var err error
	if n.server, err = newGVisorStack(srvEP, gvServer); err != nil {
		return nil, fmt.Errorf("gvisor server stack: %w", err)
	}
	if n.client, err = newGVisorStack(cliEP, gvClient); err != nil {
		n.server.Close()
		n.server.Wait()
		return nil, fmt.Errorf("gvisor client stack: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n.cancel = cancel
	n.pumps.Add(2)
	go n.pump(ctx, srvEP, cliEP)
	go n.pump(ctx, cliEP, srvEP)
	return n, nil
}

func newGVisorStack(ep *channel.Endpoint, addr tcpip.Address) (*stack.Stack, error) {
	s := stack.New(stack.Options{
		// ARP is registered as a full host would have it; the channel
		// endpoint asks for no link-address resolution, so it stays idle.
		NetworkProtocols:   []stack.NetworkProtocolFactory{ipv4.NewProtocol, arp.NewProtocol},
		TransportProtocols: []stack.TransportProtocolFactory{tcp.NewProtocol, udp.NewProtocol},
	})
	opts := []tcpip.SettableTransportProtocolOption{
		&tcpip.TCPSendBufferSizeRangeOption{Min: 4096, Default: BufferSize, Max: BufferSize},
		&tcpip.TCPReceiveBufferSizeRangeOption{Min: 4096, Default: BufferSize, Max: BufferSize},
	}
	for _, o := range opts {
		if err := s.SetTransportProtocolOption(tcp.ProtocolNumber, o); err != nil {
			s.Close()
			return nil, errors.New(err.String())
		}
	}
	moderate := tcpip.TCPModerateReceiveBufferOption(false)
	if err := s.SetTransportProtocolOption(tcp.ProtocolNumber, &moderate); err != nil {
		s.Close()
		return nil, errors.New(err.String())
	}
	if err := s.CreateNIC(nicID, ep); err != nil {
		s.Close()
		return nil, errors.New(err.String())
	}
	pa := tcpip.ProtocolAddress{
		Protocol:          ipv4.ProtocolNumber,
		AddressWithPrefix: tcpip.AddressWithPrefix{Address: addr, PrefixLen: 24},
	}
	if err := s.AddProtocolAddress(nicID, pa, stack.AddressProperties{}); err != nil {
		s.Close()
		return nil, errors.New(err.String())
	}
	subnet, err := tcpip.NewSubnet(tcpip.AddrFrom4([4]byte{10, 0, 0, 0}), tcpip.MaskFromBytes([]byte{255, 255, 255, 0}))
	if err != nil {
		s.Close()
		return nil, err
	}
	s.SetRouteTable([]tcpip.Route{{Destination: subnet, NIC: nicID}})
	return s, nil
}

// pump moves every packet the stack behind from sends to the stack behind
// to, until ctx is cancelled. The packet's storage is handed over by
// reference (gVisor buffers are reference-counted chunks), so unlike
// link/pipe it copies no payload bytes.
func (n *gvisorNet) pump(ctx context.Context, from, to *channel.Endpoint) {
	defer n.pumps.Done()
	for {
		pkt := from.ReadContext(ctx)
		if pkt == nil {
			return
		}
		proto := pkt.NetworkProtocolNumber
		in := stack.NewPacketBuffer(stack.PacketBufferOptions{Payload: pkt.ToBuffer()})
		pkt.DecRef()
		to.InjectInbound(proto, in)
		in.DecRef()
	}
}

func (n *gvisorNet) ListenTCP() (net.Listener, error) {
	return gonet.ListenTCP(n.server, tcpip.FullAddress{NIC: nicID, Port: tcpPort}, ipv4.ProtocolNumber)
}

func (n *gvisorNet) DialTCP(port int) (net.Conn, error) {
	return gonet.DialContextTCP(context.Background(), n.client,
		tcpip.FullAddress{NIC: nicID, Addr: gvServer, Port: uint16(port)}, ipv4.ProtocolNumber)
}

func (n *gvisorNet) ListenUDP() (net.PacketConn, error) {
	return gonet.DialUDP(n.server, &tcpip.FullAddress{NIC: nicID, Port: udpPort}, nil, ipv4.ProtocolNumber)
}

func (n *gvisorNet) DialUDP(port int) (net.Conn, error) {
	return gonet.DialUDP(n.client, nil,
		&tcpip.FullAddress{NIC: nicID, Addr: gvServer, Port: uint16(port)}, ipv4.ProtocolNumber)
}

func (n *gvisorNet) Close() error {
	n.client.Close()
	n.server.Close()
	n.client.Wait()
	n.server.Wait()
	n.cancel()
	n.pumps.Wait()
	for _, ep := range n.eps {
		ep.Close()
	}
	return nil
}
