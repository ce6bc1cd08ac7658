// Package tcp is renet's TCP connection machine: the transmission control
// block and state machine of RFC 9293 with window scaling and timestamps
// (RFC 7323), SACK and D-SACK (RFC 2018, RFC 2883), the retransmission
// timer of RFC 6298, loss recovery by RACK-TLP (RFC 8985) with SACK-based
// recovery (RFC 6675) paced by Proportional Rate Reduction (RFC 6937),
// undo of spurious recoveries (D-SACK and the Eifel test of RFC 3522),
// congestion control behind an interface (package cc: CUBIC with
// HyStart++ by default, NewReno), receive and send buffer autotuning, path
// MTU discovery (RFC 1191, with black-hole detection after RFC 4821), RFC
// 5961's defences against blind in-window attacks, RFC 6528 initial
// sequence numbers, and the per-connection options Linux offers as
// socket options: the user timeout of RFC 5482 (TCP_USER_TIMEOUT), the
// orphaned FIN-WAIT-2 timeout (TCP_LINGER2), corking (TCP_CORK) and
// turning path MTU discovery off (IP_PMTUDISC_DONT).
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
// returns false, takes the Events the calls raised (established,
// readable, writable, closed) and turns them into wake-ups, then re-reads
// Deadline and arms its single timer for the earliest deadline of all
// connections; when that time comes it calls Tick and drains Output
// again. User-side calls (Read, Write...) never block:
// (0, nil) means "would block", and Readable and Writable say when to retry.
//
// The stack demultiplexes 4-tuples: a SYN for a listening port gets a new
// Conn (Listen, SetISS, Input); a segment for no connection is answered
// with ResetFor; a SYN for a connection in TIME-WAIT reopens it only if
// AcceptsSYNInTimeWait. Done reports when a Conn may be forgotten.
//
// # Invariants
//
//   - SND.UNA <= SND.MAX, and the send buffer holds exactly the bytes from
//     SND.UNA (or ISS+1 before the SYN is acknowledged) to the end of
//     written data: the send buffer is the retransmission queue.
//   - Beside it, one send record per transmitted segment covers [SND.UNA,
//     SND.MAX) contiguously: its range, when it was last sent, and whether
//     it is SACKed, lost or retransmitted. The loss-recovery component
//     (recovery.go, rack.go, tlp.go, sack.go, undo.go) reads and writes
//     them; pipe (RFC 6675) is kept from their byte counts.
//   - Received data is stored only inside the receive window; the receive
//     ring holds the unread in-order bytes plus at most one window.
//   - Out-of-order ranges and send records live in tables that grow by
//     doubling to a bound and are freed when the connection goes idle;
//     nothing is allocated per segment. In steady state Input, Output and
//     the timers allocate nothing. Buffers grow lazily and autotuning
//     moves their limits; a second after both drain and the connection
//     goes quiet, the reclaim timer frees their storage.
//   - Timers are data (rtoAt, ackAt, probeAt, keepaliveAt, timeWaitAt,
//     reclaimAt, the tail-loss probe and the RACK reordering timer), kept
//     like every other instant as an 8-byte offset from the connection's
//     clock base; Deadline is their minimum. probeAt is the persist timer
//     while the peer's window is zero and the cork's 200ms ceiling while
//     it is open, as Linux's probe0 timer serves both.
//   - An idle connection costs one Conn, a single allocation in the
//     1152-byte size class (TestConnSize), and its congestion controller
//     (208 bytes for CUBIC): the rings and tables above, and the record of
//     recent retransmissions, are allocated on demand and freed when idle.
//
// # Not (yet) implemented
//
// ECN; urgent data (URG is ignored); TCP Fast Open; probing the path MTU
// back up after it was lowered; segmentation offload (segments are at
// most one MSS); a loss-agnostic congestion controller such as BBR.
package tcp
