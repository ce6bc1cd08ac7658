package filter

import (
	"fmt"

	"github.com/renet-go/renet/link"
	"golang.org/x/net/bpf"
)

// AcceptLen is what a program returns for a matching frame: the number of
// bytes to keep, tcpdump's default snapshot length, longer than any frame.
const AcceptLen = 262144

// MaxInstructions is the longest program the Linux kernel accepts
// (BPF_MAXINSNS); Compile fails rather than return a longer one. A socket
// may refuse a shorter one still, with ENOMEM, when it exceeds the memory
// the kernel lets a socket hold (net.core.optmem_max): on a 6.18 kernel
// with the limit at 128 KiB, about 3000 instructions were refused.
const MaxInstructions = 4096

// Compile compiles a filter expression for Ethernet II frames, as read
// from an Ethernet-medium link, into a classic BPF program. An empty (or
// all-blank) expression gives a program that accepts every frame. Syntax
// errors are returned as a *SyntaxError.
func Compile(expr string) ([]bpf.RawInstruction, error) {
	return CompileFor(expr, link.Ethernet)
}

// CompileFor is Compile for frames of the given medium: link.Ethernet, or
// link.IP for bare IPv4 and IPv6 packets (a TUN device), where the Ethernet
// primitives ("arp", "ether ...") are errors.
func CompileFor(expr string, m link.Medium) ([]bpf.RawInstruction, error) {
	if m != link.Ethernet && m != link.IP {
		return nil, fmt.Errorf("filter: no filters for medium %v", m)
	}
	tree, err := parse(expr)
	if err != nil {
		return nil, err
	}
	var insns []bpf.Instruction
	if tree == nil {
		insns = []bpf.Instruction{bpf.RetConstant{Val: AcceptLen}}
	} else {
		if tree, err = newLowerer(expr, m).lower(tree); err != nil {
			return nil, err
		}
		if insns, err = generate(tree); err != nil {
			return nil, err
		}
	}
	prog, err := bpf.Assemble(insns)
	if err != nil {
		// generate only builds instructions Assemble knows.
		return nil, fmt.Errorf("filter: internal error: %w", err)
	}
	return prog, nil
}
