package tcp

import (
	"testing"
	"time"

	"github.com/renet-go/renet/netstack/wire"
)

// sackConfig negotiates SACK and nothing else, so scripted segments stay
// short.
func sackConfig() Config {
	return Config{DisableTimestamps: true, DisableWindowScale: true, SendBufSize: 1 << 20, RecvBufSize: 65535}
}

var sackPeer = wire.TCPOptions{MSS: 1000, SACKPermitted: true}

// sackAck is the peer's ACK of ack with SACK blocks given as offsets from
// the first data byte.
func sackAck(ack Seq, blocks ...[2]int) Segment {
	s := ackSeg(ack, 65535)
	u := ourISS + 1
	for _, b := range blocks {
		s.Options.SACK[s.Options.NumSACK] = wire.SACKBlock{Start: uint32(u.Add(b[0])), End: uint32(u.Add(b[1]))}
		s.Options.NumSACK++
	}
	return s
}

// connectRTT is connectEstablished with a handshake that takes 50ms, so
// the connection starts with an RTT estimate as a real one does.
func connectRTT(t *testing.T, cfg Config, peerOpts wire.TCPOptions) *Conn {
	t.Helper()
	c := NewConn(cfg)
	c.Connect(t0.Add(-ms(50)), ourISS)
	recv(t, c, t0.Add(-ms(50)))
	send(t, c, t0, Segment{Seq: peerISS, Ack: ourISS + 1, Flags: SYN | ACK, Window: 65535, Options: peerOpts})
	recv(t, c, t0)
	expectState(t, c, Established)
	if c.Info().SRTT != ms(50) {
		t.Fatalf("SRTT %v after a 50ms handshake", c.Info().SRTT)
	}
	return c
}

// sendTen writes ten 1000-byte segments and takes an RTT sample of 50ms
// from an ACK of a first round, so RACK has an RTT.
func sendTen(t *testing.T) (*Conn, time.Time) {
	t.Helper()
	c := connectRTT(t, sackConfig(), sackPeer)
	c.Write(pattern(20000, 0))
	if n := len(drain(t, c, t0)); n != 10 {
		t.Fatalf("%d segments in the initial window", n)
	}
	return c, t0.Add(ms(50))
}

// RFC 8985 §6.2 with RFC 6675: three SACKed segments above a hole mark it
// lost at once (no reordering seen yet, so the reordering window is zero);
// it is retransmitted before anything new, and fast recovery lowers
// ssthresh.
func TestRACKMarksHoleLost_RFC8985_6_2(t *testing.T) {
	c, now := sendTen(t)
	send(t, c, now, sackAck(ourISS+1, [2]int{1000, 2000}))
	send(t, c, now, sackAck(ourISS+1, [2]int{1000, 3000}))
	if st := c.Info(); st.FastRetransmits != 0 {
		t.Fatal("recovery started on two SACKed segments with no reordering window elapsed")
	}
	cwnd := c.Info().Cwnd
	send(t, c, now, sackAck(ourISS+1, [2]int{1000, 4000}))
	segs := drain(t, c, now)
	if len(segs) == 0 || segs[0].Seq != ourISS+1 || len(segs[0].Payload) != 1000 {
		t.Fatalf("after three SACKed segments sent %v, want the hole at %d first", segs, ourISS+1)
	}
	st := c.Info()
	if st.FastRetransmits != 1 || st.Ssthresh >= cwnd || st.Retransmits != 1 {
		t.Fatalf("recovery: %+v", st)
	}
}

// RFC 8985 §6.2 step 4-5: once reordering has been seen, a hole is given a
// reordering window (a quarter of the minimum RTT) before it is declared
// lost, and the reordering timer fires to declare it.
func TestRACKReorderingWindow_RFC8985_6_2(t *testing.T) {
	c, now := sendTen(t)
	// Segment 1 arrives before segment 0: reordering seen.
	send(t, c, now, sackAck(ourISS+1, [2]int{1000, 2000}))
	send(t, c, now, ackSeg(ourISS+1+2000, 65535))
	if c.Info().ReorderSeen == 0 {
		t.Fatal("reordering not seen")
	}
	// Now segment 2 goes missing while 3..5 arrive.
	now = now.Add(ms(1))
	send(t, c, now, sackAck(ourISS+1+2000, [2]int{3000, 6000}))
	for _, s := range drain(t, c, now) {
		if s.Seq == ourISS+1+2000 {
			t.Fatal("retransmitted at once despite reordering having been seen")
		}
	}
	d := c.Deadline()
	if d.IsZero() || d.Sub(now) > ms(50) {
		t.Fatalf("reordering timer at %v from now, want within a quarter RTT or so", d.Sub(now))
	}
	c.Tick(d)
	segs := drain(t, c, d)
	if len(segs) == 0 || segs[0].Seq != ourISS+1+2000 {
		t.Fatalf("after the reordering window sent %v, want segment 2 again", segs)
	}
}

// RFC 2883 §4 and the undo Linux does: a D-SACK for the only
// retransmission of a recovery shows it was needless; the congestion
// response is undone and the retransmission counted as spurious.
func TestDSACKUndoesSpuriousRecovery_RFC2883(t *testing.T) {
	c, now := sendTen(t)
	before := c.Info().Cwnd
	send(t, c, now, sackAck(ourISS+1, [2]int{1000, 4000}))
	drain(t, c, now)
	if c.Info().Cwnd >= before && c.Info().Ssthresh >= before {
		t.Fatal("no congestion response to the loss")
	}
	// The original segment 0 was only late: the peer got it twice.
	now = now.Add(ms(50))
	send(t, c, now, sackAck(ourISS+1+10000, [2]int{0, 1000}))
	st := c.Info()
	if st.DSACKsIn != 1 || st.SpuriousRetransmits != 1 || st.Undos != 1 {
		t.Fatalf("D-SACK not acted on: %+v", st)
	}
	if st.Cwnd < before {
		t.Fatalf("cwnd %d after undo, want at least %d", st.Cwnd, before)
	}
}

// RFC 2883 §4: a receiver reports a duplicate segment in a D-SACK block,
// the first block of its next ACK; below RCV.NXT (an old duplicate) and
// inside an out-of-order range alike.
func TestDSACKGenerated_RFC2883_4(t *testing.T) {
	c := connectRTT(t, sackConfig(), sackPeer)
	p := peerISS + 1
	send(t, c, t0, Segment{Seq: p, Ack: ourISS + 1, Flags: ACK, Window: 65535, Payload: pattern(1000, 1)})
	send(t, c, t0, Segment{Seq: p, Ack: ourISS + 1, Flags: ACK, Window: 65535, Payload: pattern(1000, 1)})
	s := recv(t, c, t0)
	if s.Options.NumSACK != 1 || Seq(s.Options.SACK[0].Start) != p || Seq(s.Options.SACK[0].End) != p.Add(1000) {
		t.Fatalf("old duplicate answered by %v, want a D-SACK for [%d,%d)", s, p, p.Add(1000))
	}
	// Out of order twice: the second copy is a D-SACK inside the SACK range.
	seg := Segment{Seq: p.Add(2000), Ack: ourISS + 1, Flags: ACK, Window: 65535, Payload: pattern(1000, 2)}
	send(t, c, t0, seg)
	recv(t, c, t0)
	send(t, c, t0, seg)
	s = recv(t, c, t0)
	if s.Options.NumSACK != 2 || Seq(s.Options.SACK[0].Start) != p.Add(2000) || Seq(s.Options.SACK[1].Start) != p.Add(2000) {
		t.Fatalf("out-of-order duplicate answered by %v, want a D-SACK then the SACK block", s)
	}
	// The D-SACK is reported once.
	send(t, c, t0, Segment{Seq: p.Add(1000), Ack: ourISS + 1, Flags: ACK, Window: 65535, Payload: pattern(1000, 3)})
	if s = recv(t, c, t0); s.Options.NumSACK != 0 {
		t.Fatalf("after the hole filled: %v, want no SACK blocks", s)
	}
}

// RFC 8985 §7: with the tail of a flight lost, a probe goes out after about
// two RTTs, long before the retransmission timeout, and the SACK it draws
// lets RACK repair the loss.
func TestTailLossProbe_RFC8985_7(t *testing.T) {
	c := connectRTT(t, sackConfig(), sackPeer)
	c.Write(pattern(10000, 0))
	drain(t, c, t0)
	now := t0.Add(ms(50))
	send(t, c, now, ackSeg(ourISS+1+5000, 65535)) // RTT sample 50ms; segments 5..9 lost
	pto := c.Deadline()
	if pto.Sub(now) > ms(250) || pto.Sub(now) < ms(50) {
		t.Fatalf("probe timeout %v after the ACK, want about 2*SRTT", pto.Sub(now))
	}
	c.Tick(pto)
	segs := drain(t, c, pto)
	if len(segs) != 1 || segs[0].Seq != ourISS+1+9000 {
		t.Fatalf("probe: %v, want the last segment again", segs)
	}
	if c.Info().TLPProbes != 1 {
		t.Fatal("probe not counted")
	}
	now = pto.Add(ms(50))
	send(t, c, now, sackAck(ourISS+1+5000, [2]int{9000, 10000}))
	segs = drain(t, c, now)
	if len(segs) == 0 || segs[0].Seq != ourISS+1+5000 {
		t.Fatalf("after the probe's SACK: %v, want the first lost segment", segs)
	}
	if c.Info().Timeouts != 0 {
		t.Fatal("a timeout was needed")
	}
}

// RFC 6675 §5.1 and the rule: after a retransmission timeout the
// sender resends what the peer has not SACKed, in order, and skips what it
// has, instead of going back N.
func TestRTOSkipsSACKed_RFC6675_5_1(t *testing.T) {
	c, now := sendTen(t)
	send(t, c, now, sackAck(ourISS+1, [2]int{2000, 3000}, [2]int{5000, 10000}))
	drain(t, c, now)
	var sent []Seq
	for i := 0; i < 8 && c.Info().Timeouts == 0; i++ {
		now = c.Deadline()
		c.Tick(now)
		drain(t, c, now)
	}
	// Now acknowledge one segment at a time and collect what is resent.
	for ack := ourISS + 1; ack.LessThan(ourISS + 1 + 5000); {
		segs := drain(t, c, now)
		for _, s := range segs {
			sent = append(sent, s.Seq)
		}
		if len(segs) == 0 {
			now = c.Deadline()
			c.Tick(now)
			continue
		}
		ack = segs[len(segs)-1].Seq.Add(len(segs[len(segs)-1].Payload))
		now = now.Add(ms(50))
		send(t, c, now, sackAck(ack, [2]int{5000, 10000}))
	}
	for _, s := range sent {
		if off := s.Sub(ourISS + 1); off == 2000 || (off >= 5000 && off < 10000) {
			t.Fatalf("resent SACKed data at offset %d (all resent: %v)", off, sent)
		}
	}
}

// On a path with no queue (SRTT at the minimum RTT) a loss is taken for
// random and CUBIC keeps 0.85 of its window; Config.EveryLossIsCongestion
// restores RFC 9438's 0.7.
func TestRandomLossResponseConfigurable(t *testing.T) {
	for _, tc := range []struct {
		every bool
		beta  float64
	}{{false, 0.85}, {true, 0.7}} {
		cfg := sackConfig()
		cfg.EveryLossIsCongestion = tc.every
		c := connectRTT(t, cfg, sackPeer)
		c.Write(pattern(20000, 0))
		drain(t, c, t0)
		now := t0.Add(ms(50))
		send(t, c, now, sackAck(ourISS+1, [2]int{1000, 3000}))
		cwnd := c.Info().Cwnd
		send(t, c, now, sackAck(ourISS+1, [2]int{1000, 4000}))
		if got, want := c.Info().Ssthresh, int(float64(cwnd)*tc.beta); got < want-1 || got > want+1 {
			t.Errorf("EveryLossIsCongestion %v: ssthresh %d after a loss at cwnd %d, want %d", tc.every, got, cwnd, want)
		}
	}
}

// Info.CAState follows Linux's tcpi_ca_state through a scripted loss:
// Open; Disorder once segments are SACKed above a hole; Recovery when
// RACK declares the hole lost; Open when the recovery point is
// acknowledged; Loss after a retransmission timeout, until everything
// outstanding when it fired is acknowledged.
func TestCAState(t *testing.T) {
	c, now := sendTen(t)
	want := func(s CAState) {
		t.Helper()
		if got := c.Info().CAState; got != s {
			t.Fatalf("CA state %v, want %v", got, s)
		}
	}
	want(CAOpen)
	send(t, c, now, sackAck(ourISS+1, [2]int{1000, 2000}))
	want(CADisorder)
	send(t, c, now, sackAck(ourISS+1, [2]int{1000, 4000}))
	want(CARecovery)
	drain(t, c, now)
	now = now.Add(ms(50))
	send(t, c, now, ackSeg(ourISS+1+10000, 65535))
	want(CAOpen)
	drain(t, c, now)
	d := c.Deadline()
	for c.Info().Timeouts == 0 {
		c.Tick(d)
		drain(t, c, d)
		d = c.Deadline()
	}
	want(CALoss)
	send(t, c, d, ackSeg(c.sndMax, 65535))
	want(CAOpen)
	for s, name := range map[CAState]string{CAOpen: "open", CADisorder: "disorder", CACWR: "cwr", CARecovery: "recovery", CALoss: "loss"} {
		if s.String() != name {
			t.Errorf("%d.String() = %q, want %q", s, s.String(), name)
		}
	}
}
