package pathsim_test

import "fmt"

// Tolerances. Runs with the same seed are close but not always identical:
// the Go scheduler decides how packets due at the same virtual instant are
// batched, which shifts segment boundaries and ACKs, and every extra or
// missing packet moves the pipe's random stream on, so lossy cells then
// see a different loss pattern. With the TCP of the first table, over six
// runs (four at GOMAXPROCS=2, one each at 1 and 8), the widest goodput
// spread was 10%, min to max, the widest retransmission spread 1.8 points.
// With SACK recovery, RACK and CUBIC, over five runs (GOMAXPROCS 1 and 2),
// the widest goodput spread was 6% and the widest retransmission spread
// 2.3 points (rtt=300ms/loss=0%/reorder=0%/bn=10M, whose slow-start
// overshoot into a 100-packet queue loses 2.1% or 4.5% of its segments
// depending on where one round's ACKs fall). These bounds leave margin
// above both.
const (
	// minGoodputRatio: a cell fails if its goodput falls below this
	// fraction of the expectation.
	minGoodputRatio = 0.75
	// retransFactor and retransSlack: a cell fails if its retransmitted
	// percentage exceeds expected*retransFactor + retransSlack points.
	retransFactor = 1.5
	retransSlack  = 3.0
)

// compare checks a measurement against its expectation. It returns the
// regressions that fail the cell, and the improvements beyond tolerance
// that only suggest rewriting the file.
func compare(got, want expectation) (regressions, improvements []string) {
	if got.bytes != want.bytes {
		return []string{fmt.Sprintf("cell moves %d bytes but its expectation was measured with %d: rerun with -update", got.bytes, want.bytes)}, nil
	}
	if got.goodput < want.goodput*minGoodputRatio {
		regressions = append(regressions, fmt.Sprintf("goodput %.3f Mbit/s, below %.0f%% of the expected %.3f", got.goodput, 100*minGoodputRatio, want.goodput))
	} else if got.goodput*minGoodputRatio > want.goodput {
		improvements = append(improvements, fmt.Sprintf("goodput %.3f Mbit/s, expected %.3f", got.goodput, want.goodput))
	}
	limit := want.retrans*retransFactor + retransSlack
	if got.retrans > limit {
		regressions = append(regressions, fmt.Sprintf("%.2f%% of segments retransmitted, above the limit %.2f%% (expected %.2f%%)", got.retrans, limit, want.retrans))
	} else if got.retrans*retransFactor+retransSlack < want.retrans {
		improvements = append(improvements, fmt.Sprintf("%.2f%% of segments retransmitted, expected %.2f%%", got.retrans, want.retrans))
	}
	return regressions, improvements
}
