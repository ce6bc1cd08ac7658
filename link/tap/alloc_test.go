//go:build !race

package tap_test

import (
	"net/netip"
	"testing"

	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/link/internal/framestest"
)

// TestBatchesDoNotAllocate checks the hot path on a real device: a kernel
// socket sends datagrams into the tap, ReadBatch takes them, WriteBatch
// sends frames the kernel drops (an unassigned EtherType). The race
// detector instruments allocations, so this runs only without it.
func TestBatchesDoNotAllocate(t *testing.T) {
	ns := quietNS(t)
	dev := ns.Tap(t, "tap0", kernelNet)
	run(t, ns, "ip", "neigh", "replace", stackIP.String(), "lladdr", stackMAC.String(), "dev", "tap0", "nud", "permanent")
	conn := ns.ListenUDP(t, "192.168.69.100:0")
	dst := netip.AddrPortFrom(stackIP, 9)
	payload := []byte("x")
	var ep link.Endpoint = dev
	bufs := make([][]byte, 4)
	for i := range bufs {
		bufs[i] = make([]byte, 2048)
	}
	sizes := make([]int, len(bufs))
	out := [][]byte{
		framestest.Ethernet(framestest.Broadcast, stackMAC, framestest.EtherTypeLocal, make([]byte, 46)),
		framestest.Ethernet(framestest.Broadcast, stackMAC, framestest.EtherTypeLocal, make([]byte, 46)),
	}
	// Warm up: the first calls may grow runtime structures.
	conn.WriteToUDPAddrPort(payload, dst)
	ep.ReadBatch(bufs, sizes)

	allocs := testing.AllocsPerRun(200, func() {
		if _, err := conn.WriteToUDPAddrPort(payload, dst); err != nil {
			t.Fatal(err)
		}
		if _, err := ep.ReadBatch(bufs, sizes); err != nil {
			t.Fatal(err)
		}
		if n, err := ep.WriteBatch(out); n != 2 || err != nil {
			t.Fatalf("WriteBatch = %d, %v", n, err)
		}
	})
	// The kernel socket's send is inside the measurement too; the
	// AddrPort form allocates nothing, so any allocation is the device's.
	if allocs != 0 {
		t.Fatalf("%.1f allocations per send+ReadBatch+WriteBatch round, want 0", allocs)
	}
}
