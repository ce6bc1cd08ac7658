package netnstest

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// netnsInode identifies the network namespace of the calling OS thread.
func netnsInode(t *testing.T) string {
	t.Helper()
	s, err := os.Readlink("/proc/thread-self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

func TestNamespaceLifecycle(t *testing.T) {
	var name, path string
	var sleeper *exec.Cmd
	t.Run("inside", func(t *testing.T) {
		ns := New(t)
		name = ns.Name()
		path = filepath.Join(netnsDir, name)
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("namespace %s has no bind mount: %v", name, err)
		}
		out, err := exec.Command(ns.ip, "netns", "list").CombinedOutput()
		if err != nil || !strings.Contains(string(out), name) {
			t.Fatalf("ip netns list does not show %s: %v\n%s", name, err, out)
		}
		// lo is up, and nothing else is there.
		out, err = ns.Run(ctx(t), "ip", "-o", "link", "show")
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(lines) != 1 || !strings.Contains(lines[0], "lo:") || !strings.Contains(lines[0], "UP") {
			t.Fatalf("want only lo, up, in a fresh namespace; got\n%s", out)
		}
		sleeper = ns.Start(t, "sleep", "600")
	})
	if name == "" {
		t.Skip("the namespace was not created (see the subtest)")
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("namespace %s still exists after cleanup (stat: %v)", name, err)
	}
	if sleeper.ProcessState == nil {
		t.Errorf("process started in the namespace was not reaped by cleanup")
	} else if sleeper.ProcessState.Success() {
		t.Errorf("process started in the namespace exited cleanly instead of being killed")
	}
}

func TestSkipMessageWithoutRoot(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("runs only as non-root, to check that New skips")
	}
	ran := false
	t.Run("inner", func(t *testing.T) {
		New(t)
		ran = true
	})
	if ran {
		t.Fatal("New did not skip without root")
	}
}

func TestDoSwitchesThreadAndBack(t *testing.T) {
	ns := New(t)
	outside := netnsInode(t)
	var inside string
	if err := ns.Do(func() error {
		inside = netnsInode(t)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if inside == outside {
		t.Fatalf("Do ran f in the caller's namespace %s", inside)
	}
	// A second call lands in the same namespace.
	var again string
	ns.Do(func() error { again = netnsInode(t); return nil })
	if again != inside {
		t.Fatalf("second Do ran in %s, first in %s", again, inside)
	}
	if now := netnsInode(t); now != outside {
		t.Fatalf("caller's thread is in %s after Do, was %s", now, outside)
	}
}

func TestDoReturnsErrorAndPropagatesPanic(t *testing.T) {
	ns := New(t)
	want := errors.New("boom")
	if err := ns.Do(func() error { return want }); err != want {
		t.Fatalf("Do returned %v, want f's error", err)
	}
	func() {
		defer func() {
			if p := recover(); p != "bang" {
				t.Fatalf("recovered %v, want the panic value from f", p)
			}
		}()
		ns.Do(func() error { panic("bang") })
		t.Fatal("Do did not panic")
	}()
}

func TestTapIsolatedInNamespace(t *testing.T) {
	ns := New(t)
	const dev = "rntestnns0"
	if _, err := net.InterfaceByName(dev); err == nil {
		t.Skipf("an interface %s already exists in the root namespace", dev)
	}
	tap := ns.Tap(t, dev, netip.MustParsePrefix("192.168.69.100/24"))
	if tap.Name() != dev {
		t.Fatalf("tap name %q, want %q", tap.Name(), dev)
	}
	if _, err := net.InterfaceByName(dev); err == nil {
		t.Fatalf("%s is visible in the root namespace", dev)
	}
	out, err := ns.Run(ctx(t), "ip", "-4", "-o", "addr", "show", "dev", dev)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "inet 192.168.69.100/24") {
		t.Fatalf("kernel side of %s lacks 192.168.69.100/24:\n%s", dev, out)
	}
	out, err = ns.Run(ctx(t), "ip", "-o", "link", "show", "dev", dev)
	if err != nil || !strings.Contains(string(out), ",UP") {
		t.Fatalf("%s is not up: %v\n%s", dev, err, out)
	}
}

func TestSocketsBelongToNamespace(t *testing.T) {
	ns := New(t)
	ln := ns.Listen(t, "tcp4", "127.0.0.1:0")
	accepted := make(chan error, 1)
	go func() {
		// Accept runs outside Do, on any thread: the listener stays in
		// the namespace it was made in.
		c, err := ln.Accept()
		if err == nil {
			_, err = c.Write([]byte("hi"))
			c.Close()
		}
		accepted <- err
	}()
	c, err := ns.Dial(t, "tcp4", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 2)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(buf); err != nil || string(buf) != "hi" {
		t.Fatalf("read %q, %v", buf, err)
	}
	if err := <-accepted; err != nil {
		t.Fatal(err)
	}

	// The same address seen from another fresh namespace has no listener.
	other := New(t)
	if c, err := other.Dial(t, "tcp4", ln.Addr().String()); err == nil {
		c.Close()
		t.Fatal("dial from another namespace reached the listener")
	}

	u := ns.ListenUDP(t, "127.0.0.1:0")
	peer := ns.ListenUDP(t, "127.0.0.1:0")
	if _, err := peer.WriteTo([]byte("udp"), u.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	u.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _, err := u.ReadFrom(buf[:])
	if err != nil || n != 2 {
		t.Fatalf("udp read %d, %v", n, err)
	}
}

func TestReapStale(t *testing.T) {
	ns := New(t) // needs root and ip
	// A pid that is certainly gone: a child we have waited for.
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	stale := prefix + strconv.Itoa(cmd.Process.Pid) + "-1"
	if out, err := exec.Command(ns.ip, "netns", "add", stale).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command(ns.ip, "netns", "del", stale).Run() })
	reapStale(ns.ip)
	if _, err := os.Stat(filepath.Join(netnsDir, stale)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("stale namespace %s survived reapStale", stale)
	}
	if _, err := os.Stat(filepath.Join(netnsDir, ns.Name())); err != nil {
		t.Fatalf("reapStale removed this process's namespace %s: %v", ns.Name(), err)
	}
}

func TestStalePID(t *testing.T) {
	for _, tc := range []struct {
		name string
		pid  int
		ok   bool
	}{
		{"renet-test-123-4", 123, true},
		{"renet-test-123", 0, false},
		{"renet-test-x-4", 0, false},
		{"renet-test--4", 0, false},
		{"other-123-4", 0, false},
		{"renet-test-0-1", 0, false},
	} {
		pid, ok := stalePID(tc.name)
		if pid != tc.pid || ok != tc.ok {
			t.Errorf("stalePID(%q) = %d, %t; want %d, %t", tc.name, pid, ok, tc.pid, tc.ok)
		}
	}
}
