package filter

import (
	"encoding/binary"

	"github.com/renet-go/renet/link"
	"golang.org/x/net/bpf"
)

// leaf is one test: load a value from the frame, optionally mask it, and
// compare it with a constant.
type leaf struct {
	ldx  bool            // first load X with the IPv4 header length: ldxb 4*([ihl]&0xf)
	ihl  uint32          // offset of the IPv4 header, when ldx
	load bpf.Instruction // LoadAbsolute, or LoadIndirect when ldx
	mask uint32          // ANDed with A before the test, unless 0
	test bpf.JumpTest    // JumpEqual, JumpGreaterThan, JumpGreaterOrEqual or JumpBitsSet
	val  uint32
}

// lowerer turns primitives into trees of leaves for one link medium.
type lowerer struct {
	expr string
	l    uint32 // length of the link header: where the IPv4 header starts
	eth  bool   // frames are Ethernet II
}

func newLowerer(expr string, m link.Medium) lowerer {
	if m == link.IP {
		return lowerer{expr: expr, l: 0, eth: false}
	}
	return lowerer{expr: expr, l: 14, eth: true}
}

// lower rewrites the tree so that every primitive becomes leaves.
func (lw lowerer) lower(n node) (node, error) {
	switch n := n.(type) {
	case andNode:
		a, err := lw.lower(n.a)
		if err != nil {
			return nil, err
		}
		b, err := lw.lower(n.b)
		return andNode{a, b}, err
	case orNode:
		a, err := lw.lower(n.a)
		if err != nil {
			return nil, err
		}
		b, err := lw.lower(n.b)
		return orNode{a, b}, err
	case notNode:
		x, err := lw.lower(n.x)
		return notNode{x}, err
	case *prim:
		return lw.prim(n)
	}
	panic("filter: unknown node")
}

func abs(off uint32, size int) bpf.Instruction { return bpf.LoadAbsolute{Off: off, Size: size} }

func eq(load bpf.Instruction, v uint32) node {
	return &leaf{load: load, test: bpf.JumpEqual, val: v}
}

// allOf and anyOf join nodes with and and or.
func allOf(ns ...node) node {
	n := ns[0]
	for _, m := range ns[1:] {
		n = andNode{n, m}
	}
	return n
}

func anyOf(ns ...node) node {
	n := ns[0]
	for _, m := range ns[1:] {
		n = orNode{n, m}
	}
	return n
}

// isIPv4 tests the EtherType, or on a bare IP link the version nibble.
func (lw lowerer) isIPv4() node {
	if lw.eth {
		return eq(abs(12, 2), 0x0800)
	}
	return &leaf{load: abs(0, 1), mask: 0xf0, test: bpf.JumpEqual, val: 0x40}
}

// isIPv6 is isIPv4 for IPv6 (EtherType 0x86dd, RFC 2464 §3; version 6).
func (lw lowerer) isIPv6() node {
	if lw.eth {
		return eq(abs(12, 2), 0x86dd)
	}
	return &leaf{load: abs(0, 1), mask: 0xf0, test: bpf.JumpEqual, val: 0x60}
}

func (lw lowerer) isARP() node { return eq(abs(12, 2), 0x0806) }

// ipProto tests the IPv4 protocol field; the caller has tested isIPv4.
func (lw lowerer) ipProto(n uint32) node { return eq(abs(lw.l+9, 1), n) }

// ip6Next tests the next header field of the fixed IPv6 header; the caller
// has tested isIPv6.
func (lw lowerer) ip6Next(n uint32) node { return eq(abs(lw.l+6, 1), n) }

// ip6Proto tests the upper-layer protocol of an IPv6 packet as libpcap
// does: the fixed header's next header is n, or it is a fragment header
// (RFC 8200 §4.5) right after the fixed header whose next header is n.
// No other extension header is walked, so a TCP segment behind a
// hop-by-hop or destination options header is not "tcp".
func (lw lowerer) ip6Proto(n uint32) node {
	if n == 44 {
		return lw.ip6Next(44)
	}
	return anyOf(lw.ip6Next(n), allOf(lw.ip6Next(44), eq(abs(lw.l+40, 1), n)))
}

// later reports a non-first fragment: fragment offset not zero.
func (lw lowerer) later() node {
	return &leaf{load: abs(lw.l+6, 2), test: bpf.JumpBitsSet, val: 0x1fff}
}

// byDir builds the test for src, dst, or either.
func byDir(d dir, src, dst func() node) node {
	switch d {
	case dirSrc:
		return src()
	case dirDst:
		return dst()
	}
	return anyOf(src(), dst())
}

// inPrefix tests the address at off against a prefix: one 32-bit word
// for IPv4, up to four for IPv6, the last one masked when the prefix
// ends inside it.
func inPrefix(off uint32, pr *prim) node {
	a := pr.prefix.Addr().AsSlice()
	bits := pr.prefix.Bits()
	if bits == 0 {
		// Every address: the load still checks the frame is long enough.
		return &leaf{load: abs(off, 4), test: bpf.JumpGreaterOrEqual, val: 0}
	}
	var words []node
	for i := 0; i < len(a)/4 && bits > 32*i; i++ {
		v := binary.BigEndian.Uint32(a[4*i:])
		load := abs(off+uint32(4*i), 4)
		if b := bits - 32*i; b < 32 {
			words = append(words, &leaf{load: load, mask: ^uint32(0) << (32 - b), test: bpf.JumpEqual, val: v})
		} else {
			words = append(words, eq(load, v))
		}
	}
	return allOf(words...)
}

// port tests one port (lo == hi) or a range at offset off into the
// transport header. For IPv4 (v6 false) that header starts where the
// header length field says, read from the packet; for IPv6 it starts
// right after the fixed header, 40 bytes in.
func (lw lowerer) port(v6 bool, off uint32, lo, hi uint16) node {
	ld := func() *leaf {
		if v6 {
			return &leaf{load: abs(lw.l+40+off, 2)}
		}
		return &leaf{ldx: true, ihl: lw.l, load: bpf.LoadIndirect{Off: lw.l + off, Size: 2}}
	}
	cmp := func(test bpf.JumpTest, v uint16) node {
		lf := ld()
		lf.test, lf.val = test, uint32(v)
		return lf
	}
	if lo == hi {
		return cmp(bpf.JumpEqual, lo)
	}
	return allOf(cmp(bpf.JumpGreaterOrEqual, lo), notNode{cmp(bpf.JumpGreaterThan, hi)})
}

// needEthernet rejects a primitive that reads a link header the link does
// not have.
func (lw lowerer) needEthernet(pr *prim, what string) error {
	if lw.eth {
		return nil
	}
	return &SyntaxError{Expr: lw.expr, Pos: pr.pos, Msg: what + " needs an Ethernet link; this one carries bare IP packets"}
}

// prim lowers one primitive. The offsets are those of RFC 791 §3.1 (IPv4),
// RFC 8200 §3 (IPv6: next header at 6, source at 8, destination at 24,
// 40 bytes in all) and §4.5 (fragment header), RFC 826 (ARP for IPv4 over
// Ethernet: sender protocol address at 14, target at 24) and the
// transport headers' port fields at 0 and 2.
func (lw lowerer) prim(pr *prim) (node, error) {
	l := lw.l
	// both joins the IPv4 and the IPv6 test for a primitive that means
	// either family unless "ip" or "ip6" narrows it.
	both := func(v4, v6 func() node) node {
		switch pr.proto {
		case protoIP:
			return v4()
		case protoIP6:
			return v6()
		}
		return anyOf(v4(), v6())
	}
	switch pr.kind {
	case kindNone:
		switch pr.proto {
		case protoIP:
			return lw.isIPv4(), nil
		case protoIP6:
			return lw.isIPv6(), nil
		case protoARP:
			if err := lw.needEthernet(pr, `"arp"`); err != nil {
				return nil, err
			}
			return lw.isARP(), nil
		case protoTCP:
			return lw.upper(6), nil
		case protoUDP:
			return lw.upper(17), nil
		case protoICMP:
			return allOf(lw.isIPv4(), lw.ipProto(1)), nil
		case protoICMP6:
			return allOf(lw.isIPv6(), lw.ip6Proto(58)), nil
		}
	case kindHost, kindNet:
		if pr.proto == protoEther {
			if err := lw.needEthernet(pr, `"ether"`); err != nil {
				return nil, err
			}
			return byDir(pr.dir, func() node { return macAt(6, pr.mac) }, func() node { return macAt(0, pr.mac) }), nil
		}
		if pr.prefix.Addr().Is6() {
			// The parser let only ip6 or no qualifier through.
			return allOf(lw.isIPv6(), byDir(pr.dir,
				func() node { return inPrefix(l+8, pr) },
				func() node { return inPrefix(l+24, pr) })), nil
		}
		ip := func() node {
			return allOf(lw.isIPv4(), byDir(pr.dir,
				func() node { return inPrefix(l+12, pr) },
				func() node { return inPrefix(l+16, pr) }))
		}
		arp := func() node {
			return allOf(lw.isARP(), byDir(pr.dir,
				func() node { return inPrefix(l+14, pr) },
				func() node { return inPrefix(l+24, pr) }))
		}
		switch {
		case pr.proto == protoIP || pr.proto == protoNone && !lw.eth:
			return ip(), nil
		case pr.proto == protoARP:
			if err := lw.needEthernet(pr, `"arp"`); err != nil {
				return nil, err
			}
			return arp(), nil
		}
		return anyOf(ip(), arp()), nil
	case kindPort, kindPortRange:
		protos := []uint32{6, 17, 132}
		switch pr.proto {
		case protoTCP:
			protos = protos[:1]
		case protoUDP:
			protos = protos[1:2]
		}
		// One of the protocols, straight after the IP header: for IPv4
		// in the first fragment only; for IPv6, as in libpcap, never
		// behind an extension header (a fragment header included).
		v4 := func() node {
			var ns []node
			for _, p := range protos {
				ns = append(ns, lw.ipProto(p))
			}
			return allOf(lw.isIPv4(), anyOf(ns...), notNode{lw.later()}, byDir(pr.dir,
				func() node { return lw.port(false, 0, pr.lo, pr.hi) },
				func() node { return lw.port(false, 2, pr.lo, pr.hi) }))
		}
		v6 := func() node {
			var ns []node
			for _, p := range protos {
				ns = append(ns, lw.ip6Next(p))
			}
			return allOf(lw.isIPv6(), anyOf(ns...), byDir(pr.dir,
				func() node { return lw.port(true, 0, pr.lo, pr.hi) },
				func() node { return lw.port(true, 2, pr.lo, pr.hi) }))
		}
		return both(v4, v6), nil
	case kindProto:
		if pr.proto == protoEther {
			if err := lw.needEthernet(pr, `"ether proto"`); err != nil {
				return nil, err
			}
			return eq(abs(12, 2), pr.num), nil
		}
		return both(
			func() node { return allOf(lw.isIPv4(), lw.ipProto(pr.num)) },
			func() node { return allOf(lw.isIPv6(), lw.ip6Proto(pr.num)) }), nil
	}
	panic("filter: unknown primitive")
}

// upper matches an upper-layer protocol over either family, as "tcp" and
// "udp" do.
func (lw lowerer) upper(n uint32) node {
	return anyOf(allOf(lw.isIPv4(), lw.ipProto(n)), allOf(lw.isIPv6(), lw.ip6Proto(n)))
}

// macAt tests the MAC address at off as a 32-bit and a 16-bit load.
func macAt(off uint32, mac [6]byte) node {
	return allOf(
		eq(abs(off+2, 4), binary.BigEndian.Uint32(mac[2:])),
		eq(abs(off, 2), uint32(binary.BigEndian.Uint16(mac[:2]))),
	)
}
