package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// netns is a network namespace made for one measurement, as
// internal/netnstest makes them for tests (which need a testing.TB).
type netns struct {
	name string
	fd   int
}

var nsSeq atomic.Uint64

// newNetns creates a fresh namespace named renet-paths-PID-N with lo up.
func newNetns() (*netns, error) {
	name := fmt.Sprintf("renet-paths-%d-%d", os.Getpid(), nsSeq.Add(1))
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("ip netns add %s: %v: %s", name, err, out)
	}
	ns := &netns{name: name, fd: -1}
	fd, err := unix.Open(filepath.Join("/var/run/netns", name), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		ns.delete()
		return nil, err
	}
	ns.fd = fd
	if out, err := exec.Command("ip", "-n", name, "link", "set", "lo", "up").CombinedOutput(); err != nil {
		ns.delete()
		return nil, fmt.Errorf("lo up in %s: %v: %s", name, err, out)
	}
	return ns, nil
}

// Do runs f on a locked thread switched into the namespace; a thread that
// cannot switch back stays locked and dies with its goroutine.
func (ns *netns) Do(f func() error) error {
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
			done <- err
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

// Run runs a command inside the namespace.
func (ns *netns) Run(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", ns.name, name}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("%s %q in %s: %w", name, args, ns.name, err)
	}
	return out, nil
}

// delete removes the namespace and everything in it.
func (ns *netns) delete() error {
	if ns.fd >= 0 {
		unix.Close(ns.fd)
		ns.fd = -1
	}
	if out, err := exec.Command("ip", "netns", "del", ns.name).CombinedOutput(); err != nil {
		return fmt.Errorf("ip netns del %s: %v: %s", ns.name, err, out)
	}
	return nil
}
