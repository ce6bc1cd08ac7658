package tcp

import (
	"bytes"
	"net/netip"
	"testing"
	"time"

	"github.com/renet-go/renet/netstack/wire"
)

// RFC 9293 §3.4: sequence comparisons are modulo 2^32.
func TestSeqArithmetic_RFC9293_3_4(t *testing.T) {
	const top Seq = 0xfffffff0
	cases := []struct {
		a, b Seq
		less bool
	}{
		{1, 2, true}, {2, 1, false}, {top, 5, true}, {5, top, false},
		{0xffffffff, 0, true}, {0, 0x7fffffff, true}, {0, 0x80000001, false},
	}
	for _, c := range cases {
		if c.a.LessThan(c.b) != c.less || c.b.GreaterThan(c.a) != c.less {
			t.Errorf("%d < %d: got %v", c.a, c.b, c.a.LessThan(c.b))
		}
		if !c.a.LessEq(c.a) || !c.a.GreaterEq(c.a) || c.a.LessThan(c.a) {
			t.Errorf("%d not equal to itself", c.a)
		}
	}
	if top.Add(0x20) != 0x10 || Seq(0x10).Sub(top) != 0x20 || top.Sub(0x10) != -0x20 {
		t.Error("Add/Sub across the wrap")
	}
	if Seq(5).Add(-10) != 0xfffffffb {
		t.Error("negative Add")
	}
	if !Seq(3).InWindow(top, 0x20) || Seq(0x10).InWindow(top, 0x20) || top.InWindow(top, 0) {
		t.Error("InWindow across the wrap")
	}
}

// A transfer whose sequence numbers wrap on both sides, scripted end to
// end between two Conns (ISS 2^32-100 and 2^32-1).
func TestWraparoundTransfer_RFC9293_3_4(t *testing.T) {
	a, b := NewConn(Config{}), NewConn(Config{})
	b.Listen()
	b.SetISS(0xffffffff)
	a.Connect(t0, 0xffffff9c)
	n := newNetsim(t, a, b, impairment{delay: ms(1), loss: 0.05, reorder: 0.2, jitter: ms(2)}, 7)
	n.src = [2][]byte{pattern(200000, 1), pattern(150000, 2)}
	n.autoClose = true
	n.flush(0)
	for n.step() {
	}
	if !bytes.Equal(n.dst[1].Bytes(), n.src[0]) || !bytes.Equal(n.dst[0].Bytes(), n.src[1]) {
		t.Fatal("data corrupted across the wrap")
	}
	if !a.Done() || !b.Done() {
		t.Fatalf("states %v %v", a.State(), b.State())
	}
}

// A scripted exchange right at the wrap: data straddling 2^32.
func TestWrapScripted(t *testing.T) {
	c := NewConn(plainConfig())
	c.Connect(t0, 0xfffffffe)
	recv(t, c, t0)
	send(t, c, t0, Segment{Seq: 0xfffffff0, Ack: 0xffffffff, Flags: SYN | ACK, Window: 65535, Options: wire.TCPOptions{MSS: 100}})
	recv(t, c, t0)
	c.Write(pattern(300, 0))
	s := drain(t, c, t0)
	if len(s) != 3 || s[0].Seq != 0xffffffff || s[1].Seq != 99 || s[2].Seq != 199 {
		t.Fatalf("segments %v", s)
	}
	send(t, c, t0, Segment{Seq: 0xfffffff1, Ack: 299, Flags: ACK, Window: 65535, Payload: pattern(40, 9)})
	if c.Info().SendBuffered != 0 {
		t.Fatal("ACK across the wrap not taken")
	}
	if got := readAll(t, c); !bytes.Equal(got, pattern(40, 9)) {
		t.Fatal("data across the wrap")
	}
}

// The SipHash-2-4 reference vector (Aumasson and Bernstein, Appendix A):
// key 00..0f, message 00..0e.
func TestSipHashVector(t *testing.T) {
	var k [16]byte
	for i := range k {
		k[i] = byte(i)
	}
	m := make([]byte, 15)
	for i := range m {
		m[i] = byte(i)
	}
	g := NewISNGenerator(k)
	if got := sipHash24(g.k0, g.k1, m); got != 0xa129ca6149be45e5 {
		t.Fatalf("SipHash = %x", got)
	}
}

// RFC 6528 §3: ISNs differ between 4-tuples, advance with the 4µs clock
// for one 4-tuple, and cost no allocation.
func TestISN_RFC6528(t *testing.T) {
	g := NewISNGenerator([16]byte{1, 2, 3})
	l := netip.MustParseAddrPort("192.168.69.1:6969")
	r1 := netip.MustParseAddrPort("192.168.69.100:40000")
	r2 := netip.MustParseAddrPort("192.168.69.100:40001")
	a, b := g.ISN(l, r1, t0), g.ISN(l, r2, t0)
	if a == b {
		t.Fatal("two 4-tuples got the same ISN")
	}
	if later := g.ISN(l, r1, t0.Add(time.Millisecond)); later.Sub(a) != 250 {
		t.Fatalf("ISN advanced by %d in 1ms, want 250", later.Sub(a))
	}
	if NewISNGenerator([16]byte{9}).ISN(l, r1, t0) == a {
		t.Fatal("the key does not matter")
	}
	if g.TSOffset(l, r1) != NewISNGenerator([16]byte{1, 2, 3}).TSOffset(l, r1) || g.TSOffset(l, r1) == g.TSOffset(l, r2) {
		t.Fatal("TSOffset not a function of the 4-tuple")
	}
	if n := testing.AllocsPerRun(100, func() { g.ISN(l, r1, t0) }); n != 0 {
		t.Fatalf("ISN allocates %v times", n)
	}
}

// SetRecvBufSize before Connect decides the window scale we offer.
func TestRecvBufSizeSetsWindowScale_RFC7323_2_2(t *testing.T) {
	c := NewConn(Config{})
	c.SetRecvBufSize(4 << 20)
	c.Connect(t0, ourISS)
	if s := recv(t, c, t0); s.Options.WindowScale != 7 {
		t.Fatalf("window scale %d for 4 MiB, want 7", s.Options.WindowScale)
	}
}
