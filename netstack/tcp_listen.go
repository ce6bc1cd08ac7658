package netstack

import (
	"net"
	"net/netip"
	"time"

	"github.com/renet-go/renet/netstack/tcp"
	"github.com/renet-go/renet/netstack/wire"
)

// tcpListenInput handles a segment for a listener with no connection yet
// (RFC 9293 §3.10.7.2).
func (s *Stack) tcpListenInput(now time.Time, l *TCPListener, id tuple, seg *tcp.Segment) {
	if seg.Flags&wire.TCPFlagRST != 0 {
		return // an RST to a listener is ignored
	}
	if seg.Flags&(wire.TCPFlagSYN|wire.TCPFlagACK) != wire.TCPFlagSYN {
		s.sendReset(now, id, seg)
		return
	}
	// Bounded backlog: half-open connections and the accept queue each
	// hold at most backlog entries, so a SYN flood costs bounded memory.
	// Beyond that SYNs are dropped and the peer retries, as Linux does
	// without SYN cookies.
	if l.halfOpen >= l.backlog || len(l.queue) >= l.backlog {
		s.drop(DropTCPListenOverflow)
		return
	}
	cfg := l.cfg
	sk := s.newTCPSocket(id, cfg)
	sk.tcb.SetISS(s.tcp.isn.ISN(id.local, id.remote, now))
	sk.tcb.SetTSOffset(s.tcp.isn.TSOffset(id.local, id.remote))
	sk.tcb.Listen()
	sk.listener = l
	l.halfOpen++
	s.addConn(sk)
	sk.tcb.Input(now, seg)
	s.tcpUpdate(now, sk)
}

// TCPListener accepts TCP connections on a local address.
type TCPListener struct {
	s        *Stack
	local    netip.AddrPort
	cfg      tcp.Config
	readable chan struct{} // a token when Accept may make progress

	// Guarded by s.mu.
	backlog  int
	halfOpen int          // children in SYN-RECEIVED
	queue    []*TCPSocket // established, waiting for Accept
	isClosed bool
}

// ListenTCP opens a listener on local (unspecified address: every
// address). backlog bounds both the half-open and the accept queue; zero
// means 128, Linux's somaxconn default of old.
func (s *Stack) ListenTCP(local netip.AddrPort, backlog int) (*TCPListener, error) {
	if backlog <= 0 {
		backlog = 128
	}
	a, err := bindAddr(local.Addr())
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkBind(a); err != nil {
		return nil, err
	}
	port := local.Port()
	inUse := func(p uint16) bool {
		if a.IsUnspecified() {
			for k := range s.tcp.listeners {
				if k.Port() == p {
					return true
				}
			}
			return false
		}
		return s.tcp.listeners[netip.AddrPortFrom(a, p)] != nil || s.tcp.listeners[netip.AddrPortFrom(anyAddr, p)] != nil
	}
	// An ephemeral listening port also avoids ports our connections use.
	port, err = choosePort(port, inUse, func(p uint16) bool { return inUse(p) || s.tcp.ports[p] > 0 })
	if err != nil {
		return nil, err
	}
	l := &TCPListener{
		s:        s,
		local:    netip.AddrPortFrom(a, port),
		cfg:      s.tcpConfig(),
		readable: make(chan struct{}, 1),
		backlog:  backlog,
	}
	s.tcp.listeners[l.local] = l
	return l, nil
}

// Addr is the listener's local address.
func (l *TCPListener) Addr() netip.AddrPort { return l.local }

// Readable returns the channel that receives a token when TryAccept may
// make progress.
func (l *TCPListener) Readable() <-chan struct{} { return l.readable }

// TryAccept returns the next established connection, ErrWouldBlock when
// none is waiting, or net.ErrClosed.
func (l *TCPListener) TryAccept() (*TCPSocket, error) {
	s := l.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if l.isClosed {
		return nil, net.ErrClosed
	}
	if len(l.queue) == 0 {
		return nil, ErrWouldBlock
	}
	sk := l.queue[0]
	copy(l.queue, l.queue[1:])
	l.queue[len(l.queue)-1] = nil
	l.queue = l.queue[:len(l.queue)-1]
	if len(l.queue) > 0 {
		notify(l.readable) // another waiter may take the next one
	}
	return sk, nil
}

// Close stops listening and resets connections not yet accepted, as Linux
// does. A blocked Accept is woken with net.ErrClosed.
func (l *TCPListener) Close() error {
	s := l.s
	s.mu.Lock()
	if l.isClosed {
		s.mu.Unlock()
		return net.ErrClosed
	}
	l.isClosed = true
	if s.tcp.listeners[l.local] == l {
		delete(s.tcp.listeners, l.local)
	}
	now := time.Now()
	for _, sk := range l.queue {
		sk.tcb.Abort()
		s.tcpUpdate(now, sk)
	}
	l.queue = nil
	for _, sk := range s.tcp.conns {
		if sk.listener == l {
			sk.tcb.Abort()
			s.tcpUpdate(now, sk)
		}
	}
	notify(l.readable)
	s.armTimer(now)
	s.mu.Unlock()
	s.flush()
	return nil
}

// SetBacklog changes the listener's backlog.
func (l *TCPListener) SetBacklog(n int) {
	l.s.mu.Lock()
	l.backlog = max(n, 1)
	l.s.mu.Unlock()
}
