// Package cc holds the congestion controllers of renet's TCP: NewReno
// (RFC 5681) and CUBIC (RFC 9438, the default) with HyStart++ (RFC 9406) in
// its slow start.
//
// A Controller owns two numbers, cwnd and ssthresh, and nothing else. The
// TCP sender owns loss detection and recovery (SACK, RACK, the
// retransmission timer) and tells the controller what happened:
//
//   - OnAck for every ACK that delivers new data outside loss recovery;
//   - OnCongestion when loss recovery begins (once per recovery episode);
//   - SetWindow during recovery, where Proportional Rate Reduction (RFC 6937)
//     in the sender drives cwnd down towards ssthresh, and once more with
//     Threshold() when recovery ends;
//   - OnRTO when the retransmission timer expires;
//   - Undo when the last reduction proves spurious (D-SACK, timestamps);
//   - OnIdle when the sender restarts after an idle period longer than the
//     retransmission timeout;
//   - SetMSS when path MTU discovery changes the segment size.
//
// Window sizes are bytes, never segments. Window is always at least one
// SMSS and at most MaxWindow; Threshold is always at least two SMSS.
//
// A Controller is plain data: no goroutines, no clock (time arrives in the
// arguments), no locks. It is not safe for concurrent use; the TCB that
// owns it serialises every call under the stack's lock.
package cc
