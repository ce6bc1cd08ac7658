package main

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/renet-go/renet/conn"
)

// acceptUDP takes new UDP flows until ctx is done.
func (s *server) acceptUDP(ctx context.Context) {
	for {
		u, err := s.fwd.AcceptUDP(ctx)
		if err != nil {
			return
		}
		if s.refuseOther {
			s.wg.Go(func() { s.refuseUDP(u) })
			continue
		}
		s.wg.Go(func() { s.relayUDP(ctx, u) })
	}
}

// refuseUDP answers every datagram of u with ICMP administratively
// prohibited (UDP is not sent through the proxy) until the flow expires.
func (s *server) refuseUDP(u *conn.UDPFlow) {
	s.stats.UDPRefused.Add(1)
	defer u.Close()
	buf := make([]byte, 64)
	for {
		_, dst, err := u.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		u.Reject(dst, syscall.EACCES)
	}
}

// relayUDP relays one client's flow through one unconnected host socket,
// so its datagrams may go to any destination and replies from any
// address come back (endpoint-independent mapping and filtering, RFC
// 4787 §4.1 and §5). The flow ends when the forwarder expires it or the
// server shuts down; the host socket goes with it.
func (s *server) relayUDP(ctx context.Context, u *conn.UDPFlow) {
	host, err := net.ListenUDP("udp4", nil)
	if err != nil {
		s.stats.UDPRefused.Add(1)
		s.log.Printf("udp %v: host socket: %v", u.Client(), err)
		u.Close()
		return
	}
	// IP_RECVERR: ICMP errors about our datagrams are queued on the socket
	// with the destination they were about, which an unconnected socket
	// otherwise never learns (udp(7)).
	if rc, err := host.SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) { unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_RECVERR, 1) })
	}
	f := &flow{proto: "udp", src: u.Client(), started: time.Now()}
	f.closer = func() { u.Close(); host.Close() }
	f.setPhase("open")
	if !s.flows.add(f) {
		f.close()
		return
	}
	defer s.flows.remove(f)
	s.stats.UDPFlows.Add(1)
	stop := context.AfterFunc(ctx, f.close)
	defer stop()

	var wg sync.WaitGroup
	wg.Go(func() { s.udpDown(u, host, f) })

	// The flow holds no buffer while it waits: Wait blocks until a
	// datagram is queued, and a pooled buffer carries it to the host
	// socket.
	var first netip.AddrPort
	var seen map[netip.AddrPort]struct{} // destinations after the first
	for u.Wait(ctx) == nil {
		bp := udpBufs.Get().(*[]byte)
		n, dst, err := u.ReadFromUDPAddrPort(*bp)
		if err != nil {
			udpBufs.Put(bp)
			break // expired or closed
		}
		switch _, known := seen[dst]; {
		case !first.IsValid():
			first = dst
			f.udpDst.Store(&dst)
			f.peers.Add(1)
			s.logf("udp %v -> %v: open", f.src, dst)
		case dst != first && !known:
			if seen == nil {
				seen = make(map[netip.AddrPort]struct{})
			}
			if len(seen) < 1024 {
				seen[dst] = struct{}{}
			}
			f.peers.Add(1)
		}
		_, err = host.WriteToUDPAddrPort((*bp)[:n], dst)
		udpBufs.Put(bp)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				break
			}
			// An immediate failure: no route, or a pending ICMP error
			// reported here instead of to the reader.
			s.udpError(u, host, dst, err)
			continue
		}
		f.up.Add(uint64(n))
		s.stats.UDPPacketsUp.Add(1)
		s.stats.UDPBytesUp.Add(uint64(n))
	}
	f.close()
	wg.Wait()
	s.logf("udp %v: closed, %d bytes up, %d down, %d destinations", f.src, f.up.Load(), f.down.Load(), f.peers.Load())
}

// udpBufs carry datagrams between a flow and its host socket, each only
// for one datagram: an idle flow holds none.
var udpBufs = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// udpDown relays datagrams from any address back to the client, each
// from the address that sent it. It waits for the host socket to be
// readable holding no buffer, and reads each datagram into a pooled one.
func (s *server) udpDown(u *conn.UDPFlow, host *net.UDPConn, f *flow) {
	rc, err := host.SyscallConn()
	if err != nil {
		f.close()
		return
	}
	for {
		bp, n, from, err := recvPooled(rc)
		if err != nil {
			var errno syscall.Errno
			if !errors.As(err, &errno) {
				return // closed
			}
			// A pending ICMP error (IP_RECVERR): the error queue says
			// which destination it was about.
			s.udpError(u, host, netip.AddrPort{}, err)
			continue
		}
		_, err = u.WriteToUDPAddrPort((*bp)[:n], from)
		udpBufs.Put(bp)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				f.close()
				return
			}
			continue
		}
		f.down.Add(uint64(n))
		s.stats.UDPPacketsDown.Add(1)
		s.stats.UDPBytesDown.Add(uint64(n))
	}
}

// recvPooled waits until the IPv4 UDP socket rc is readable, then
// receives one datagram into a buffer from udpBufs (which the caller puts
// back). The buffer is taken only once the socket is ready: a waiting
// reader holds none. An errno (a pending ICMP error, with IP_RECVERR)
// comes back as a syscall.Errno; the socket's closing as net.ErrClosed.
func recvPooled(rc syscall.RawConn) (bp *[]byte, n int, from netip.AddrPort, err error) {
	var rerr error
	cerr := rc.Read(func(fd uintptr) bool {
		b := udpBufs.Get().(*[]byte)
		for {
			var sa unix.Sockaddr
			n, sa, rerr = unix.Recvfrom(int(fd), *b, unix.MSG_DONTWAIT)
			switch {
			case rerr == unix.EINTR:
				continue
			case rerr == unix.EAGAIN:
				udpBufs.Put(b)
				return false // wait for the poller
			case rerr != nil:
				udpBufs.Put(b)
				return true
			}
			if sa4, ok := sa.(*unix.SockaddrInet4); ok {
				from = netip.AddrPortFrom(netip.AddrFrom4(sa4.Addr), uint16(sa4.Port))
			}
			bp = b
			return true
		}
	})
	if cerr != nil {
		return nil, 0, from, cerr
	}
	if rerr != nil {
		return nil, 0, from, rerr
	}
	return bp, n, from, nil
}

// udpError passes the ICMP errors queued on host back to the client, each
// about the destination the error queue names (or dst when the queue is
// empty and err itself is the error).
func (s *server) udpError(u *conn.UDPFlow, host *net.UDPConn, dst netip.AddrPort, err error) {
	sent := false
	for {
		qdst, qerr, ok := readErrQueue(host)
		if !ok {
			break
		}
		if u.Reject(qdst, qerr) == nil {
			s.stats.UDPUnreachable.Add(1)
			sent = true
		}
	}
	if !sent && dst.IsValid() && u.Reject(dst, err) == nil {
		s.stats.UDPUnreachable.Add(1)
	}
}

// readErrQueue takes one error from host's error queue (MSG_ERRQUEUE,
// without blocking): the destination of the datagram it is about and the
// errno it reports. ok is false when the queue is empty.
func readErrQueue(host *net.UDPConn) (dst netip.AddrPort, errno syscall.Errno, ok bool) {
	rc, err := host.SyscallConn()
	if err != nil {
		return dst, 0, false
	}
	var data [64]byte
	oob := make([]byte, unix.CmsgSpace(int(unsafe.Sizeof(unix.SockExtendedErr{}))+unix.SizeofSockaddrInet4))
	cerr := rc.Control(func(fd uintptr) {
		_, oobn, _, from, err := unix.Recvmsg(int(fd), data[:], oob, unix.MSG_ERRQUEUE|unix.MSG_DONTWAIT)
		if err != nil {
			return
		}
		sa, isV4 := from.(*unix.SockaddrInet4)
		if !isV4 {
			return
		}
		msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
		if err != nil {
			return
		}
		for _, m := range msgs {
			if m.Header.Level != unix.IPPROTO_IP || m.Header.Type != unix.IP_RECVERR || len(m.Data) < int(unsafe.Sizeof(unix.SockExtendedErr{})) {
				continue
			}
			ee := (*unix.SockExtendedErr)(unsafe.Pointer(&m.Data[0]))
			if ee.Origin != unix.SO_EE_ORIGIN_ICMP {
				continue
			}
			dst = netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), uint16(sa.Port))
			errno, ok = syscall.Errno(ee.Errno), true
		}
	})
	if cerr != nil {
		return dst, 0, false
	}
	return dst, errno, ok
}
