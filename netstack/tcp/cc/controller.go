package cc

import (
	"errors"
	"fmt"
	"time"
)

// Ack is what one acknowledgement tells a controller.
type Ack struct {
	// Now is the time the ACK arrived.
	Now time.Time
	// Acked is the number of bytes newly delivered by this ACK
	// (cumulatively acknowledged or newly SACKed).
	Acked int
	// RTT is the round-trip sample taken from this ACK; zero when none.
	RTT time.Duration
	// SRTT is the smoothed RTT of RFC 6298; zero before the first sample.
	SRTT time.Duration
	// MinRTT is the smallest RTT seen on the connection; zero before the
	// first sample.
	MinRTT time.Duration
	// InFlight is the number of bytes in flight after this ACK.
	InFlight int
	// AppLimited reports that the sender did not fill cwnd recently, so the
	// ACK says nothing about whether a larger cwnd would be safe: cwnd must
	// not grow (RFC 7661's concern; Linux's tcp_is_cwnd_limited).
	AppLimited bool
	// Delivered is the total number of bytes delivered on the connection so
	// far, this ACK included.
	Delivered int64
	// SentHigh is the total number of distinct bytes sent so far (the
	// highest sequence sent, counted from the start). A HyStart++ round ends
	// when Delivered passes the SentHigh recorded at the round's start.
	SentHigh int64
}

// Controller owns cwnd and ssthresh (RFC 5681). The TCP sender owns loss
// detection and recovery (SACK, RACK, PRR) and tells the controller about
// events; see the package comment for who calls what and when.
type Controller interface {
	// Name returns the algorithm's name as New accepts it: "reno", "cubic".
	Name() string
	// Window returns cwnd in bytes, always at least one SMSS.
	Window() int
	// Threshold returns ssthresh in bytes.
	Threshold() int
	// OnAck reports new data delivered outside loss recovery; cwnd grows
	// unless a.AppLimited, and never shrinks.
	OnAck(a Ack)
	// OnCongestion reports that loss was detected and fast recovery begins.
	// It sets ssthresh but leaves cwnd alone: during recovery the sender
	// drives cwnd with SetWindow (PRR, RFC 6937) and at the end of recovery
	// calls SetWindow(Threshold()).
	OnCongestion(now time.Time, inFlight int)
	// SetWindow sets cwnd, clamped to at least one SMSS.
	SetWindow(cwnd int)
	// OnRTO reports a retransmission timeout: ssthresh is reduced as in
	// OnCongestion unless repeat (the same data timed out again, RFC 5681
	// §3.1 keeps ssthresh), and cwnd becomes the loss window of one SMSS.
	OnRTO(now time.Time, inFlight int, repeat bool)
	// Undo reports that the last OnCongestion or OnRTO was spurious:
	// cwnd and ssthresh return to at least their values before it.
	Undo()
	// OnIdle reports that the sender resumes after an idle period longer
	// than the retransmission timeout (RFC 5681 §4.1).
	OnIdle(now time.Time)
	// SetMSS reports a new sender MSS (path MTU discovery). Windows stay in
	// bytes; the SMSS used for increments and floors changes.
	SetMSS(smss int)
}

// Compile-time checks that both controllers satisfy the interface.
var (
	_ Controller = (*NewReno)(nil)
	_ Controller = (*CUBIC)(nil)
)

// ErrUnknown is wrapped by New's error for a name it does not know.
var ErrUnknown = errors.New("cc: unknown congestion control")

// New returns the controller called name for a sender MSS of smss bytes:
// "cubic" (also "", the default) or "reno".
func New(name string, smss int) (Controller, error) {
	switch name {
	case "", "cubic":
		return NewCUBIC(smss), nil
	case "reno":
		return NewNewReno(smss), nil
	}
	return nil, fmt.Errorf("%w %q (known: cubic, reno)", ErrUnknown, name)
}

// InitialWindow returns the initial congestion window of RFC 6928 §2:
// min(10*SMSS, max(2*SMSS, 14600)) bytes.
func InitialWindow(smss int) int {
	smss = clampSMSS(smss)
	return min(10*smss, max(2*smss, 14600))
}

// MaxWindow bounds cwnd and ssthresh. It is the largest window a peer can
// offer (65535 << 14, RFC 7323 §2.3, rounded up), so a larger cwnd could
// never be used; the bound also keeps every sum in range for a 32-bit int.
const MaxWindow = 1 << 30

// maxSMSS is far above any link MTU (even IPv6 jumbograms are not sent as
// single segments here); it only keeps 10*SMSS and friends in range.
const maxSMSS = 1 << 20

// clampSMSS makes any smss usable: at least one byte, at most maxSMSS.
func clampSMSS(smss int) int {
	return min(max(smss, 1), maxSMSS)
}
