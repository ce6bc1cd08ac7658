package ifconfig_test

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/renet-go/renet/internal/ifconfig"
	"github.com/renet-go/renet/internal/netnstest"
	"golang.org/x/sys/unix"
)

// dummyNS returns a fresh namespace holding an interface d0, which is down
// and has no address. It is a bridge with no ports: the test kernel has no
// dummy or veth driver, and a bridge is as inert.
func dummyNS(t *testing.T) *netnstest.NS {
	ns := netnstest.New(t)
	run(t, ns, "ip", "link", "add", "d0", "type", "bridge")
	return ns
}

func run(t *testing.T, ns *netnstest.NS, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := ns.Run(ctx, name, args...)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return string(out)
}

func TestUpSetsAddressMaskAndFlag(t *testing.T) {
	ns := dummyNS(t)
	if err := ns.Do(func() error {
		return ifconfig.Up("d0", netip.MustParsePrefix("10.1.2.3/24"))
	}); err != nil {
		t.Fatal(err)
	}
	addr := run(t, ns, "ip", "-4", "-o", "addr", "show", "dev", "d0")
	if !strings.Contains(addr, "inet 10.1.2.3/24 brd 10.1.2.255") {
		t.Errorf("want inet 10.1.2.3/24 brd 10.1.2.255; ip addr shows\n%s", addr)
	}
	link := run(t, ns, "ip", "-o", "link", "show", "dev", "d0")
	if !strings.Contains(link, ",UP") {
		t.Errorf("d0 not up:\n%s", link)
	}
	route := run(t, ns, "ip", "-4", "route", "show", "dev", "d0")
	if !strings.Contains(route, "10.1.2.0/24") {
		t.Errorf("no connected route for 10.1.2.0/24:\n%s", route)
	}

	// Up again with another address replaces the first.
	if err := ns.Do(func() error {
		return ifconfig.Up("d0", netip.MustParsePrefix("172.16.0.9/12"))
	}); err != nil {
		t.Fatal(err)
	}
	addr = run(t, ns, "ip", "-4", "-o", "addr", "show", "dev", "d0")
	if !strings.Contains(addr, "inet 172.16.0.9/12") || strings.Contains(addr, "10.1.2.3") {
		t.Errorf("want only 172.16.0.9/12 after the second Up; ip addr shows\n%s", addr)
	}
}

// TestUpAddrsDualStack gives d0 the dual-stack defaults of the
// command-line contract, a second IPv4 address and a link-local one: the
// IPv6 addresses are there at once, not tentative (no DAD), with their
// prefix routes, and doing it again changes nothing.
func TestUpAddrsDualStack(t *testing.T) {
	ns := dummyNS(t)
	addrs := []netip.Prefix{
		netip.MustParsePrefix("192.168.69.100/24"),
		netip.MustParsePrefix("fdaa::100/64"),
		netip.MustParsePrefix("10.9.0.1/16"),
		netip.MustParsePrefix("fe80::64/64"),
	}
	for range 2 {
		if err := ns.Do(func() error { return ifconfig.UpAddrs("d0", addrs) }); err != nil {
			t.Fatal(err)
		}
	}
	v4 := run(t, ns, "ip", "-4", "-o", "addr", "show", "dev", "d0")
	if !strings.Contains(v4, "inet 192.168.69.100/24 brd 192.168.69.255") || !strings.Contains(v4, "inet 10.9.0.1/16 brd 10.9.255.255") ||
		strings.Count(v4, "inet ") != 2 {
		t.Errorf("want 192.168.69.100/24 and 10.9.0.1/16 with their broadcasts, once each; ip addr shows\n%s", v4)
	}
	v6 := run(t, ns, "ip", "-6", "-o", "addr", "show", "dev", "d0")
	for _, want := range []string{"inet6 fdaa::100/64 scope global nodad", "inet6 fe80::64/64 scope link nodad"} {
		if !strings.Contains(v6, want) {
			t.Errorf("want %q; ip addr shows\n%s", want, v6)
		}
	}
	// The kernel's own link-local address, added when d0 came up, may
	// still be tentative; ours must not be.
	for _, l := range strings.Split(v6, "\n") {
		if strings.Contains(l, "tentative") && (strings.Contains(l, "fdaa::100/") || strings.Contains(l, "fe80::64/")) {
			t.Errorf("address tentative: %s", l)
		}
	}
	if strings.Count(v6, "fdaa::100/") != 1 {
		t.Errorf("want fdaa::100 once; ip addr shows\n%s", v6)
	}
	if route := run(t, ns, "ip", "-6", "route", "show", "dev", "d0"); !strings.Contains(route, "fdaa::/64") {
		t.Errorf("no route for fdaa::/64:\n%s", route)
	}
	if link := run(t, ns, "ip", "-o", "link", "show", "dev", "d0"); !strings.Contains(link, ",UP") {
		t.Errorf("d0 not up:\n%s", link)
	}

	// One IPv6 address alone through Up, on a fresh interface.
	run(t, ns, "ip", "link", "add", "d1", "type", "bridge")
	if err := ns.Do(func() error { return ifconfig.Up("d1", netip.MustParsePrefix("fdbb::1/48")) }); err != nil {
		t.Fatal(err)
	}
	if v6 := run(t, ns, "ip", "-6", "-o", "addr", "show", "dev", "d1"); !strings.Contains(v6, "inet6 fdbb::1/48 scope global nodad") {
		t.Errorf("Up with fdbb::1/48; ip addr shows\n%s", v6)
	}
}

func TestUpWithoutAddress(t *testing.T) {
	ns := dummyNS(t)
	if err := ns.Do(func() error { return ifconfig.Up("d0", netip.Prefix{}) }); err != nil {
		t.Fatal(err)
	}
	if link := run(t, ns, "ip", "-o", "link", "show", "dev", "d0"); !strings.Contains(link, ",UP") {
		t.Errorf("d0 not up:\n%s", link)
	}
	if addr := run(t, ns, "ip", "-4", "-o", "addr", "show", "dev", "d0"); strings.TrimSpace(addr) != "" {
		t.Errorf("d0 got an address:\n%s", addr)
	}
}

func TestSetMTUAndQueries(t *testing.T) {
	ns := dummyNS(t)
	if err := ns.Do(func() error { return ifconfig.SetMTU("d0", 1400) }); err != nil {
		t.Fatal(err)
	}
	if link := run(t, ns, "ip", "-o", "link", "show", "dev", "d0"); !strings.Contains(link, "mtu 1400") {
		t.Errorf("want mtu 1400:\n%s", link)
	}

	// A Ctl opened in the namespace keeps answering for it when used from
	// this goroutine, which is in the root namespace.
	var c *ifconfig.Ctl
	if err := ns.Do(func() (err error) { c, err = ifconfig.Open(); return err }); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if mtu, err := c.MTU("d0"); err != nil || mtu != 1400 {
		t.Errorf("MTU = %d, %v; want 1400", mtu, err)
	}
	if idx, err := c.Index("d0"); err != nil || idx <= 1 {
		t.Errorf("Index = %d, %v; want an index after lo's 1", idx, err)
	}
	mac, hwtype, err := c.HardwareAddr("d0")
	if err != nil || hwtype != unix.ARPHRD_ETHER {
		t.Fatalf("HardwareAddr = %v, %d, %v; want an Ethernet address", mac, hwtype, err)
	}
	if link := run(t, ns, "ip", "-o", "link", "show", "dev", "d0"); !strings.Contains(link, "link/ether "+mac.String()) {
		t.Errorf("HardwareAddr %s does not match ip link:\n%s", mac, link)
	}
	if flags, err := c.Flags("d0"); err != nil || flags&unix.IFF_UP != 0 {
		t.Errorf("Flags = %#x, %v; want d0 down", flags, err)
	}
	if _, hwtype, err := c.HardwareAddr("lo"); err != nil || hwtype != unix.ARPHRD_LOOPBACK {
		t.Errorf("lo hardware type %d, %v", hwtype, err)
	}
}

func TestErrors(t *testing.T) {
	ns := dummyNS(t)
	err := ns.Do(func() error { return ifconfig.Up("nosuch0", netip.MustParsePrefix("10.0.0.1/8")) })
	if !errors.Is(err, unix.ENODEV) || !strings.Contains(err.Error(), "nosuch0") {
		t.Errorf("Up on a missing interface: %v; want ENODEV naming nosuch0", err)
	}
	err = ns.Do(func() error { return ifconfig.Up("nosuch0", netip.MustParsePrefix("fd00::1/64")) })
	if !errors.Is(err, unix.ENODEV) || !strings.Contains(err.Error(), "nosuch0") {
		t.Errorf("Up with IPv6 on a missing interface: %v; want ENODEV naming nosuch0", err)
	}
	err = ns.Do(func() error { return ifconfig.UpAddrs("d0", []netip.Prefix{{}}) })
	if err == nil || !strings.Contains(err.Error(), "invalid prefix") {
		t.Errorf("UpAddrs with a zero prefix: %v", err)
	}
	err = ns.Do(func() error { return ifconfig.SetMTU("d0", 0) })
	if err == nil {
		t.Errorf("SetMTU 0 succeeded")
	}
	err = ns.Do(func() error { return ifconfig.SetMTU("a-name-far-too-long", 1500) })
	if err == nil || !strings.Contains(err.Error(), "longer than 15") {
		t.Errorf("long name: %v", err)
	}
	c, err := ifconfig.Open()
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if _, err := c.MTU("lo"); err == nil {
		t.Errorf("MTU on a closed Ctl succeeded")
	}
}
