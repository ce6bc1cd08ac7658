package linkflag

import (
	"context"
	"flag"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/renet-go/renet/internal/netnstest"
	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/netstack"
)

func parse(t *testing.T, args ...string) *Flags {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	f := Register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestDefaultsMatchTheContract(t *testing.T) {
	f := parse(t)
	cfg, err := f.Config()
	if err != nil {
		t.Fatal(err)
	}
	if f.Tap != "tap0" || cfg.Addrs[0].String() != "192.168.69.1/24" || cfg.HardwareAddr.String() != "02:00:00:00:00:01" || cfg.Gateway.IsValid() {
		t.Errorf("defaults: tap %q, config %+v", f.Tap, cfg)
	}
	if !f.Offload || parse(t, "-offload=false").Offload {
		t.Errorf("-offload: default %t, want true; -offload=false must turn it off", f.Offload)
	}
	if f.LinkNamed() {
		t.Error("no link flag given, but LinkNamed says one was")
	}
	if !parse(t, "-tun", "tun0").LinkNamed() {
		t.Error("-tun not seen as naming a link")
	}
}

func TestParseAddrs(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string // the prefixes joined by commas, or the error's text
	}{
		{"192.168.69.1/24", "192.168.69.1/24"},
		{DualStackAddr, "192.168.69.1/24,fdaa::1/64"},
		{" 10.0.0.1/8 , fdaa::1/64,fe80::1/64 ", "10.0.0.1/8,fdaa::1/64,fe80::1/64"},
		{"192.168.69.100/24,fdaa::100/64", "192.168.69.100/24,fdaa::100/64"},
		{"192.168.69.1", `"192.168.69.1" has no prefix length (such as 192.168.69.1/24`},
		{"fdaa::1", `"fdaa::1" has no prefix length`},
		{"10.0.0.1/8,", `empty item in address list "10.0.0.1/8,"`},
		{"", "empty item"},
		{"fdaa::1/129", `"fdaa::1/129" is not an address with a prefix length`},
		{"fe80::1%eth0/64", "is not an address with a prefix length"},
		{"dhcp", `"dhcp" is not an address`},
	} {
		ps, err := ParseAddrs(c.in)
		var got string
		if err != nil {
			got = err.Error()
		} else {
			var ss []string
			for _, p := range ps {
				ss = append(ss, p.String())
			}
			got = strings.Join(ss, ",")
		}
		if !strings.Contains(got, c.want) {
			t.Errorf("ParseAddrs(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestAddrList checks what Config hands the stack: every prefix of the
// list, in order; "dhcp" leaves the IPv4 address to a DHCP server.
func TestAddrList(t *testing.T) {
	f := parse(t, "-addr", "192.168.69.1/24,fdaa::1/64,10.0.0.1/8")
	cfg, err := f.Config()
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Addrs) != 3 || cfg.Addrs[1].String() != "fdaa::1/64" {
		t.Errorf("Addrs %v, want all three in order", cfg.Addrs)
	}
	if cfg, err := parse(t, "-addr", "fdaa::1/64").Config(); err != nil || len(cfg.Addrs) != 1 {
		t.Errorf("IPv6 alone: %v %v", cfg.Addrs, err)
	}
	f = parse(t, "-addr", "dhcp")
	if cfg, err := f.Config(); err != nil || len(cfg.Addrs) != 0 || !f.DHCP() {
		t.Errorf("-addr dhcp: %v %v, DHCP %t; want no address and DHCP", cfg.Addrs, err, f.DHCP())
	}
	f = parse(t, "-addr", "dhcp, fdaa::1/64")
	if cfg, err := f.Config(); err != nil || len(cfg.Addrs) != 1 || !f.DHCP() {
		t.Errorf("-addr dhcp,fdaa::1/64: %v %v, DHCP %t", cfg.Addrs, err, f.DHCP())
	}
	if _, err := parse(t, "-addr", "dhcp,").Config(); err == nil || !strings.Contains(err.Error(), "empty item") {
		t.Errorf("-addr dhcp,: %v, want an error", err)
	}
	if _, err := parse(t, "-addr", "dhcp,10.0.0.1/8").Config(); err == nil || !strings.Contains(err.Error(), "beside dhcp") {
		t.Errorf("-addr dhcp,10.0.0.1/8: %v, want an error", err)
	}
	if parse(t).DHCP() || parse(t).DHCPTimeout != 30*time.Second {
		t.Error("DHCP by default, or -dhcp-timeout not 30s")
	}
}

// TestHostDualStack opens a tap device in a namespace with the kernel
// side given DESIGN.md's dual-stack -host list: both addresses are there,
// the IPv6 one usable at once.
func TestHostDualStack(t *testing.T) {
	ns := netnstest.New(t)
	f := parse(t, "-tap", "tap0", "-addr", DualStackAddr, "-host", "192.168.69.100/24,fdaa::100/64")
	var s *netstack.Stack
	var cleanup func() error
	if err := ns.Do(func() (err error) { s, cleanup, err = f.Open(); return err }); err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	defer s.Close()
	out, err := ns.Run(context.Background(), "ip", "-o", "addr", "show", "dev", "tap0")
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for _, want := range []string{"inet 192.168.69.100/24", "inet6 fdaa::100/64 scope global nodad"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("want %q; ip addr shows\n%s", want, out)
		}
	}
}

func TestBadFlagsGiveOneLineErrors(t *testing.T) {
	for _, args := range [][]string{
		{"-addr", "192.168.69.1"},
		{"-addr", "dhcp,"},
		{"-addr", "192.168.69.1/24,"},
		{"-host", "192.168.69.100/24,fdaa::100", "-afpacket", "lo"},
		{"-mac", "02:00:00"},
		{"-gw", "gateway"},
		{"-host", "10.0.0.1", "-afpacket", "lo"},
		{"-afpacket", "nosuch0"},
	} {
		f := parse(t, args...)
		s, _, err := f.Open()
		if err == nil {
			s.Close()
			t.Errorf("%v: no error", args)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, "\n") || msg == "" {
			t.Errorf("%v: error is not one line: %q", args, msg)
		}
	}
	_, _, err := parse(t, "-afpacket", "nosuch0").Open()
	if err == nil || !strings.Contains(err.Error(), "nosuch0") {
		t.Errorf("error does not name the device: %v", err)
	}
}

// TestOffloadFlag opens real devices in a namespace: tap and TUN come with
// offload by default (-pcap too: the capture wrapper carries it), and
// without it under -offload=false.
func TestOffloadFlag(t *testing.T) {
	ns := netnstest.New(t)
	for _, tc := range []struct {
		args []string
		want bool
	}{
		{[]string{"-tap", "tap0"}, true},
		{[]string{"-tun", "tun0"}, true},
		{[]string{"-tap", "tap0", "-offload=false"}, false},
		{[]string{"-tun", "tun0", "-offload=false"}, false},
		{[]string{"-tap", "tap0", "-pcap", "x.pcap"}, true},
	} {
		f := parse(t, tc.args...)
		var ep link.Endpoint
		if err := ns.Do(func() (err error) { ep, _, err = f.openLink(); return err }); err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		off := ep.Offload()
		ep.Close()
		if got := off != (link.Offload{}); got != tc.want {
			t.Errorf("%v: Offload %+v, want offload %t", tc.args, off, tc.want)
		}
	}
}

// openIn runs Open inside the namespace.
func openIn(t *testing.T, ns *netnstest.NS, f *Flags) (*netstack.Stack, func() error, error) {
	t.Helper()
	var s *netstack.Stack
	var cleanup func() error
	err := ns.Do(func() (err error) { s, cleanup, err = f.Open(); return err })
	return s, cleanup, err
}

// TestDHCPNoServer: -addr dhcp on a link with no server fails after
// -dhcp-timeout with a one-line error saying so.
func TestDHCPNoServer(t *testing.T) {
	ns := netnstest.New(t)
	f := parse(t, "-tap", "tap0", "-addr", "dhcp", "-dhcp-timeout", "2s", "-host", "192.168.69.100/24")
	start := time.Now()
	s, _, err := openIn(t, ns, f)
	if err == nil {
		s.Close()
		t.Fatal("a lease from nowhere")
	}
	if took := time.Since(start); took > 3*time.Second || !strings.Contains(err.Error(), "no answer from any server") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("after %v: %q", took, err)
	}
	t.Log(err)
}

// TestDHCPFromDnsmasq: -addr dhcp takes its address from dnsmasq serving
// the kernel side of the tap device.
func TestDHCPFromDnsmasq(t *testing.T) {
	ns := netnstest.New(t)
	dnsmasq, err := exec.LookPath("dnsmasq")
	if err != nil {
		if dnsmasq = "/usr/sbin/dnsmasq"; !fileExists(dnsmasq) {
			t.Skip("linkflag: skipping: dnsmasq is not installed (apt-get install dnsmasq-base)")
		}
	}
	f := parse(t, "-tap", "tap0", "-addr", "dhcp", "-dhcp-timeout", "20s", "-host", "192.168.69.100/24")
	type opened struct {
		s       *netstack.Stack
		cleanup func() error
		err     error
	}
	done := make(chan opened, 1)
	go func() {
		s, cleanup, err := openIn(t, ns, f)
		done <- opened{s, cleanup, err}
	}()
	// dnsmasq binds to the device, which Open creates: wait for it.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		out, _ := ns.Run(ctx, "ip", "-o", "addr", "show", "dev", "tap0")
		if strings.Contains(string(out), "192.168.69.100/24") {
			break
		}
		if ctx.Err() != nil {
			t.Fatal("tap0 never came up")
		}
		time.Sleep(20 * time.Millisecond) // polling the kernel: no event to wait on
	}
	ns.Start(t, dnsmasq, "--no-daemon", "--conf-file=/dev/null", "--port=0", "--user=root", "--pid-file=",
		"--interface=tap0", "--bind-interfaces", "--leasefile-ro", "--no-ping",
		"--dhcp-range=192.168.69.50,192.168.69.60,120s")
	o := <-done
	if o.err != nil {
		t.Fatal(o.err)
	}
	defer o.cleanup()
	defer o.s.Close()
	addrs := o.s.Addrs()
	if len(addrs) != 1 || !netip.MustParsePrefix("192.168.69.0/24").Contains(addrs[0].Addr()) || addrs[0].Bits() != 24 {
		t.Fatalf("stack addresses %v, want one from dnsmasq's range", addrs)
	}
	if out, err := ns.Run(ctx, "ping", "-c", "1", "-W", "2", addrs[0].Addr().String()); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }
