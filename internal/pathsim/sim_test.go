package pathsim_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/renet-go/renet/internal/pathsim"
	"github.com/renet-go/renet/netstack/tcp"
)

// run runs one transfer in its own bubble.
func run(t *testing.T, p pathsim.Path, o pathsim.Options) pathsim.Result {
	t.Helper()
	var r pathsim.Result
	synctest.Test(t, func(t *testing.T) {
		var err error
		if r, err = pathsim.Run(p, o); err != nil {
			t.Fatal(err)
		}
	})
	return r
}

// payloadShare is the most of a full frame TCP payload can fill: 1448
// bytes (MSS 1460 less 12 of timestamps) in 1514 (plus 14 of Ethernet,
// 20 IPv4, 32 TCP with timestamps).
const payloadShare = 1448.0 / 1514

// Goodput can never beat the bottleneck, and with a window far above the
// bandwidth-delay product it should come close to it.
func TestGoodputBoundedByRate(t *testing.T) {
	const rate = 100e6 / 8
	r := run(t, pathsim.Path{RTT: time.Millisecond, Rate: rate, Queue: 1000, Seed: 1}, pathsim.Options{Bytes: 8 << 20})
	limit := rate * payloadShare
	t.Logf("goodput %.2f Mbit/s, limit %.2f", r.Goodput()*8/1e6, limit*8/1e6)
	if r.Goodput() > limit {
		t.Errorf("goodput %.0f B/s beats the bottleneck's %.0f", r.Goodput(), limit)
	}
	if r.Goodput() < 0.9*limit {
		t.Errorf("goodput %.0f B/s, under 90%% of the bottleneck's %.0f on a clean path", r.Goodput(), limit)
	}
}

// One small write crosses in exactly the one-way delay: the clock is
// virtual and the path adds RTT/2 each way, nothing else.
func TestSmallWriteTakesOneWayDelay(t *testing.T) {
	r := run(t, pathsim.Path{RTT: 100 * time.Millisecond}, pathsim.Options{Bytes: 1000})
	if r.Duration != 50*time.Millisecond {
		t.Errorf("1000 bytes took %v, want exactly 50ms", r.Duration)
	}
}

// A transfer larger than the initial window needs more round trips:
// 100 KiB is about 71 segments, four rounds of slow start from ten.
func TestSlowStartTakesRoundTrips(t *testing.T) {
	const rtt = 100 * time.Millisecond
	r := run(t, pathsim.Path{RTT: rtt}, pathsim.Options{Bytes: 100 << 10})
	t.Logf("100 KiB over %v RTT took %v", rtt, r.Duration)
	if r.Duration < 3*rtt/2 || r.Duration > 8*rtt {
		t.Errorf("100 KiB took %v, want between 1.5 and 8 RTTs", r.Duration)
	}
}

// The pipes' loss counters match the configured probability, in both
// directions, and every data segment lost was sent again.
func TestLossMatchesConfig(t *testing.T) {
	r := run(t, pathsim.Path{RTT: 10 * time.Millisecond, Loss: 0.03, Seed: 7}, pathsim.Options{Bytes: 8 << 20})
	for _, d := range []struct {
		name       string
		lost, sent uint64
	}{
		{"data", r.Wire.Tx.Lost, r.Wire.Tx.Sent},
		{"ack", r.Wire.Rx.Lost, r.Wire.Rx.Sent},
	} {
		got := float64(d.lost) / float64(d.sent)
		t.Logf("%s direction: %d of %d lost (%.2f%%)", d.name, d.lost, d.sent, 100*got)
		if got < 0.02 || got > 0.04 {
			t.Errorf("%s direction lost %.2f%% of packets, want about 3%%", d.name, 100*got)
		}
	}
	// The final ACK of the receiver's FIN is the one data-direction
	// packet whose loss needs no retransmission.
	if r.Sender.Retransmits+1 < r.Wire.Tx.Lost {
		t.Errorf("sender retransmitted %d segments, fewer than the %d the wire lost", r.Sender.Retransmits, r.Wire.Tx.Lost)
	}
}

// Reordering and duplication reach the wire at their configured rates,
// and the data still arrives intact (Run checks every byte).
func TestReorderAndDuplicateCounters(t *testing.T) {
	r := run(t, pathsim.Path{RTT: 10 * time.Millisecond, Reorder: 0.05, Duplicate: 0.02, Seed: 3}, pathsim.Options{Bytes: 8 << 20})
	tx := r.Wire.Tx
	reordered, duplicated := float64(tx.Reordered)/float64(tx.Sent), float64(tx.Duplicated)/float64(tx.Sent)
	t.Logf("%d sent, %.2f%% reordered, %.2f%% duplicated", tx.Sent, 100*reordered, 100*duplicated)
	if reordered < 0.035 || reordered > 0.065 {
		t.Errorf("%.2f%% reordered, want about 5%%", 100*reordered)
	}
	if duplicated < 0.01 || duplicated > 0.03 {
		t.Errorf("%.2f%% duplicated, want about 2%%", 100*duplicated)
	}
}

// Each side gets its own TCP configuration, whichever way the data goes,
// and the counters are those of the sending side. The MSS each side
// advertises shows up as the other side's SndMSS.
func TestSidesAndDirection(t *testing.T) {
	const n = 1 << 20
	for _, dir := range []pathsim.Direction{pathsim.AToB, pathsim.BToA} {
		o := pathsim.Options{
			Bytes:     n,
			Direction: dir,
			Sender:    tcp.Config{MSS: 1200},
			Receiver:  tcp.Config{MSS: 1000},
		}
		r := run(t, pathsim.Path{RTT: 20 * time.Millisecond}, o)
		if r.Sender.SndMSS != 1000 || r.Receiver.SndMSS != 1200 {
			t.Errorf("direction %d: sender's SndMSS %d, receiver's %d; want 1000 and 1200", dir, r.Sender.SndMSS, r.Receiver.SndMSS)
		}
		// Data segments outnumber ACKs (delayed ACKs cover two).
		if r.Sender.SegsOut < n/1000 || r.Receiver.SegsOut >= r.Sender.SegsOut {
			t.Errorf("direction %d: sender sent %d segments, receiver %d", dir, r.Sender.SegsOut, r.Receiver.SegsOut)
		}
		if r.Wire.Tx.Sent < n/1000 || r.Wire.Rx.Sent >= r.Wire.Tx.Sent {
			t.Errorf("direction %d: %d packets in the data direction, %d in the other", dir, r.Wire.Tx.Sent, r.Wire.Rx.Sent)
		}
	}
}

func TestRunRejectsNothingToSend(t *testing.T) {
	if _, err := pathsim.Run(pathsim.Path{}, pathsim.Options{}); err == nil {
		t.Error("Run with Bytes 0 succeeded")
	}
}
