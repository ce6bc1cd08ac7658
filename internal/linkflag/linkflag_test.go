package linkflag

import (
	"context"
	"errors"
	"flag"
	"strings"
	"testing"

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
// list, in order; "dhcp" is reserved.
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
	if _, err := parse(t, "-addr", "dhcp").Config(); !errors.Is(err, ErrDHCP) || !strings.Contains(err.Error(), "not yet supported") {
		t.Errorf("-addr dhcp: %v, want ErrDHCP", err)
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
		{"-addr", "dhcp"},
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
