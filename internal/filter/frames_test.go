package filter

import (
	"encoding/binary"
	"net/netip"

	"github.com/renet-go/renet/netstack/wire"
)

// Test frames, built with netstack/wire's Fields types.

var (
	macHost  = wire.MAC{0x02, 0, 0, 0, 0, 0x64}
	macStack = wire.MAC{0x02, 0, 0, 0, 0, 0x01}
	ipHost   = netip.MustParseAddr("192.168.69.100")
	ipStack  = netip.MustParseAddr("192.168.69.1")
	ipDNS    = netip.MustParseAddr("8.8.8.8")
	ipTen    = netip.MustParseAddr("10.1.2.3")
)

// ipv4Frame wraps a transport payload in IPv4 and Ethernet II. opts bytes
// of IP options (a multiple of 4; NOPs ending in EOL) move the transport
// header away from offset 34, where a filter that ignored the header
// length would look.
func ipv4Frame(ip wire.IPv4Fields, opts int, payload []byte) []byte {
	b := make([]byte, 14+20+opts+len(payload))
	(&wire.EthernetFields{Dst: macStack, Src: macHost, Type: wire.EtherTypeIPv4}).Encode(b)
	copy(b[34+opts:], payload)
	h := b[14 : 34+opts]
	ip.Encode(h, opts+len(payload))
	if opts > 0 {
		for i := 20; i < 20+opts; i++ {
			h[i] = 1 // NOP
		}
		h[len(h)-1] = 0 // EOL
		h[0] = 0x40 | byte(len(h)/4)
		binary.BigEndian.PutUint16(h[10:], 0)
		binary.BigEndian.PutUint16(h[10:], wire.Checksum(h))
	}
	return b
}

func tcpFrame(src netip.Addr, sport uint16, dst netip.Addr, dport uint16, opts int) []byte {
	seg := make([]byte, 20)
	(&wire.TCPFields{SrcPort: sport, DstPort: dport, Seq: 1, Flags: wire.TCPFlagSYN, Window: 64240}).Encode(seg, src, dst)
	return ipv4Frame(wire.IPv4Fields{TTL: 64, Protocol: wire.IPProtoTCP, Src: src, Dst: dst}, opts, seg)
}

func udpFrame(src netip.Addr, sport uint16, dst netip.Addr, dport uint16, opts int) []byte {
	d := make([]byte, 8+4)
	copy(d[8:], "ping")
	(&wire.UDPFields{SrcPort: sport, DstPort: dport}).Encode(d, src, dst)
	return ipv4Frame(wire.IPv4Fields{TTL: 64, Protocol: wire.IPProtoUDP, Src: src, Dst: dst}, opts, d)
}

func icmpFrame(src, dst netip.Addr, typ wire.ICMPType) []byte {
	m := make([]byte, 8+8)
	(&wire.ICMPv4Fields{Type: typ, Rest: wire.EchoRest(7, 1)}).Encode(m)
	return ipv4Frame(wire.IPv4Fields{TTL: 64, Protocol: wire.IPProtoICMP, Src: src, Dst: dst}, 0, m)
}

func arpFrame(op wire.ARPOp, sender, target netip.Addr) []byte {
	b := make([]byte, 14+28)
	(&wire.EthernetFields{Dst: wire.MAC{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, Src: macHost, Type: wire.EtherTypeARP}).Encode(b)
	(&wire.ARPFields{Op: op, SenderMAC: macHost, SenderIP: sender, TargetIP: target}).Encode(b[14:])
	return b
}

// udpFragments returns the first and a later fragment of a UDP datagram
// from ipHost:4000 to ipStack:53. The later one's payload begins with the
// same four bytes as the UDP header, so reading ports from it would match.
func udpFragments() (first, later []byte) {
	d := make([]byte, 8+8)
	(&wire.UDPFields{SrcPort: 4000, DstPort: 53}).Encode(d, ipHost, ipStack)
	ip := wire.IPv4Fields{ID: 77, TTL: 64, Protocol: wire.IPProtoUDP, Src: ipHost, Dst: ipStack, MoreFragments: true}
	first = ipv4Frame(ip, 0, d)
	ip.MoreFragments, ip.FragmentOffset = false, 1480
	later = ipv4Frame(ip, 0, d[:8])
	return first, later
}

// vlanFrame inserts an 802.1Q tag (VLAN 5) into an untagged frame.
func vlanFrame(f []byte) []byte {
	b := make([]byte, 0, len(f)+4)
	b = append(b, f[:12]...)
	b = binary.BigEndian.AppendUint16(b, uint16(wire.EtherTypeVLAN))
	b = binary.BigEndian.AppendUint16(b, 5)
	return append(b, f[12:]...)
}

// ipv6Frame is an Ethernet frame with an IPv6 header carrying TCP, whose
// bytes at the IPv4 offsets are zeros: nothing but "ether" matches it.
func ipv6Frame() []byte {
	b := make([]byte, 14+40+20)
	(&wire.EthernetFields{Dst: macStack, Src: macHost, Type: wire.EtherTypeIPv6}).Encode(b)
	b[14] = 0x60
	binary.BigEndian.PutUint16(b[18:], 20)
	b[20] = 6 // next header TCP
	return b
}

// testFrame is a named frame for the tables.
type testFrame struct {
	name string
	b    []byte
}

func testFrames() []testFrame {
	first, later := udpFragments()
	tcp80 := tcpFrame(ipHost, 41234, ipStack, 80, 0)
	return []testFrame{
		{"tcp80", tcp80}, // 192.168.69.100.41234 > 192.168.69.1.80
		{"tcp80opts", tcpFrame(ipHost, 5555, ipStack, 80, 8)}, // same with 8 bytes of IP options, sport 5555
		{"tcpReply", tcpFrame(ipStack, 80, ipHost, 41234, 0)}, // 192.168.69.1.80 > 192.168.69.100.41234
		{"tcpTen", tcpFrame(ipTen, 1000, ipStack, 22, 0)},     // 10.1.2.3.1000 > 192.168.69.1.22
		{"udp53", udpFrame(ipHost, 5353, ipDNS, 53, 0)},       // 192.168.69.100.5353 > 8.8.8.8.53
		{"udp53opts", udpFrame(ipDNS, 53, ipHost, 5353, 4)},   // 8.8.8.8.53 > 192.168.69.100.5353, options
		{"icmpReq", icmpFrame(ipHost, ipStack, wire.ICMPEchoRequest)},
		{"icmpRep", icmpFrame(ipStack, ipHost, wire.ICMPEchoReply)},
		{"arpReq", arpFrame(wire.ARPRequest, ipHost, ipStack)}, // who-has .1 tell .100
		{"fragFirst", first}, // UDP 4000 > 53, MF
		{"fragLater", later}, // offset 1480
		{"vlanTCP80", vlanFrame(tcp80)},
		{"ipv6", ipv6Frame()},
		{"truncated", tcp80[:36]}, // IPv4 header and the source port only
	}
}
