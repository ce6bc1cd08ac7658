// Package filter compiles capture filter expressions in the syntax of
// tcpdump (pcap-filter(7)) to classic BPF programs, for a packet socket's
// SO_ATTACH_FILTER (link/afpacket's AttachFilter) or for Matcher, which
// runs them in Go.
//
// The language is the common core of pcap-filter:
//
//	primitive  = [proto] [dir] [type value]
//	proto      = ether | ip | ip6 | arp | tcp | udp | icmp | icmp6
//	dir        = src | dst
//	type       = host ADDR | net CIDR | port N | portrange N-M | proto P
//	expression = primitives joined by not (!), and (&&), or (||), parentheses
//
// with tcpdump's precedence, which is not the usual one: not binds
// tightest, while and and or bind equally and associate to the left, so
// "arp or icmp and host X" means "(arp or icmp) and host X" (parentheses
// say what is meant). Also tcpdump's shorthand: a bare value after and/or
// repeats the qualifiers of the primitive before it, so "port 53 or 80" is
// "port 53 or port 80" and "host 10.0.0.1 and not 10.0.0.2" is "host
// 10.0.0.1 and not host 10.0.0.2".
//
// Semantics follow tcpdump's (libpcap 1.10) for IPv4 and IPv6 over
// Ethernet II:
//
//   - "ip" is IPv4 only and "ip6" IPv6 only, as in tcpdump; "icmp" is
//     ICMP for IPv4, "icmp6" ICMPv6.
//   - "host" and "net" take an IPv4 or an IPv6 address or prefix, and the
//     address decides the family: "host 192.168.69.1" matches an IPv4
//     source or destination or an ARP sender or target protocol address,
//     never an IPv6 packet; "host fdaa::1" and "net fdaa::/64" match an
//     IPv6 source or destination, never an IPv4 packet (an IPv4-mapped
//     address such as ::ffff:10.0.0.1 is an IPv6 address here). "ip host"
//     and "arp host" take IPv4 addresses only, "ip6 host" IPv6 ones;
//     "ether host" takes a MAC address.
//   - "tcp", "udp" and "proto N" match both families: for IPv4 the
//     protocol field, for IPv6 the next header of the fixed header or,
//     when that is a fragment header, the fragment header's next header
//     (so every fragment of a datagram matches, as for IPv4). Like
//     libpcap, no other extension header is walked: a TCP segment behind
//     a hop-by-hop, routing or destination options header is not "tcp",
//     and MLD (behind hop-by-hop) is not "icmp6" but "ip6 proto 0". "ip
//     proto N" is IPv4 only, "ip6 proto N" IPv6 only.
//   - "port" matches a TCP, UDP or SCTP port ("tcp port" and "udp port" one
//     protocol only) over either family ("ip port" and "ip6 port", which
//     tcpdump refuses, one family only). For IPv4 the ports are read at
//     the offset the header length gives (the BPF idiom ldxb
//     4*([14]&0xf)), so headers with options are handled, and non-first
//     fragments never match. For IPv6, as in libpcap, the transport
//     header must follow the fixed header directly: a packet with any
//     extension header, a fragment header included, never matches a
//     port.
//   - Nothing matches an 802.1Q-tagged frame except the empty expression,
//     which accepts every frame, and "ether" primitives.
//   - A load past the end of a frame rejects it, as in the kernel, even
//     under "not": "not port 80" does not match a frame cut short before
//     its ports.
//
// CompileFor compiles for bare IP packets instead (a TUN device), where
// the version nibble tells IPv4 from IPv6 (libpcap's LINKTYPE_RAW), the
// IP header starts at offset 0, and "arp" and "ether" are errors.
//
// Every program Compile returns assembles, jumps only forward, ends in a
// return, and has at most MaxInstructions instructions, so the kernel
// accepts it. It returns AcceptLen for a matching frame and 0 otherwise.
// Invalid expressions give a *SyntaxError saying where and what was
// expected. The package keeps no state: everything is safe for concurrent
// use.
package filter
