package cc

import (
	"testing"
	"time"
)

// The price of the gentler answer to random loss (randomLoss). Eight
// CUBIC flows share a drop-tail bottleneck, 100 Mbit/s and 20 ms (a BDP of
// 167 packets); every loss is a buffer overflow, that is congestion, and
// losses are synchronised. Four flows classify losses (renet's default),
// four do not (RFC 9438, as Linux). With a buffer as deep as the BDP each
// flow keeps a queue it can see, every loss counts as congestion and the
// share is even. With a shallow switch port (20 packets) split eight ways,
// each flow's own backlog stays under three segments, overflows look
// random, and renet's flows take about 58%: the bound below keeps that
// trade from getting worse unnoticed.
func TestRandomLossSharedBottleneckFairness(t *testing.T) {
	for _, tc := range []struct {
		buffer   float64 // packets
		maxShare float64
	}{
		{167, 0.53},
		{20, 0.62},
	} {
		share, gentle, losses := shareOfClassifiers(t, tc.buffer)
		t.Logf("buffer %v packets: classifying flows' share %.3f; %d of %d overflows classified random", tc.buffer, share, gentle, losses)
		if share > tc.maxShare {
			t.Errorf("buffer %v packets: flows that classify losses take %.0f%% of the bottleneck, want at most %.0f%%", tc.buffer, 100*share, 100*tc.maxShare)
		}
	}
}

// shareOfClassifiers runs the shared-bottleneck model of
// TestRandomLossSharedBottleneckFairness with a buffer of buf packets.
func shareOfClassifiers(t *testing.T, buf float64) (share float64, gentle, losses int) {
	const smss = 1448
	const bdp, n = 167, 8
	base := 20 * time.Millisecond
	var ccs []*CUBIC
	var sims []*sim
	for i := 0; i < n; i++ {
		c := NewCUBIC(smss)
		c.SetHyStart(false)
		if i%2 == 1 {
			c.SetLossClassification(false)
		}
		ccs, sims = append(ccs, c), append(sims, newSim(c, smss))
	}
	var sum [2]float64
	for r := 0; r < 20000; r++ {
		total := 0.0
		for _, c := range ccs {
			total += float64(c.Window()) / smss
		}
		q := max(total-bdp, 0)
		rtt := base + time.Duration(float64(base)*min(q, buf)/bdp)
		for _, s := range sims {
			s.now = sims[0].now
			s.round(t, rtt)
		}
		if total > bdp+buf {
			losses++
			if ccs[0].randomLoss() {
				gentle++
			}
			for _, s := range sims {
				s.recover()
			}
		}
		if r > 2000 {
			for i, c := range ccs {
				sum[i%2] += float64(c.Window())
			}
		}
	}
	return sum[0] / (sum[0] + sum[1]), gentle, losses
}
