package wire

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
)

// Most printer output is checked against tcpdump itself in
// TestPrintersMatchTcpdump; these cases cover what tcpdump prints
// differently (errors, the view String methods, VLANs).

func TestFormatFrameMalformed(t *testing.T) {
	echoBadIPSum := append([]byte(nil), echoRequestFrame...)
	echoBadIPSum[14+8]-- // TTL changed, header checksum now wrong
	echoBadICMPSum := append([]byte(nil), echoRequestFrame...)
	echoBadICMPSum[len(echoBadICMPSum)-1] ^= 0xff
	synBadOpt := append([]byte(nil), synFrame...)
	synBadOpt[14+20+20+1] = 3 // MSS option length 3
	bigTotal := ipWithFix(echoRequestFrame[14:], func(b []byte) { b[3] = 200 })
	unknownARP := append([]byte(nil), arpRequestFrame...)
	unknownARP[21] = 9
	tokenRing := append([]byte(nil), arpRequestFrame...)
	tokenRing[15] = 6
	unreachBadQuote := append([]byte(nil), portUnreachableFrame...)
	copy(unreachBadQuote[34:], icmpWithFix(portUnreachableFrame[34:], func(b []byte) { b[8] = 0x60 }))
	const macs = "02:00:00:00:00:64 > 02:00:00:00:00:01, "
	tests := []struct {
		desc string
		b    []byte
		want string
	}{
		{"empty", nil, "ethernet, length 0 [ether: wire: truncated packet]"},
		{"IPv6, empty", unhex(`020000000001 020000000064 86dd`), macs + "IP6 length 0 [ip6: wire: truncated packet]"},
		{"LLDP", unhex(`020000000001 020000000064 88cc 020704`), macs + "ethertype 0x88cc, length 3"},
		{"IP header cut", echoRequestFrame[:14+19], macs + "IP length 19 [ip: wire: truncated packet]"},
		{"IP total length beyond frame", append(append([]byte(nil), echoRequestFrame[:14]...), bigTotal...),
			macs + "IP 192.168.69.100 > 192.168.69.1: length 84 [ip: wire: truncated packet]"},
		{"bad IP header checksum", echoBadIPSum,
			macs + "IP 192.168.69.100 > 192.168.69.1: ICMP echo request, id 5134, seq 1, length 64 [ip: wire: bad checksum]"},
		{"bad ICMP checksum", echoBadICMPSum,
			macs + "IP 192.168.69.100 > 192.168.69.1: ICMP echo request, id 5134, seq 1, length 64 [icmp: wire: bad checksum]"},
		{"bad TCP option", synBadOpt,
			macs + "IP 192.168.69.100.41234 > 192.168.69.1.6969: Flags [S], seq 2823571706, win 64240, options [[bad opt]], length 0"},
		{"TCP header cut", synFrame[:14+20+30],
			macs + "IP 192.168.69.100 > 192.168.69.1: length 50 [ip: wire: truncated packet]"},
		{"ARP unknown op", unknownARP,
			"02:00:00:00:00:64 > ff:ff:ff:ff:ff:ff, ARP, op 9, sender 192.168.69.100 (02:00:00:00:00:64), target 192.168.69.1 (00:00:00:00:00:00), length 28"},
		{"ARP for another hardware type", tokenRing,
			"02:00:00:00:00:64 > ff:ff:ff:ff:ff:ff, ARP, length 28 [arp: wire: unsupported packet]"},
		{"unreachable quoting IPv6", unreachBadQuote,
			"02:00:00:00:00:01 > 02:00:00:00:00:64, IP 192.168.69.1 > 192.168.69.100: ICMP unreachable - code 3, length 48 [icmp inner: wire: malformed packet]"},
		{"VLAN", vlanFrame, "02:00:00:00:00:01 > 02:00:00:00:00:02, vlan 5, IP 10.0.0.1.5000 > 10.0.0.2.6000: UDP, length 2"},
	}
	for _, tt := range tests {
		if got := FormatFrame(tt.b); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.desc, got, tt.want)
		}
	}
}

func TestFormatIPv6Malformed(t *testing.T) {
	echo := echo6Frame[14:]
	badSum := ip6With(echo, func(b []byte) { b[len(b)-1] ^= 0xff })
	const pfx = "IP6 fdaa::100 > fdaa::1: "
	tests := []struct {
		desc string
		b    []byte
		want string
	}{
		{"header cut", echo[:30], "IP6 length 30 [ip6: wire: truncated packet]"},
		{"payload length beyond the bytes", echo[:100], pfx + "length 100 [ip6: wire: truncated packet]"},
		{"bad ICMPv6 checksum", badSum, pfx + "ICMP6, echo request, id 29136, seq 1, length 64 [icmp6: wire: bad checksum]"},
		{"ICMPv6 cut", ip6Packet(ip6B, 58, []byte{0x80, 0, 0, 0}), pfx + "ICMP6, length 4 [icmp6: wire: truncated packet]"},
		{"hop-by-hop cut", ip6Packet(ip6B, 0, []byte{58, 1, 0, 0, 0, 0, 0, 0}), pfx + "[ip6: wire: truncated packet]"},
		{"fragment header cut", ip6Packet(ip6B, 44, []byte{58, 0, 0, 0}), pfx + "[ip6: wire: truncated packet]"},
		{"NS cut", ip6Packet(ip6B, 58, icmpv6Msg(ICMPv6NeighborSolicit, 16)),
			pfx + "ICMP6, neighbor solicitation, length 16 [icmp6: wire: truncated packet]"},
		{"unreachable with a bad quote", ip6Packet(ip6B, 58, icmpv6Msg(ICMPv6DestUnreachable, 20)),
			pfx + "ICMP6, destination unreachable, code 0, length 20 [icmp6: wire: truncated packet]"},
		{"nine destination options headers", ip6Packet(ip6B, 60, bytes.Repeat([]byte{60, 0, 1, 4, 0, 0, 0, 0}, 10)),
			pfx + strings.Repeat("DSTOPT ", 9) + "[ip6: wire: unsupported packet]"},
	}
	for _, tt := range tests {
		if got := FormatIPv6Packet(tt.b); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.desc, got, tt.want)
		}
	}
	m := must(ParseICMPv6(echo[40:], ip6A, ip6B))
	if got, want := m.String(), "ICMP6, echo request, id 29136, seq 1, length 64"; got != want {
		t.Errorf("ICMPv6.String() = %q, want %q", got, want)
	}
	if got, want := icmpv6Msg(250, 8).String(), "ICMP6, unknown icmp6 type (250), length 8"; got != want {
		t.Errorf("unknown type: %q, want %q", got, want)
	}
}

// icmpv6Msg is an ICMPv6 message of type t and n bytes, checksummed for
// fdaa::100 > fdaa::1.
func icmpv6Msg(t ICMPv6Type, n int) ICMPv6 {
	b := make([]byte, n)
	b[0] = uint8(t)
	icmpv6Checksum(b, ip6A, ip6B)
	return ICMPv6(b)
}

func TestFormatTransportErrors(t *testing.T) {
	// Transport headers too short for their protocol, inside a valid IPv4
	// packet built with IPv4Fields.
	build := func(proto IPProto, payload []byte) []byte {
		b := make([]byte, 20+len(payload))
		copy(b[20:], payload)
		f := IPv4Fields{TTL: 64, Protocol: proto, Src: ipA, Dst: ipB}
		f.Encode(b, len(payload))
		return b
	}
	udpBadLen := []byte{0x13, 0x88, 0x17, 0x70, 0x00, 0x04, 0, 0}
	tests := []struct {
		desc string
		b    []byte
		want string
	}{
		{"TCP 10 bytes", build(IPProtoTCP, make([]byte, 10)),
			"IP 192.168.69.100 > 192.168.69.1: tcp, length 10 [tcp: wire: truncated packet]"},
		{"UDP 4 bytes", build(IPProtoUDP, make([]byte, 4)),
			"IP 192.168.69.100 > 192.168.69.1: udp, length 4 [udp: wire: truncated packet]"},
		{"UDP length 4", build(IPProtoUDP, udpBadLen),
			"IP 192.168.69.100.5000 > 192.168.69.1.6000: UDP, length 0 [udp: wire: malformed packet]"},
		{"ICMP 3 bytes", build(IPProtoICMP, make([]byte, 3)),
			"IP 192.168.69.100 > 192.168.69.1: ICMP length 3 [icmp: wire: truncated packet]"},
	}
	for _, tt := range tests {
		if got := FormatIPv4Packet(tt.b); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.desc, got, tt.want)
		}
	}
}

// TestFormatIGMP covers what the tcpdump comparison of testdata/igmp.pcap
// and crafted.pcap cannot: messages ParseIGMP rejects, whose line is
// tcpdump's followed by the error.
func TestFormatIGMP(t *testing.T) {
	build := func(payload []byte, more bool) []byte {
		f := IPv4Fields{TTL: 1, Protocol: IPProtoIGMP, Src: ipA, Dst: IGMPv3AllRouters, RouterAlert: true, MoreFragments: more}
		b := make([]byte, f.Len()+len(payload))
		copy(b[f.Len():], payload)
		f.Encode(b, len(payload))
		return b
	}
	const addrs = "IP 192.168.69.100 > 224.0.0.22: "
	badSum := append([]byte(nil), igmpV2Report...)
	badSum[2]++
	tests := []struct {
		desc string
		b    []byte
		want string
	}{
		{"v3 report fixture", build(igmpV3Report, false), addrs + "igmp v3 report, 2 group record(s)"},
		{"v3 query fixture", build(igmpV3Query, false),
			addrs + "igmp query v3 [max resp time 20.8s] [gaddr 239.1.2.3, 2 source(s)]"},
		{"4 bytes", build(igmpV2Report[:4], false), addrs + "igmp length 4 [igmp: wire: truncated packet]"},
		{"bad checksum", build(badSum, false), addrs + "igmp v2 report 239.7.8.9 [igmp: wire: bad checksum]"},
		{"bad checksum in a first fragment is not checked", build(badSum, true), addrs + "igmp v2 report 239.7.8.9"},
		{"query of 10 bytes", build(igmpWithFix(igmpV3Query[:10], func([]byte) {}), false),
			addrs + "igmp query v2 [max resp time 138] [gaddr 239.1.2.3] [len 10] [igmp: wire: malformed packet]"},
		{"v3 query missing sources", build(igmpWithFix(igmpV3Query[:16], func([]byte) {}), false),
			addrs + "igmp query v3 [max resp time 20.8s] [gaddr 239.1.2.3 [invalid number of sources] [igmp: wire: truncated packet]"},
		{"v3 report missing a record", build(igmpWithFix(igmpV3Report[:16], func([]byte) {}), false),
			addrs + "igmp v3 report, 2 group record(s) [igmp: wire: truncated packet]"},
		{"v3 report of 10 bytes", build(igmpWithFix(append(igmpV3Report[:8:8], 0, 0), func(b []byte) { b[7] = 0 }), false),
			addrs + "igmp v3 report [invalid len 10]"},
		{"v3 query max resp time 0", build(igmpWithFix(igmpV3Query, func(b []byte) { b[1] = 0 }), false),
			addrs + "igmp query v3 [max resp time 0.0s] [gaddr 239.1.2.3, 2 source(s)]"},
		{"v3 query max resp time over a minute", build(igmpWithFix(igmpV3Query, func(b []byte) { b[1] = 0xaa }), false),
			addrs + "igmp query v3 [max resp time 1m23s] [gaddr 239.1.2.3, 2 source(s)]"},
	}
	for _, tt := range tests {
		if got := FormatIPv4Packet(tt.b); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.desc, got, tt.want)
		}
	}
	if got := must(ParseIGMP(igmpV2Report)).String(); got != "igmp v2 report 239.7.8.9" {
		t.Errorf("IGMP.String() = %q", got)
	}
	for secs, want := range map[int]string{0: "0s", 59: "59s", 60: "1m", 3661: "1h1m1s", 694861: "1w1d1h1m1s", 31536000: "1y"} {
		if got := string(appendRelTime(nil, secs)); got != want {
			t.Errorf("appendRelTime(%d) = %q, want %q", secs, got, want)
		}
	}
}

func TestViewStrings(t *testing.T) {
	ip := must(ParseIPv4(synFrame[14:]))
	tests := []struct {
		desc string
		got  string
		want string
	}{
		{"Ethernet", must(ParseEthernet(synFrame)).String(),
			"02:00:00:00:00:64 > 02:00:00:00:00:01, ethertype IPv4 (0x0800), length 74"},
		{"Ethernet with VLAN", must(ParseEthernet(vlanFrame)).String(),
			"02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype 802.1Q (0x8100), length 60: vlan 5, p 3, ethertype IPv4 (0x0800)"},
		{"ARP", must(ParseARP(arpReplyFrame[14:])).String(),
			"ARP, Reply 192.168.69.1 is-at 02:00:00:00:00:01, length 28"},
		{"IPv4", ip.String(),
			"IP 192.168.69.100.41234 > 192.168.69.1.6969: Flags [S], seq 2823571706, win 64240, options [mss 1460,sackOK,TS val 477046104 ecr 0,nop,wscale 10], length 0"},
		{"TCP", must(ParseTCP(ip.Payload())).String(),
			"41234 > 6969: Flags [S], seq 2823571706, win 64240, options [mss 1460,sackOK,TS val 477046104 ecr 0,nop,wscale 10], length 0"},
		{"UDP", must(ParseUDP(vlanFrame[38:48])).String(), "5000 > 6000: UDP, length 2"},
		{"ICMP", must(ParseICMPv4(echoRequestFrame[34:])).String(), "ICMP echo request, id 5134, seq 1, length 64"},
		{"ICMP unreachable", must(ParseICMPv4(portUnreachableFrame[34:])).String(),
			"ICMP 192.168.69.1 udp port 9 unreachable, length 48"},
		{"FormatIPv4Packet", FormatIPv4Packet(echoRequestFrame[14:]),
			"IP 192.168.69.100 > 192.168.69.1: ICMP echo request, id 5134, seq 1, length 64"},
		{"ARPOp", ARPOp(7).String(), "op 7"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.desc, tt.got, tt.want)
		}
	}
}

// TestStringOnUnparsedViews: String is safe even on a view made by
// conversion, without Parse, whatever its bytes.
func TestStringOnUnparsedViews(t *testing.T) {
	for n := range 70 {
		b := make([]byte, n)
		for i := range b {
			b[i] = 0xff
		}
		if n > 13 {
			binary.BigEndian.PutUint16(b[12:], uint16(EtherTypeVLAN))
		}
		for it := IGMP(b).GroupRecords(); ; {
			if _, ok := it.Next(); !ok {
				break
			}
		}
		for _, s := range []string{Ethernet(b).String(), ARP(b).String(), IPv4(b).String(), ICMPv4(b).String(), IGMP(b).String(),
			UDP(b).String(), TCP(b).String(), FormatFrame(b), FormatIPv4Packet(b)} {
			if s == "" || strings.ContainsRune(s, '\n') {
				t.Errorf("len %d: %q", n, s)
			}
		}
	}
}

func TestAppendFrameReusesBuffer(t *testing.T) {
	buf := make([]byte, 0, 512)
	out := AppendFrame(buf, synFrame)
	if &out[0] != &buf[:1][0] {
		t.Error("AppendFrame did not append into the given buffer")
	}
	if string(out) != FormatFrame(synFrame) {
		t.Errorf("AppendFrame %q != FormatFrame", out)
	}
}
