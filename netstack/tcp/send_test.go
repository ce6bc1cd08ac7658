package tcp

import (
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/renet-go/renet/netstack/wire"
)

func ackSeg(ack Seq, wnd uint16) Segment {
	return Segment{Seq: peerISS + 1, Ack: ack, Flags: ACK, Window: wnd}
}

// drain returns every segment c emits at now.
func drain(t *testing.T, c *Conn, now time.Time) []Segment {
	t.Helper()
	var out []Segment
	var s Segment
	buf := make([]byte, 65536)
	for c.Output(now, &s, buf) {
		s.Payload = append([]byte(nil), s.Payload...)
		out = append(out, s)
	}
	return out
}

// RFC 6298: the first sample sets SRTT = R, RTTVAR = R/2 (§2.2); later
// ones use the 1/8 and 1/4 gains (§2.3); RTO = SRTT + max(G, 4*RTTVAR),
// clamped to [MinRTO, MaxRTO] (§2.4-§2.5); expiry doubles it (§5.5).
func TestRTOEstimator_RFC6298_2(t *testing.T) {
	cfg := DefaultConfig()
	var e rttEstimator
	e.init(&cfg)
	if e.rto != time.Second {
		t.Fatalf("initial RTO %v", e.rto)
	}
	e.sample(ms(100))
	if e.srtt != ms(100) || e.rttvar != ms(50) || e.rto != ms(300) {
		t.Fatalf("after one sample: srtt %v rttvar %v rto %v", e.srtt, e.rttvar, e.rto)
	}
	e.sample(ms(180))
	// RTTVAR = 3/4*50 + 1/4*80 = 57.5; SRTT = 7/8*100 + 1/8*180 = 110.
	if e.srtt != ms(110) || e.rttvar != 57500*time.Microsecond || e.rto != ms(110)+4*57500*time.Microsecond {
		t.Fatalf("after two samples: srtt %v rttvar %v rto %v", e.srtt, e.rttvar, e.rto)
	}
	for i := 0; i < 50; i++ {
		e.sample(ms(1))
	}
	if e.rto != e.srtt+cfg.MinRTO {
		t.Fatalf("RTO %v, want SRTT %v plus the %v floor", e.rto, e.srtt, cfg.MinRTO)
	}
	for i := 0; i < 20; i++ {
		e.backoff()
	}
	if e.rto != cfg.MaxRTO {
		t.Fatalf("backed-off RTO %v, want the %v cap", e.rto, cfg.MaxRTO)
	}
}

// RFC 6298 §5: the timer is armed when data is sent, retransmits the
// first unacknowledged segment on expiry with a doubled timeout, and after
// MaxRetries expiries the connection fails with ETIMEDOUT. Karn's rule
// (§3): the retransmitted segment's ACK gives no RTT sample.
func TestRetransmissionTimeout_RFC6298_5(t *testing.T) {
	c := connectEstablished(t, Config{DisableSACK: true, DisableTimestamps: true, DisableWindowScale: true, MaxRetries: 3,
		CongestionControl: "reno"},
		wire.TCPOptions{MSS: 1460})
	c.Write(pattern(3000, 0))
	segs := drain(t, c, t0)
	if len(segs) != 3 {
		t.Fatalf("%d segments", len(segs))
	}
	rto := c.Info().RTO
	if d := c.Deadline(); d.Sub(t0) != rto {
		t.Fatalf("RTO timer at %v, want %v", d.Sub(t0), rto)
	}
	now := c.Deadline()
	c.Tick(now)
	re := drain(t, c, now)
	if len(re) != 1 || re[0].Seq != ourISS+1 || len(re[0].Payload) != 1460 {
		t.Fatalf("after RTO sent %v, want one segment at SND.UNA (loss window of 1 SMSS)", re)
	}
	if c.Info().Cwnd != 1460 || c.Info().Ssthresh != 2*1460 { // reno: max(FlightSize/2, 2*SMSS)
		t.Fatalf("cwnd %d ssthresh %d after RTO (RFC 5681 §3.1)", c.Info().Cwnd, c.Info().Ssthresh)
	}
	if d := c.Deadline(); d.Sub(now) != 2*rto {
		t.Fatalf("backed-off RTO %v, want %v", d.Sub(now), 2*rto)
	}
	// The ACK of the retransmission is ambiguous: no sample.
	srtt := c.Info().SRTT
	send(t, c, now.Add(ms(5)), ackSeg(ourISS+1+1460, 65535))
	if c.Info().SRTT != srtt {
		t.Fatal("RTT sampled from a retransmitted segment (Karn)")
	}
	// The remaining data goes again (go-back-N) and then times out for good.
	now = now.Add(ms(5))
	drain(t, c, now)
	for i := 0; i < 3; i++ {
		now = c.Deadline()
		c.Tick(now)
		if len(drain(t, c, now)) == 0 {
			t.Fatalf("no retransmission %d", i)
		}
	}
	c.Tick(c.Deadline())
	expectState(t, c, Closed)
	if !errors.Is(c.Err(), syscall.ETIMEDOUT) {
		t.Fatalf("Err %v, want ETIMEDOUT", c.Err())
	}
}

// A soft error (an ICMP message) recorded during the connection is
// reported instead of ETIMEDOUT, as Linux does; in SYN-SENT it is fatal.
func TestSoftError_RFC1122_4_2_3_9(t *testing.T) {
	c := NewConn(plainConfig())
	c.Connect(t0, ourISS)
	recv(t, c, t0)
	c.SoftError(syscall.ECONNREFUSED)
	expectState(t, c, Closed)
	if !errors.Is(c.Err(), syscall.ECONNREFUSED) {
		t.Fatalf("Err %v", c.Err())
	}
	c = connectEstablished(t, Config{DisableSACK: true, DisableTimestamps: true, DisableWindowScale: true, MaxRetries: 1},
		wire.TCPOptions{MSS: 1460})
	c.SoftError(syscall.EHOSTUNREACH)
	expectState(t, c, Established)
	c.Write([]byte("x"))
	drain(t, c, t0)
	c.Tick(c.Deadline())
	drain(t, c, t0)
	c.Tick(c.Deadline())
	if !errors.Is(c.Err(), syscall.EHOSTUNREACH) {
		t.Fatalf("Err %v, want the soft error", c.Err())
	}
}

// RFC 6928: the initial window is min(10*SMSS, max(2*SMSS, 14600)); RFC
// 5681 §3.1 and RFC 3465: slow start grows cwnd by the bytes acknowledged.
func TestInitialWindowAndSlowStart_RFC6928_RFC5681_3_1(t *testing.T) {
	c := connectEstablished(t, Config{DisableSACK: true, DisableTimestamps: true, DisableWindowScale: true, SendBufSize: 1 << 20},
		wire.TCPOptions{MSS: 1000})
	c.Write(pattern(100000, 0))
	segs := drain(t, c, t0)
	if len(segs) != 10 {
		t.Fatalf("initial flight of %d segments, want 10", len(segs))
	}
	send(t, c, t0.Add(ms(10)), ackSeg(ourISS+1+2000, 65535))
	if cw := c.Info().Cwnd; cw != 12000 {
		t.Fatalf("cwnd %d after an ACK of 2000 bytes, want 12000", cw)
	}
	if n := len(drain(t, c, t0.Add(ms(10)))); n != 4 {
		t.Fatalf("sent %d segments after the ACK, want 4 (2 acked + 2 growth)", n)
	}
	// A stretch ACK of 8 segments grows cwnd by 8 segments (byte counting).
	send(t, c, t0.Add(ms(20)), ackSeg(ourISS+1+10000, 65535))
	if cw := c.Info().Cwnd; cw != 20000 {
		t.Fatalf("cwnd %d after a stretch ACK, want 20000", cw)
	}
	// An application that sends little does not grow cwnd (RFC 7661).
	c2 := connectEstablished(t, plainConfig(), wire.TCPOptions{MSS: 1000})
	for i := 0; i < 20; i++ {
		c2.Write([]byte("x"))
		drain(t, c2, t0)
		send(t, c2, t0, ackSeg((ourISS+2).Add(i), 65535))
	}
	if cw := c2.Info().Cwnd; cw != 10000 {
		t.Fatalf("cwnd %d grew while application-limited", cw)
	}
}

// RFC 5681 §3.2 and RFC 6582 §3.2 for a peer without SACK, paced by PRR
// (RFC 6937): the first two duplicate ACKs each release one new segment
// (RFC 3042 limited transmit, which falls out of counting each duplicate
// as a segment that left the network); the third triggers a fast
// retransmit with ssthresh = FlightSize/2; during recovery new data goes
// out at about ssthresh/FlightSize of the rate ACKs report delivery; a
// partial ACK retransmits the next hole at once; the full ACK ends
// recovery with cwnd = ssthresh.
func TestFastRecoveryNewRenoPRR_RFC6937(t *testing.T) {
	c := connectEstablished(t, Config{DisableSACK: true, DisableTimestamps: true, DisableWindowScale: true,
		SendBufSize: 1 << 20, CongestionControl: "reno"}, wire.TCPOptions{MSS: 1000})
	c.Write(pattern(100000, 0))
	u := ourISS + 1
	if n := len(drain(t, c, t0)); n != 10 {
		t.Fatalf("%d segments", n)
	}
	// Segments 0 and 3 are lost. Duplicate ACKs for segments 1, 2...
	now := t0.Add(ms(50))
	send(t, c, now, ackSeg(u, 65535))
	s := drain(t, c, now)
	if len(s) != 1 || s[0].Seq != u.Add(10000) {
		t.Fatalf("limited transmit after dup ACK 1: %v", s)
	}
	send(t, c, now, ackSeg(u, 65535))
	s = drain(t, c, now)
	if len(s) != 1 || s[0].Seq != u.Add(11000) {
		t.Fatalf("limited transmit after dup ACK 2: %v", s)
	}
	send(t, c, now, ackSeg(u, 65535))
	s = drain(t, c, now)
	if len(s) != 1 || s[0].Seq != u || len(s[0].Payload) != 1000 {
		t.Fatalf("fast retransmit: %v", s)
	}
	st := c.Info()
	if st.Ssthresh != 6000 || st.FastRetransmits != 1 {
		t.Fatalf("entering recovery: ssthresh %d, fast retransmits %d (FlightSize 12000)", st.Ssthresh, st.FastRetransmits)
	}
	// Eight more duplicates report 8000 bytes delivered: PRR sends about
	// half as much new data (RFC 6937 §3.1, ssthresh/RecoverFS = 1/2).
	newData := 0
	for i := 0; i < 8; i++ {
		send(t, c, now, ackSeg(u, 65535))
		for _, s := range drain(t, c, now) {
			if s.Seq.GreaterEq(u.Add(12000)) {
				newData += len(s.Payload)
			} else {
				t.Fatalf("unexpected retransmission during recovery: %v", s)
			}
		}
	}
	if newData < 3000 || newData > 5000 {
		t.Fatalf("%d bytes of new data for 8000 delivered, want about 4000 (PRR)", newData)
	}
	// Partial ACK up to the second hole: retransmit it at once (RFC 6582).
	now = now.Add(ms(50))
	send(t, c, now, ackSeg(u.Add(3000), 65535))
	s = drain(t, c, now)
	if len(s) == 0 || s[0].Seq != u.Add(3000) {
		t.Fatalf("partial ACK: %v, want a retransmission at 3000", s)
	}
	// Full ACK (everything up to the recovery point 12000): recovery ends
	// with cwnd = ssthresh.
	send(t, c, now.Add(ms(50)), ackSeg(u.Add(12000), 65535))
	if st := c.Info(); c.loss.phase != phaseOpen || st.Cwnd != st.Ssthresh {
		t.Fatalf("after the full ACK: phase %d cwnd %d ssthresh %d", c.loss.phase, st.Cwnd, st.Ssthresh)
	}
}

// RFC 6582 §3.2 step 2: after a timeout, duplicate ACKs for data sent
// before it do not start another fast retransmit.
func TestNoFastRetransmitAfterRTO_RFC6582_3_2(t *testing.T) {
	c := connectEstablished(t, Config{DisableSACK: true, DisableTimestamps: true, DisableWindowScale: true},
		wire.TCPOptions{MSS: 1000})
	c.Write(pattern(10000, 0))
	drain(t, c, t0)
	now := c.Deadline()
	c.Tick(now)
	drain(t, c, now)
	for i := 0; i < 5; i++ {
		send(t, c, now, ackSeg(ourISS+1, 65535))
	}
	if c.Info().FastRetransmits != 0 {
		t.Fatal("fast retransmit of data sent before the timeout")
	}
}

// RFC 9293 §3.7.4 Nagle's algorithm (when enabled): a small segment waits
// while data is unacknowledged. Off by default.
func TestNagle_RFC9293_3_7_4(t *testing.T) {
	for _, nagle := range []bool{false, true} {
		cfg := plainConfig()
		cfg.Nagle = nagle
		c := connectEstablished(t, cfg, wire.TCPOptions{MSS: 1460})
		c.Write([]byte("a"))
		recv(t, c, t0)
		c.Write([]byte("b"))
		if nagle {
			recvNothing(t, c, t0)
			send(t, c, t0, ackSeg(ourISS+2, 65535))
			if s := recv(t, c, t0); string(s.Payload) != "b" {
				t.Fatalf("after the ACK: %v", s)
			}
		} else if s := recv(t, c, t0); string(s.Payload) != "b" {
			t.Fatalf("no-delay: %v", s)
		}
	}
}

// RFC 9293 §3.8.6.2.1 sender SWS avoidance: when the window allows only
// part of the queued data and data is in flight, a segment smaller than
// both an MSS and half the largest window seen is held back.
func TestSenderSWS_RFC9293_3_8_6_2_1(t *testing.T) {
	c := connectEstablished(t, plainConfig(), wire.TCPOptions{MSS: 1000})
	send(t, c, t0, ackSeg(ourISS+1, 4000)) // max window seen: 65535, now 4000
	c.Write(pattern(10000, 0))
	if n := len(drain(t, c, t0)); n != 4 {
		t.Fatalf("%d segments, want 4 filling the window", n)
	}
	// 300 bytes of window open: too small while data is in flight.
	send(t, c, t0, ackSeg(ourISS+1+300, 4000))
	recvNothing(t, c, t0)
	// Everything acknowledged, window still small: with nothing in flight
	// the small segment goes (the override).
	send(t, c, t0, ackSeg(ourISS+1+4000, 300))
	if s := recv(t, c, t0); len(s.Payload) != 300 {
		t.Fatalf("segment of %d bytes, want 300", len(s.Payload))
	}
}

// RFC 9293 §3.8.6.1: a zero window is probed by the persist timer with
// exponential backoff; the connection survives any number of probes, and
// data flows once the window opens.
func TestZeroWindowProbe_RFC9293_3_8_6_1(t *testing.T) {
	c := connectEstablished(t, plainConfig(), wire.TCPOptions{MSS: 1000})
	send(t, c, t0, ackSeg(ourISS+1, 0))
	c.Write([]byte("waiting"))
	recvNothing(t, c, t0)
	now := t0
	prev := time.Duration(0)
	for i := 0; i < 12; i++ {
		d := c.Deadline()
		if d.IsZero() {
			t.Fatal("persist timer not armed")
		}
		if iv := d.Sub(now); iv < prev || iv > c.cfg.MaxRTO {
			t.Fatalf("probe %d after %v (previous %v)", i, iv, prev)
		} else {
			prev = iv
		}
		now = d
		c.Tick(now)
		p := recv(t, c, now)
		if p.Seq != ourISS || len(p.Payload) != 0 || p.Flags != ACK {
			t.Fatalf("probe %v, want a bare ACK at SND.UNA-1", p)
		}
		recvNothing(t, c, now)
		send(t, c, now, ackSeg(ourISS+1, 0))
	}
	if prev != c.cfg.MaxRTO {
		t.Fatalf("probe interval %v, want backed off to %v", prev, c.cfg.MaxRTO)
	}
	expectState(t, c, Established)
	send(t, c, now, ackSeg(ourISS+1, 1000))
	if s := recv(t, c, now); string(s.Payload) != "waiting" {
		t.Fatalf("after the window opened: %v", s)
	}
}

// RFC 9293 §3.8.4 / RFC 1122 §4.2.3.6: keepalive probes (SND.UNA-1, no
// data) after the idle time, repeated every interval; unanswered count
// times, the connection is reset with ETIMEDOUT.
func TestKeepAlive_RFC9293_3_8_4(t *testing.T) {
	c := connectEstablished(t, plainConfig(), wire.TCPOptions{MSS: 1000})
	c.SetKeepAlive(true, 15*time.Second, 5*time.Second, 3)
	if d := c.Deadline(); d.Sub(t0) != 15*time.Second {
		t.Fatalf("keepalive at %v, want 15s", d.Sub(t0))
	}
	// A probe that is answered keeps the connection.
	now := c.Deadline()
	c.Tick(now)
	if p := recv(t, c, now); p.Seq != ourISS || p.Flags != ACK {
		t.Fatalf("probe %v", p)
	}
	send(t, c, now, ackSeg(ourISS+1, 1000))
	if d := c.Deadline(); d.Sub(now) != 15*time.Second {
		t.Fatalf("after the answer, next probe in %v", d.Sub(now))
	}
	// Three unanswered probes, 5s apart, then a RST and ETIMEDOUT.
	for i := 0; i < 3; i++ {
		now = c.Deadline()
		c.Tick(now)
		recv(t, c, now)
	}
	now = c.Deadline()
	c.Tick(now)
	expect(t, recv(t, c, now), Segment{Seq: ourISS + 1, Ack: peerISS + 1, Flags: RST | ACK})
	expectState(t, c, Closed)
	if !errors.Is(c.Err(), syscall.ETIMEDOUT) {
		t.Fatalf("Err %v", c.Err())
	}
}

// Write and Read report "would block" as (0, nil), and Writable/Readable
// agree with them.
func TestNonBlockingUserCalls(t *testing.T) {
	c := connectEstablished(t, Config{DisableSACK: true, DisableTimestamps: true, DisableWindowScale: true, SendBufSize: 4096},
		wire.TCPOptions{MSS: 1000})
	if n, err := c.Read(make([]byte, 10)); n != 0 || err != nil || c.Readable() {
		t.Fatalf("empty Read = %d, %v", n, err)
	}
	if n, _ := c.Write(pattern(5000, 0)); n != 4096 {
		t.Fatalf("Write took %d, want the 4096 that fit", n)
	}
	if n, err := c.Write([]byte("x")); n != 0 || err != nil || c.Writable() {
		t.Fatalf("full Write = %d, %v, writable %v", n, err, c.Writable())
	}
	drain(t, c, t0)
	send(t, c, t0, ackSeg(ourISS+1+1000, 65535))
	if !c.Writable() {
		t.Fatal("not writable after an ACK freed space")
	}
	c.SetSendBufSize(1 << 20)
	if n, _ := c.Write(pattern(5000, 0)); n != 5000 {
		t.Fatalf("after growing the buffer Write took %d", n)
	}
}

// RFC 9293 §3.8.6.2.1 with a peer whose largest window is not much more
// than an MSS: a window smaller than an MSS but at least half the largest
// one is filled, and segments are cut at half that window (Linux's
// tcp_bound_to_half_wnd), so a 1200-byte window carries two 600-byte
// segments rather than 1000 bytes and a held-back remainder.
func TestSenderSWSSmallPeerWindow_RFC9293_3_8_6_2_1(t *testing.T) {
	c := NewConn(plainConfig())
	c.Connect(t0, ourISS)
	recv(t, c, t0)
	send(t, c, t0, Segment{Seq: peerISS, Ack: ourISS + 1, Flags: SYN | ACK, Window: 1200, Options: wire.TCPOptions{MSS: 1000}})
	recv(t, c, t0)
	c.Write(pattern(5000, 0))
	segs := drain(t, c, t0)
	if len(segs) != 2 || len(segs[0].Payload) != 600 || len(segs[1].Payload) != 600 {
		t.Fatalf("window 1200: %v, want two segments of 600 bytes", segs)
	}
	// 600 bytes of usable window: less than an MSS but half the largest
	// window, with data in flight: filled at once.
	send(t, c, t0.Add(ms(10)), ackSeg(ourISS+1+600, 1200))
	segs = drain(t, c, t0.Add(ms(10)))
	if len(segs) != 1 || len(segs[0].Payload) != 600 {
		t.Fatalf("after 600 bytes acknowledged: %v, want 600 bytes", segs)
	}
	// 100 bytes of window with data in flight: held back.
	send(t, c, t0.Add(ms(20)), ackSeg(ourISS+1+700, 1200))
	recvNothing(t, c, t0.Add(ms(20)))
}
