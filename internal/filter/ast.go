package filter

import "net/netip"

// node is an expression tree: andNode, orNode, notNode or *prim.
type node any

type andNode struct{ a, b node }

type orNode struct{ a, b node }

type notNode struct{ x node }

// proto is the protocol qualifier of a primitive.
type proto uint8

const (
	protoNone proto = iota
	protoEther
	protoIP
	protoARP
	protoTCP
	protoUDP
	protoICMP
	protoIP6
	protoICMP6
)

var protoNames = map[string]proto{
	"ether": protoEther, "ip": protoIP, "arp": protoARP,
	"tcp": protoTCP, "udp": protoUDP, "icmp": protoICMP,
	"ip6": protoIP6, "icmp6": protoICMP6,
}

// dir is the direction qualifier.
type dir uint8

const (
	dirAny dir = iota
	dirSrc
	dirDst
)

var dirNames = map[string]dir{"src": dirSrc, "dst": dirDst}

// kind is the type qualifier: what the value names.
type kind uint8

const (
	kindNone      kind = iota // a protocol alone: "tcp", "arp"
	kindHost                  // an IPv4, IPv6 or MAC address
	kindNet                   // an IPv4 or IPv6 prefix
	kindPort                  // a port number
	kindPortRange             // an inclusive range of ports
	kindProto                 // a protocol or EtherType number
)

var kindNames = map[string]kind{
	"host": kindHost, "net": kindNet, "port": kindPort,
	"portrange": kindPortRange, "proto": kindProto,
}

// unsupported lists pcap-filter keywords this compiler does not know, so
// that using one gives a clearer error than "unknown word".
var unsupported = map[string]bool{
	"rarp": true, "sctp": true, "igmp": true, "protochain": true,
	"vlan": true, "mpls": true, "less": true, "greater": true,
	"broadcast": true, "multicast": true, "gateway": true, "len": true,
	"inbound": true, "outbound": true, "ifname": true, "on": true,
	"wlan": true, "link": true, "decnet": true, "atalk": true,
}

// quals are a primitive's qualifiers, which a bare value after and/or
// inherits from the primitive before it.
type quals struct {
	proto proto
	dir   dir
	kind  kind
}

// prim is one primitive with its value decoded.
type prim struct {
	quals
	pos    int          // where the primitive starts, for errors
	prefix netip.Prefix // kindHost (as a /32 or /128) and kindNet for IP
	mac    [6]byte      // kindHost with protoEther
	lo, hi uint16       // kindPort (lo == hi) and kindPortRange
	num    uint32       // kindProto
}
