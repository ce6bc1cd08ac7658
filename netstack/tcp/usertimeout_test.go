package tcp

import (
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/renet-go/renet/netstack/wire"
)

// RFC 5482's user timeout, with Linux's TCP_USER_TIMEOUT semantics.

// timedOutAt runs c with a silent peer and returns when it failed,
// checking that the error is ETIMEDOUT.
func timedOutAt(t *testing.T, c *Conn, from time.Time) time.Duration {
	t.Helper()
	end := runFor(t, c, from, from.Add(24*time.Hour), nil)
	if !errors.Is(c.Err(), syscall.ETIMEDOUT) {
		t.Fatalf("silent peer: %v (state %v) after %v", c.Err(), c.State(), end.Sub(from))
	}
	return end.Sub(from)
}

// Data unacknowledged for the user timeout fails the connection at the
// first retransmission timeout that finds it so, and the timer is
// shortened so that this is the limit itself, not up to a backed-off RTO
// later (Linux's retransmits_timed_out and tcp_clamp_rto_to_user_timeout).
// Without it, MaxRetries would take about 15 minutes.
func TestUserTimeoutRetransmission_RFC5482(t *testing.T) {
	cfg := plainConfig()
	cfg.UserTimeout = 5 * time.Second
	c := connectEstablished(t, cfg, wire.TCPOptions{MSS: 1000})
	c.Write([]byte("hello"))
	drain(t, c, t0)
	if d := timedOutAt(t, c, t0); d != 5*time.Second {
		t.Fatalf("failed %v after the data was sent, want the 5s user timeout", d)
	}
	if n := c.Info().Timeouts; n < 3 || n > 6 {
		t.Fatalf("%d retransmission timeouts before giving up", n)
	}
}

// The user timeout replaces MaxRetries: with more time allowed than the
// retries take, the connection keeps retransmitting until the timeout.
func TestUserTimeoutReplacesRetryCount(t *testing.T) {
	cfg := plainConfig()
	cfg.MaxRetries = 3
	c := connectEstablished(t, cfg, wire.TCPOptions{MSS: 1000})
	c.SetUserTimeout(30 * time.Second)
	c.Write([]byte("hello"))
	drain(t, c, t0)
	if d := timedOutAt(t, c, t0); d != 30*time.Second {
		t.Fatalf("failed after %v, want 30s", d)
	}
}

// A user timeout shorter than the RTO: Linux lets the first timeout
// retransmit, then gives up at once.
func TestUserTimeoutShorterThanRTO(t *testing.T) {
	cfg := plainConfig()
	cfg.UserTimeout = 50 * time.Millisecond
	c := connectEstablished(t, cfg, wire.TCPOptions{MSS: 1000})
	c.Write([]byte("hello"))
	drain(t, c, t0)
	rto := c.Info().RTO
	if d := timedOutAt(t, c, t0); d != rto+time.Millisecond {
		t.Fatalf("failed after %v, want one RTO (%v) and 1ms", d, rto)
	}
}

// SYN-SENT: the user timeout bounds the connect as well as SynRetries.
func TestUserTimeoutSynSent(t *testing.T) {
	cfg := plainConfig()
	cfg.UserTimeout = 2 * time.Second
	c := NewConn(cfg)
	c.Connect(t0, ourISS)
	drain(t, c, t0)
	if d := timedOutAt(t, c, t0); d != 2*time.Second {
		t.Fatalf("connect failed after %v, want 2s", d)
	}
}

// A peer that acknowledges is never timed out: each loss episode ends
// with the ACK of the retransmission, and the next one is timed afresh.
// Here every segment is lost twice before its third copy gets through,
// for far longer than the user timeout.
func TestUserTimeoutLivePeerNotTimedOut(t *testing.T) {
	cfg := plainConfig()
	cfg.UserTimeout = 2 * time.Second
	c := connectEstablished(t, cfg, wire.TCPOptions{MSS: 1000})
	now := t0
	for i := 0; i < 20; i++ {
		c.Write([]byte("ping"))
		copies := len(drain(t, c, now)) // the first copy is lost
		now = runFor(t, c, now, now.Add(time.Minute), func(now time.Time, s Segment) {
			if len(s.Payload) == 0 {
				return
			}
			if copies++; copies == 3 {
				send(t, c, now, ackSeg(s.Seq.Add(len(s.Payload)), 65535))
			}
		})
		if c.Err() != nil || copies != 3 {
			t.Fatalf("round %d: %v after %d copies", i, c.Err(), copies)
		}
		// A clean exchange gives an RTT sample, which ends the backoff.
		c.Write([]byte("pong"))
		s := drain(t, c, now)
		now = now.Add(ms(10))
		send(t, c, now, ackSeg(s[0].Seq.Add(len(s[0].Payload)), 65535))
	}
	if now.Sub(t0) < 10*time.Second {
		t.Fatalf("the test ran only %v", now.Sub(t0))
	}
}

// Zero window with the user timeout: a peer that answers the probes keeps
// the connection up however long its window stays shut; one that goes
// silent fails it once the user timeout has passed since it was last
// heard (not after MaxRetries backed-off probes), both for the persist
// timer and for data in flight when the window closed.
func TestUserTimeoutZeroWindow(t *testing.T) {
	const ut = 10 * time.Second
	persist := func(t *testing.T, cfg Config) *Conn {
		c := connectEstablished(t, cfg, wire.TCPOptions{MSS: 1000})
		send(t, c, t0, ackSeg(ourISS+1, 0))
		c.Write([]byte("waiting"))
		drain(t, c, t0)
		return c
	}
	for _, tc := range []struct {
		name  string
		open  func(t *testing.T, cfg Config) *Conn
		heard time.Time // when the peer last spoke
		una   Seq
	}{
		{"persist", persist, t0, ourISS + 1},
		{"in flight", windowClosedWithDataInFlight, t0.Add(ms(10)), ourISS + 1 + 1000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := plainConfig()
			cfg.UserTimeout = ut
			live := tc.open(t, cfg)
			runFor(t, live, t0, t0.Add(2*time.Hour), func(now time.Time, s Segment) {
				send(t, live, now, ackSeg(tc.una, 0))
			})
			if live.Err() != nil {
				t.Fatalf("live peer behind a zero window: %v", live.Err())
			}
			dead := tc.open(t, cfg)
			if d := timedOutAt(t, dead, tc.heard); d != ut {
				t.Fatalf("silent peer: failed %v after it was last heard, want %v", d, ut)
			}
		})
	}
}

// Keepalive with the user timeout (Linux's tcp_keepalive_timer): the
// connection fails once a probe is unanswered and the peer has been
// silent for the user timeout, whatever KeepAliveCount says; a peer that
// answers stays.
func TestUserTimeoutKeepalive(t *testing.T) {
	cfg := plainConfig()
	cfg.UserTimeout = 30 * time.Second
	c := connectEstablished(t, cfg, wire.TCPOptions{MSS: 1000})
	c.SetKeepAlive(true, 10*time.Second, time.Second, 3) // 13s without the user timeout
	drain(t, c, t0)
	if d := timedOutAt(t, c, t0); d != 30*time.Second {
		t.Fatalf("keepalive gave up after %v, want the 30s user timeout", d)
	}

	cfg.UserTimeout = 2 * time.Second
	live := connectEstablished(t, cfg, wire.TCPOptions{MSS: 1000})
	live.SetKeepAlive(true, 10*time.Second, time.Second, 3)
	drain(t, live, t0)
	runFor(t, live, t0, t0.Add(time.Hour), func(now time.Time, s Segment) {
		send(t, live, now, ackSeg(ourISS+1, 65535))
	})
	if live.Err() != nil || live.Info().Probes < 300 {
		t.Fatalf("answered keepalives: %v after %d probes", live.Err(), live.Info().Probes)
	}
}

// A passive half-open connection ignores the user timeout, as Linux's
// request sockets do: its SYN-ACKs follow SynAckRetries and the backed-off
// RTO, not a burst once the user timeout has passed.
func TestUserTimeoutIgnoredInPassiveSynReceived(t *testing.T) {
	cfg := plainConfig()
	cfg.UserTimeout = 2 * time.Second
	c := NewConn(cfg)
	c.Listen()
	c.SetISS(ourISS)
	send(t, c, t0, Segment{Seq: peerISS, Flags: SYN, Window: 65535})
	drain(t, c, t0)
	end := runFor(t, c, t0, t0.Add(time.Hour), nil)
	if !errors.Is(c.Err(), syscall.ETIMEDOUT) || end.Sub(t0) < 30*time.Second || c.Info().Retransmits != 5 {
		t.Fatalf("half-open: %v after %v and %d SYN-ACK retransmissions", c.Err(), end.Sub(t0), c.Info().Retransmits)
	}
}
