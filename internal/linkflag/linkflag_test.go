package linkflag

import (
	"flag"
	"strings"
	"testing"
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
