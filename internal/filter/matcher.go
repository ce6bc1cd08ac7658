package filter

import (
	"fmt"

	"golang.org/x/net/bpf"
)

// Matcher runs a classic BPF program over frames in Go, with
// golang.org/x/net/bpf's virtual machine, the way the kernel would run it
// on a socket: for tests, and for filtering frames that come from a file
// rather than a socket. A Matcher is safe for concurrent use.
type Matcher struct {
	vm *bpf.VM
}

// NewMatcher prepares prog, as Compile returns it or as `tcpdump -ddd`
// prints it, for Match. It fails on programs the VM cannot run: jumps past
// the end, no final return, extensions other than the packet length.
func NewMatcher(prog []bpf.RawInstruction) (*Matcher, error) {
	insns, ok := bpf.Disassemble(prog)
	if !ok {
		return nil, fmt.Errorf("filter: program has instructions the VM does not know")
	}
	vm, err := bpf.NewVM(insns)
	if err != nil {
		return nil, fmt.Errorf("filter: %w", err)
	}
	return &Matcher{vm: vm}, nil
}

// Match reports whether the program accepts frame, that is returns a
// non-zero length for it. As in the kernel, a load past the end of the
// frame ends the program with 0, so truncated frames do not match.
func (m *Matcher) Match(frame []byte) bool {
	n, err := m.vm.Run(frame)
	return err == nil && n > 0
}
