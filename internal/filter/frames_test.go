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

var (
	ip6Host  = netip.MustParseAddr("fdaa::100")
	ip6Stack = netip.MustParseAddr("fdaa::1")
	ip6DNS   = netip.MustParseAddr("2001:4860:4860::8888")
	ip6LL    = netip.MustParseAddr("fe80::64")
	ip6MLD   = netip.MustParseAddr("ff02::16")
	ip6SNode = netip.MustParseAddr("ff02::1:ff00:1") // fdaa::1's solicited-node group
)

// ipv6Frame wraps a payload in IPv6 and Ethernet II. ext are the
// extension headers, in order, each given as its protocol number and its
// bytes (whose first byte, the next header, ipv6Frame fills in); proto is
// the upper-layer protocol the last one names.
func ipv6Frame(src, dst netip.Addr, proto wire.IPProto, payload []byte, ext ...extHeader) []byte {
	n := len(payload)
	for _, e := range ext {
		n += len(e.b)
	}
	b := make([]byte, 14+40, 14+40+n)
	dstMAC := macStack
	if dst.IsMulticast() {
		a := dst.As16()
		dstMAC = wire.MAC{0x33, 0x33, a[12], a[13], a[14], a[15]}
	}
	(&wire.EthernetFields{Dst: dstMAC, Src: macHost, Type: wire.EtherTypeIPv6}).Encode(b)
	first := proto
	if len(ext) > 0 {
		first = ext[0].proto
	}
	(&wire.IPv6Fields{NextHeader: first, HopLimit: 64, Src: src, Dst: dst}).Encode(b[14:], n)
	for i, e := range ext {
		next := proto
		if i+1 < len(ext) {
			next = ext[i+1].proto
		}
		h := append([]byte(nil), e.b...)
		h[0] = byte(next)
		b = append(b, h...)
	}
	return append(b, payload...)
}

// extHeader is an IPv6 extension header for ipv6Frame.
type extHeader struct {
	proto wire.IPProto
	b     []byte
}

// hopByHopRA is the hop-by-hop header with Router Alert that MLD
// messages carry.
func hopByHopRA() extHeader {
	b := make([]byte, wire.IPv6RouterAlertLen)
	(&wire.IPv6RouterAlertFields{Value: 0}).Encode(b)
	return extHeader{wire.IPProtoIPv6HopByHop, b}
}

// destOpts is an empty destination options header: 6 bytes of PadN.
func destOpts() extHeader {
	return extHeader{wire.IPProtoIPv6Opts, []byte{0, 0, 1, 4, 0, 0, 0, 0}}
}

func fragHeader(offset int, more bool) extHeader {
	b := make([]byte, wire.IPv6FragmentLen)
	(&wire.IPv6FragmentFields{Offset: offset, More: more, ID: 99}).Encode(b)
	return extHeader{wire.IPProtoIPv6Frag, b}
}

func tcp6Frame(src netip.Addr, sport uint16, dst netip.Addr, dport uint16, ext ...extHeader) []byte {
	seg := make([]byte, 20)
	(&wire.TCPFields{SrcPort: sport, DstPort: dport, Seq: 1, Flags: wire.TCPFlagSYN, Window: 64240}).Encode(seg, src, dst)
	return ipv6Frame(src, dst, wire.IPProtoTCP, seg, ext...)
}

func udp6Frame(src netip.Addr, sport uint16, dst netip.Addr, dport uint16, ext ...extHeader) []byte {
	d := make([]byte, 8+4)
	copy(d[8:], "ping")
	(&wire.UDPFields{SrcPort: sport, DstPort: dport}).Encode(d, src, dst)
	return ipv6Frame(src, dst, wire.IPProtoUDP, d, ext...)
}

func icmp6Frame(src, dst netip.Addr, typ wire.ICMPv6Type, ext ...extHeader) []byte {
	m := make([]byte, 8+8)
	(&wire.ICMPv6Fields{Type: typ, Rest: wire.EchoRest(7, 1)}).Encode(m, src, dst)
	return ipv6Frame(src, dst, wire.IPProtoICMPv6, m, ext...)
}

// udp6Fragments returns the first and a later fragment of a UDP datagram
// from ip6Host:4000 to ip6Stack:53. As for IPv4, the later one's payload
// begins with the bytes of the UDP header.
func udp6Fragments() (first, later []byte) {
	d := make([]byte, 8+8)
	(&wire.UDPFields{SrcPort: 4000, DstPort: 53}).Encode(d, ip6Host, ip6Stack)
	first = ipv6Frame(ip6Host, ip6Stack, wire.IPProtoUDP, d, fragHeader(0, true))
	later = ipv6Frame(ip6Host, ip6Stack, wire.IPProtoUDP, d[:8], fragHeader(1232, false))
	return first, later
}

// testFrame is a named frame for the tables.
type testFrame struct {
	name string
	b    []byte
}

func testFrames() []testFrame {
	first, later := udpFragments()
	tcp80 := tcpFrame(ipHost, 41234, ipStack, 80, 0)
	first6, later6 := udp6Fragments()
	tcp6 := tcp6Frame(ip6Host, 41234, ip6Stack, 80)
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
		{"truncated", tcp80[:36]}, // IPv4 header and the source port only

		{"tcp6", tcp6}, // fdaa::100.41234 > fdaa::1.80
		{"tcp6Reply", tcp6Frame(ip6Stack, 80, ip6Host, 41234)},            // fdaa::1.80 > fdaa::100.41234
		{"tcp6Opts", tcp6Frame(ip6Host, 41234, ip6Stack, 80, destOpts())}, // same behind destination options
		{"udp6", udp6Frame(ip6Host, 5353, ip6DNS, 53)},                    // fdaa::100.5353 > 2001:4860:4860::8888.53
		{"icmp6Req", icmp6Frame(ip6Host, ip6Stack, wire.ICMPv6EchoRequest)},
		{"icmp6Rep", icmp6Frame(ip6Stack, ip6Host, wire.ICMPv6EchoReply)},
		{"ns6", icmp6Frame(ip6Host, ip6SNode, wire.ICMPv6NeighborSolicit)},        // to fdaa::1's solicited-node group
		{"mld6", icmp6Frame(ip6LL, ip6MLD, wire.ICMPv6MLDv2Report, hopByHopRA())}, // behind hop-by-hop
		{"frag6First", first6},         // UDP 4000 > 53 behind a fragment header, M
		{"frag6Later", later6},         // offset 1232
		{"truncated6", tcp6[:14+40+2]}, // IPv6 header and the source port only
	}
}
