package tcp

import (
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/renet-go/renet/netstack/wire"
)

// Liveness: a peer that keeps answering is never timed out; one that
// stops answering always is. Each test plays one side of that rule.

// runFor ticks c through its timers until until, handing every segment c
// sends to answer (nil: the peer is silent). It returns when c fails.
func runFor(t *testing.T, c *Conn, now, until time.Time, answer func(now time.Time, s Segment)) time.Time {
	t.Helper()
	for c.Err() == nil {
		d := c.Deadline()
		if d.IsZero() || d.After(until) {
			return until
		}
		now = d
		c.Tick(now)
		for _, s := range drain(t, c, now) {
			if answer != nil {
				answer(now, s)
			}
		}
	}
	return now
}

// windowClosedWithDataInFlight leaves c with 2000 bytes in flight that the
// peer has not acknowledged, after an ACK that closed its window.
func windowClosedWithDataInFlight(t *testing.T, cfg Config) *Conn {
	c := connectEstablished(t, cfg, wire.TCPOptions{MSS: 1000})
	c.Write(pattern(3000, 0))
	drain(t, c, t0)
	send(t, c, t0.Add(ms(10)), ackSeg(ourISS+1+1000, 0))
	return c
}

// The peer shrank its window to zero with data in flight and answers
// every probe: the connection stays up however long that lasts (Linux's
// tcp_retransmit_timer treats the retransmissions as window probes).
func TestZeroWindowInFlightLivePeerNeverTimesOut(t *testing.T) {
	c := windowClosedWithDataInFlight(t, plainConfig())
	answer := func(now time.Time, s Segment) { send(t, c, now, ackSeg(ourISS+1+1000, 0)) }
	now := runFor(t, c, t0, t0.Add(2*time.Hour), answer)
	if err := c.Err(); err != nil || c.State() != Established {
		t.Fatalf("after two hours of answered probes: %v, %v", c.State(), err)
	}
	// The window opens: the rest goes through, one window after another.
	una := ourISS + 1 + 1000
	for i := 0; i < 10 && una != ourISS+1+3000; i++ {
		send(t, c, now, ackSeg(una, 65535))
		for _, s := range drain(t, c, now) {
			una = seqMax(una, s.Seq.Add(len(s.Payload)))
		}
		now = now.Add(ms(10))
	}
	if una != ourISS+1+3000 {
		t.Fatalf("after the window opened only %d bytes were delivered", una.Sub(ourISS+1))
	}
}

// The same, but the peer is gone: the connection fails with ETIMEDOUT.
func TestZeroWindowInFlightDeadPeerTimesOut(t *testing.T) {
	c := windowClosedWithDataInFlight(t, plainConfig())
	end := runFor(t, c, t0, t0.Add(24*time.Hour), nil)
	if !errors.Is(c.Err(), syscall.ETIMEDOUT) {
		t.Fatalf("silent peer behind a zero window: %v after %v", c.Err(), end.Sub(t0))
	}
}

// All data acknowledged, the window zero, more data waiting: the persist
// timer probes; answered, it goes on for ever; unanswered MaxRetries
// times, the connection fails (today's Linux gives up after tcp_retries2).
func TestPersistTimerGivesUpOnSilentPeer(t *testing.T) {
	cfg := plainConfig()
	cfg.MaxRetries = 5
	live := connectEstablished(t, cfg, wire.TCPOptions{MSS: 1000})
	send(t, live, t0, ackSeg(ourISS+1, 0))
	live.Write([]byte("waiting"))
	drain(t, live, t0)
	runFor(t, live, t0, t0.Add(24*time.Hour), func(now time.Time, s Segment) {
		send(t, live, now, ackSeg(ourISS+1, 0))
	})
	if live.Err() != nil || live.Info().Probes < 100 {
		t.Fatalf("live peer: %v after %d probes", live.Err(), live.Info().Probes)
	}

	dead := connectEstablished(t, cfg, wire.TCPOptions{MSS: 1000})
	send(t, dead, t0, ackSeg(ourISS+1, 0))
	dead.Write([]byte("waiting"))
	drain(t, dead, t0)
	runFor(t, dead, t0, t0.Add(24*time.Hour), nil)
	if !errors.Is(dead.Err(), syscall.ETIMEDOUT) || dead.Info().Probes != 5 {
		t.Fatalf("dead peer: %v after %d probes, want ETIMEDOUT after 5", dead.Err(), dead.Info().Probes)
	}
}

// A FIN takes a sequence number, so it is not sent into a zero window; it
// goes once the window opens.
func TestNoFINIntoZeroWindow(t *testing.T) {
	c := connectEstablished(t, plainConfig(), wire.TCPOptions{MSS: 1000})
	send(t, c, t0, ackSeg(ourISS+1, 0))
	c.CloseWrite()
	for _, s := range drain(t, c, t0) {
		if s.Flags&FIN != 0 {
			t.Fatalf("FIN sent into a zero window: %v", s)
		}
	}
	send(t, c, t0.Add(ms(10)), ackSeg(ourISS+1, 1000))
	s := drain(t, c, t0.Add(ms(10)))
	if len(s) != 1 || s[0].Flags&FIN == 0 {
		t.Fatalf("after the window opened: %v, want the FIN", s)
	}
}

// Keepalive probes run in FIN-WAIT-2 and CLOSE-WAIT too: a half-closed
// connection whose peer vanished ends with ETIMEDOUT instead of hanging.
func TestKeepaliveInHalfClosedStates(t *testing.T) {
	for _, tc := range []struct {
		name  string
		close func(c *Conn, now time.Time)
		want  State
	}{
		{"FIN-WAIT-2", func(c *Conn, now time.Time) {
			c.CloseWrite()
			drain(t, c, now)
			send(t, c, now, ackSeg(ourISS+2, 65535))
		}, FinWait2},
		{"CLOSE-WAIT", func(c *Conn, now time.Time) {
			send(t, c, now, Segment{Seq: peerISS + 1, Ack: ourISS + 1, Flags: FIN | ACK, Window: 65535})
			drain(t, c, now)
		}, CloseWait},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := connectEstablished(t, plainConfig(), wire.TCPOptions{MSS: 1000})
			c.SetKeepAlive(true, time.Second, time.Second, 3)
			tc.close(c, t0)
			expectState(t, c, tc.want)
			end := runFor(t, c, t0, t0.Add(time.Hour), nil)
			if !errors.Is(c.Err(), syscall.ETIMEDOUT) || end.Sub(t0) > 10*time.Second {
				t.Fatalf("silent peer in %v: %v after %v", tc.want, c.Err(), end.Sub(t0))
			}
		})
	}
}

// RFC 7323 §4.3 with RFC 5961: one forged in-window segment with an absurd
// timestamp and an unacceptable ACK must not become TS.Recent, or PAWS
// would reject every genuine segment afterwards.
func TestForgedTimestampDoesNotPoisonPAWS(t *testing.T) {
	cfg := Config{DisableSACK: true, DisableWindowScale: true, RecvBufSize: 65535}
	c := connectEstablished(t, cfg, wire.TCPOptions{MSS: 1000, HasTimestamps: true, TSVal: 100})
	forged := Segment{Seq: peerISS + 1, Ack: ourISS + 1 + 1<<30, Flags: ACK, Window: 65535,
		Options: wire.TCPOptions{HasTimestamps: true, TSVal: 100 + 1<<30}, Payload: []byte("evil")}
	send(t, c, t0, forged)
	drain(t, c, t0)
	genuine := Segment{Seq: peerISS + 1, Ack: ourISS + 1, Flags: ACK, Window: 65535,
		Options: wire.TCPOptions{HasTimestamps: true, TSVal: 200}, Payload: []byte("good")}
	send(t, c, t0.Add(ms(10)), genuine)
	if st := c.Info(); st.PAWSRejected != 0 || st.RecvBuffered != 4 {
		t.Fatalf("genuine segment after a forged timestamp: PAWS rejected %d, buffered %d", st.PAWSRejected, st.RecvBuffered)
	}
}

// PAWS rejections are answered by duplicate ACKs at a limited rate: a
// flood of stale bare segments does not make us reflect a flood of ACKs.
// Stale data is answered every time, as Linux's tcp_oow_rate_limited
// does ("data packets without SYNs are not likely part of an ACK loop"):
// this test used to expect data rate-limited too.
func TestPAWSRejectionACKsRateLimited(t *testing.T) {
	cfg := Config{DisableSACK: true, DisableWindowScale: true, RecvBufSize: 65535}
	c := connectEstablished(t, cfg, wire.TCPOptions{MSS: 1000, HasTimestamps: true, TSVal: 1000})
	acks, dataAcks := 0, 0
	for i := 0; i < 100; i++ {
		now := t0.Add(time.Duration(i) * time.Millisecond)
		send(t, c, now, Segment{Seq: peerISS + 1, Ack: ourISS + 1, Flags: ACK, Window: 65535,
			Options: wire.TCPOptions{HasTimestamps: true, TSVal: 10}})
		acks += len(drain(t, c, now))
		send(t, c, now, Segment{Seq: peerISS + 1, Ack: ourISS + 1, Flags: ACK, Window: 65535,
			Options: wire.TCPOptions{HasTimestamps: true, TSVal: 10}, Payload: []byte("old")})
		dataAcks += len(drain(t, c, now))
	}
	if st := c.Info(); st.PAWSRejected != 200 || acks > 1 || dataAcks != 100 {
		t.Fatalf("%d PAWS rejections drew %d ACKs for bare segments (want at most 1) and %d for data (want 100)",
			st.PAWSRejected, acks, dataAcks)
	}
}
