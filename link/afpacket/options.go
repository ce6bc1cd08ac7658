package afpacket

import (
	"fmt"
	"unsafe"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// SetPromiscuous puts the interface in promiscuous mode, or stops asking
// for it, through a PACKET_MR_PROMISC membership (packet(7)). The kernel
// counts such requests per interface, so the interface stays promiscuous
// while any socket (or `ip link set promisc on`) asks for it, and drops
// this socket's request when it closes. Repeating the current setting does
// nothing.
func (s *Socket) SetPromiscuous(on bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if on == s.promisc {
		return nil
	}
	opt := unix.PACKET_DROP_MEMBERSHIP
	if on {
		opt = unix.PACKET_ADD_MEMBERSHIP
	}
	mreq := unix.PacketMreq{Ifindex: int32(s.index), Type: unix.PACKET_MR_PROMISC}
	var serr error
	if err := s.io.Control(func(fd uintptr) {
		serr = unix.SetsockoptPacketMreq(int(fd), unix.SOL_PACKET, opt, &mreq)
	}); err != nil {
		return err
	}
	if serr != nil {
		return fmt.Errorf("afpacket %s: set promiscuous %t: %w", s.name, on, serr)
	}
	s.promisc = on
	return nil
}

// SetIgnoreOutgoing chooses whether the socket receives the frames the
// kernel and other sockets send out of the interface, as well as those
// arriving. (Its own writes it never receives.) Open turns outgoing frames off; a capture
// tool turns them back on. It fails on kernels before 4.20, which always
// deliver them.
func (s *Socket) SetIgnoreOutgoing(ignore bool) error {
	v := 0
	if ignore {
		v = 1
	}
	var serr error
	if err := s.io.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_PACKET, unix.PACKET_IGNORE_OUTGOING, v)
	}); err != nil {
		return err
	}
	if serr != nil {
		return fmt.Errorf("afpacket %s: ignore outgoing %t: %w", s.name, ignore, serr)
	}
	return nil
}

// dropAll is a classic BPF program that accepts nothing: "ret #0".
var dropAll = []unix.SockFilter{{Code: unix.BPF_RET | unix.BPF_K, K: 0}}

// AttachFilter attaches a classic BPF program (SO_ATTACH_FILTER) that the
// kernel runs on every frame before queueing it to the socket: a frame is
// kept, truncated to the program's return value, or dropped when it
// returns 0. Programs come from golang.org/x/net/bpf's Assemble. Frames
// queued before the call, which the new program has not judged, are
// discarded, so every frame read afterwards has passed it. It replaces any
// program attached before.
func (s *Socket) AttachFilter(prog []bpf.RawInstruction) error {
	if len(prog) == 0 {
		return fmt.Errorf("afpacket %s: attach filter: empty program", s.name)
	}
	if len(prog) > 0xffff {
		return fmt.Errorf("afpacket %s: attach filter: program of %d instructions is too long", s.name, len(prog))
	}
	filter := make([]unix.SockFilter, len(prog))
	for i, ins := range prog {
		filter[i] = unix.SockFilter{Code: ins.Op, Jt: ins.Jt, Jf: ins.Jf, K: ins.K}
	}
	var serr error
	if err := s.io.Control(func(fd uintptr) {
		serr = attachAndFlush(int(fd), filter)
	}); err != nil {
		return err
	}
	if serr != nil {
		return fmt.Errorf("afpacket %s: attach filter: %w", s.name, serr)
	}
	return nil
}

// attachAndFlush closes the door (drop-all filter), empties the queue of
// frames let in under the old rules, then attaches the real program: the
// usual way to make a filter apply from a clean start.
func attachAndFlush(fd int, filter []unix.SockFilter) error {
	if err := setFilter(fd, dropAll); err != nil {
		return err
	}
	var b [1]byte
	for {
		// The descriptor is non-blocking, and reading a datagram into one
		// byte discards the rest of it.
		_, err := unix.Read(fd, b[:])
		if err == unix.EAGAIN {
			break
		}
		if err != nil && err != unix.EINTR {
			return err
		}
	}
	return setFilter(fd, filter)
}

func setFilter(fd int, filter []unix.SockFilter) error {
	prog := unix.SockFprog{Len: uint16(len(filter)), Filter: unsafe.SliceData(filter)}
	return unix.SetsockoptSockFprog(fd, unix.SOL_SOCKET, unix.SO_ATTACH_FILTER, &prog)
}

// DetachFilter removes the program AttachFilter attached, so the socket
// again receives every frame.
func (s *Socket) DetachFilter() error {
	var serr error
	if err := s.io.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_DETACH_FILTER, 0)
	}); err != nil {
		return err
	}
	if serr != nil {
		return fmt.Errorf("afpacket %s: detach filter: %w", s.name, serr)
	}
	return nil
}
