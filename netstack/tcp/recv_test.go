package tcp

import (
	"bytes"
	"io"
	"testing"
	"time"

	"github.com/renet-go/renet/netstack/wire"
)

func dataSeg(off int, p []byte) Segment {
	return Segment{Seq: (peerISS + 1).Add(off), Ack: ourISS + 1, Flags: ACK, Window: 65535, Payload: p}
}

// RFC 9293 §3.10.7.4 (seventh check) and §3.4: out-of-order segments are
// held at their offset and delivered in order once the hole fills;
// overlapping and duplicate data is trimmed; data beyond the window is cut.
func TestReassembly_RFC9293_3_10_7_4(t *testing.T) {
	c := connectEstablished(t, Config{DisableSACK: true, DisableTimestamps: true, DisableWindowScale: true, RecvBufSize: 8192},
		wire.TCPOptions{MSS: 1460})
	data := pattern(8192, 3)
	send(t, c, t0, dataSeg(3000, data[3000:4000]))
	send(t, c, t0, dataSeg(1000, data[1000:2500]))
	send(t, c, t0, dataSeg(2000, data[2000:3500])) // overlaps both
	send(t, c, t0, dataSeg(7000, data[7000:8192])) // ends at the window's edge
	if c.Readable() {
		t.Fatal("readable before the first hole is filled")
	}
	send(t, c, t0, dataSeg(0, data[0:1000]))
	if got := readAll(t, c); !bytes.Equal(got, data[:4000]) {
		t.Fatalf("read %d bytes, want the first 4000 in order", len(got))
	}
	send(t, c, t0, dataSeg(3990, data[3990:7000])) // partly old
	// Now 4192 bytes are buffered unread, so the window is 4000 bytes:
	// a segment straddling its edge is cut there.
	send(t, c, t0, dataSeg(8192+3997, []byte("excess")))
	if c.rcv.nooo != 1 || c.rcv.ooo[0].len() != 3 {
		t.Fatalf("out-of-order ranges %v, want 3 bytes kept", c.rcv.ooo[:c.rcv.nooo])
	}
	if got := readAll(t, c); !bytes.Equal(got, data[4000:]) {
		t.Fatalf("read %d bytes, want the remaining %d", len(got), 8192-4000)
	}
}

// A segment straddling the right window edge is cut to the window, and a
// FIN beyond it is not taken.
func TestTrimToWindow_RFC9293_3_10_7_4(t *testing.T) {
	c := connectEstablished(t, Config{DisableSACK: true, DisableTimestamps: true, DisableWindowScale: true, RecvBufSize: 4096},
		wire.TCPOptions{MSS: 1460})
	seg := dataSeg(0, pattern(5000, 1))
	seg.Flags |= FIN
	send(t, c, t0, seg)
	a := recv(t, c, t0)
	if a.Ack != (peerISS+1).Add(4096) || a.Window != 0 {
		t.Fatalf("ACK %v, want ack of 4096 bytes and a zero window", a)
	}
	expectState(t, c, Established)
	// RFC 9293: with a zero window, a segment at RCV.NXT is acceptable for
	// its ACK, its data is dropped and an ACK goes back.
	send(t, c, t0, dataSeg(4096, []byte("more")))
	if a := recv(t, c, t0); a.Ack != (peerISS+1).Add(4096) || a.Window != 0 {
		t.Fatalf("ACK %v", a)
	}
}

// A FIN that arrives out of order is processed once the data before it
// has arrived.
func TestOutOfOrderFIN(t *testing.T) {
	c := connectEstablished(t, plainConfig(), wire.TCPOptions{MSS: 1460})
	fin := dataSeg(5, []byte("world"))
	fin.Flags |= FIN
	send(t, c, t0, fin)
	expectState(t, c, Established)
	send(t, c, t0, dataSeg(0, []byte("hello")))
	expectState(t, c, CloseWait)
	if got := string(readAll(t, c)); got != "helloworld" {
		t.Fatalf("read %q", got)
	}
	if _, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("err %v, want EOF", err)
	}
	a := recv(t, c, t0)
	if a.Ack != peerISS+12 {
		t.Fatalf("ACK %v, want data and FIN acknowledged", a)
	}
}

// RFC 9293 §3.8.6.3 and RFC 5681 §4.2: ACKs are delayed at most the
// configured delay, sent for every second full-sized segment, and sent at
// once for out-of-order data and for data that fills a hole.
func TestDelayedAck_RFC9293_3_8_6_3(t *testing.T) {
	c := connectEstablished(t, plainConfig(), wire.TCPOptions{MSS: 1460})
	send(t, c, t0, dataSeg(0, pattern(1460, 0)))
	recvNothing(t, c, t0)
	if d := c.Deadline(); d.Sub(t0) != 40*time.Millisecond {
		t.Fatalf("delayed ACK deadline %v, want 40ms", d.Sub(t0))
	}
	send(t, c, t0.Add(ms(10)), dataSeg(1460, pattern(1460, 1)))
	if a := recv(t, c, t0.Add(ms(10))); a.Ack != (peerISS + 1).Add(2920) {
		t.Fatalf("second full segment: %v", a)
	}
	if !c.Deadline().IsZero() {
		t.Fatal("delayed ACK timer still armed after the ACK")
	}
	// A lone segment is acknowledged when the timer fires.
	send(t, c, t0.Add(ms(20)), dataSeg(2920, []byte("small")))
	recvNothing(t, c, t0.Add(ms(20)))
	c.Tick(t0.Add(ms(59)))
	recvNothing(t, c, t0.Add(ms(59)))
	c.Tick(t0.Add(ms(60)))
	if a := recv(t, c, t0.Add(ms(60))); a.Ack != (peerISS + 1).Add(2925) {
		t.Fatalf("delayed ACK %v", a)
	}
	// Out of order: at once; filling the hole: at once.
	send(t, c, t0.Add(ms(70)), dataSeg(3000, []byte("x")))
	if a := recv(t, c, t0.Add(ms(70))); a.Ack != (peerISS + 1).Add(2925) {
		t.Fatalf("out-of-order ACK %v", a)
	}
	send(t, c, t0.Add(ms(80)), dataSeg(2925, pattern(75, 0)))
	if a := recv(t, c, t0.Add(ms(80))); a.Ack != (peerISS + 1).Add(3001) {
		t.Fatalf("hole-filling ACK %v", a)
	}
	// The delay is capped at 200ms.
	c2 := NewConn(Config{DelayedAck: time.Second})
	if c2.cfg.DelayedAck != 200*time.Millisecond {
		t.Fatalf("DelayedAck %v not capped", c2.cfg.DelayedAck)
	}
}

// RFC 9293 §3.8.6.2.2 receiver SWS avoidance: reading opens the window,
// but a window update is sent only once it can grow by min(MSS, half the
// buffer).
func TestReceiverSWS_RFC9293_3_8_6_2_2(t *testing.T) {
	c := connectEstablished(t, Config{DisableSACK: true, DisableTimestamps: true, DisableWindowScale: true, RecvBufSize: 4096},
		wire.TCPOptions{MSS: 1460})
	send(t, c, t0, dataSeg(0, pattern(4096, 0)))
	if a := recv(t, c, t0); a.Window != 0 {
		t.Fatalf("window %d, want 0", a.Window)
	}
	buf := make([]byte, 1000)
	c.Read(buf)
	recvNothing(t, c, t0) // 1000 < min(1460, 2048)
	c.Read(buf[:500])
	a := recv(t, c, t0) // 1500 >= 1460: update
	if a.Window != 1500 || a.Ack != (peerISS+1).Add(4096) {
		t.Fatalf("window update %v", a)
	}
	recvNothing(t, c, t0)
}

// Receiver SWS avoidance after a zero window: reads that free less than
// min(MSS, half the buffer) do not reopen the window; one that reaches it
// does, and later reads move the edge in steps of at least that much.
// (Linux also holds back updates while the known window is more than half
// open, tcp_cleanup_rbuf; renet announces each step, which measured 30%
// faster on fast in-memory paths.)
func TestWindowUpdateAfterRead_RFC9293_3_8_6_2_2(t *testing.T) {
	c := connectEstablished(t, Config{DisableSACK: true, DisableTimestamps: true, DisableWindowScale: true, RecvBufSize: 16384},
		wire.TCPOptions{MSS: 1460})
	c.SetRecvBufSize(16384)
	for off := 0; off < 16384; off += 1024 {
		send(t, c, t0, dataSeg(off, pattern(1024, 0)))
	}
	if a := drain(t, c, t0); len(a) == 0 || a[len(a)-1].Window != 0 {
		t.Fatalf("after filling the window: %v, want a zero window", a)
	}
	buf := make([]byte, 16384)
	window := func(n int, want uint16) {
		t.Helper()
		c.Read(buf[:n])
		if want == 0 {
			recvNothing(t, c, t0)
			return
		}
		if a := recv(t, c, t0); a.Window != want {
			t.Fatalf("after reading %d: window update %v, want window %d", n, a, want)
		}
	}
	window(10, 0)
	window(500, 0)
	window(900, 0)     // 1410 free: less than an MSS
	window(50, 1460)   // an MSS: reopened
	window(4000, 5460) // a step of at least an MSS
	window(1000, 0)    // less than a step
	window(500, 6960)
}

// Shrinking the receive buffer (SO_RCVBUF) on a live connection: the
// right edge already advertised stays (RFC 9293 §3.8.6.2.2: the window
// must not shrink), but what arrives beyond the new buffer is dropped and
// answered with an ACK, and the window then follows the smaller buffer.
func TestRecvBufShrink_RFC9293_3_8_6_2_2(t *testing.T) {
	c := connectEstablished(t, plainConfig(), wire.TCPOptions{MSS: 1460})
	c.SetRecvBufSize(4096)
	recvNothing(t, c, t0)
	data := pattern(8192, 0)
	send(t, c, t0, dataSeg(0, data[:3000]))
	send(t, c, t0, dataSeg(3000, data[3000:6000])) // 1096 bytes fit
	a := drain(t, c, t0)
	if len(a) == 0 || a[len(a)-1].Ack != (peerISS+1).Add(4096) {
		t.Fatalf("after 6000 bytes into a 4096-byte buffer: %v, want an ACK of 4096", a)
	}
	if w := a[len(a)-1].Window; int(w) != 65535-4096 {
		t.Fatalf("window %d, want the old right edge kept (%d)", w, 65535-4096)
	}
	send(t, c, t0, dataSeg(4096, data[4096:5000]))
	if a := recv(t, c, t0); a.Ack != (peerISS + 1).Add(4096) {
		t.Fatalf("data beyond the buffer: %v, want a duplicate ACK", a)
	}
	if got := readAll(t, c); !bytes.Equal(got, data[:4096]) {
		t.Fatalf("read %d bytes, want the first 4096", len(got))
	}
	// Once the peer has used up the old window, the window is what the
	// smaller buffer allows.
	for off := 4096; off < 65535; off += 4096 {
		n := min(4096, 65535-off)
		send(t, c, t0, dataSeg(off, pattern(n, 1)))
		readAll(t, c)
	}
	a = drain(t, c, t0)
	now := t0.Add(time.Second)
	c.Tick(now)
	a = append(a, drain(t, c, now)...)
	if len(a) == 0 || int(a[len(a)-1].Window) > 4096 || a[len(a)-1].Ack != (peerISS+1).Add(65535) {
		t.Fatalf("after the old window was used: %v, want at most 4096", a)
	}
}
