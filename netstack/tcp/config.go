package tcp

import (
	"time"

	"github.com/renet-go/renet/netstack/tcp/cc"
)

// Config holds a connection's tunables. The zero value of every field means
// the default that DefaultConfig documents, so Config{} is a sensible
// configuration.
type Config struct {
	// MSS is the maximum segment size we advertise: the link MTU minus 40
	// bytes of IPv4 and TCP headers. Default 1460.
	MSS int
	// RecvBufSize is the initial receive buffer: the most received data
	// buffered for the user, and so the largest window offered, until
	// autotuning grows it with what the application reads per round trip
	// (up to RecvBufMax). Default 256 KiB.
	RecvBufSize int
	// RecvBufMax caps receive-buffer autotuning. The window scale sent in
	// our SYN is the smallest that lets the window cover it (RFC 7323
	// §2.2). Default 6 MiB, Linux's tcp_rmem[2].
	RecvBufMax int
	// SendBufSize is the initial send buffer: the most data Write buffers
	// before it reports that it would block, until autotuning grows it to
	// twice the congestion window (up to SendBufMax). Default 256 KiB.
	SendBufSize int
	// SendBufMax caps send-buffer autotuning. Default 8 MiB: the send
	// buffer holds what is in flight as well as what waits, so to fill the
	// 6 MiB window RecvBufMax allows it needs more than 6 MiB. (Linux's
	// tcp_wmem[2] is 4 MiB, which holds a Linux sender to about 4 MiB per
	// round trip; the buffer only grows this far on a path whose
	// bandwidth-delay product needs it, and is freed when idle.)
	SendBufMax int
	// Nagle enables Nagle's algorithm (RFC 9293 §3.7.4). Default off, as Go's
	// net package sets TCP_NODELAY.
	Nagle bool
	// DisableSACK, DisableTimestamps and DisableWindowScale keep the
	// SACK-permitted (RFC 2018), timestamps (RFC 7323 §3) and window scale
	// (RFC 7323 §2) options out of our SYNs.
	DisableSACK, DisableTimestamps, DisableWindowScale bool
	// InitialRTO is the retransmission timeout before any RTT sample.
	// Default 1s (RFC 6298 §2.1).
	InitialRTO time.Duration
	// MinRTO is the least margin the retransmission timeout keeps above
	// SRTT (RTO = SRTT + max(4*RTTVAR, MinRTO), as Linux computes it), and
	// so also its floor. Default 200ms, Linux's value: RFC 6298 §2.4 asks
	// for a 1s floor, a figure from an era of coarse clocks; with
	// millisecond timestamps and delayed ACKs capped at 200ms, 200ms
	// avoids spurious timeouts while recovering from tail loss five times
	// faster.
	MinRTO time.Duration
	// MaxRTO caps the backed-off retransmission timeout. Default 120s
	// (Linux's TCP_RTO_MAX).
	MaxRTO time.Duration
	// SynRetries is how many times a SYN is retransmitted before Connect
	// fails with ETIMEDOUT. Default 6, as Linux (about 127s in all).
	SynRetries int
	// SynAckRetries is how many times a SYN-ACK is retransmitted before a
	// half-open passive connection is dropped. Default 5, as Linux.
	SynAckRetries int
	// MaxRetries is how many times the same data is retransmitted before the
	// connection fails with ETIMEDOUT. Default 15, as Linux's tcp_retries2.
	MaxRetries int
	// DelayedAck is the longest an ACK is delayed. Default 40ms (Linux's
	// minimum); values above 200ms are clamped to 200ms (RFC 9293 §3.8.6.3,
	// RFC 1122 §4.2.3.2). A negative value disables delayed ACKs.
	DelayedAck time.Duration
	// TimeWait is how long a connection stays in TIME-WAIT, 2*MSL.
	// Default 60s (Linux).
	TimeWait time.Duration
	// KeepAlive enables keepalive probes (RFC 9293 §3.8.4) after
	// KeepAliveIdle of silence, every KeepAliveInterval, failing the
	// connection after KeepAliveCount unanswered probes. Defaults 2h, 75s
	// and 9, as Linux.
	KeepAlive         bool
	KeepAliveIdle     time.Duration
	KeepAliveInterval time.Duration
	KeepAliveCount    int
	// CongestionControl names the congestion control algorithm, as
	// cc.New knows them: "cubic" (the default, RFC 9438 with HyStart++) or
	// "reno" (NewReno, RFC 5681).
	CongestionControl string
	// EveryLossIsCongestion makes CUBIC answer every loss as RFC 9438
	// does (cwnd × 0.7). By default a loss with none of the connection's
	// own packets queued at the bottleneck is taken for random loss and
	// answered with cwnd × 0.85 (see cc.CUBIC.SetLossClassification):
	// 1.6 to 1.8 times Linux reno's goodput on lossy paths, at the price of
	// taking about 58% rather than 50% of a shared bottleneck whose buffer
	// is too shallow to show a queue.
	EveryLossIsCongestion bool
	// Congestion, if set, builds the congestion controller for a
	// connection whose sender maximum segment size is smss bytes, instead
	// of CongestionControl.
	Congestion func(smss int) cc.Controller
	// UserTimeout is the user timeout of RFC 5482 (Linux's
	// TCP_USER_TIMEOUT): how long transmitted data may stay
	// unacknowledged, or a peer that closed its window or went quiet may
	// leave probes unanswered, before the connection fails with
	// ETIMEDOUT. It replaces MaxRetries and KeepAliveCount as the limit
	// (SynRetries still applies). Zero, the default, leaves those counts
	// in charge. Kept with millisecond resolution, up to about 24 days.
	UserTimeout time.Duration
}

// The defaults DefaultConfig fills in.
const (
	DefaultMSS         = 1460
	DefaultRecvBufSize = 256 << 10
	DefaultSendBufSize = 256 << 10
	DefaultRecvBufMax  = 6 << 20
	DefaultSendBufMax  = 8 << 20
	// maxDelayedAck is the ceiling RFC 9293 §3.8.6.3 puts on an ACK's delay.
	maxDelayedAck = 200 * time.Millisecond
	// minMSS is the smallest sender MSS we accept from a peer (Linux's
	// TCP_MIN_MSS); smaller values would leave no room for data beside 40
	// bytes of options.
	minMSS = 88
	// defaultPeerMSS is the MSS assumed when the peer's SYN carries no MSS
	// option (RFC 9293 §3.7.1).
	defaultPeerMSS = 536
	// minBufSize is the smallest buffer size a setter accepts.
	minBufSize = 2048
)

// DefaultConfig returns the configuration the zero Config stands for.
func DefaultConfig() Config {
	var c Config
	c.fill()
	return c
}

// fill replaces zero fields by their defaults and clamps the others.
func (c *Config) fill() {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	if c.MSS <= 0 {
		c.MSS = DefaultMSS
	}
	c.MSS = max(c.MSS, minMSS)
	if c.RecvBufSize <= 0 {
		c.RecvBufSize = DefaultRecvBufSize
	}
	c.RecvBufSize = max(c.RecvBufSize, minBufSize)
	if c.SendBufSize <= 0 {
		c.SendBufSize = DefaultSendBufSize
	}
	c.SendBufSize = max(c.SendBufSize, minBufSize)
	if c.RecvBufMax <= 0 {
		c.RecvBufMax = DefaultRecvBufMax
	}
	c.RecvBufMax = max(c.RecvBufMax, c.RecvBufSize)
	if c.SendBufMax <= 0 {
		c.SendBufMax = DefaultSendBufMax
	}
	c.SendBufMax = max(c.SendBufMax, c.SendBufSize)
	def(&c.InitialRTO, time.Second)
	def(&c.MinRTO, 200*time.Millisecond)
	def(&c.MaxRTO, 120*time.Second)
	if c.SynRetries <= 0 {
		c.SynRetries = 6
	}
	if c.SynAckRetries <= 0 {
		c.SynAckRetries = 5
	}
	if c.MaxRetries <= 0 {
		c.MaxRetries = 15
	}
	def(&c.DelayedAck, 40*time.Millisecond)
	c.DelayedAck = min(c.DelayedAck, maxDelayedAck)
	def(&c.TimeWait, 60*time.Second)
	def(&c.KeepAliveIdle, 2*time.Hour)
	def(&c.KeepAliveInterval, 75*time.Second)
	if c.KeepAliveCount <= 0 {
		c.KeepAliveCount = 9
	}
}

// Validate reports a configuration that cannot be used: an unknown
// congestion control name.
func (c *Config) Validate() error {
	if c.Congestion != nil {
		return nil
	}
	_, err := cc.New(c.CongestionControl, DefaultMSS)
	return err
}

// connConfig is what a connection keeps of its Config: the fields it
// reads after NewConn, under the same names. The rest (initial buffer
// sizes, the initial and minimum RTO, keepalive) is copied into the state
// it configures, which setters such as SetKeepAlive then change per
// connection. Retry counts are kept in 32 bits, capped at 1<<30.
type connConfig struct {
	RecvBufMax, SendBufMax int
	MaxRTO                 time.Duration
	DelayedAck             time.Duration
	TimeWait               time.Duration
	CongestionControl      string
	Congestion             func(smss int) cc.Controller

	MSS                                   int32
	SynRetries, SynAckRetries, MaxRetries int32
	// UserTimeoutMS is Config.UserTimeout in milliseconds (0: off), as
	// Linux keeps it.
	UserTimeoutMS int32
	// Linger2MS is how long an orphaned connection waits in FIN-WAIT-2,
	// in milliseconds (SetLinger2): 0 means TimeWait, negative not at all.
	Linger2MS int32

	Nagle                                              bool
	DisableSACK, DisableTimestamps, DisableWindowScale bool
	EveryLossIsCongestion                              bool
}

// conn returns what a connection keeps of c, which has been filled.
func (c *Config) conn() connConfig {
	return connConfig{
		MSS:                   int32(min(c.MSS, 0xffff)),
		RecvBufMax:            c.RecvBufMax,
		SendBufMax:            c.SendBufMax,
		MaxRTO:                c.MaxRTO,
		DelayedAck:            c.DelayedAck,
		TimeWait:              c.TimeWait,
		CongestionControl:     c.CongestionControl,
		Congestion:            c.Congestion,
		SynRetries:            int32(min(c.SynRetries, 1<<30)),
		SynAckRetries:         int32(min(c.SynAckRetries, 1<<30)),
		MaxRetries:            int32(min(c.MaxRetries, 1<<30)),
		UserTimeoutMS:         millis(c.UserTimeout),
		Nagle:                 c.Nagle,
		DisableSACK:           c.DisableSACK,
		DisableTimestamps:     c.DisableTimestamps,
		DisableWindowScale:    c.DisableWindowScale,
		EveryLossIsCongestion: c.EveryLossIsCongestion,
	}
}

// newController builds the congestion controller for a connection.
func (c *connConfig) newController(smss int) cc.Controller {
	if c.Congestion != nil {
		return c.Congestion(smss)
	}
	ctl, err := cc.New(c.CongestionControl, smss)
	if err != nil {
		ctl = cc.NewCUBIC(smss) // Validate was not called: use the default
	}
	if cubic, ok := ctl.(*cc.CUBIC); ok && c.EveryLossIsCongestion {
		cubic.SetLossClassification(false)
	}
	return ctl
}
