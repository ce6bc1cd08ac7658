package netnstest

import (
	"fmt"
	"runtime"

	"golang.org/x/sys/unix"
)

// Do runs f on a locked OS thread that has been switched into the namespace
// with setns, then switches back (if switching back fails, leave the thread
// locked so the runtime kills it). Sockets, tap devices and listeners
// created inside f belong to the namespace and can be used from any
// goroutine afterwards. It returns f's error; if f panics, Do panics with
// the same value in the caller's goroutine.
func (ns *NS) Do(f func() error) error {
	type result struct {
		err      error
		panicked bool
		value    any
	}
	done := make(chan result, 1)
	// A goroutine of its own, so that a thread that cannot be switched
	// back dies with it instead of being handed back to the caller.
	go func() {
		runtime.LockOSThread()
		// The thread's own namespace, to return to. /proc/thread-self is
		// this thread's entry, not the process leader's.
		orig, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			runtime.UnlockOSThread()
			done <- result{err: fmt.Errorf("netnstest: open own namespace: %w", err)}
			return
		}
		defer unix.Close(orig)
		if err := unix.Setns(ns.fd, unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			done <- result{err: fmt.Errorf("netnstest: enter namespace %s: %w", ns.name, err)}
			return
		}
		var r result
		defer func() {
			if p := recover(); p != nil {
				r = result{panicked: true, value: p}
			}
			if err := unix.Setns(orig, unix.CLONE_NEWNET); err == nil {
				runtime.UnlockOSThread()
			}
			// Otherwise the goroutine ends still locked to a thread in
			// the wrong namespace, and the runtime terminates that thread.
			done <- r
		}()
		r.err = f()
	}()
	r := <-done
	if r.panicked {
		panic(r.value)
	}
	return r.err
}
