package tunfd_test

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/renet-go/renet/internal/ifconfig"
	"github.com/renet-go/renet/internal/netnstest"
	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/link/internal/framestest"
	"github.com/renet-go/renet/link/internal/tunfd"
)

// TestKernelRefusesOffload makes TUNSETOFFLOAD fail, as an old or
// restricted kernel would: the device must come up without the header,
// report no offload, and move ordinary packets.
func TestKernelRefusesOffload(t *testing.T) {
	ns := netnstest.New(t)
	defer tunfd.SetOffloadProbe(tunfd.RefusedOffload)()
	for _, tc := range []struct {
		kind tunfd.Kind
		name string
	}{{tunfd.TAP, "tap0"}, {tunfd.TUN, "tun0"}} {
		var d *tunfd.Device
		err := ns.Do(func() (err error) {
			if d, err = tunfd.Open(tc.kind, tc.name); err != nil {
				return err
			}
			return ifconfig.Up(tc.name, netip.Prefix{})
		})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		defer d.Close()
		if off := d.Offload(); off != (link.Offload{}) {
			t.Errorf("%s: Offload %+v after the kernel refused it, want none", tc.name, off)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		out, err := ns.Run(ctx, "ip", "-d", "-o", "link", "show", "dev", tc.name)
		cancel()
		if err != nil || !strings.Contains(string(out), "vnet_hdr off") {
			t.Errorf("%s: want vnet_hdr off: %v\n%s", tc.name, err, out)
		}
		// The Info calls work on it, as plain ones.
		pkt := framestest.IPv4UDP(netip.MustParseAddrPort("10.9.0.2:9"), netip.MustParseAddrPort("10.9.0.1:9"), []byte("x"))
		if tc.kind == tunfd.TAP {
			pkt = framestest.Ethernet(framestest.Broadcast, framestest.Broadcast, framestest.EtherTypeLocal, make([]byte, 46))
		}
		if n, err := d.WriteBatchInfo([][]byte{pkt}, []link.PacketInfo{{}}); n != 1 || err != nil {
			t.Errorf("%s: WriteBatchInfo of an ordinary packet = %d, %v", tc.name, n, err)
		}
	}
}
