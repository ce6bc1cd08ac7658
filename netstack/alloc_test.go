package netstack

import (
	"net/netip"
	"testing"

	"github.com/renet-go/renet/netstack/wire"
)

// receivePath sets up a stack with a resolved peer whose written frames are
// counted, not kept. The ICMP rate limit is lifted: the benchmark's clock
// stands still, so the bucket would never refill.
func receivePath(tb testing.TB) (*Stack, *int) {
	s, l := newTestStack(tb, func(c *Config) { c.ICMPBurst = 1 << 30 })
	resolvePeer(tb, s, l)
	written := new(int)
	l.mu.Lock()
	l.onWrite = func([]byte) { *written++ }
	l.mu.Unlock()
	return s, written
}

func pingFrame() []byte {
	return fromPeer(ipPacket(wire.IPv4Fields{Protocol: wire.IPProtoICMP, Src: peerIP, Dst: ourIP},
		echoRequest(1, 1, make([]byte, 56))))
}

func udpFrame(size int) []byte {
	return fromPeer(ipPacket(wire.IPv4Fields{Protocol: wire.IPProtoUDP, Src: peerIP, Dst: ourIP},
		udpPacket(netip.AddrPortFrom(peerIP, 5000), netip.AddrPortFrom(ourIP, 6969), make([]byte, size))))
}

// The receive path allocates nothing per packet in steady state: a ping in
// and its reply out; a UDP datagram in, queued, and read.
func TestReceivePathAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	s, written := receivePath(t)
	ping := pingFrame()
	if n := testing.AllocsPerRun(1000, func() { s.inject(t0, ping) }); n != 0 {
		t.Errorf("ping: %v allocations per packet", n)
	}
	if *written < 1000 {
		t.Fatalf("only %d replies", *written)
	}
	u, err := s.BindUDP(netip.AddrPortFrom(ourIP, 6969))
	if err != nil {
		t.Fatal(err)
	}
	frame := udpFrame(512)
	buf := make([]byte, 2048)
	if n := testing.AllocsPerRun(1000, func() {
		s.inject(t0, frame)
		if n, _, err := u.TryReadFrom(buf); err != nil || n != 512 {
			t.Fatalf("read %d, %v", n, err)
		}
	}); n != 0 {
		t.Errorf("UDP: %v allocations per datagram", n)
	}
}

func BenchmarkPingReceive(b *testing.B) {
	s, _ := receivePath(b)
	ping := pingFrame()
	b.SetBytes(int64(len(ping)))
	b.ReportAllocs()
	for b.Loop() {
		s.inject(t0, ping)
	}
}

func BenchmarkUDPReceive(b *testing.B) {
	s, _ := receivePath(b)
	u, err := s.BindUDP(netip.AddrPortFrom(ourIP, 6969))
	if err != nil {
		b.Fatal(err)
	}
	frame := udpFrame(1024)
	buf := make([]byte, 2048)
	b.SetBytes(1024)
	b.ReportAllocs()
	for b.Loop() {
		s.inject(t0, frame)
		u.TryReadFrom(buf)
	}
}
