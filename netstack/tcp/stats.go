package tcp

import "time"

// Info is a snapshot of one connection, in the spirit of Linux's TCP_INFO:
// its state, RTT and congestion state, buffer sizes, and counters since it
// was opened. Sizes are bytes unless named otherwise.
type Info struct {
	State State
	// CongestionControl names the congestion controller ("cubic", "reno");
	// empty before the handshake completes.
	CongestionControl string

	SRTT, RTTVar time.Duration
	MinRTT       time.Duration // smallest RTT sample seen
	RTO          time.Duration // current retransmission timeout, with backoff

	Cwnd, Ssthresh int // zero before the handshake completes
	// CAState is the congestion-avoidance state (Linux's tcpi_ca_state).
	CAState     CAState
	InFlight    int // bytes sent and neither acknowledged, SACKed nor marked lost
	SndWnd      int // peer's window, scaled
	RcvWnd      int // our advertised window
	SndMSS      int // sender MSS (before options)
	PathMSS     int // largest segment sent now: SndMSS, ours, and path MTU discovery
	SACKedBytes int // bytes the peer has SACKed above SND.UNA
	// Reordering is the largest reordering seen, in segments (Linux's
	// tcpi_reordering starts at 3, the duplicate ACK threshold).
	Reordering int

	SendBufSize, RecvBufSize   int // current buffer limits (autotuned or pinned)
	SendBuffered, RecvBuffered int // bytes written and not yet acknowledged; received and not yet read
	// BufferMemory is the ring storage the connection holds now; it is
	// freed a second after both buffers drain and the connection goes quiet.
	BufferMemory int

	// Options negotiated in the handshake (Linux's tcpi_options,
	// tcpi_snd_wscale, tcpi_rcv_wscale): the window scale shifts apply
	// only when WindowScale is set.
	Timestamps, SACK, WindowScale bool
	SndWscale, RcvWscale          uint8
	// SYNCookie reports a passive connection rebuilt from a SYN cookie
	// (RFC 4987 §3.6) because the listener's SYN queue was full.
	SYNCookie bool

	Counters
}

// Counters are a connection's event counts since it was opened.
type Counters struct {
	SegsIn, SegsOut     uint64
	BytesAcked          uint64 // bytes of ours the peer acknowledged
	BytesReceived       uint64 // in-order bytes received from the peer
	Delivered           uint64 // segments delivered (acknowledged or SACKed)
	Retransmits         uint64 // segments sent again, for any reason
	BytesRetransmitted  uint64
	SpuriousRetransmits uint64 // retransmissions the peer showed were needless (D-SACK, timestamps)
	FastRetransmits     uint64 // entries into loss recovery
	Timeouts            uint64 // retransmission timer expiries
	TLPProbes           uint64 // tail loss probes sent (RFC 8985 §7)
	Undos               uint64 // congestion responses undone as spurious
	ReorderSeen         uint64 // times reordering was detected
	DupAcksIn           uint64
	DSACKsIn            uint64 // D-SACK blocks received (RFC 2883)
	ChallengeACKs       uint64 // RFC 5961 challenge ACKs sent
	PAWSRejected        uint64 // segments dropped by PAWS (RFC 7323 §5)
	Dropped             uint64 // other segments dropped as unacceptable
	ResetsIn, ResetsOut uint64
	Probes              uint64 // zero-window and keepalive probes
	PMTUChanges         uint64 // times path MTU discovery lowered the MSS
}

// Info returns a snapshot of the connection's state and counters.
func (c *Conn) Info() Info {
	s := Info{Counters: c.stats}
	s.State = c.state
	s.SRTT, s.RTTVar, s.RTO = c.rtt.srtt, c.rtt.rttvar, c.rtt.rto
	if c.cc != nil {
		s.Cwnd, s.Ssthresh = c.cc.Window(), c.cc.Threshold()
		s.CongestionControl = c.cc.Name()
	}
	s.InFlight = c.pipe()
	s.CAState = c.caState()
	s.MinRTT = c.loss.rack.minRTT
	s.Reordering = max(dupThresh, int(c.loss.rack.reorderDist))
	s.SndWnd = c.sndWnd
	s.RcvWnd = max(c.rcvAdv.Sub(c.rcvNxt), 0)
	s.SndMSS = int(c.sndMSS)
	s.PathMSS = c.pathMSS()
	s.SACKedBytes = c.loss.recs.sacked
	s.SendBufSize, s.RecvBufSize = c.snd.max, c.rcv.max
	s.SendBuffered = c.snd.n
	s.RecvBuffered = c.rcv.n
	s.BufferMemory = c.snd.r.cap() + c.rcv.r.cap()
	s.Timestamps, s.SACK, s.WindowScale = c.tsOK, c.sackOK, c.wsOK
	s.SndWscale, s.RcvWscale = c.sndWscale, c.rcvWscale
	s.SYNCookie = c.cookie
	return s
}
