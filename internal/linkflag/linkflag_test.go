package linkflag

import (
	"flag"
	"strings"
	"testing"

	"github.com/renet-go/renet/internal/netnstest"
	"github.com/renet-go/renet/link"
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

func TestBadFlagsGiveOneLineErrors(t *testing.T) {
	for _, args := range [][]string{
		{"-addr", "192.168.69.1"},
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
