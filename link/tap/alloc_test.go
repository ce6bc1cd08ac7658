//go:build !race

package tap_test

import (
	"net/netip"
	"testing"

	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/link/internal/framestest"
	"github.com/renet-go/renet/link/tap"
)

// TestBatchesDoNotAllocate checks the hot path on a real device: a kernel
// socket sends datagrams into the tap, ReadBatch takes them, WriteBatch
// sends frames the kernel drops (an unassigned EtherType). The race
// detector instruments allocations, so this runs only without it.
func TestBatchesDoNotAllocate(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) { testBatchesDoNotAllocate(t, m.o, false) })
	}
	t.Run("info", func(t *testing.T) { testBatchesDoNotAllocate(t, tap.Options{}, true) })
}

// testBatchesDoNotAllocate measures the plain calls, or with info the
// ReadBatchInfo and WriteBatchInfo calls (with a partial checksum for the
// kernel to complete on every frame written).
func testBatchesDoNotAllocate(t *testing.T, o tap.Options, info bool) {
	ns := quietNS(t)
	dev := openTap(t, ns, o, "tap0", kernelNet)
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
	infos := make([]link.PacketInfo, len(bufs))
	outInfos := []link.PacketInfo{{NeedsCsum: true, CsumStart: 34, CsumOffset: 6}, {}}
	round := func() {
		if _, err := conn.WriteToUDPAddrPort(payload, dst); err != nil {
			t.Fatal(err)
		}
		if info {
			if _, err := dev.ReadBatchInfo(bufs, sizes, infos); err != nil {
				t.Fatal(err)
			}
			if n, err := dev.WriteBatchInfo(out, outInfos); n != 2 || err != nil {
				t.Fatalf("WriteBatchInfo = %d, %v", n, err)
			}
			return
		}
		if _, err := ep.ReadBatch(bufs, sizes); err != nil {
			t.Fatal(err)
		}
		if n, err := ep.WriteBatch(out); n != 2 || err != nil {
			t.Fatalf("WriteBatch = %d, %v", n, err)
		}
	}
	// Warm up: the first calls may grow runtime structures (and the
	// device its header scratch).
	round()

	allocs := testing.AllocsPerRun(200, round)
	// The kernel socket's send is inside the measurement too; the
	// AddrPort form allocates nothing, so any allocation is the device's.
	if allocs != 0 {
		t.Fatalf("%.1f allocations per send+ReadBatch+WriteBatch round, want 0", allocs)
	}
}
