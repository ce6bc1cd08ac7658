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

func (lw lowerer) isARP() node { return eq(abs(12, 2), 0x0806) }

// ipProto tests the IPv4 protocol field; the caller has tested isIPv4.
func (lw lowerer) ipProto(n uint32) node { return eq(abs(lw.l+9, 1), n) }

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

// inPrefix tests the 32-bit word at off against a prefix.
func inPrefix(off uint32, pr *prim) node {
	a := pr.prefix.Addr().As4()
	v := binary.BigEndian.Uint32(a[:])
	switch bits := pr.prefix.Bits(); bits {
	case 32:
		return eq(abs(off, 4), v)
	case 0:
		// Every address: the load still checks the frame is long enough.
		return &leaf{load: abs(off, 4), test: bpf.JumpGreaterOrEqual, val: 0}
	default:
		mask := ^uint32(0) << (32 - bits)
		return &leaf{load: abs(off, 4), mask: mask, test: bpf.JumpEqual, val: v}
	}
}

// port tests one port (lo == hi) or a range at offset off past the IPv4
// header, whose length is read from the packet.
func (lw lowerer) port(off uint32, lo, hi uint16) node {
	ld := bpf.LoadIndirect{Off: lw.l + off, Size: 2}
	if lo == hi {
		return &leaf{ldx: true, ihl: lw.l, load: ld, test: bpf.JumpEqual, val: uint32(lo)}
	}
	return allOf(
		&leaf{ldx: true, ihl: lw.l, load: ld, test: bpf.JumpGreaterOrEqual, val: uint32(lo)},
		notNode{&leaf{ldx: true, ihl: lw.l, load: ld, test: bpf.JumpGreaterThan, val: uint32(hi)}},
	)
}

// needEthernet rejects a primitive that reads a link header the link does
// not have.
func (lw lowerer) needEthernet(pr *prim, what string) error {
	if lw.eth {
		return nil
	}
	return &SyntaxError{Expr: lw.expr, Pos: pr.pos, Msg: what + " needs an Ethernet link; this one carries bare IPv4 packets"}
}

// prim lowers one primitive. The offsets are those of RFC 791 §3.1 (IPv4),
// RFC 826 (ARP for IPv4 over Ethernet: sender protocol address at 14,
// target at 24) and the transport headers' port fields at 0 and 2.
func (lw lowerer) prim(pr *prim) (node, error) {
	l := lw.l
	switch pr.kind {
	case kindNone:
		switch pr.proto {
		case protoIP:
			return lw.isIPv4(), nil
		case protoARP:
			if err := lw.needEthernet(pr, `"arp"`); err != nil {
				return nil, err
			}
			return lw.isARP(), nil
		case protoTCP:
			return allOf(lw.isIPv4(), lw.ipProto(6)), nil
		case protoUDP:
			return allOf(lw.isIPv4(), lw.ipProto(17)), nil
		case protoICMP:
			return allOf(lw.isIPv4(), lw.ipProto(1)), nil
		}
	case kindHost, kindNet:
		if pr.proto == protoEther {
			if err := lw.needEthernet(pr, `"ether"`); err != nil {
				return nil, err
			}
			return byDir(pr.dir, func() node { return macAt(6, pr.mac) }, func() node { return macAt(0, pr.mac) }), nil
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
		var protos node
		switch pr.proto {
		case protoTCP:
			protos = lw.ipProto(6)
		case protoUDP:
			protos = lw.ipProto(17)
		default:
			protos = anyOf(lw.ipProto(6), lw.ipProto(17), lw.ipProto(132))
		}
		return allOf(lw.isIPv4(), protos, notNode{lw.later()}, byDir(pr.dir,
			func() node { return lw.port(0, pr.lo, pr.hi) },
			func() node { return lw.port(2, pr.lo, pr.hi) })), nil
	case kindProto:
		if pr.proto == protoEther {
			if err := lw.needEthernet(pr, `"ether proto"`); err != nil {
				return nil, err
			}
			return eq(abs(12, 2), pr.num), nil
		}
		return allOf(lw.isIPv4(), lw.ipProto(pr.num)), nil
	}
	panic("filter: unknown primitive")
}

// macAt tests the MAC address at off as a 32-bit and a 16-bit load.
func macAt(off uint32, mac [6]byte) node {
	return allOf(
		eq(abs(off+2, 4), binary.BigEndian.Uint32(mac[2:])),
		eq(abs(off, 2), uint32(binary.BigEndian.Uint16(mac[:2]))),
	)
}
