package channel_test

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/renet-go/renet/link/channel"
	"github.com/renet-go/renet/netstack"
	"github.com/renet-go/renet/netstack/wire"
)

// The Port side of a channel, played here by a fake tunnel: it writes an
// ICMP echo request to a stack at 10.0.0.1 and reads the reply, with 16
// bytes of headroom in front of each packet as wireguard-go leaves.
func ExampleNew() {
	ep, port := channel.New(channel.Config{}) // bare IPv4 packets, MTU 1500
	stack, err := netstack.New(ep, netstack.Config{
		Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.0.1/24")},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stack.Close() // closes the Endpoint, and with it the Port

	const offset = 16
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	req := echoRequest(offset, netip.MustParseAddr("10.0.0.2"), netip.MustParseAddr("10.0.0.1"))
	if _, err := port.Write(ctx, [][]byte{req}, offset); err != nil {
		fmt.Println(err)
		return
	}

	bufs := [][]byte{make([]byte, offset+1500)}
	sizes := make([]int, 1)
	for {
		n, err := port.Read(ctx, bufs, sizes, offset)
		if err != nil {
			fmt.Println(err)
			return
		}
		if pkt := bufs[0][offset : offset+sizes[0]]; n == 1 && pkt[9] == 1 { // ICMP
			fmt.Println(wire.FormatIPv4Packet(pkt))
			return
		}
	}
	// Output:
	// IP 10.0.0.1 > 10.0.0.2: ICMP echo reply, id 7, seq 1, length 13
}

// echoRequest builds an IPv4 ICMP echo request from src to dst, id 7, seq
// 1, payload "hello", behind offset bytes of headroom.
func echoRequest(offset int, src, dst netip.Addr) []byte {
	payload := []byte("hello")
	icmp := make([]byte, wire.ICMPv4HeaderLen+len(payload))
	copy(icmp[wire.ICMPv4HeaderLen:], payload)
	echo := wire.ICMPv4Fields{Type: wire.ICMPEchoRequest, Rest: wire.EchoRest(7, 1)}
	echo.Encode(icmp)

	ip := wire.IPv4Fields{TTL: 64, Protocol: wire.IPProtoICMP, Src: src, Dst: dst}
	pkt := make([]byte, offset+ip.Len()+len(icmp))
	ip.Encode(pkt[offset:], len(icmp))
	copy(pkt[offset+ip.Len():], icmp)
	return pkt
}
