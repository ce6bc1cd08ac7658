package tcp

// CAState is the sender's congestion-avoidance state, as Linux's
// tcpi_ca_state reports it (with the same numbering).
type CAState uint8

const (
	// CAOpen: no sign of loss.
	CAOpen CAState = iota
	// CADisorder: segments SACKed, marked lost or reported by duplicate
	// ACKs are outstanding, but no recovery has started (yet): reordering
	// or the first signs of a loss.
	CADisorder
	// CACWR: the congestion window is being reduced after an ECN echo or
	// local congestion. renet has neither ECN nor a local queue that
	// reports congestion, so it never reports this state.
	CACWR
	// CARecovery: fast recovery (RFC 6675, paced by PRR).
	CARecovery
	// CALoss: after a retransmission timeout, until the data outstanding
	// when it fired is acknowledged (RFC 5681 §3.1).
	CALoss
)

// String returns the state's name as ss(8) prints it: "open",
// "disorder", "cwr", "recovery" or "loss".
func (s CAState) String() string {
	switch s {
	case CAOpen:
		return "open"
	case CADisorder:
		return "disorder"
	case CACWR:
		return "cwr"
	case CARecovery:
		return "recovery"
	case CALoss:
		return "loss"
	}
	return "unknown"
}

// caState derives the congestion-avoidance state from the loss-recovery
// phase and the send records, as Linux's tcp_try_keep_open decides
// between Open and Disorder (SACKed or lost segments outstanding).
func (c *Conn) caState() CAState {
	l := &c.loss
	switch l.phase {
	case phaseFast:
		return CARecovery
	case phaseLoss:
		return CALoss
	}
	if l.recs.sacked > 0 || l.recs.lost > 0 || l.dupAcks > 0 {
		return CADisorder
	}
	return CAOpen
}
