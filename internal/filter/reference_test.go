package filter

import (
	"encoding/binary"
	"net/netip"
	"slices"
	"testing"

	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/netstack/wire"
)

// A reference evaluator: the semantics of the doc comment written as
// plain Go over a parsed expression tree, independent of the lowering to
// leaves and of code generation, to check compiled programs against.

// refFrame is a frame seen by the reference evaluator. Reads past its
// end set short: then the reference does not decide, since the program's
// verdict depends on which loads it makes first.
type refFrame struct {
	b     []byte
	l     int  // where the IP header starts
	eth   bool // Ethernet II frame
	short bool
}

func (f *refFrame) u8(off int) uint32 {
	if off >= len(f.b) {
		f.short = true
		return 0
	}
	return uint32(f.b[off])
}

func (f *refFrame) u16(off int) uint32 { return f.u8(off)<<8 | f.u8(off+1) }

func (f *refFrame) addr(off, n int) netip.Addr {
	if off+n > len(f.b) {
		f.short = true
		return netip.Addr{}
	}
	a, _ := netip.AddrFromSlice(f.b[off : off+n])
	return a
}

// etherType is the frame's EtherType, or for a bare packet the one its
// version nibble implies.
func (f *refFrame) etherType() uint32 {
	if f.eth {
		return f.u16(12)
	}
	switch f.u8(0) >> 4 {
	case 4:
		return uint32(wire.EtherTypeIPv4)
	case 6:
		return uint32(wire.EtherTypeIPv6)
	}
	return 0
}

func (f *refFrame) isV4() bool  { return f.etherType() == uint32(wire.EtherTypeIPv4) }
func (f *refFrame) isV6() bool  { return f.etherType() == uint32(wire.EtherTypeIPv6) }
func (f *refFrame) isARP() bool { return f.eth && f.etherType() == uint32(wire.EtherTypeARP) }

// v4Proto and v6Upper are the upper-layer protocol as the primitives see
// it: IPv4's protocol field; IPv6's next header, or the next header of a
// fragment header straight after the fixed header.
func (f *refFrame) v4Proto() uint32 { return f.u8(f.l + 9) }

func (f *refFrame) v6Upper(p uint32) bool {
	nh := f.u8(f.l + 6)
	return nh == p || nh == uint32(wire.IPProtoIPv6Frag) && f.u8(f.l+40) == p
}

// ports returns the offset of the transport header when the packet
// carries one of protos there: for IPv4 in a first fragment only, for
// IPv6 straight after the fixed header only.
func (f *refFrame) ports(q proto, protos []uint32) (int, bool) {
	if f.isV4() && q != protoIP6 {
		if slices.Contains(protos, f.v4Proto()) && f.u16(f.l+6)&0x1fff == 0 {
			return f.l + int(f.u8(f.l)&0xf)*4, true
		}
		return 0, false
	}
	if f.isV6() && q != protoIP {
		return f.l + 40, slices.Contains(protos, f.u8(f.l+6))
	}
	return 0, false
}

func refDir(d dir, src, dst func() bool) bool {
	switch d {
	case dirSrc:
		return src()
	case dirDst:
		return dst()
	}
	return src() || dst()
}

func refEval(n node, f *refFrame) bool {
	switch n := n.(type) {
	case andNode:
		return refEval(n.a, f) && refEval(n.b, f)
	case orNode:
		return refEval(n.a, f) || refEval(n.b, f)
	case notNode:
		return !refEval(n.x, f)
	case *prim:
		return refPrim(n, f)
	}
	panic("unknown node")
}

func refPrim(pr *prim, f *refFrame) bool {
	l := f.l
	switch pr.kind {
	case kindNone:
		switch pr.proto {
		case protoIP:
			return f.isV4()
		case protoIP6:
			return f.isV6()
		case protoARP:
			return f.isARP()
		case protoTCP, protoUDP:
			p := map[proto]uint32{protoTCP: 6, protoUDP: 17}[pr.proto]
			return f.isV4() && f.v4Proto() == p || f.isV6() && f.v6Upper(p)
		case protoICMP:
			return f.isV4() && f.v4Proto() == 1
		case protoICMP6:
			return f.isV6() && f.v6Upper(58)
		}
	case kindHost, kindNet:
		if pr.proto == protoEther {
			mac := func(off int) bool {
				if off+6 > len(f.b) {
					f.short = true
					return false
				}
				return [6]byte(f.b[off:off+6]) == pr.mac
			}
			return f.eth && refDir(pr.dir, func() bool { return mac(6) }, func() bool { return mac(0) })
		}
		in := func(off, n int) func() bool { return func() bool { return pr.prefix.Contains(f.addr(off, n)) } }
		if pr.prefix.Addr().Is6() {
			return f.isV6() && refDir(pr.dir, in(l+8, 16), in(l+24, 16))
		}
		return pr.proto != protoARP && f.isV4() && refDir(pr.dir, in(l+12, 4), in(l+16, 4)) ||
			pr.proto != protoIP && f.isARP() && refDir(pr.dir, in(l+14, 4), in(l+24, 4))
	case kindPort, kindPortRange:
		protos := map[proto][]uint32{protoTCP: {6}, protoUDP: {17}}[pr.proto]
		if protos == nil {
			protos = []uint32{6, 17, 132}
		}
		off, ok := f.ports(pr.proto, protos)
		in := func(o int) func() bool {
			return func() bool { p := f.u16(off + o); return uint32(pr.lo) <= p && p <= uint32(pr.hi) }
		}
		return ok && refDir(pr.dir, in(0), in(2))
	case kindProto:
		if pr.proto == protoEther {
			return f.eth && f.etherType() == pr.num
		}
		return pr.proto != protoIP6 && f.isV4() && f.v4Proto() == pr.num ||
			pr.proto != protoIP && f.isV6() && f.v6Upper(pr.num)
	}
	panic("unknown primitive")
}

// refMatch evaluates expr over frame with the reference semantics; ok is
// false when the frame is too short for the reference to decide.
func refMatch(t testing.TB, expr string, m link.Medium, frame []byte) (match, ok bool) {
	tree, err := parse(expr)
	if err != nil {
		t.Fatalf("parse(%q): %v", expr, err)
	}
	if tree == nil {
		return true, true
	}
	f := &refFrame{b: frame, eth: m == link.Ethernet}
	if f.eth {
		f.l = 14
	}
	match = refEval(tree, f)
	return match, !f.short
}

// TestMatchesReference runs every expression of the table, compiled for
// Ethernet and for bare IP, over the test frames and the IPv4 and IPv6
// captures of netstack/wire, and wants the reference's verdict wherever
// the frame is long enough for it to decide.
func TestMatchesReference(t *testing.T) {
	var frames []testFrame
	frames = append(frames, testFrames()...)
	for _, file := range captureFiles {
		frames = append(frames, readCapture(t, file)...)
	}
	decided := 0
	for _, c := range matchCases {
		for _, m := range []link.Medium{link.Ethernet, link.IP} {
			if _, err := CompileFor(c.expr, m); err != nil {
				continue // an Ethernet primitive on bare IP
			}
			mt := matcher(t, c.expr, m)
			for _, f := range frames {
				b := f.b
				if m == link.IP {
					if et := wire.EtherType(binary.BigEndian.Uint16(b[12:])); et != wire.EtherTypeIPv4 && et != wire.EtherTypeIPv6 {
						continue
					}
					b = b[14:]
				}
				want, ok := refMatch(t, c.expr, m, b)
				if !ok {
					continue
				}
				decided++
				if got := mt.Match(b); got != want {
					t.Errorf("%q (%v) on %s (%s): program says %t, reference %t", c.expr, m, f.name, wire.FormatFrame(f.b), got, want)
				}
			}
		}
	}
	t.Logf("%d verdicts compared", decided)
}
