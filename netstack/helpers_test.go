package netstack

import (
	"net/netip"
	"testing"
	"time"

	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/netstack/wire"
)

// The test network: the stack at .1 with ourMAC, a peer host at .100.
var (
	ourMAC   = wire.MAC{0x02, 0, 0, 0, 0, 0x01}
	peerMAC  = wire.MAC{0x02, 0, 0, 0, 0, 0x64}
	ourIP    = netip.MustParseAddr("192.168.69.1")
	peerIP   = netip.MustParseAddr("192.168.69.100")
	t0       = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ourNet   = netip.MustParsePrefix("192.168.69.1/24")
	otherMAC = wire.MAC{0x02, 0, 0, 0, 0, 0x99}
)

// newTestStack starts a stack on a capture link and discards its
// gratuitous ARP.
func newTestStack(t testing.TB, mutate ...func(*Config)) (*Stack, *captureLink) {
	t.Helper()
	l := newCaptureLink(link.Ethernet, 1500)
	cfg := Config{Addrs: []netip.Prefix{ourNet}, HardwareAddr: ourMAC[:]}
	for _, m := range mutate {
		m(&cfg)
	}
	s, err := New(l, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	l.settle = s.flushWait
	l.take()
	return s, l
}

// frame wraps an Ethernet header around payload.
func frame(dst, src wire.MAC, et wire.EtherType, payload []byte) []byte {
	b := make([]byte, wire.EthernetHeaderLen+len(payload))
	f := wire.EthernetFields{Dst: dst, Src: src, Type: et}
	f.Encode(b)
	copy(b[wire.EthernetHeaderLen:], payload)
	return b
}

func arpPacket(op wire.ARPOp, sha wire.MAC, spa netip.Addr, tha wire.MAC, tpa netip.Addr) []byte {
	b := make([]byte, wire.ARPLen)
	f := wire.ARPFields{Op: op, SenderMAC: sha, SenderIP: spa, TargetMAC: tha, TargetIP: tpa}
	f.Encode(b)
	return b
}

// ipPacket builds an IPv4 packet around a transport payload.
func ipPacket(f wire.IPv4Fields, payload []byte) []byte {
	if f.TTL == 0 {
		f.TTL = 64
	}
	b := make([]byte, wire.IPv4MinHeaderLen+len(payload))
	copy(b[wire.IPv4MinHeaderLen:], payload)
	f.Encode(b, len(payload))
	return b
}

func echoRequest(id, seq uint16, data []byte) []byte {
	b := make([]byte, wire.ICMPv4HeaderLen+len(data))
	copy(b[wire.ICMPv4HeaderLen:], data)
	f := wire.ICMPv4Fields{Type: wire.ICMPEchoRequest, Rest: wire.EchoRest(id, seq)}
	f.Encode(b)
	return b
}

func udpPacket(src, dst netip.AddrPort, payload []byte) []byte {
	b := make([]byte, wire.UDPHeaderLen+len(payload))
	copy(b[wire.UDPHeaderLen:], payload)
	f := wire.UDPFields{SrcPort: src.Port(), DstPort: dst.Port()}
	f.Encode(b, src.Addr(), dst.Addr())
	return b
}

// fromPeer frames an IP packet from the peer to us.
func fromPeer(ip []byte) []byte { return frame(ourMAC, peerMAC, wire.EtherTypeIPv4, ip) }

// resolvePeer teaches the stack the peer's MAC the way a real peer does:
// with an ARP request for our address.
func resolvePeer(t testing.TB, s *Stack, l *captureLink) {
	t.Helper()
	s.inject(t0, frame(wire.BroadcastMAC, peerMAC, wire.EtherTypeARP,
		arpPacket(wire.ARPRequest, peerMAC, peerIP, wire.MAC{}, ourIP)))
	l.take()
}

// parsed is one frame the stack wrote, decoded down to the IP layer.
type parsed struct {
	eth wire.Ethernet
	ip  wire.IPv4
}

func mustParseIP(t testing.TB, b []byte) parsed {
	t.Helper()
	eth, err := wire.ParseEthernet(b)
	if err != nil {
		t.Fatalf("stack wrote a bad frame: %v", err)
	}
	if eth.EtherType() != wire.EtherTypeIPv4 {
		t.Fatalf("stack wrote ethertype %v, want IPv4", eth.EtherType())
	}
	ip, err := wire.ParseIPv4(eth.Payload())
	if err != nil {
		t.Fatalf("stack wrote a bad IPv4 packet: %v", err)
	}
	return parsed{eth, ip}
}

// fragments cuts an IP payload into fragments carrying chunk bytes each.
func fragments(f wire.IPv4Fields, payload []byte, chunk int) [][]byte {
	var out [][]byte
	for off := 0; off < len(payload); off += chunk {
		end := min(off+chunk, len(payload))
		ff := f
		ff.FragmentOffset = off
		ff.MoreFragments = end < len(payload)
		out = append(out, ipPacket(ff, payload[off:end]))
	}
	return out
}
