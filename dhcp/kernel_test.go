package dhcp

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/renet-go/renet/internal/netnstest"
	"github.com/renet-go/renet/netstack"
)

// kernelSide is the address of the tap device's kernel side, where
// dnsmasq serves.
var kernelSide = netip.MustParsePrefix("192.168.69.100/24")

// needDnsmasq finds dnsmasq, installing dnsmasq-base when root and apt-get
// can, or skips.
func needDnsmasq(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("dnsmasq"); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/sbin"} {
		if p := filepath.Join(dir, "dnsmasq"); fileExists(p) {
			return p
		}
	}
	if os.Geteuid() == 0 {
		if _, err := exec.LookPath("apt-get"); err == nil {
			out, err := exec.Command("apt-get", "install", "-y", "-qq", "dnsmasq-base").CombinedOutput()
			if err == nil && fileExists("/usr/sbin/dnsmasq") {
				return "/usr/sbin/dnsmasq"
			}
			t.Logf("apt-get install dnsmasq-base: %v: %s", err, out)
		}
	}
	t.Skip("dhcp: skipping: dnsmasq is not installed (apt-get install dnsmasq-base)")
	return ""
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// kernelStack opens tap0 in a fresh namespace, the kernel side at
// 192.168.69.100/24, and starts a renet stack with no address on it.
func kernelStack(t *testing.T) (*netnstest.NS, *netstack.Stack) {
	t.Helper()
	ns := netnstest.New(t)
	dev := ns.Tap(t, "tap0", kernelSide)
	s, err := netstack.New(dev, netstack.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return ns, s
}

// TestDnsmasq takes a lease from dnsmasq on the kernel side of a tap
// device: the kernel then reaches the address, a renewal is acknowledged,
// and Close's DHCPRELEASE ends the lease in dnsmasq's lease file.
func TestDnsmasq(t *testing.T) {
	dnsmasq := needDnsmasq(t)
	ns, s := kernelStack(t)
	leases := filepath.Join(t.TempDir(), "leases")
	ns.Start(t, dnsmasq, "--no-daemon", "--conf-file=/dev/null", "--port=0", "--user=root", "--pid-file=",
		"--interface=tap0", "--bind-interfaces", "--dhcp-leasefile="+leases, "--log-dhcp", "--no-ping",
		"--dhcp-range=192.168.69.50,192.168.69.60,120s",
		"--dhcp-option=option:router,192.168.69.100",
		"--dhcp-option=option:dns-server,192.168.69.100",
		"--dhcp-option=option:mtu,1400")

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// dnsmasq may still be starting: retransmit every half second.
	c, err := Start(ctx, s, Config{Retransmit: 500 * time.Millisecond, Hostname: "renet-test"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	l := c.Lease()
	t.Logf("lease: %v", l)
	a := l.Addr.Addr()
	pool := netip.MustParsePrefix("192.168.69.0/24")
	if !pool.Contains(a) || a.As4()[3] < 50 || a.As4()[3] > 60 || l.Addr.Bits() != 24 {
		t.Fatalf("address %v is not from dnsmasq's range", l.Addr)
	}
	if l.Router != kernelSide.Addr() || len(l.DNS) != 1 || l.DNS[0] != kernelSide.Addr() || l.Server != kernelSide.Addr() || l.MTU != 1400 {
		t.Fatalf("lease %v: want router, DNS and server 192.168.69.100, MTU 1400", l)
	}
	if l.Duration != 120*time.Second {
		t.Fatalf("lease for %v, want 120s", l.Duration)
	}
	if dns := s.DNS(); len(dns) != 1 || dns[0] != netip.AddrPortFrom(kernelSide.Addr(), 53) {
		t.Fatalf("stack DNS %v", dns)
	}
	if out, err := ns.Run(ctx, "ping", "-c", "1", "-W", "2", a.String()); err != nil {
		t.Fatalf("the kernel cannot ping the leased address: %v\n%s", err, out)
	}
	if !hasLease(t, leases, a) {
		t.Fatalf("dnsmasq's lease file has no %v", a)
	}

	// A renewal: unicast to dnsmasq from the leased address.
	if err := c.Renew(ctx); err != nil {
		t.Fatalf("Renew: %v", err)
	}
	if nl := c.Lease(); !nl.Expiry.After(l.Expiry) || nl.Addr != l.Addr {
		t.Fatalf("renewal: %v → %v", l, nl)
	}

	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if len(s.Addrs()) != 0 {
		t.Fatalf("address kept after Close: %v", s.Addrs())
	}
	for end := time.Now().Add(5 * time.Second); hasLease(t, leases, a); {
		if time.Now().After(end) {
			t.Fatalf("dnsmasq still holds the lease on %v after DHCPRELEASE", a)
		}
		time.Sleep(50 * time.Millisecond) // dnsmasq's file, polled: no event to wait on
	}
}

// hasLease reports whether dnsmasq's lease file lists a.
func hasLease(t *testing.T, file string, a netip.Addr) bool {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		// expiry MAC address hostname client-id
		if f := strings.Fields(line); len(f) >= 3 && f[2] == a.String() {
			return true
		}
	}
	return false
}

// TestNoServer: on a link with no DHCP server Start gives up at its
// timeout with a clear error.
func TestNoServer(t *testing.T) {
	_, s := kernelStack(t)
	start := time.Now()
	_, err := Start(context.Background(), s, Config{Timeout: 3 * time.Second, Retransmit: time.Second})
	took := time.Since(start)
	if !errors.Is(err, ErrNoAnswer) {
		t.Fatalf("%v, want ErrNoAnswer", err)
	}
	if took < 3*time.Second || took > 4*time.Second {
		t.Fatalf("gave up after %v, want 3s", took)
	}
	t.Log(err)
}
