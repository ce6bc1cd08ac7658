package netstack

import (
	"net"
	"net/netip"
	"syscall"
	"time"

	"github.com/renet-go/renet/netstack/internal/deadline"
	"github.com/renet-go/renet/netstack/tcp"
	"github.com/renet-go/renet/netstack/wire"
)

// TCPRequest is a TCP connection a client is opening to an address the
// stack does not own: its SYN arrived and nothing has been answered yet.
// Decide with Accept or Refuse; see Forwarder.
type TCPRequest struct {
	f *Forwarder
	// Src is the client; Dst the address and port it dialed.
	Src, Dst netip.AddrPort

	// Guarded by s.mu.
	syn     tcp.Segment // the SYN, without payload
	slot    deadline.Slot
	decided bool
}

func (r *TCPRequest) Slot() *deadline.Slot { return &r.slot }

func (r *TCPRequest) id() tuple { return tuple{local: r.Dst, remote: r.Src} }

// TryAcceptTCP returns the next connection request, or ErrWouldBlock when
// none waits; net.ErrClosed once the forwarder or the stack is closed.
// Readiness is signalled on TCPReady.
func (f *Forwarder) TryAcceptTCP() (*TCPRequest, error) {
	f.s.mu.Lock()
	defer f.s.mu.Unlock()
	if f.closed || f.s.closing {
		return nil, net.ErrClosed
	}
	for {
		r, ok := f.newTCP.pop()
		if !ok {
			return nil, ErrWouldBlock
		}
		if !r.decided {
			if f.newTCP.len() > 0 {
				notify(f.tcpReady)
			}
			return r, nil
		}
	}
}

// TCPReady receives a token when a request may be waiting.
func (f *Forwarder) TCPReady() <-chan struct{} { return f.tcpReady }

// forwardTCP handles a segment to an address we do not own that matched
// no connection. Called with s.mu held.
func (s *Stack) forwardTCP(now time.Time, id tuple, seg *tcp.Segment) {
	if !s.takes() {
		return
	}
	f := s.fwd
	r := f.pending[id]
	switch seg.Flags & (wire.TCPFlagSYN | wire.TCPFlagACK | wire.TCPFlagRST) {
	case wire.TCPFlagSYN:
		if r != nil {
			return // a retransmitted SYN: the decision is still to come
		}
		f.newRequest(now, id, seg)
	case wire.TCPFlagRST:
		if r != nil && (seg.Seq == r.syn.Seq || seg.Seq == r.syn.Seq.Add(1)) {
			f.stats.TCPCancelled++
			f.drop(r)
		}
	default:
		if r == nil {
			s.drop(DropTCPNoSocket)
			s.sendReset(now, id, seg)
		}
	}
}

// newRequest queues a request for a SYN, within the limits. Called with
// s.mu held.
func (f *Forwarder) newRequest(now time.Time, id tuple, seg *tcp.Segment) {
	src := id.remote.Addr()
	if len(f.pending) >= f.cfg.MaxPendingTCP || f.perSource[src] >= f.cfg.MaxPendingTCPPerSource {
		f.stats.TCPOverLimit++
		return
	}
	r := &TCPRequest{f: f, Src: id.remote, Dst: id.local, syn: *seg}
	r.syn.Payload = nil // data on a SYN is not kept: the client sends it again
	f.pending[id] = r
	f.perSource[src]++
	f.decisions.Set(r, f.s.clock(now.Add(f.cfg.DecisionTimeout)))
	f.newTCP.push(r)
	f.stats.TCPRequests++
	notify(f.tcpReady)
}

// drop forgets r, decided. Called with s.mu held.
func (f *Forwarder) drop(r *TCPRequest) {
	r.decided = true
	delete(f.pending, r.id())
	src := r.Src.Addr()
	if f.perSource[src]--; f.perSource[src] <= 0 {
		delete(f.perSource, src)
	}
	f.decisions.Remove(r)
	if f.newTCP.len() > 2*len(f.pending)+64 {
		// Requests decided before anyone took them: let them go.
		f.newTCP.filter(func(r *TCPRequest) bool { return !r.decided })
	}
}

// Accept answers the client's SYN with a SYN-ACK, as Dst, and returns the
// connection, in SYN-RECEIVED: it is established when the client's ACK
// arrives (wait for Writable, or use package conn). cfg configures the
// connection; nil takes the stack's Config.TCP. Errors: ErrDecided,
// net.ErrClosed, or EADDRINUSE if a connection with the same addresses
// exists.
func (r *TCPRequest) Accept(cfg *tcp.Config) (*TCPSocket, error) {
	f := r.f
	s := f.s
	if cfg != nil {
		if err := cfg.Validate(); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return nil, net.ErrClosed
	}
	c := s.tcpConfig()
	if cfg != nil {
		c = *cfg
	}
	c = s.clampMSS(c, r.Src.Addr())
	if r.decided {
		s.mu.Unlock()
		return nil, ErrDecided
	}
	f.drop(r)
	id := r.id()
	if s.tcp.conns[id] != nil {
		s.mu.Unlock()
		return nil, syscall.EADDRINUSE
	}
	now := time.Now()
	sk := s.newTCPSocket(id, c)
	sk.tcb.SetISS(s.tcp.isn.ISN(id.local, id.remote, now))
	sk.tcb.SetTSOffset(s.tcp.isn.TSOffset(id.local, id.remote))
	sk.tcb.Listen()
	s.addConn(sk)
	sk.tcb.Input(now, &r.syn)
	s.tcpUpdate(now, sk)
	f.stats.TCPAccepted++
	s.armTimer(now)
	s.mu.Unlock()
	s.flush()
	return sk, nil
}

// Refuse answers the client as how says: a RST, an ICMP unreachable sent
// as Dst, or nothing. ErrDecided if the request was already decided.
func (r *TCPRequest) Refuse(how Refusal) error {
	s := r.f.s
	s.mu.Lock()
	if r.decided {
		s.mu.Unlock()
		return ErrDecided
	}
	now := time.Now()
	r.f.refuse(now, r, how)
	r.f.stats.TCPRefused++
	s.mu.Unlock()
	s.flush()
	return nil
}

// refuse decides r with how. Called with s.mu held.
func (f *Forwarder) refuse(now time.Time, r *TCPRequest, how Refusal) {
	f.drop(r)
	s := f.s
	if s.closing && how != RefuseReset {
		return
	}
	if how == RefuseReset {
		if rst, ok := tcp.ResetFor(&r.syn, 0); ok {
			s.sendTCP(now, r.id(), &rst)
		}
		return
	}
	s.sendUnreachableFor(now, wire.IPProtoTCP, r.Src, r.Dst, r.syn.Seq, how)
}
