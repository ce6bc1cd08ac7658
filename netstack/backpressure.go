package netstack

import (
	"time"

	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/netstack/tcp"
)

// Back-pressure from the link.
//
// A device takes every packet the stack writes, or drops it as a NIC
// does. A link fed to user code (link/channel) instead says it is full
// (link.ErrFull) when its reader falls behind, and calls back when it has
// room (link.WriteNotifier). The stack must neither block on it (the
// reader may be inside a call into the stack) nor drop data. So, as
// Linux's TCP Small Queues do for a busy qdisc:
//
//   - what the link did not take stays at the head of the output queue, in
//     order, and nothing more is written until the link calls back;
//   - TCP connections send no new data meanwhile (tcp.OutputHoldData);
//     they are remembered and resumed when the link has room. Their unsent
//     data waits in their send buffers, which are bounded, so writers
//     block in Write as on a slow network;
//   - ACKs, retransmissions, probes, resets, ICMP and UDP still queue, up
//     to linkBacklog packets in all; beyond that they are dropped and
//     counted (link-full). Each is recoverable: TCP retransmits, and UDP
//     promises nothing.

// linkBacklog bounds the packets held for a full link beyond those it
// refused: a window of ACKs for a few hundred connections.
const linkBacklog = 1024

// setupBackPressure registers for the link's room notification. Called
// from New.
func (s *Stack) setupBackPressure() {
	if wn, ok := s.ep.(link.WriteNotifier); ok {
		wn.SetWriteNotify(s.linkWritable)
	}
}

// admitOutput reports whether another packet may join the output queue:
// always, unless the link is full and the backlog is at its bound, in
// which case the packet is counted as dropped. Called with mu held.
func (s *Stack) admitOutput() bool {
	if s.linkFull && len(s.outq) >= linkBacklog {
		s.drop(DropLinkFull)
		return false
	}
	return true
}

// outputMode is how a TCP connection may send now; a connection held
// back by a full link, or by its own packets waiting for the link
// (smallqueue.go), is remembered for resumeHeld. Called with mu held.
func (s *Stack) outputMode(sk *TCPSocket, tso bool) tcp.OutputMode {
	var m tcp.OutputMode
	if tso {
		m |= tcp.OutputTSO
	}
	if s.linkFull || sk.queued >= smallQueueLimit {
		m |= tcp.OutputHoldData
		if !sk.held && sk.tcb.HasUnsent() {
			sk.held = true
			s.tcp.held = append(s.tcp.held, sk)
		}
	}
	return m
}

// holdRest keeps the packets the link refused, rest, at the head of the
// output queue, in order, and marks the link full. Called with writeMu
// held and mu not held; rest is the tail of flushq.
func (s *Stack) holdRest(rest []outPacket) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.linkFull = true
	s.stats.LinkFull++
	held := append(s.flushq[:0], rest...) // rest lies in flushq at or after index 0
	held = append(held, s.outq...)
	s.outq, s.flushq = held, s.outq[:0]
}

// linkWritable runs when a full link has room again: it writes what was
// held, then lets the held-back connections send. It runs on the link's
// reader goroutine and takes writeMu first, so it cannot slip in between
// a write that found the link full and holdRest.
func (s *Stack) linkWritable() {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.mu.Lock()
	s.linkFull = false
	s.mu.Unlock()
	s.flushLocked()

	s.mu.Lock()
	s.resumeHeld()
	s.mu.Unlock()
	s.flushLocked()
}

// resumeHeld lets the held-back connections send again, unless the link
// is still full; one may be held again at once if its packets refill its
// small queue. Called with mu held.
func (s *Stack) resumeHeld() {
	if s.linkFull || s.stopping || len(s.tcp.held) == 0 {
		return
	}
	now := time.Now()
	held := s.tcp.held
	s.tcp.held = s.tcp.resuming[:0] // those held again while resuming
	for i, sk := range held {
		held[i] = nil
		sk.held = false
		if !sk.removed {
			s.tcpUpdate(now, sk)
		}
	}
	s.tcp.resuming = held[:0]
	s.armTimer(now)
}
