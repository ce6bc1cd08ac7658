package netstack

import (
	"net"
	"net/netip"
	"time"

	"github.com/renet-go/renet/netstack/tcp"
)

// TCPListener accepts TCP connections on a local address.
//
// It has two queues, as Linux's listening sockets do. The SYN queue holds
// half-open connections, in SYN-RECEIVED, up to Config.SYNBacklog; once it
// is full, further SYNs are answered with SYN cookies (RFC 4987 §3.6), so a
// flood of spoofed SYNs neither costs memory nor locks out real clients.
// The accept queue holds established connections until Accept takes them,
// up to the backlog given to ListenTCP; its limit is enforced both when a
// SYN arrives and when a handshake completes, so it never grows past it.
type TCPListener struct {
	s        *Stack
	local    netip.AddrPort
	v6only   bool // bound to :: for IPv6 only (IPV6_V6ONLY)
	cfg      tcp.Config
	readable chan struct{} // a token when Accept may make progress

	// Guarded by s.mu.
	backlog    int          // accept queue limit: listen(2)'s backlog
	synMax     int          // SYN queue limit
	halfOpen   int          // children in the SYN queue
	children   *TCPSocket   // head of the SYN queue's list, for Close
	queue      []*TCPSocket // accept queue: established, waiting for Accept
	head       int          // queue[head:] are waiting
	isClosed   bool
	overflowAt time.Time // last time the SYN queue was full: cookies may come back
}

// ListenTCP opens a listener on local (unspecified address: every
// address). backlog bounds the accept queue, as listen(2)'s argument; zero
// or less means Config.ListenBacklog (default 4096, Linux's somaxconn).
func (s *Stack) ListenTCP(local netip.AddrPort, backlog int) (*TCPListener, error) {
	return s.ListenTCPWith(local, backlog, BindOptions{})
}

// ListenTCPWith is ListenTCP with options.
func (s *Stack) ListenTCPWith(local netip.AddrPort, backlog int, o BindOptions) (*TCPListener, error) {
	if backlog <= 0 {
		backlog = s.cfg.ListenBacklog
	}
	a, err := bindAddr(local.Addr())
	if err != nil {
		return nil, err
	}
	v6only := o.V6Only && a == anyAddr6
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkBind(a); err != nil {
		return nil, err
	}
	port := local.Port()
	inUse := func(p uint16) bool {
		for k, l := range s.tcp.listeners { // listeners are few
			if k.Port() == p && bindConflict(a, v6only, k.Addr(), l.v6only) {
				return true
			}
		}
		return false
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
		synMax:   s.cfg.SYNBacklog,
		v6only:   v6only,
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
	sk := l.pop()
	if sk == nil {
		return nil, ErrWouldBlock
	}
	if l.waiting() > 0 {
		notify(l.readable) // another waiter may take the next one
	}
	return sk, nil
}

// waiting is the length of the accept queue.
func (l *TCPListener) waiting() int { return len(l.queue) - l.head }

// acceptFull reports whether the accept queue is at its limit.
func (l *TCPListener) acceptFull() bool { return l.waiting() >= l.backlog }

// synFull reports whether the SYN queue is at its limit.
func (l *TCPListener) synFull() bool { return l.halfOpen >= l.synMax }

// push appends an established connection to the accept queue.
func (l *TCPListener) push(sk *TCPSocket) {
	if l.head > 0 && l.head >= len(l.queue)/2 {
		// Slide the waiting part down rather than let the array grow.
		n := copy(l.queue, l.queue[l.head:])
		clear(l.queue[n:])
		l.queue, l.head = l.queue[:n], 0
	}
	l.queue = append(l.queue, sk)
	notify(l.readable)
}

// pop takes the oldest connection off the accept queue, or nil.
func (l *TCPListener) pop() *TCPSocket {
	if l.waiting() == 0 {
		return nil
	}
	sk := l.queue[l.head]
	l.queue[l.head] = nil
	l.head++
	if l.head == len(l.queue) {
		l.queue, l.head = l.queue[:0], 0
	}
	return sk
}

// addChild enters a half-open connection in the SYN queue.
func (l *TCPListener) addChild(sk *TCPSocket) {
	sk.listener = l
	sk.nextChild = l.children
	if l.children != nil {
		l.children.prevChild = sk
	}
	l.children = sk
	l.halfOpen++
}

// removeChild takes sk out of the SYN queue: its handshake completed or it
// ended.
func (l *TCPListener) removeChild(sk *TCPSocket) {
	if sk.prevChild != nil {
		sk.prevChild.nextChild = sk.nextChild
	} else {
		l.children = sk.nextChild
	}
	if sk.nextChild != nil {
		sk.nextChild.prevChild = sk.prevChild
	}
	sk.prevChild, sk.nextChild, sk.listener = nil, nil, nil
	l.halfOpen--
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
	for sk := l.pop(); sk != nil; sk = l.pop() {
		sk.tcb.Abort()
		s.tcpUpdate(now, sk)
	}
	for l.children != nil {
		sk := l.children
		l.removeChild(sk)
		sk.tcb.Abort()
		s.tcpUpdate(now, sk)
	}
	notify(l.readable)
	s.armTimer(now)
	s.mu.Unlock()
	s.flush()
	return nil
}

// SetBacklog changes the limit of the accept queue, as a second listen(2)
// on a listening socket does. Connections already queued stay.
func (l *TCPListener) SetBacklog(n int) {
	l.s.mu.Lock()
	l.backlog = max(n, 1)
	l.s.mu.Unlock()
}

// Backlog returns the accept queue's limit.
func (l *TCPListener) Backlog() int {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	return l.backlog
}

// Queues reports the listener's SYN queue (handshakes in progress) and
// accept queue (established, waiting for Accept) lengths, as the Recv-Q
// column of `ss -lt`.
func (l *TCPListener) Queues() (synQueue, acceptQueue int) {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	return l.halfOpen, l.waiting()
}
