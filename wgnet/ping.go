package wgnet

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"sync"
	"time"

	"github.com/renet-go/renet/netstack"
)

// PingAddr is the address of a ping socket's end, as tun/netstack's.
type PingAddr struct{ addr netip.Addr }

// PingAddrFromAddr returns a *PingAddr for addr.
func PingAddrFromAddr(addr netip.Addr) *PingAddr { return &PingAddr{addr} }

// String returns the address as netip.Addr prints it.
func (a PingAddr) String() string { return a.addr.String() }

// Network returns "ping4" or "ping6" by the address's family, "ping" for
// the zero address.
func (a PingAddr) Network() string {
	switch {
	case a.addr.Is4():
		return "ping4"
	case a.addr.Is6():
		return "ping6"
	}
	return "ping"
}

// Addr returns the address.
func (a PingAddr) Addr() netip.Addr { return a.addr }

// PingConn is an ICMP echo socket through the tunnel, as tun/netstack's
// PingConn and Linux's unprivileged ping sockets: what is written is a
// whole ICMP echo request (header and data; golang.org/x/net/icmp's
// Message.Marshal makes one), whose identifier the socket replaces with
// its own and whose checksum it computes; what is read is a whole ICMP
// echo reply carrying that identifier. It implements net.Conn and
// net.PacketConn.
//
// A socket is IPv4 or IPv6 by its addresses. An IPv6 one ("ping6") sends
// and receives ICMPv6: what is written is an ICMPv6 echo request (type
// 128, ipv6.ICMPTypeEchoRequest; the checksum, which covers the IPv6
// pseudo-header, is computed here) and what is read an ICMPv6 echo reply
// (type 129), parsed by icmp.ParseMessage with protocol 58. It sends
// only to IPv6 addresses, an IPv4 one only to IPv4 addresses.
//
// Writes never wait (a request is sent or fails at once), so a write
// deadline only makes writes fail once it has passed. Errors are
// *net.OpError with Net "ping4" or "ping6", matched by errors.Is against
// net.ErrClosed and os.ErrDeadlineExceeded.
type PingConn struct {
	sock    *netstack.PingSocket
	laddr   PingAddr
	raddr   PingAddr
	network string // "ping4" or "ping6"

	mu        sync.Mutex
	readTimer *time.Timer
	readDone  chan struct{} // closed when the read deadline passes
	writeAt   time.Time     // write deadline; zero: none

	closeOnce sync.Once
	closed    chan struct{}
}

var (
	_ net.Conn       = (*PingConn)(nil)
	_ net.PacketConn = (*PingConn)(nil)
)

// DialPingAddr opens a ping socket bound to laddr (zero: every local
// address) and, when raddr is valid, connected to it: Write sends there
// and only its replies are read. At least one of them must be valid; the
// socket is ICMPv6 ("ping6") when either is IPv6, as tun/netstack's, and
// then the two must not be of different families.
func (n *Net) DialPingAddr(laddr, raddr netip.Addr) (*PingConn, error) {
	if !laddr.IsValid() && !raddr.IsValid() {
		return nil, errBadPingAddress
	}
	laddr, raddr = laddr.Unmap(), raddr.Unmap()
	v6 := laddr.Is6() || raddr.Is6()
	network := "ping4"
	if v6 {
		network = "ping6"
	}
	opErr := func(err error) error {
		return &net.OpError{Op: "dial", Net: network, Source: PingAddr{laddr}, Addr: PingAddr{raddr}, Err: err}
	}
	if laddr.IsValid() && raddr.IsValid() && laddr.Is6() != raddr.Is6() {
		return nil, opErr(errMismatchedProto)
	}
	if !laddr.IsValid() {
		laddr = netip.IPv4Unspecified()
		if v6 {
			laddr = netip.IPv6Unspecified()
		}
	}
	sock, err := n.stack.OpenPing(laddr)
	if err != nil {
		return nil, opErr(err)
	}
	if raddr.IsValid() {
		if err := sock.Connect(raddr); err != nil {
			sock.Close()
			return nil, opErr(err)
		}
	}
	return &PingConn{
		sock:     sock,
		laddr:    PingAddr{laddr},
		raddr:    PingAddr{raddr},
		network:  network,
		readDone: make(chan struct{}),
		closed:   make(chan struct{}),
	}, nil
}

// ListenPingAddr opens an unconnected ping socket bound to laddr, for
// WriteTo and ReadFrom: 0.0.0.0 for ICMP on every local address, :: for
// ICMPv6. A zero laddr (an error in tun/netstack) is 0.0.0.0 on a stack
// with an IPv4 address, else ::.
func (n *Net) ListenPingAddr(laddr netip.Addr) (*PingConn, error) {
	if !laddr.IsValid() {
		laddr = netip.IPv4Unspecified()
		if v4, _ := n.families(); !v4 {
			laddr = netip.IPv6Unspecified()
		}
	}
	return n.DialPingAddr(laddr, netip.Addr{})
}

// DialPing is DialPingAddr with *PingAddrs (nil: zero).
func (n *Net) DialPing(laddr, raddr *PingAddr) (*PingConn, error) {
	var la, ra netip.Addr
	if laddr != nil {
		la = laddr.addr
	}
	if raddr != nil {
		ra = raddr.addr
	}
	return n.DialPingAddr(la, ra)
}

// ListenPing is ListenPingAddr with a *PingAddr (nil: zero).
func (n *Net) ListenPing(laddr *PingAddr) (*PingConn, error) {
	var la netip.Addr
	if laddr != nil {
		la = laddr.addr
	}
	return n.ListenPingAddr(la)
}

// LocalAddr returns the bound address, a PingAddr (0.0.0.0 or :: when
// bound to every address).
func (pc *PingConn) LocalAddr() net.Addr { return pc.laddr }

// RemoteAddr returns the connected address, a PingAddr (the zero one when
// not connected).
func (pc *PingConn) RemoteAddr() net.Addr { return pc.raddr }

func (pc *PingConn) opErr(op string, addr net.Addr, err error) error {
	return &net.OpError{Op: op, Net: pc.network, Source: pc.laddr, Addr: addr, Err: err}
}

// Close closes the socket; blocked and later reads and writes return
// net.ErrClosed.
func (pc *PingConn) Close() error {
	err := error(pc.opErr("close", nil, net.ErrClosed))
	pc.closeOnce.Do(func() {
		err = nil
		close(pc.closed)
		pc.sock.Close()
		pc.mu.Lock()
		if pc.readTimer != nil {
			pc.readTimer.Stop()
		}
		pc.mu.Unlock()
	})
	return err
}

// WriteTo sends p, an ICMP echo request (ICMPv6 on a ping6 socket), to
// addr: a *PingAddr, PingAddr, *net.IPAddr or *net.UDPAddr (its port
// ignored), of the socket's family.
func (pc *PingConn) WriteTo(p []byte, addr net.Addr) (int, error) {
	var dst netip.Addr
	switch a := addr.(type) {
	case *PingAddr:
		dst = a.addr
	case PingAddr:
		dst = a.addr
	case *net.IPAddr:
		dst, _ = netip.AddrFromSlice(a.IP)
	case *net.UDPAddr:
		dst, _ = netip.AddrFromSlice(a.IP)
	default:
		return 0, pc.opErr("write", addr, errors.New("wrong net.Addr type"))
	}
	dst = dst.Unmap()
	if !dst.IsValid() || dst.Is6() != (pc.network == "ping6") {
		return 0, pc.opErr("write", addr, errMismatchedProto)
	}
	return pc.write(p, dst, addr)
}

// Write sends p, an ICMP echo request, to the connected address.
func (pc *PingConn) Write(p []byte) (int, error) {
	if !pc.raddr.addr.IsValid() {
		return 0, pc.opErr("write", nil, errMissingAddress)
	}
	return pc.write(p, pc.raddr.addr, pc.raddr)
}

func (pc *PingConn) write(p []byte, dst netip.Addr, addr net.Addr) (int, error) {
	pc.mu.Lock()
	at := pc.writeAt
	pc.mu.Unlock()
	if !at.IsZero() && !time.Now().Before(at) {
		return 0, pc.opErr("write", addr, os.ErrDeadlineExceeded)
	}
	n, err := pc.sock.WriteTo(p, dst)
	if err != nil {
		return n, pc.opErr("write", addr, err)
	}
	return n, nil
}

// ReadFrom waits for an echo reply to this socket's requests and copies
// it (ICMP or ICMPv6 header and data, without the IP header) into p,
// truncated to len(p). The address is a *PingAddr.
func (pc *PingConn) ReadFrom(p []byte) (int, net.Addr, error) {
	for {
		pc.mu.Lock()
		done := pc.readDone
		pc.mu.Unlock()
		select {
		case <-pc.closed:
			return 0, nil, pc.opErr("read", nil, net.ErrClosed)
		case <-done:
			return 0, nil, pc.opErr("read", nil, os.ErrDeadlineExceeded)
		default:
		}
		k, from, err := pc.sock.TryReadFrom(p)
		if err == nil {
			return k, &PingAddr{from}, nil
		}
		if !errors.Is(err, netstack.ErrWouldBlock) {
			return 0, nil, pc.opErr("read", nil, err)
		}
		select {
		case <-pc.sock.Readable():
		case <-done:
		case <-pc.closed:
		}
	}
}

// Read is ReadFrom without the address.
func (pc *PingConn) Read(p []byte) (int, error) {
	n, _, err := pc.ReadFrom(p)
	return n, err
}

// SetDeadline sets the read and write deadlines.
func (pc *PingConn) SetDeadline(t time.Time) error {
	pc.SetReadDeadline(t)
	return pc.SetWriteDeadline(t)
}

// SetReadDeadline sets when a pending or later read gives up with
// os.ErrDeadlineExceeded; the zero time means never.
func (pc *PingConn) SetReadDeadline(t time.Time) error {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.readTimer != nil && !pc.readTimer.Stop() {
		// The old timer fired, or is firing, on the old channel.
		pc.readDone = make(chan struct{})
	}
	pc.readTimer = nil
	select {
	case <-pc.readDone:
		pc.readDone = make(chan struct{})
	default:
	}
	if t.IsZero() {
		return nil
	}
	done := pc.readDone
	if d := time.Until(t); d > 0 {
		pc.readTimer = time.AfterFunc(d, func() { close(done) })
	} else {
		close(done)
	}
	return nil
}

// SetWriteDeadline sets when later writes start failing with
// os.ErrDeadlineExceeded; the zero time means never. (tun/netstack
// returns an error here; writes never wait, so a deadline is easy to
// honour.)
func (pc *PingConn) SetWriteDeadline(t time.Time) error {
	pc.mu.Lock()
	pc.writeAt = t
	pc.mu.Unlock()
	return nil
}
