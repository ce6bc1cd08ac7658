package relay_test

import (
	"testing"
	"time"

	"github.com/renet-go/renet/internal/netnstest"
	"github.com/renet-go/renet/internal/relay"
	"github.com/renet-go/renet/internal/relay/pathtest"
	"github.com/renet-go/renet/netstack"
)

// kernelSize is each kernel test's transfer: a few seconds at most at the
// ~12 MB/s renet's fixed 256 KiB buffers allow at 20 ms RTT, even with
// loss and the race detector, and still hundreds of windows' worth.
const kernelSize = 4 << 20

// lossySize is the transfer over lossy paths, where Linux itself makes
// about 1 MB/s at 1% loss and 20 ms RTT (as the Mathis formula predicts).
const lossySize = 1 << 20

func sizeFor(p pathtest.Path) int64 {
	if p.Impair.Loss > 0 {
		return lossySize
	}
	return kernelSize
}

// kernelTimeout bounds one transfer; it is a hang detector, not a speed
// check.
const kernelTimeout = 2 * time.Minute

func path(t *testing.T, name string) pathtest.Path {
	t.Helper()
	p, ok := pathtest.PathByName(name)
	if !ok {
		t.Fatalf("no path %q", name)
	}
	return p
}

// logResult logs the goodput and what the relay saw. Only the data is
// asserted (by pathtest.Transfer); speed depends on the machine.
func logResult(t *testing.T, what string, r pathtest.Result, rs relay.Stats, drops func() (uint64, error)) {
	t.Helper()
	d, err := drops()
	t.Logf("%s: %d bytes verified in %v, %.1f MB/s, %d segments retransmitted by the sender, %d dropped at the TUN devices (%v); %s",
		what, r.Bytes, r.Elapsed.Round(time.Millisecond), r.MBps(), r.Retrans, d, err, rs)
}

// Linux and renet on either side of the relay, each test in a fresh
// namespace: kernel ─ TUN ─ relay ─ clean pipe ─ renet.
func TestRenetAgainstLinuxThroughRelay(t *testing.T) {
	for _, name := range []string{"clean20", "loss1", "reorder"} {
		p := path(t, name)
		for _, dir := range []string{"download", "upload"} {
			t.Run(name+"/"+dir, func(t *testing.T) {
				ns := netnstest.New(t)
				e, err := pathtest.NewRenet(ns, p.Impair, netstack.Config{})
				if err != nil {
					t.Fatal(err)
				}
				defer e.Close()
				e.CC = "cubic"
				// The kernel is endpoint a of the relay, renet b.
				transfer, what := e.Download, "renet → Linux"
				dataLost := func(s relay.Stats) uint64 { return s.Path.Rx.Lost }
				if dir == "upload" {
					transfer, what = e.Upload, "Linux → renet"
					dataLost = func(s relay.Stats) uint64 { return s.Path.Tx.Lost }
				}
				r, err := transfer(sizeFor(p), kernelTimeout)
				if err != nil {
					t.Fatal(err)
				}
				st := e.Relay().Stats()
				logResult(t, what+" over "+p.Desc, r, st, e.HostDrops)
				if lost := dataLost(st); lost > 0 && r.Retrans == 0 {
					t.Errorf("the path lost %d frames towards the receiver, yet the sender retransmitted nothing", lost)
				}
			})
		}
	}
}

// Linux to Linux through the same relay, between two fresh namespaces:
// the reference the renet figures are read beside, and a check that the
// relay carries a real TCP with loss intact.
func TestLinuxToLinuxThroughRelay(t *testing.T) {
	for _, name := range []string{"clean20", "loss1"} {
		p := path(t, name)
		t.Run(name, func(t *testing.T) {
			k, err := pathtest.NewKernels(netnstest.New(t), netnstest.New(t), p.Impair)
			if err != nil {
				t.Fatal(err)
			}
			defer k.Close()
			r, err := k.Send(sizeFor(p), "cubic", kernelTimeout)
			if err != nil {
				t.Fatal(err)
			}
			logResult(t, "Linux → Linux (cubic) over "+p.Desc, r, k.Relay().Stats(), k.HostDrops)
		})
	}
}
