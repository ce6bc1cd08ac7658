package netnstest

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"sync"
	"testing"
)

// Command returns, unstarted, the command `ip netns exec NAME name args...`,
// for callers that want its pipes. Run and Start cover the usual cases.
func (ns *NS) Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, ns.ip, append([]string{"netns", "exec", ns.name, name}, args...)...)
}

// Run runs a command inside the namespace (`ip netns exec NAME cmd
// args...`) with a context and returns its combined output. A failure's
// error includes the command line.
func (ns *NS) Run(ctx context.Context, name string, args ...string) ([]byte, error) {
	out, err := ns.Command(ctx, name, args...).CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("netnstest: %s %q in %s: %w", name, args, ns.name, err)
	}
	return out, nil
}

// Start starts a long-running command in the namespace (ping, tcpdump...)
// and returns the *exec.Cmd. Its output is collected and logged if the test
// fails. The cleanup kills it and waits for it, unless the test already
// waited for it itself.
func (ns *NS) Start(t testing.TB, name string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := ns.Command(context.Background(), name, args...)
	out := new(lockedBuffer)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("netnstest: start %s %q in %s: %v", name, args, ns.name, err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
		if t.Failed() {
			t.Logf("netnstest: output of %s %q:\n%s", name, args, out.String())
		}
	})
	return cmd
}

// lockedBuffer is a bytes.Buffer the command's output copier and the
// cleanup may use from different goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
