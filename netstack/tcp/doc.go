// Package tcp is renet's TCP connection machine: the transmission control
// block and state machine of RFC 9293 with window scaling and timestamps
// (RFC 7323), SACK generation and a SACK scoreboard (RFC 2018), the
// retransmission timer of RFC 6298, NewReno congestion control (RFC 5681,
// RFC 6582, RFC 6928, RFC 3042), RFC 5961's defences against blind
// in-window attacks, and RFC 6528 initial sequence numbers.
//
// It is sans-IO. A Conn takes segments and the current time and produces
// segments and its next deadline; it knows nothing of IP, links or
// net.Conn, starts no goroutine, takes no lock and reads no clock, so tests
// drive it byte for byte on a virtual clock.
//
// # Calling convention
//
// The stack owns each Conn and serialises every call to it under its lock.
// After anything that may produce output (Input, Tick, Write, Read,
// CloseWrite, Close, Abort, the setters) the stack drains Output until it
// returns false, then re-reads Deadline and arms its single timer for the
// earliest deadline of all connections; when that time comes it calls Tick
// and drains Output again. User-side calls (Read, Write...) never block:
// (0, nil) means "would block", and Readable and Writable say when to retry.
//
// The stack demultiplexes 4-tuples: a SYN for a listening port gets a new
// Conn (Listen, SetISS, Input); a segment for no connection is answered
// with ResetFor; a SYN for a connection in TIME-WAIT reopens it only if
// AcceptsSYNInTimeWait. Done reports when a Conn may be forgotten.
//
// # Invariants
//
//   - SND.UNA <= SND.NXT <= SND.MAX, and the send buffer holds exactly the
//     bytes from SND.UNA (or ISS+1 before the SYN is acknowledged) to the
//     end of written data: the send buffer is the retransmission queue.
//   - Received data is stored only inside the receive window; the receive
//     ring holds the unread in-order bytes plus at most one window.
//   - Out-of-order ranges and SACK scoreboard ranges are bounded arrays;
//     nothing grows per segment. In steady state Input, Output and the
//     timers allocate nothing; buffers grow lazily by doubling up to their
//     configured size, so idle connections cost little memory.
//   - Timers are data (rtoAt, ackAt, probeAt, keepaliveAt, timeWaitAt);
//     Deadline is their minimum.
//
// # Not (yet) implemented
//
// SACK-based loss recovery (RFC 6675) and RACK; CUBIC; ECN; urgent data
// (URG is ignored); TCP Fast Open; path MTU discovery; receive buffer
// autotuning; segmentation offload (segments are at most one MSS).
package tcp
