package tcp

import (
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/renet-go/renet/netstack/tcp/cc"
	"github.com/renet-go/renet/netstack/wire"
)

// RFC 9293 §3.5 Figure 3 (basic three-way handshake), active side, with
// every option on: the SYN offers MSS, window scale, SACK-permitted and
// timestamps; the ACK completes the handshake.
func TestActiveOpen_RFC9293_3_5(t *testing.T) {
	c := NewConn(Config{})
	c.SetTSOffset(1000)
	c.Connect(t0, ourISS)
	expectState(t, c, SynSent)
	syn := recv(t, c, t0)
	ts := uint32(t0.UnixMilli()) + 1000
	expect(t, syn, Segment{Seq: ourISS, Flags: SYN, Window: 65535, Options: wire.TCPOptions{
		MSS: 1460, HasWindowScale: true, WindowScale: 7, SACKPermitted: true,
		HasTimestamps: true, TSVal: ts,
	}})
	recvNothing(t, c, t0)
	if d := c.Deadline(); !d.Equal(t0.Add(time.Second)) {
		t.Fatalf("SYN retransmission deadline %v, want t0+1s (RFC 6298 §2.1)", d.Sub(t0))
	}
	now := t0.Add(ms(30))
	send(t, c, now, Segment{Seq: peerISS, Ack: ourISS + 1, Flags: SYN | ACK, Window: 65535, Options: wire.TCPOptions{
		MSS: 1400, HasWindowScale: true, WindowScale: 7, SACKPermitted: true,
		HasTimestamps: true, TSVal: 777, TSEcr: ts,
	}})
	expectState(t, c, Established)
	ack := recv(t, c, now)
	expect(t, ack, Segment{Seq: ourISS + 1, Ack: peerISS + 1, Flags: ACK, Window: 262144 >> 7,
		Options: wire.TCPOptions{HasTimestamps: true, TSVal: ts + 30, TSEcr: 777}})
	st := c.Info()
	if st.SndWnd != 65535 || st.SndMSS != 1400 {
		t.Fatalf("peer window %d (RFC 7323 §2.2: a SYN's window is not scaled) mss %d", st.SndWnd, st.SndMSS)
	}
	if st.SRTT != ms(30) {
		t.Fatalf("SRTT %v, want the 30ms handshake sample", st.SRTT)
	}
	if st.Cwnd != cc.InitialWindow(1400-12) {
		t.Fatalf("cwnd %d, want IW of RFC 6928", st.Cwnd)
	}
	if c.Deadline() != (time.Time{}) {
		t.Fatalf("timer armed after handshake: %v", c.Deadline())
	}
	// Every later window is scaled by the peer's shift.
	send(t, c, now, Segment{Seq: peerISS + 1, Ack: ourISS + 1, Flags: ACK, Window: 1000,
		Options: wire.TCPOptions{HasTimestamps: true, TSVal: 778, TSEcr: ts + 30}})
	if w := c.Info().SndWnd; w != 1000<<7 {
		t.Fatalf("peer window %d, want 1000<<7", w)
	}
}

// RFC 9293 §3.10.7.2: a SYN in LISTEN moves to SYN-RECEIVED and is
// answered with a SYN-ACK carrying only the options the SYN offered
// (RFC 7323 §2.2, §3.2; RFC 2018 §2).
func TestPassiveOpen_RFC9293_3_10_7_2(t *testing.T) {
	for _, tc := range []struct {
		name string
		peer wire.TCPOptions
		want wire.TCPOptions
	}{
		{"none", wire.TCPOptions{}, wire.TCPOptions{MSS: 1460}},
		{"mss+sack", wire.TCPOptions{MSS: 1200, SACKPermitted: true}, wire.TCPOptions{MSS: 1460, SACKPermitted: true}},
		{"ws", wire.TCPOptions{HasWindowScale: true, WindowScale: 2}, wire.TCPOptions{MSS: 1460, HasWindowScale: true, WindowScale: 7}},
		{"ts", wire.TCPOptions{HasTimestamps: true, TSVal: 42},
			wire.TCPOptions{MSS: 1460, HasTimestamps: true, TSVal: uint32(t0.UnixMilli()), TSEcr: 42}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := NewConn(Config{})
			c.Listen()
			c.SetISS(ourISS)
			expectState(t, c, Listen)
			send(t, c, t0, Segment{Seq: peerISS, Flags: SYN, Window: 5000, Options: tc.peer})
			expectState(t, c, SynReceived)
			sa := recv(t, c, t0)
			expect(t, sa, Segment{Seq: ourISS, Ack: peerISS + 1, Flags: SYN | ACK, Window: 65535, Options: tc.want})
			recvNothing(t, c, t0)
			opts := wire.TCPOptions{}
			if tc.peer.HasTimestamps {
				opts = wire.TCPOptions{HasTimestamps: true, TSVal: 43, TSEcr: sa.Options.TSVal}
			}
			send(t, c, t0.Add(ms(1)), Segment{Seq: peerISS + 1, Ack: ourISS + 1, Flags: ACK, Window: 5000, Options: opts})
			expectState(t, c, Established)
			wantWnd := 5000
			if tc.peer.HasWindowScale {
				wantWnd = 5000 << 2 // RFC 7323 §2.2: scale every non-SYN window
			}
			if c.Info().SndWnd != wantWnd {
				t.Fatalf("send window %d, want %d", c.Info().SndWnd, wantWnd)
			}
			wantMSS := int(tc.peer.MSS)
			if wantMSS == 0 {
				wantMSS = 536 // RFC 9293 §3.7.1
			}
			if c.Info().SndMSS != wantMSS {
				t.Fatalf("send MSS %d, want %d", c.Info().SndMSS, wantMSS)
			}
		})
	}
}

// RFC 9293 §3.10.7.2: in LISTEN a RST is ignored and an ACK draws
// <SEQ=SEG.ACK><CTL=RST>; anything else is dropped.
func TestListen_RFC9293_3_10_7_2(t *testing.T) {
	c := NewConn(Config{})
	c.Listen()
	send(t, c, t0, Segment{Seq: 5, Flags: RST})
	recvNothing(t, c, t0)
	send(t, c, t0, Segment{Seq: 5, Ack: 99, Flags: ACK})
	expect(t, recv(t, c, t0), Segment{Seq: 99, Flags: RST})
	send(t, c, t0, Segment{Seq: 5, Flags: FIN})
	recvNothing(t, c, t0)
	expectState(t, c, Listen)
}

// RFC 9293 §3.10.7.3: in SYN-SENT an ACK that does not acknowledge our SYN
// draws <SEQ=SEG.ACK><CTL=RST>, and a RST counts only if it acknowledges
// the SYN (also RFC 5961 §3.2); then the connection is refused.
func TestSynSentRST_RFC9293_3_10_7_3(t *testing.T) {
	c := NewConn(plainConfig())
	c.Connect(t0, ourISS)
	recv(t, c, t0)
	// Bad ACK: answered with a RST, state unchanged.
	send(t, c, t0, Segment{Seq: peerISS, Ack: ourISS + 7, Flags: SYN | ACK})
	expect(t, recv(t, c, t0), Segment{Seq: ourISS + 7, Flags: RST})
	expectState(t, c, SynSent)
	// RST without ACK, or with a bad ACK: ignored.
	send(t, c, t0, Segment{Seq: peerISS, Flags: RST})
	send(t, c, t0, Segment{Seq: peerISS, Ack: ourISS, Flags: RST | ACK})
	recvNothing(t, c, t0)
	expectState(t, c, SynSent)
	// Acceptable RST: refused.
	send(t, c, t0, Segment{Seq: 0, Ack: ourISS + 1, Flags: RST | ACK})
	expectState(t, c, Closed)
	if !errors.Is(c.Err(), syscall.ECONNREFUSED) {
		t.Fatalf("Err = %v, want ECONNREFUSED", c.Err())
	}
	if _, err := c.Write([]byte("x")); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("Write err %v", err)
	}
	if !c.Done() {
		t.Fatal("refused connection not Done")
	}
}

// RFC 9293 §3.5 Figure 6: simultaneous open, replayed line by line from A's
// side (ISS 100, peer ISS 300).
func TestSimultaneousOpen_RFC9293_Figure6(t *testing.T) {
	type step struct {
		line  int
		in    *Segment // segment from B, or nil
		out   *Segment // segment A must emit, or nil for none
		state State
	}
	steps := []step{
		// Line 2: A sends its SYN.
		{2, nil, &Segment{Seq: 100, Flags: SYN, Window: 65535, Options: wire.TCPOptions{MSS: 1460}}, SynSent},
		// Line 3: B's SYN arrives; line 5: A answers with SYN-ACK.
		{3, &Segment{Seq: 300, Flags: SYN, Window: 65535, Options: wire.TCPOptions{MSS: 1460}},
			&Segment{Seq: 100, Ack: 301, Flags: SYN | ACK, Window: 65535, Options: wire.TCPOptions{MSS: 1460}}, SynReceived},
		// Line 6: B's SYN-ACK arrives; A is established and silent.
		{6, &Segment{Seq: 300, Ack: 101, Flags: SYN | ACK, Window: 65535, Options: wire.TCPOptions{MSS: 1460}}, nil, Established},
	}
	c := NewConn(plainConfig())
	c.Connect(t0, 100)
	for _, s := range steps {
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
}

// Simultaneous open between two real Conns whose SYNs cross on the wire.
func TestSimultaneousOpenTwoConns(t *testing.T) {
	a, b := NewConn(Config{}), NewConn(Config{})
	a.Connect(t0, 100)
	b.Connect(t0, 300)
	n := newNetsim(t, a, b, impairment{delay: ms(5)}, 1)
	n.flush(0)
	n.flush(1)
	for i := 0; i < 20 && !(a.State() == Established && b.State() == Established); i++ {
		if !n.step() {
			break
		}
	}
	if a.State() != Established || b.State() != Established {
		n.dump()
	}
	expectState(t, a, Established)
	expectState(t, b, Established)
	a.Write([]byte("ping"))
	b.Write([]byte("pong"))
	n.flush(0)
	n.flush(1)
	for i := 0; i < 10; i++ {
		n.step()
	}
	if got := n.dst[1].String(); got != "ping" {
		n.dump()
		t.Fatalf("b read %q", got)
	}
	if got := n.dst[0].String(); got != "pong" {
		t.Fatalf("a read %q", got)
	}
}

// RFC 6298 §5.5 and Linux's tcp_syn_retries: the SYN is retransmitted with
// exponential backoff, 6 times, then Connect fails with ETIMEDOUT after
// 1+2+4+8+16+32+64 = 127 seconds.
func TestSynRetries_RFC6298_5_5(t *testing.T) {
	c := NewConn(plainConfig())
	c.Connect(t0, ourISS)
	recv(t, c, t0)
	now := t0
	for i := 0; i < 6; i++ {
		d := c.Deadline()
		if want := time.Second << i; d.Sub(now) != want {
			t.Fatalf("retry %d after %v, want %v", i+1, d.Sub(now), want)
		}
		now = d
		c.Tick(now)
		syn := recv(t, c, now)
		if syn.Flags != SYN || syn.Seq != ourISS {
			t.Fatalf("retransmission %v", syn)
		}
		recvNothing(t, c, now)
	}
	now = c.Deadline()
	if now.Sub(t0) != 127*time.Second {
		t.Fatalf("gave up at %v, want 127s", now.Sub(t0))
	}
	c.Tick(now)
	recvNothing(t, c, now)
	expectState(t, c, Closed)
	if !errors.Is(c.Err(), syscall.ETIMEDOUT) {
		t.Fatalf("Err %v, want ETIMEDOUT", c.Err())
	}
}

// A SYN-RECEIVED connection retransmits its SYN-ACK on timeout and on a
// duplicate SYN, and gives up after SynAckRetries.
func TestSynAckRetransmit(t *testing.T) {
	c := NewConn(plainConfig())
	c.Listen()
	c.SetISS(ourISS)
	send(t, c, t0, Segment{Seq: peerISS, Flags: SYN, Window: 1000})
	sa := recv(t, c, t0)
	// Duplicate SYN: resend the SYN-ACK at once.
	send(t, c, t0.Add(ms(100)), Segment{Seq: peerISS, Flags: SYN, Window: 1000})
	expect(t, recv(t, c, t0.Add(ms(100))), sa)
	for i := 0; i < 5; i++ {
		now := c.Deadline()
		c.Tick(now)
		expect(t, recv(t, c, now), sa)
	}
	c.Tick(c.Deadline())
	expectState(t, c, Closed)
	if !c.Done() {
		t.Fatal("not Done after giving up")
	}
}

// RFC 9293 §3.10.7.4 (fifth check, SYN-RECEIVED): an ACK that does not
// acknowledge our SYN draws <SEQ=SEG.ACK><CTL=RST>.
func TestSynReceivedBadAck_RFC9293_3_10_7_4(t *testing.T) {
	c := NewConn(plainConfig())
	c.Listen()
	c.SetISS(ourISS)
	send(t, c, t0, Segment{Seq: peerISS, Flags: SYN, Window: 1000})
	recv(t, c, t0)
	send(t, c, t0, Segment{Seq: peerISS + 1, Ack: ourISS + 5, Flags: ACK, Window: 1000})
	expect(t, recv(t, c, t0), Segment{Seq: ourISS + 5, Flags: RST})
	expectState(t, c, SynReceived)
	// And a RST at RCV.NXT ends a passive SYN-RECEIVED (back to LISTEN,
	// which for a per-SYN Conn means done).
	send(t, c, t0, Segment{Seq: peerISS + 1, Flags: RST})
	expectState(t, c, Closed)
}

// RFC 9293 §3.7.1: without an MSS option the peer's MSS is 536; with one,
// segments never exceed it.
func TestMSS_RFC9293_3_7_1(t *testing.T) {
	for _, tc := range []struct {
		opt  uint16
		want int
	}{{0, 536}, {1000, 1000}, {9000, 1460}} {
		c := connectEstablished(t, plainConfig(), wire.TCPOptions{MSS: tc.opt})
		c.Write(pattern(5000, 0))
		s := recv(t, c, t0)
		if len(s.Payload) != tc.want {
			t.Fatalf("peer MSS %d: segment of %d bytes, want %d", tc.opt, len(s.Payload), tc.want)
		}
	}
}
