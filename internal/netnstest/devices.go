package netnstest

import (
	"net/netip"
	"testing"

	"github.com/renet-go/renet/internal/ifconfig"
	"github.com/renet-go/renet/link/tap"
	"github.com/renet-go/renet/link/tun"
)

// Tap opens (creates) a tap device with the given name inside the
// namespace (via link/tap inside Do), gives the kernel side hostAddr (e.g.
// 192.168.69.100/24) and brings it up (via internal/ifconfig, inside Do);
// cleanup closes it, which removes it. A zero hostAddr brings it up with
// no address.
func (ns *NS) Tap(t testing.TB, name string, hostAddr netip.Prefix) *tap.Device {
	t.Helper()
	return openDevice(t, ns, "tap", name, hostAddr, tap.Open)
}

// TapWith is Tap with options, such as offload off.
func (ns *NS) TapWith(t testing.TB, name string, hostAddr netip.Prefix, o tap.Options) *tap.Device {
	t.Helper()
	open := func(name string) (*tap.Device, error) { return tap.OpenWith(name, o) }
	return openDevice(t, ns, "tap", name, hostAddr, open)
}

// Tun is Tap for a TUN device: it opens name inside the namespace, gives
// the kernel side hostAddr (e.g. 10.9.0.1/24, which also routes the rest of
// the /24 into the device) and brings it up; cleanup closes it.
func (ns *NS) Tun(t testing.TB, name string, hostAddr netip.Prefix) *tun.Device {
	t.Helper()
	return openDevice(t, ns, "tun", name, hostAddr, tun.Open)
}

// device is what Tap and Tun have in common.
type device interface {
	Name() string
	Close() error
}

// openDevice opens a device with open inside the namespace, configures its
// kernel side, and closes it at cleanup.
func openDevice[D device](t testing.TB, ns *NS, kind, name string, hostAddr netip.Prefix, open func(string) (D, error)) D {
	t.Helper()
	var dev D
	err := ns.Do(func() error {
		d, err := open(name)
		if err != nil {
			return err
		}
		if err := ifconfig.Up(d.Name(), hostAddr); err != nil {
			d.Close()
			return err
		}
		dev = d
		return nil
	})
	if err != nil {
		t.Fatalf("netnstest: %s %s in %s: %v", kind, name, ns.name, err)
	}
	t.Cleanup(func() { dev.Close() })
	return dev
}
