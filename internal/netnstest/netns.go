package netnstest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// NS is a network namespace created for one test.
type NS struct {
	name string
	ip   string // path of the ip binary
	fd   int    // open handle on the namespace, for setns
}

// netnsDir is where `ip netns` keeps the bind mounts that name namespaces.
const netnsDir = "/var/run/netns"

// prefix starts the name of every namespace this package creates; the
// creating process's pid follows it, then a sequence number.
const prefix = "renet-test-"

var (
	seq      atomic.Uint64
	reapOnce sync.Once
)

// New creates a fresh, uniquely named network namespace, brings its lo up,
// and registers t.Cleanup to delete it (and everything in it). It calls
// t.Skip with a clear message if not root or if `ip` is missing.
func New(t testing.TB) *NS {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("netnstest: skipping: creating network namespaces needs root (run the tests as root)")
	}
	ip, err := lookIP()
	if err != nil {
		t.Skip("netnstest: skipping: iproute2's `ip` command is not installed: ", err)
	}
	reapOnce.Do(func() { reapStale(ip) })

	name := fmt.Sprintf("%s%d-%d", prefix, os.Getpid(), seq.Add(1))
	if out, err := exec.Command(ip, "netns", "add", name).CombinedOutput(); err != nil {
		if strings.Contains(string(out), "not permitted") {
			t.Skipf("netnstest: skipping: cannot create a network namespace (root without CAP_SYS_ADMIN, as in an unprivileged container?): %s", out)
		}
		t.Fatalf("netnstest: ip netns add %s: %v: %s", name, err, out)
	}
	ns := &NS{name: name, ip: ip, fd: -1}
	// Registered at once, so whatever fails below, the namespace goes.
	t.Cleanup(func() {
		if err := ns.delete(); err != nil {
			t.Errorf("netnstest: %v", err)
		}
	})

	ns.fd, err = unix.Open(filepath.Join(netnsDir, name), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatalf("netnstest: open namespace %s: %v", name, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, ip, "-n", name, "link", "set", "lo", "up").CombinedOutput(); err != nil {
		t.Fatalf("netnstest: bring up lo in %s: %v: %s", name, err, out)
	}
	return ns
}

// Name returns the namespace's name, as `ip netns list` shows it.
func (ns *NS) Name() string { return ns.name }

// delete closes the handle and removes the namespace's name. The kernel
// frees the namespace, and the devices in it, once nothing else holds it.
func (ns *NS) delete() error {
	if ns.fd >= 0 {
		unix.Close(ns.fd)
		ns.fd = -1
	}
	if out, err := exec.Command(ns.ip, "netns", "del", ns.name).CombinedOutput(); err != nil {
		return fmt.Errorf("ip netns del %s: %v: %s", ns.name, err, out)
	}
	return nil
}

// lookIP finds ip(8); the sbin directories are often missing from PATH.
func lookIP() (string, error) {
	p, err := exec.LookPath("ip")
	if err == nil {
		return p, nil
	}
	for _, p := range []string{"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"} {
		if _, serr := os.Stat(p); serr == nil {
			return p, nil
		}
	}
	return "", err
}

// reapStale deletes namespaces named by this package for processes that no
// longer exist: what a test binary killed by a timeout leaves behind.
func reapStale(ip string) {
	entries, err := os.ReadDir(netnsDir)
	if err != nil {
		return
	}
	for _, e := range entries {
		pid, ok := stalePID(e.Name())
		if !ok || pid == os.Getpid() {
			continue
		}
		if err := unix.Kill(pid, 0); err == unix.ESRCH {
			exec.Command(ip, "netns", "del", e.Name()).Run()
		}
	}
}

// stalePID extracts the pid from a name made by New.
func stalePID(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, prefix)
	if !ok {
		return 0, false
	}
	pidStr, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, false
	}
	pid, err := strconv.Atoi(pidStr)
	if err != nil || pid <= 0 {
		return 0, false
	}
	return pid, true
}
