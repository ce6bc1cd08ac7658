// Package filter compiles capture filter expressions in the syntax of
// tcpdump (pcap-filter(7)) to classic BPF programs, for a packet socket's
// SO_ATTACH_FILTER (link/afpacket's AttachFilter) or for Matcher, which
// runs them in Go.
//
// The language is the common core of pcap-filter:
//
//	primitive  = [proto] [dir] [type value]
//	proto      = ether | ip | arp | tcp | udp | icmp
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
// Semantics follow tcpdump's for IPv4 over Ethernet II:
//
//   - "host" matches an IPv4 source or destination, or an ARP sender or
//     target protocol address; "ip host" only the former, "arp host" only
//     the latter, "ether host" a MAC address.
//   - "port" matches a TCP, UDP or SCTP port ("tcp port" and "udp port" one
//     protocol only), read at the offset the IPv4 header length gives
//     (the BPF idiom ldxb 4*([14]&0xf)), so headers with options are
//     handled. Non-first fragments carry no transport header and never
//     match a port.
//   - "tcp", "udp" and "icmp" match every IPv4 packet of that protocol,
//     fragments included.
//   - Nothing matches an 802.1Q-tagged frame except the empty expression,
//     which accepts every frame. IPv6 frames match only "ether" primitives.
//   - A load past the end of a frame rejects it, as in the kernel, even
//     under "not": "not port 80" does not match a frame cut short before
//     its ports.
//
// CompileFor compiles for bare IPv4 packets instead (a TUN device), where
// the IPv4 header starts at offset 0 and "arp" and "ether" are errors.
//
// Every program Compile returns assembles, jumps only forward, ends in a
// return, and has at most MaxInstructions instructions, so the kernel
// accepts it. It returns AcceptLen for a matching frame and 0 otherwise.
// Invalid expressions give a *SyntaxError saying where and what was
// expected. The package keeps no state: everything is safe for concurrent
// use.
package filter
