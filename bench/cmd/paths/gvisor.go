package main

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync"

	"github.com/renet-go/renet/internal/relay/pathtest"
	"github.com/renet-go/renet/link"
	"gvisor.dev/gvisor/pkg/buffer"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/adapters/gonet"
	"gvisor.dev/gvisor/pkg/tcpip/link/channel"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"
)

// gvisorPeer is a gVisor stack on a link.Endpoint, joined by two pump
// goroutines to a channel.Endpoint.
type gvisorPeer struct {
	s      *stack.Stack
	ep     link.Endpoint
	ch     *channel.Endpoint
	cancel context.CancelFunc
	pumps  sync.WaitGroup
}

const gvNIC = 1

// newGVisorPeer starts gVisor on ep (IP medium) at addr, with its default
// TCP buffers and receive autotuning and with SACK on (gVisor's default
// is off; wireguard-go's netstack turns it on).
func newGVisorPeer(ep link.Endpoint, addr netip.Prefix) (pathtest.Peer, error) {
	s := stack.New(stack.Options{
		NetworkProtocols:   []stack.NetworkProtocolFactory{ipv4.NewProtocol},
		TransportProtocols: []stack.TransportProtocolFactory{tcp.NewProtocol},
	})
	sack := tcpip.TCPSACKEnabled(true)
	ch := channel.New(1024, uint32(ep.MTU()), "")
	p := &gvisorPeer{s: s, ep: ep, ch: ch}
	if err := p.setup(&sack, addr); err != nil {
		s.Close()
		ep.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	p.pumps.Add(2)
	go p.in()
	go p.out(ctx)
	return p, nil
}

func (p *gvisorPeer) setup(sack *tcpip.TCPSACKEnabled, addr netip.Prefix) error {
	if err := p.s.SetTransportProtocolOption(tcp.ProtocolNumber, sack); err != nil {
		return errors.New(err.String())
	}
	if err := p.s.CreateNIC(gvNIC, p.ch); err != nil {
		return errors.New(err.String())
	}
	pa := tcpip.ProtocolAddress{
		Protocol:          ipv4.ProtocolNumber,
		AddressWithPrefix: tcpip.AddressWithPrefix{Address: tcpip.AddrFrom4(addr.Addr().As4()), PrefixLen: addr.Bits()},
	}
	if err := p.s.AddProtocolAddress(gvNIC, pa, stack.AddressProperties{}); err != nil {
		return errors.New(err.String())
	}
	subnet, err := tcpip.NewSubnet(tcpip.AddrFrom4(addr.Masked().Addr().As4()),
		tcpip.MaskFromBytes(net.CIDRMask(addr.Bits(), 32)))
	if err != nil {
		return err
	}
	p.s.SetRouteTable([]tcpip.Route{{Destination: subnet, NIC: gvNIC}})
	return nil
}

// in moves packets from the link into gVisor until the link is closed.
func (p *gvisorPeer) in() {
	defer p.pumps.Done()
	bufs, sizes := make([][]byte, 64), make([]int, 64)
	for i := range bufs {
		bufs[i] = make([]byte, p.ep.MTU())
	}
	for {
		n, err := p.ep.ReadBatch(bufs, sizes)
		if err != nil {
			return
		}
		for i := range n {
			pkt := stack.NewPacketBuffer(stack.PacketBufferOptions{
				Payload: buffer.MakeWithData(append([]byte(nil), bufs[i][:sizes[i]]...)),
			})
			p.ch.InjectInbound(ipv4.ProtocolNumber, pkt)
			pkt.DecRef()
		}
	}
}

// out moves packets gVisor sends onto the link until ctx is cancelled.
func (p *gvisorPeer) out(ctx context.Context) {
	defer p.pumps.Done()
	for {
		pkt := p.ch.ReadContext(ctx)
		if pkt == nil {
			return
		}
		b := pkt.ToBuffer()
		data := b.Flatten()
		b.Release()
		pkt.DecRef()
		p.ep.WriteBatch([][]byte{data})
	}
}

func (p *gvisorPeer) Dial(dst netip.AddrPort) (net.Conn, error) {
	return gonet.DialContextTCP(context.Background(), p.s,
		tcpip.FullAddress{NIC: gvNIC, Addr: tcpip.AddrFrom4(dst.Addr().As4()), Port: dst.Port()}, ipv4.ProtocolNumber)
}

// gvPort is the port gVisor listens on; every peer is a fresh stack.
const gvPort = 5001

func (p *gvisorPeer) Listen() (net.Listener, error) {
	return gonet.ListenTCP(p.s, tcpip.FullAddress{NIC: gvNIC, Port: gvPort}, ipv4.ProtocolNumber)
}

// Retrans returns the stack's retransmitted segments: one connection per
// stack, so the stack's counter is the connection's.
func (p *gvisorPeer) Retrans(net.Conn) (uint64, bool) {
	return p.s.Stats().TCP.Retransmits.Value(), true
}

func (p *gvisorPeer) Close() error {
	p.s.Close()
	p.s.Wait()
	p.cancel()
	p.ep.Close()
	p.pumps.Wait()
	p.ch.Close()
	return nil
}
