package netstack

import (
	"net/netip"
	"runtime"
	"testing"

	"github.com/renet-go/renet/netstack/wire"
)

// synFrom is a SYN from the peer's port to port 80, with Linux's options.
func synFrom(port uint16) []byte {
	f := wire.TCPFields{SrcPort: port, DstPort: 80, Seq: 1000, Flags: wire.TCPFlagSYN, Window: 64240,
		Options: wire.TCPOptions{MSS: 1460, HasWindowScale: true, WindowScale: 7, SACKPermitted: true, HasTimestamps: true, TSVal: 1}}
	b := make([]byte, f.Len())
	f.Encode(b, peerIP, ourIP)
	return fromPeer(ipPacket(wire.IPv4Fields{Protocol: wire.IPProtoTCP, Src: peerIP, Dst: ourIP}, b))
}

// A half-open connection holds no buffers: its cost is the TCB, the
// socket and its table entries, reported here. Past the SYN queue,
// SYNs are answered with cookies and cost nothing.
func TestHalfOpenCost(t *testing.T) {
	s, l := newTestStack(t)
	resolvePeer(t, s, l)
	ln, err := s.ListenTCP(netip.AddrPortFrom(ourIP, 80), 0)
	if err != nil {
		t.Fatal(err)
	}
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	frames := make([][]byte, 2*2048)
	for i := range frames {
		frames[i] = synFrom(uint16(10000 + i))
	}
	before := heap()
	for _, f := range frames[:2048] {
		s.inject(t0, f)
		l.take()
	}
	full := heap()
	for _, f := range frames[2048:] {
		s.inject(t0, f)
		l.take()
	}
	after := heap()
	if syn, acc := ln.Queues(); syn != 2048 || acc != 0 {
		t.Fatalf("queues %d and %d; want 2048 half-open", syn, acc)
	}
	s.mu.Lock()
	for sk := ln.children; sk != nil; sk = sk.nextChild {
		if m := sk.tcb.Info().BufferMemory; m != 0 {
			t.Fatalf("a half-open connection holds %d bytes of buffers", m)
		}
	}
	s.mu.Unlock()
	t.Logf("%d bytes of heap per half-open connection; %d per cookie answered",
		int64(full-before)/2048, (int64(after)-int64(full))/2048)
	if st := s.Stats(); st.TCPSYNCookiesSent != 2048 {
		t.Fatalf("%d cookies for the SYNs past the queue", st.TCPSYNCookiesSent)
	}
}

// Once a listener has sent cookies, an ACK that matches no connection is
// checked as a cookie: a forged one is dropped and counted, not answered
// with a reset (a flood of forged ACKs would otherwise be reflected). A
// listener that sent no cookie lately resets such an ACK (RFC 9293
// §3.10.7.2).
func TestBadCookieDropped(t *testing.T) {
	s, l := newTestStack(t, func(c *Config) { c.SYNBacklog = 1 })
	resolvePeer(t, s, l)
	if _, err := s.ListenTCP(netip.AddrPortFrom(ourIP, 80), 0); err != nil {
		t.Fatal(err)
	}
	ack := func(port uint16) []byte {
		f := wire.TCPFields{SrcPort: port, DstPort: 80, Seq: 1001, Ack: 12345, Flags: wire.TCPFlagACK, Window: 500}
		b := make([]byte, f.Len())
		f.Encode(b, peerIP, ourIP)
		return fromPeer(ipPacket(wire.IPv4Fields{Protocol: wire.IPProtoTCP, Src: peerIP, Dst: ourIP}, b))
	}
	s.inject(t0, ack(30000))
	if n := len(l.take()); n != 1 || s.Stats().TCPResetsOut != 1 {
		t.Fatalf("stray ACK before any cookie: %d frames, %d resets", n, s.Stats().TCPResetsOut)
	}
	s.inject(t0, synFrom(20000)) // fills the SYN queue of one
	s.inject(t0, synFrom(20001)) // answered with a cookie
	l.take()
	s.inject(t0, ack(30001))
	if n := len(l.take()); n != 0 {
		t.Fatalf("forged cookie answered with %d frames", n)
	}
	if st := s.Stats(); st.Dropped(DropTCPBadCookie) != 1 || st.TCPSYNCookiesSent != 1 {
		t.Fatalf("bad cookies dropped %d, cookies sent %d", st.Dropped(DropTCPBadCookie), st.TCPSYNCookiesSent)
	}
}
