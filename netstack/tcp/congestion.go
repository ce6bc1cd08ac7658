package tcp

// Congestion is a congestion controller: it owns the congestion window
// (cwnd) and slow-start threshold (ssthresh) of RFC 5681 and is told about
// the events that move them. The connection owns loss detection (duplicate
// ACK counting, the recovery point of RFC 6582, the retransmission timer)
// and calls these methods; an implementation only does window arithmetic,
// so NewReno, CUBIC and others are interchangeable. All sizes are bytes.
type Congestion interface {
	// Window returns cwnd.
	Window() int
	// Threshold returns ssthresh.
	Threshold() int
	// OnAck reports that acked bytes of new data were acknowledged outside
	// fast recovery.
	OnAck(acked int)
	// OnEnterRecovery reports the third duplicate ACK (fast retransmit,
	// RFC 5681 §3.2) with flight bytes outstanding.
	OnEnterRecovery(flight int)
	// OnRecoveryDupAck reports a further duplicate ACK during fast recovery.
	OnRecoveryDupAck()
	// OnPartialAck reports an ACK of acked new bytes that does not end fast
	// recovery (RFC 6582 §3.2 step 6).
	OnPartialAck(acked int)
	// OnExitRecovery reports the ACK that ends fast recovery, with flight
	// bytes still outstanding.
	OnExitRecovery(flight int)
	// OnRTO reports a retransmission timeout with flight bytes outstanding.
	// repeat is set when the same data has already timed out before, in
	// which case ssthresh is held constant (RFC 5681 §3.1, note on
	// equation 4).
	OnRTO(flight int, repeat bool)
	// OnIdle reports that the sender resumes after being idle for longer
	// than the retransmission timeout (RFC 5681 §4.1).
	OnIdle()
}

// initialWindow returns the initial congestion window of RFC 6928 §2:
// min(10*SMSS, max(2*SMSS, 14600)).
func initialWindow(smss int) int {
	return min(10*smss, max(2*smss, 14600))
}
