package tcp

// Regression tests for loss-recovery, liveness and path MTU bugs found in
// review, each named for the rule it checks.

import (
	"testing"
	"time"

	"github.com/renet-go/renet/netstack/wire"
)

// RACK (RFC 8985 §6.2 step 5) must judge every segment sent before the
// most recently delivered one, whatever its sequence number. After the
// retransmission of segment 0 is delivered, segment 9 (sent a full RTT
// earlier, never SACKed) is lost; Linux marks it at once.
func TestRACKJudgesBySendTime_RFC8985_6_2(t *testing.T) {
	c := connectRTT(t, sackConfig(), sackPeer)
	c.Write(pattern(10000, 0))
	if n := len(drain(t, c, t0)); n != 10 {
		t.Fatalf("%d segments", n)
	}
	now := t0.Add(ms(50))
	send(t, c, now, sackAck(ourISS+1, [2]int{1000, 9000})) // 1..8 arrive, 0 and 9 lost
	segs := drain(t, c, now)
	if len(segs) != 1 || segs[0].Seq != ourISS+1 {
		t.Fatalf("fast retransmit: %v", segs)
	}
	now = now.Add(ms(50))
	send(t, c, now, ackSeg(ourISS+1+9000, 65535)) // the retransmission of 0 arrives
	segs = drain(t, c, now)
	if len(segs) == 0 || segs[0].Seq != ourISS+1+9000 {
		t.Fatalf("segment 9, sent 100ms ago before the delivered retransmission, not resent: %v; next deadline in %v (RTO)",
			segs, c.Deadline().Sub(now))
	}
}

// RFC 1191 with timestamps: a PPPoE hop (MTU 1492) makes the stack call
// LowerMSS(1452). Every 1448-byte segment in flight carried 12 bytes of
// timestamps (1500-byte packets) and was dropped by the router, but none
// is marked lost because 1448 <= 1452.
func TestLowerMSSCountsOptions_RFC1191(t *testing.T) {
	cfg := Config{DisableWindowScale: true, SendBufSize: 1 << 20, RecvBufSize: 65535}
	c := connectRTT(t, cfg, wire.TCPOptions{MSS: 1460, SACKPermitted: true, HasTimestamps: true, TSVal: 1})
	c.Write(pattern(14480, 0))
	segs := drain(t, c, t0)
	if len(segs) == 0 || len(segs[0].Payload) != 1448 {
		t.Fatalf("segments %v", segs)
	}
	c.LowerMSS(t0.Add(ms(10)), 1492-40)
	segs = drain(t, c, t0.Add(ms(10)))
	if len(segs) == 0 {
		t.Fatalf("LowerMSS(1452): nothing resent although every segment in flight was %d+12 bytes; lost bytes %d", 1448, c.loss.recs.lost)
	}
}

// NewReno (no SACK): the full ACK that ends fast recovery must not mark
// the first segment sent during recovery lost.
func TestRenoRecoveryExitKeepsNewData_RFC6582(t *testing.T) {
	cfg := plainConfig()
	cfg.SendBufSize = 1 << 20
	c := connectRTT(t, cfg, wire.TCPOptions{MSS: 1000})
	c.Write(pattern(30000, 0))
	if n := len(drain(t, c, t0)); n != 10 {
		t.Fatalf("%d segments", n)
	}
	now := t0.Add(ms(50))
	var newData []Segment
	for i := 0; i < 9; i++ { // segments 1..9 arrive: nine duplicate ACKs
		send(t, c, now, ackSeg(ourISS+1, 65535))
		for _, s := range drain(t, c, now) {
			if s.Seq.GreaterEq(ourISS + 1 + 10000) {
				newData = append(newData, s)
			}
		}
	}
	if len(newData) == 0 {
		t.Fatal("no new data sent during recovery")
	}
	before := c.Info().Retransmits
	point := c.loss.point // 12000: two limited-transmit segments went out before recovery
	now = now.Add(ms(50))
	send(t, c, now, ackSeg(point, 65535)) // full ACK: recovery ends
	for _, s := range drain(t, c, now) {
		if s.Seq == point {
			t.Fatalf("segment at %d (sent during recovery, in flight) resent on the ACK that ended recovery; retransmits %d -> %d",
				point.Sub(ourISS+1), before, c.Info().Retransmits)
		}
	}
}

// NewReno with a tail loss repaired by a TLP retransmission: the
// congestion response of RFC 8985 §7.4.2 halves the window, it does not
// collapse it to 2*SMSS because the flight was empty after the ACK.
func TestTLPResponseHalvesWindow_RFC8985_7_4(t *testing.T) {
	cfg := sackConfig()
	cfg.CongestionControl = "reno"
	c := connectRTT(t, cfg, sackPeer)
	c.Write(pattern(10000, 0))
	drain(t, c, t0)
	now := t0.Add(ms(50))
	send(t, c, now, ackSeg(ourISS+1+8000, 65535)) // the ACK of segment 8 is lost, segment 9 is lost
	cw := c.Info().Cwnd
	pto := c.Deadline()
	c.Tick(pto)
	segs := drain(t, c, pto)
	if len(segs) != 1 || segs[0].Seq != ourISS+1+9000 {
		t.Fatalf("probe %v", segs)
	}
	now = pto.Add(ms(50))
	send(t, c, now, ackSeg(ourISS+1+10000, 65535))
	st := c.Info()
	if st.Cwnd < cw/2 || st.Ssthresh <= 2000 {
		t.Fatalf("cwnd %d before the tail loss; after the TLP repaired it cwnd %d ssthresh %d", cw, st.Cwnd, st.Ssthresh)
	}
}

// RFC 8985 §7.2 / Linux tcp_schedule_loss_probe: a PTO later than the
// RTO is clamped to it and a probe goes instead of the timeout. With one
// segment in flight PTO = 2*SRTT + 200ms is always later than RTO = SRTT +
// max(4*RTTVAR, 200ms), so a lost last segment always costs a full RTO
// (cwnd to one segment) and never a probe.
func TestTLPSingleSegmentTail_RFC8985_7_2(t *testing.T) {
	c := connectRTT(t, sackConfig(), sackPeer)
	c.Write(pattern(10000, 0))
	drain(t, c, t0)
	now := t0.Add(ms(50))
	send(t, c, now, ackSeg(ourISS+1+9000, 65535)) // segment 9 lost
	d := c.Deadline()
	c.Tick(d)
	drain(t, c, d)
	if st := c.Info(); st.TLPProbes != 1 || st.Timeouts != 0 {
		t.Fatalf("tail of one segment: %d probes, %d timeouts, cwnd %d after %v", st.TLPProbes, st.Timeouts, st.Cwnd, d.Sub(now))
	}
}

// a TLP whose SACK starts fast recovery must not be answered a second
// time when recovery ends (Linux: tcp_init_cwnd_reduction clears
// tlp_high_seq on entering recovery).
func TestTLPThenRecoveryReducesOnce(t *testing.T) {
	c := connectRTT(t, sackConfig(), sackPeer)
	c.Write(pattern(10000, 0))
	drain(t, c, t0)
	now := t0.Add(ms(50))
	send(t, c, now, ackSeg(ourISS+1+5000, 65535)) // 5..9 lost
	pto := c.Deadline()
	c.Tick(pto)
	drain(t, c, pto) // probe: 9 again
	now = pto.Add(ms(50))
	send(t, c, now, sackAck(ourISS+1+5000, [2]int{9000, 10000}))
	drain(t, c, now)
	inRec := c.Info().Ssthresh
	now = now.Add(ms(50))
	send(t, c, now, ackSeg(ourISS+1+10000, 65535))
	if st := c.Info(); st.Ssthresh < inRec {
		t.Fatalf("ssthresh %d in recovery, %d after it ended: reduced twice for one loss", inRec, st.Ssthresh)
	}
}

// an RTO during fast recovery keeps the ssthresh recovery chose (Linux
// tcp_enter_loss only recomputes it from Open/Disorder).
func TestRTOInRecoveryReducesOnce(t *testing.T) {
	c, now := sendTen(t)
	send(t, c, now, sackAck(ourISS+1, [2]int{1000, 4000}))
	drain(t, c, now)
	inRec := c.Info().Ssthresh
	d := c.Deadline()
	for c.Info().Timeouts == 0 {
		c.Tick(d)
		drain(t, c, d)
		d = c.Deadline()
	}
	if st := c.Info(); st.Ssthresh < inRec {
		t.Fatalf("ssthresh %d in fast recovery, %d after an RTO in it", inRec, st.Ssthresh)
	}
}

// A SACK block may end at the last data byte before our FIN (our own
// receiver includes the FIN, as Linux does; others may not): the record
// carrying the FIN is SACKed either way.
func TestSACKCoversFINRecord(t *testing.T) {
	c := connectRTT(t, sackConfig(), sackPeer)
	c.Write(pattern(9000, 0))
	c.CloseWrite()
	segs := drain(t, c, t0)
	if last := segs[len(segs)-1]; last.Flags&FIN == 0 {
		t.Fatalf("last %v", last)
	}
	send(t, c, t0.Add(ms(50)), sackAck(ourISS+1, [2]int{1000, 9000}))
	if got := c.loss.recs.sacked; got < 8000 {
		t.Fatalf("SACK of [1000,9000) (all data after the hole) marks %d bytes SACKed", got)
	}
}

// A live peer behind a zero window whose answer to ONE probe is lost once
// the RTO has reached MaxRTO: the connection must survive (Linux waits
// 2*TCP_RTO_MAX of silence and also requires the head to have been
// retransmitted for that long).
func TestZeroWindowOneLostAnswerIsForgiven(t *testing.T) {
	c := windowClosedWithDataInFlight(t, plainConfig())
	probes := 0
	dropped := false
	var failedAt time.Time
	answer := func(now time.Time, s Segment) {
		probes++
		if c.rtt.rto >= c.cfg.MaxRTO && !dropped {
			dropped = true // one ACK lost in the network
			return
		}
		send(t, c, now, ackSeg(ourISS+1+1000, 0))
	}
	failedAt = runFor(t, c, t0, t0.Add(2*time.Hour), answer)
	if err := c.Err(); err != nil {
		t.Fatalf("live peer timed out after one lost ACK: %v at %v, probes %d", err, failedAt.Sub(t0), probes)
	}
}

// An orphaned connection (Close called) with data in flight behind a zero
// window the peer never opens: the persist path gives up after
// orphanProbes, the RTO path must too.
func TestOrphanBehindZeroWindowGivesUp(t *testing.T) {
	c := windowClosedWithDataInFlight(t, plainConfig())
	c.Close()
	drain(t, c, t0.Add(ms(10)))
	end := runFor(t, c, t0, t0.Add(24*time.Hour), func(now time.Time, s Segment) {
		send(t, c, now, ackSeg(ourISS+1+1000, 0))
	})
	if c.State() != Closed {
		t.Fatalf("orphan pinned by a zero window: %v after %v, %d probes", c.State(), end.Sub(t0), c.Info().Probes)
	}
}

// An ICMP "fragmentation needed" that arrives while black-hole detection
// has the MSS lowered is real path information; the trial restore must not
// throw it away.
func TestICMPEndsBlackholeTrial_RFC1191(t *testing.T) {
	c := connectRTT(t, sackConfig(), wire.TCPOptions{MSS: 1460, SACKPermitted: true})
	c.Write(pattern(50000, 0))
	drain(t, c, t0)
	now, sent := timeoutsUntil(t, c, t0, blackholeTimeouts)
	last := sent[len(sent)-1]
	if got := c.Info().PathMSS; got != 730 {
		t.Fatalf("path MSS %d", got)
	}
	c.LowerMSS(now, 600-40) // ICMP: next-hop MTU 600
	drain(t, c, now)
	now = now.Add(ms(50))
	send(t, c, now, ackSeg((ourISS+1).Add(len(last.Payload)), 65535))
	if got := c.Info().PathMSS; got > 560 {
		t.Fatalf("path MSS %d after ICMP reported MTU 600: the black-hole trial restored a size the router said does not fit", got)
	}
}

// RFC 3522 §3.2: only the ACK that first covers the first retransmission
// can tell whether the original or the retransmission filled the hole.
// ACKs that move SND.UNA below it acknowledge originals that were queued
// and echo older timestamps; taking them for the Eifel signal undid real
// congestion responses on every recovery behind a deep queue.
func TestEifelOnlyOnTheRetransmissionsACK_RFC3522(t *testing.T) {
	c := &Conn{tsOK: true, sndUna: 1000}
	c.loss.undo = undoState{on: true, marker: 1000, retrans: 1, stamp: 500, first: 5000}
	old := Segment{Options: wire.TCPOptions{HasTimestamps: true, TSEcr: 300}}
	old.Ack = 3000 // below the retransmission: queued originals
	if c.eifelSpurious(&old) {
		t.Fatal("an ACK of originals below the first retransmission was taken for Eifel's signal")
	}
	old.Ack = 6000 // covers it, and echoes a timestamp from before it
	if !c.eifelSpurious(&old) {
		t.Fatal("the ACK covering the first retransmission with an older echo is Eifel's signal")
	}
	if c.eifelSpurious(&old) {
		t.Fatal("the Eifel test is made once per episode")
	}
	c.loss.undo = undoState{on: true, marker: 1000, retrans: 1, stamp: 500, first: 5000}
	fresh := Segment{Ack: 6000, Options: wire.TCPOptions{HasTimestamps: true, TSEcr: 500}}
	if c.eifelSpurious(&fresh) {
		t.Fatal("an echo of the retransmission's own timestamp is no Eifel signal")
	}
}
