package filter

import (
	"fmt"
	"slices"

	"golang.org/x/net/bpf"
)

// Code generation: each node is compiled with two labels, where control
// goes when it is true and when it is false, in the classic way of
// compiling boolean expressions to jumps:
//
//	a and b, t, f:  a, mid, f;  mid: b, t, f
//	a or b,  t, f:  a, t, mid;  mid: b, t, f
//	not a,   t, f:  a, f, t
//
// A leaf ends in a conditional jump to its two labels. The program ends in
// "ret #AcceptLen" (label accept) and "ret #0" (label reject). Every label
// is placed after every jump to it, so all jumps go forward, as classic
// BPF requires. Conditional jumps reach at most 255 instructions; a longer
// one is routed through an unconditional jump inserted after it.

// op is an instruction under construction: a plain instruction, or a jump
// whose targets are labels and, once generate resolves them, positions.
type op struct {
	ins    bpf.Instruction // nil for jumps
	cond   bool            // conditional jump: test, val, t, f
	test   bpf.JumpTest
	val    uint32
	t, f   int  // labels, then positions
	uncond bool // unconditional jump to t
}

type generator struct {
	ops    []op
	labels []int // position of each label, once placed
}

func (g *generator) newLabel() int {
	g.labels = append(g.labels, -1)
	return len(g.labels) - 1
}

func (g *generator) place(l int) { g.labels[l] = len(g.ops) }

func (g *generator) emit(n node, t, f int) {
	switch n := n.(type) {
	case andNode:
		mid := g.newLabel()
		g.emit(n.a, mid, f)
		g.place(mid)
		g.emit(n.b, t, f)
	case orNode:
		mid := g.newLabel()
		g.emit(n.a, t, mid)
		g.place(mid)
		g.emit(n.b, t, f)
	case notNode:
		g.emit(n.x, f, t)
	case *leaf:
		if n.ldx {
			g.ops = append(g.ops, op{ins: bpf.LoadMemShift{Off: n.ihl}})
		}
		g.ops = append(g.ops, op{ins: n.load})
		if n.mask != 0 {
			g.ops = append(g.ops, op{ins: bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: n.mask}})
		}
		g.ops = append(g.ops, op{cond: true, test: n.test, val: n.val, t: t, f: f})
	default:
		panic("filter: unknown node in generate")
	}
}

// generate compiles a lowered tree to instructions.
func generate(n node) ([]bpf.Instruction, error) {
	var g generator
	accept, reject := g.newLabel(), g.newLabel()
	g.emit(n, accept, reject)
	// Fail early on hopeless sizes, before the quadratic work below.
	if len(g.ops)+2 > MaxInstructions {
		return nil, tooLong(len(g.ops) + 2)
	}
	g.place(accept)
	g.ops = append(g.ops, op{ins: bpf.RetConstant{Val: AcceptLen}})
	g.place(reject)
	g.ops = append(g.ops, op{ins: bpf.RetConstant{Val: 0}})

	for i := range g.ops {
		if g.ops[i].cond {
			g.ops[i].t, g.ops[i].f = g.labels[g.ops[i].t], g.labels[g.ops[i].f]
		}
	}
	g.trampolines()
	if len(g.ops) > MaxInstructions {
		return nil, tooLong(len(g.ops))
	}

	insns := make([]bpf.Instruction, len(g.ops))
	for i, o := range g.ops {
		switch {
		case o.cond:
			insns[i] = bpf.JumpIf{Cond: o.test, Val: o.val, SkipTrue: uint8(o.t - i - 1), SkipFalse: uint8(o.f - i - 1)}
		case o.uncond:
			insns[i] = bpf.Jump{Skip: uint32(o.t - i - 1)}
		default:
			insns[i] = o.ins
		}
	}
	return insns, nil
}

func tooLong(n int) error {
	return fmt.Errorf("filter: expression compiles to %d instructions; the kernel accepts at most %d", n, MaxInstructions)
}

// trampolines gives every conditional jump targets within 255
// instructions: a target further away is replaced by an unconditional
// jump to it, inserted right after the conditional one. Each insertion
// fixes one edge and moves later code down by one, so it may push other
// edges out of range; it ends because every edge is fixed at most once
// (an edge to the adjacent trampoline stays within range).
func (g *generator) trampolines() {
	// Insertions after position i can stretch the jumps of i again, so
	// sweep until a pass inserts nothing. An edge redirected to its
	// adjacent trampoline stays adjacent, since later insertions land
	// further down.
	for inserted := true; inserted; {
		inserted = false
		for i := 0; i < len(g.ops); i++ {
			for g.ops[i].cond && g.fixFar(i) {
				inserted = true
			}
		}
	}
}

// fixFar inserts a trampoline for one out-of-range edge of the
// conditional jump at i, if it has one, and reports whether it did.
func (g *generator) fixFar(i int) bool {
	o := g.ops[i]
	target := -1
	switch {
	case o.t-i-1 > 0xff:
		target = o.t
	case o.f-i-1 > 0xff:
		target = o.f
	}
	if target < 0 {
		return false
	}
	// Move every position after i down by one to make room at i+1.
	for j := range g.ops {
		p := &g.ops[j]
		if (p.cond || p.uncond) && p.t > i {
			p.t++
		}
		if p.cond && p.f > i {
			p.f++
		}
	}
	if g.ops[i].t == target+1 {
		g.ops[i].t = i + 1
	} else {
		g.ops[i].f = i + 1
	}
	g.ops = slices.Insert(g.ops, i+1, op{uncond: true, t: target + 1})
	return true
}
