// Package netns gives the bench commands fresh Linux network namespaces to
// measure in, as internal/netnstest gives them to tests (which need a
// testing.TB): every packet a measurement sends stays inside namespaces the
// command made, and the command deletes them afterwards.
//
// New names a namespace PREFIX-PID-N with `ip netns add` (so it can be
// inspected with `ip netns exec` while a run lasts) and brings its lo up.
// Go code enters it through Do, which switches one locked OS thread into
// it with setns(2) and back: sockets, listeners and tap devices created
// inside Do belong to the namespace for their whole life and may be used
// from any goroutine afterwards. Commands run in it with Command or Run.
//
// Namespaces left behind by a killed command are deleted by the next New
// with the same prefix, recognised by a pid that no longer runs. DeleteAll
// deletes every namespace this process still holds, for signal handlers.
// All of it needs root and iproute2's ip.
package netns

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// NS is a network namespace made for one measurement.
type NS struct {
	name string
	fd   int
}

// dir is where `ip netns` keeps the bind mounts that name namespaces.
const dir = "/var/run/netns"

var (
	seq    atomic.Uint64
	mu     sync.Mutex
	live   = map[*NS]bool{}
	reaped = map[string]bool{}
)

// New creates a fresh namespace named prefix-PID-N with lo up.
func New(prefix string) (*NS, error) {
	mu.Lock()
	if !reaped[prefix] {
		reaped[prefix] = true
		reapStale(prefix)
	}
	mu.Unlock()
	name := fmt.Sprintf("%s-%d-%d", prefix, os.Getpid(), seq.Add(1))
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("ip netns add %s: %v: %s", name, err, strings.TrimSpace(string(out)))
	}
	ns := &NS{name: name, fd: -1}
	mu.Lock()
	live[ns] = true
	mu.Unlock()
	fd, err := unix.Open(filepath.Join(dir, name), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, errors.Join(err, ns.Delete())
	}
	ns.fd = fd
	if out, err := exec.Command("ip", "-n", name, "link", "set", "lo", "up").CombinedOutput(); err != nil {
		return nil, errors.Join(fmt.Errorf("lo up in %s: %v: %s", name, err, out), ns.Delete())
	}
	return ns, nil
}

// Name returns the namespace's name, as `ip netns list` shows it.
func (ns *NS) Name() string { return ns.name }

// Do runs f on a locked thread switched into the namespace; a thread that
// cannot switch back stays locked and dies with its goroutine.
func (ns *NS) Do(f func() error) error {
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			runtime.UnlockOSThread()
			done <- err
			return
		}
		defer unix.Close(orig)
		if err := unix.Setns(ns.fd, unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			done <- fmt.Errorf("enter namespace %s: %w", ns.name, err)
			return
		}
		err = f()
		if unix.Setns(orig, unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread()
		}
		done <- err
	}()
	return <-done
}

// Command returns, unstarted, `ip netns exec NAME name args...`.
func (ns *NS) Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", ns.name, name}, args...)...)
}

// Run runs a command inside the namespace and returns its combined output.
func (ns *NS) Run(ctx context.Context, name string, args ...string) ([]byte, error) {
	out, err := ns.Command(ctx, name, args...).CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("%s %q in %s: %w", name, args, ns.name, err)
	}
	return out, nil
}

// Delete removes the namespace and everything in it. A second call does
// nothing.
func (ns *NS) Delete() error {
	mu.Lock()
	held := live[ns]
	delete(live, ns)
	mu.Unlock()
	if !held {
		return nil
	}
	if ns.fd >= 0 {
		unix.Close(ns.fd)
		ns.fd = -1
	}
	if out, err := exec.Command("ip", "netns", "del", ns.name).CombinedOutput(); err != nil {
		return fmt.Errorf("ip netns del %s: %v: %s", ns.name, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// DeleteAll deletes every namespace this process created and has not
// deleted yet.
func DeleteAll() error {
	mu.Lock()
	var all []*NS
	for ns := range live {
		all = append(all, ns)
	}
	mu.Unlock()
	var errs []error
	for _, ns := range all {
		errs = append(errs, ns.Delete())
	}
	return errors.Join(errs...)
}

// reapStale deletes namespaces named prefix-PID-N whose process is gone.
func reapStale(prefix string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix+"-")
		if !ok {
			continue
		}
		pidStr, _, ok := strings.Cut(rest, "-")
		if !ok {
			continue
		}
		pid, err := strconv.Atoi(pidStr)
		if err != nil || pid == os.Getpid() {
			continue
		}
		if _, err := os.Stat(filepath.Join("/proc", pidStr)); err == nil {
			continue
		}
		exec.Command("ip", "netns", "del", e.Name()).Run()
	}
}
