package tcp

import (
	"errors"
	"io"
	"syscall"
	"testing"
	"time"

	"github.com/renet-go/renet/netstack/wire"
)

// RFC 9293 §3.6 Figure 12 (normal close), active side: ESTABLISHED ->
// FIN-WAIT-1 -> FIN-WAIT-2 -> TIME-WAIT -> (2*MSL) -> CLOSED.
func TestActiveClose_RFC9293_3_6(t *testing.T) {
	c := connectEstablished(t, plainConfig(), wire.TCPOptions{MSS: 1460})
	c.Write([]byte("bye"))
	c.CloseWrite()
	expectState(t, c, FinWait1)
	expect(t, recv(t, c, t0), Segment{Seq: ourISS + 1, Ack: peerISS + 1, Flags: ACK | PSH | FIN, Window: 65535, Payload: []byte("bye")})
	recvNothing(t, c, t0)
	if _, err := c.Write([]byte("more")); !errors.Is(err, syscall.EPIPE) {
		t.Fatalf("Write after CloseWrite: %v, want EPIPE", err)
	}
	send(t, c, t0, Segment{Seq: peerISS + 1, Ack: ourISS + 5, Flags: ACK, Window: 65535})
	expectState(t, c, FinWait2)
	// Half-closed: data still flows towards us.
	send(t, c, t0, Segment{Seq: peerISS + 1, Ack: ourISS + 5, Flags: ACK | FIN, Window: 65535, Payload: []byte("ok")})
	expectState(t, c, TimeWait)
	expect(t, recv(t, c, t0), Segment{Seq: ourISS + 5, Ack: peerISS + 4, Flags: ACK, Window: 65535 - 3}) // the right edge stays put
	if got := readAll(t, c); string(got) != "ok" {
		t.Fatalf("read %q", got)
	}
	if _, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("Read after FIN: %v, want EOF", err)
	}
	if d := c.Deadline(); d.Sub(t0) != 60*time.Second {
		t.Fatalf("TIME-WAIT deadline %v, want 60s", d.Sub(t0))
	}
	c.Tick(t0.Add(60 * time.Second))
	expectState(t, c, Closed)
	if !c.Done() || c.Err() != nil {
		t.Fatalf("Done %v Err %v", c.Done(), c.Err())
	}
}

// RFC 9293 §3.6 Figure 12, passive side, with a half-close: after the
// peer's FIN we are in CLOSE-WAIT and may keep sending (RFC 9293 §3.6 "the
// user ... can continue to SEND"); then LAST-ACK -> CLOSED.
func TestPassiveCloseHalfClose_RFC9293_3_6(t *testing.T) {
	c := acceptEstablished(t, plainConfig(), wire.TCPOptions{MSS: 1460})
	send(t, c, t0, Segment{Seq: peerISS + 1, Ack: ourISS + 1, Flags: ACK | FIN, Window: 65535})
	expectState(t, c, CloseWait)
	expect(t, recv(t, c, t0), Segment{Seq: ourISS + 1, Ack: peerISS + 2, Flags: ACK, Window: 65534})
	if n, err := c.Read(make([]byte, 10)); n != 0 || err != io.EOF {
		t.Fatalf("Read = %d, %v; want EOF", n, err)
	}
	if n, err := c.Write([]byte("still talking")); n != 13 || err != nil {
		t.Fatalf("Write in CLOSE-WAIT = %d, %v", n, err)
	}
	expect(t, recv(t, c, t0), Segment{Seq: ourISS + 1, Ack: peerISS + 2, Flags: ACK | PSH, Window: 65534, Payload: []byte("still talking")})
	c.CloseWrite()
	expectState(t, c, LastAck)
	expect(t, recv(t, c, t0), Segment{Seq: ourISS + 14, Ack: peerISS + 2, Flags: ACK | FIN, Window: 65534})
	send(t, c, t0, Segment{Seq: peerISS + 2, Ack: ourISS + 15, Flags: ACK, Window: 65535})
	expectState(t, c, Closed)
	if !c.Done() {
		t.Fatal("not Done")
	}
}

// RFC 9293 §3.6 Figure 13: simultaneous close, replayed as a table from
// A's side. Both FINs cross; each side goes FIN-WAIT-1 -> CLOSING ->
// TIME-WAIT.
func TestSimultaneousClose_RFC9293_Figure13(t *testing.T) {
	c := connectEstablished(t, plainConfig(), wire.TCPOptions{MSS: 1460})
	a, b := ourISS+1, peerISS+1 // Figure 13's 100 and 300
	steps := []struct {
		line  int
		user  func()
		in    *Segment
		out   *Segment
		state State
	}{
		// Line 2: A closes and sends <SEQ=100><ACK=300><CTL=FIN,ACK>.
		{2, c.CloseWrite, nil, &Segment{Seq: a, Ack: b, Flags: FIN | ACK, Window: 65535}, FinWait1},
		// Line 3: B's FIN arrives; A acknowledges it: <SEQ=101><ACK=301><CTL=ACK>.
		{3, nil, &Segment{Seq: b, Ack: a, Flags: FIN | ACK, Window: 65535},
			&Segment{Seq: a + 1, Ack: b + 1, Flags: ACK, Window: 65534}, Closing},
		// Line 4: B's ACK of A's FIN arrives.
		{4, nil, &Segment{Seq: b + 1, Ack: a + 1, Flags: ACK, Window: 65535}, nil, TimeWait},
	}
	for _, s := range steps {
		if s.user != nil {
			s.user()
		}
		if s.in != nil {
			send(t, c, t0, *s.in)
		}
		if s.out != nil {
			expect(t, recv(t, c, t0), *s.out)
		}
		recvNothing(t, c, t0)
		if c.State() != s.state {
			t.Fatalf("line %d: state %v, want %v", s.line, c.State(), s.state)
		}
	}
	c.Tick(c.Deadline())
	expectState(t, c, Closed)
}

// Simultaneous close between two Conns on the wire.
func TestSimultaneousCloseTwoConns(t *testing.T) {
	a, b := NewConn(Config{}), NewConn(Config{})
	b.Listen()
	b.SetISS(300)
	a.Connect(t0, 100)
	n := newNetsim(t, a, b, impairment{delay: ms(5)}, 1)
	n.flush(0)
	for a.State() != Established || b.State() != Established {
		if !n.step() {
			t.Fatal("handshake stalled")
		}
	}
	for n.step() && len(n.queue) > 0 {
	}
	a.CloseWrite()
	b.CloseWrite()
	n.flush(0)
	n.flush(1)
	n.step()
	expectState(t, a, Closing)
	expectState(t, b, Closing)
	n.step()
	expectState(t, a, TimeWait)
	expectState(t, b, TimeWait)
	for n.step() {
	}
	if !a.Done() || !b.Done() {
		t.Fatalf("states %v %v", a.State(), b.State())
	}
}

// RFC 9293 §3.10.7.4 (TIME-WAIT): a retransmitted FIN is acknowledged
// again and restarts the 2*MSL timer.
func TestTimeWaitRetransmittedFIN_RFC9293_3_10_7_4(t *testing.T) {
	c := connectEstablished(t, plainConfig(), wire.TCPOptions{MSS: 1460})
	c.CloseWrite()
	recv(t, c, t0)
	send(t, c, t0, Segment{Seq: peerISS + 1, Ack: ourISS + 2, Flags: FIN | ACK, Window: 65535})
	expectState(t, c, TimeWait)
	ack := recv(t, c, t0)
	later := t0.Add(30 * time.Second)
	send(t, c, later, Segment{Seq: peerISS + 1, Ack: ourISS + 2, Flags: FIN | ACK, Window: 65535})
	expect(t, recv(t, c, later), ack)
	if d := c.Deadline(); d.Sub(later) != 60*time.Second {
		t.Fatalf("TIME-WAIT not restarted: %v", d.Sub(later))
	}
	c.Tick(t0.Add(60 * time.Second))
	expectState(t, c, TimeWait)
	c.Tick(later.Add(60 * time.Second))
	expectState(t, c, Closed)
}

// RFC 6191 §2: a SYN for a 4-tuple in TIME-WAIT may reopen it when its
// timestamp is newer than TS.Recent (or equal, with a later sequence
// number); without timestamps (RFC 1122
// §4.2.2.13) when its sequence number is beyond RCV.NXT.
func TestTimeWaitReuse_RFC6191(t *testing.T) {
	tsOpts := func(val, ecr uint32) wire.TCPOptions {
		return wire.TCPOptions{HasTimestamps: true, TSVal: val, TSEcr: ecr}
	}
	// With timestamps.
	c := connectEstablished(t, Config{DisableSACK: true, DisableWindowScale: true}, wire.TCPOptions{MSS: 1460, HasTimestamps: true, TSVal: 100})
	c.CloseWrite()
	fin := recv(t, c, t0)
	send(t, c, t0, Segment{Seq: peerISS + 1, Ack: ourISS + 2, Flags: FIN | ACK, Window: 65535, Options: tsOpts(200, fin.Options.TSVal)})
	expectState(t, c, TimeWait)
	for _, tc := range []struct {
		seg  Segment
		want bool
	}{
		{Segment{Seq: peerISS + 100000, Flags: SYN, Options: tsOpts(201, 0)}, true},
		{Segment{Seq: peerISS + 100000, Flags: SYN, Options: tsOpts(200, 0)}, true}, // same ms, later seq
		{Segment{Seq: peerISS, Flags: SYN, Options: tsOpts(200, 0)}, false},         // same ms, old seq
		{Segment{Seq: peerISS + 100000, Flags: SYN, Options: tsOpts(150, 0)}, false},
		{Segment{Seq: peerISS - 5, Flags: SYN, Options: tsOpts(300, 0)}, true}, // timestamps decide
		{Segment{Seq: peerISS + 100000, Flags: SYN | ACK, Options: tsOpts(300, 0)}, false},
	} {
		if got := c.AcceptsSYNInTimeWait(&tc.seg); got != tc.want {
			t.Errorf("timestamps: %v: got %v want %v", tc.seg, got, tc.want)
		}
	}
	// Without timestamps.
	c = connectEstablished(t, plainConfig(), wire.TCPOptions{MSS: 1460})
	c.CloseWrite()
	recv(t, c, t0)
	send(t, c, t0, Segment{Seq: peerISS + 1, Ack: ourISS + 2, Flags: FIN | ACK, Window: 65535})
	expectState(t, c, TimeWait)
	if !c.AcceptsSYNInTimeWait(&Segment{Seq: peerISS + 3, Flags: SYN}) {
		t.Error("SYN beyond RCV.NXT refused")
	}
	if c.AcceptsSYNInTimeWait(&Segment{Seq: peerISS + 2, Flags: SYN}) {
		t.Error("SYN at RCV.NXT accepted")
	}
}

// RFC 2525 §2.17 (and Linux): closing with unread received data sends a
// RST instead of a FIN.
func TestCloseWithUnreadData_RFC2525_2_17(t *testing.T) {
	c := connectEstablished(t, plainConfig(), wire.TCPOptions{MSS: 1460})
	send(t, c, t0, Segment{Seq: peerISS + 1, Ack: ourISS + 1, Flags: ACK, Window: 65535, Payload: []byte("unread")})
	c.Close()
	expect(t, recv(t, c, t0), Segment{Seq: ourISS + 1, Ack: peerISS + 7, Flags: RST | ACK})
	recvNothing(t, c, t0)
	expectState(t, c, Closed)
	if !c.Done() {
		t.Fatal("not Done")
	}
}

// Data arriving after Close resets the connection (RFC 2525 §2.17).
func TestDataAfterClose_RFC2525_2_17(t *testing.T) {
	c := connectEstablished(t, plainConfig(), wire.TCPOptions{MSS: 1460})
	c.Close()
	expect(t, recv(t, c, t0), Segment{Seq: ourISS + 1, Ack: peerISS + 1, Flags: FIN | ACK, Window: 65535})
	send(t, c, t0, Segment{Seq: peerISS + 1, Ack: ourISS + 2, Flags: ACK, Window: 65535, Payload: []byte("late")})
	expect(t, recv(t, c, t0), Segment{Seq: ourISS + 2, Flags: RST})
	expectState(t, c, Closed)
}

// An orphaned FIN-WAIT-2 (after Close) times out like Linux's
// tcp_fin_timeout instead of waiting forever for the peer's FIN.
func TestOrphanFinWait2Timeout(t *testing.T) {
	c := connectEstablished(t, plainConfig(), wire.TCPOptions{MSS: 1460})
	c.Close()
	recv(t, c, t0)
	send(t, c, t0, Segment{Seq: peerISS + 1, Ack: ourISS + 2, Flags: ACK, Window: 65535})
	expectState(t, c, FinWait2)
	recvNothing(t, c, t0)
	if d := c.Deadline(); d.Sub(t0) != 60*time.Second {
		t.Fatalf("deadline %v", d.Sub(t0))
	}
	c.Tick(c.Deadline())
	expectState(t, c, Closed)
}

// Linux's TCP_LINGER2: SetLinger2 sets the orphaned FIN-WAIT-2 timeout
// (capped at two minutes, zero restoring the default); a negative value
// skips FIN-WAIT-2: the ACK of our FIN is answered by a RST and the
// connection closes, or, when Close comes in FIN-WAIT-2, a RST goes out
// at once. A connection that only half-closed is not affected.
func TestLinger2(t *testing.T) {
	orphanInFinWait2 := func(t *testing.T, d time.Duration) *Conn {
		c := connectEstablished(t, plainConfig(), wire.TCPOptions{MSS: 1460})
		c.SetLinger2(d)
		c.Close()
		recv(t, c, t0)
		send(t, c, t0, Segment{Seq: peerISS + 1, Ack: ourISS + 2, Flags: ACK, Window: 65535})
		return c
	}
	for _, tc := range []struct {
		set, want time.Duration
	}{{5 * time.Second, 5 * time.Second}, {time.Hour, 2 * time.Minute}, {0, 60 * time.Second}} {
		c := orphanInFinWait2(t, tc.set)
		expectState(t, c, FinWait2)
		recvNothing(t, c, t0)
		if d := c.Deadline(); d.Sub(t0) != tc.want {
			t.Fatalf("SetLinger2(%v): FIN-WAIT-2 deadline %v, want %v", tc.set, d.Sub(t0), tc.want)
		}
		c.Tick(c.Deadline())
		expectState(t, c, Closed)
	}

	c := orphanInFinWait2(t, -1)
	expect(t, recv(t, c, t0), Segment{Seq: ourISS + 2, Flags: RST})
	expectState(t, c, Closed)
	if !c.Done() || c.Err() != nil {
		t.Fatalf("Done %v, Err %v", c.Done(), c.Err())
	}

	c = connectEstablished(t, plainConfig(), wire.TCPOptions{MSS: 1460})
	c.SetLinger2(-1)
	c.CloseWrite()
	recv(t, c, t0)
	send(t, c, t0, Segment{Seq: peerISS + 1, Ack: ourISS + 2, Flags: ACK, Window: 65535})
	expectState(t, c, FinWait2) // half-closed, not orphaned: waits for the FIN
	recvNothing(t, c, t0)
	c.Close()
	expect(t, recv(t, c, t0), Segment{Seq: ourISS + 2, Ack: peerISS + 1, Flags: RST | ACK})
	expectState(t, c, Closed)
}

// RFC 9293 §3.10.5 ABORT: a RST goes out, buffers are dropped, CLOSED.
func TestAbort_RFC9293_3_10_5(t *testing.T) {
	c := connectEstablished(t, plainConfig(), wire.TCPOptions{MSS: 1460})
	c.Write([]byte("queued"))
	recv(t, c, t0)
	c.Abort()
	expect(t, recv(t, c, t0), Segment{Seq: ourISS + 7, Ack: peerISS + 1, Flags: RST | ACK})
	recvNothing(t, c, t0)
	expectState(t, c, Closed)
	if !c.Done() {
		t.Fatal("not Done")
	}
}

// RFC 9293 §3.10.7.1: a segment for a CLOSED connection is answered per
// ResetFor.
func TestResetFor_RFC9293_3_10_7_1(t *testing.T) {
	for _, tc := range []struct {
		seg    Segment
		plen   int
		want   Segment
		wantOK bool
	}{
		{Segment{Seq: 5, Flags: RST}, 0, Segment{}, false},
		{Segment{Seq: 5, Flags: RST | ACK, Ack: 9}, 0, Segment{}, false},
		{Segment{Seq: 5, Ack: 77, Flags: ACK}, 10, Segment{Seq: 77, Flags: RST}, true},
		{Segment{Seq: 5, Flags: SYN}, 0, Segment{Ack: 6, Flags: RST | ACK}, true},
		{Segment{Seq: 0xffffffff, Flags: SYN | FIN}, 3, Segment{Ack: 4, Flags: RST | ACK}, true},
		{Segment{Seq: 5, Flags: 0}, 100, Segment{Ack: 105, Flags: RST | ACK}, true},
	} {
		got, ok := ResetFor(&tc.seg, tc.plen)
		if ok != tc.wantOK || (ok && (got.Seq != tc.want.Seq || got.Ack != tc.want.Ack || got.Flags != tc.want.Flags)) {
			t.Errorf("ResetFor(%v, %d) = %v, %v; want %v, %v", tc.seg, tc.plen, got, ok, tc.want, tc.wantOK)
		}
	}
	// A Conn that is CLOSED answers the same way.
	c := NewConn(Config{})
	send(t, c, t0, Segment{Seq: 5, Ack: 77, Flags: ACK})
	expect(t, recv(t, c, t0), Segment{Seq: 77, Flags: RST})
}
