package tcp

import "time"

// ConnStats are a connection's counters and current congestion and RTT
// state.
type ConnStats struct {
	SegsIn, SegsOut uint64
	Retransmits     uint64 // segments sent again, for any reason
	FastRetransmits uint64 // entries into fast recovery (RFC 5681 §3.2)
	Timeouts        uint64 // retransmission timer expiries
	DupAcksIn       uint64
	ChallengeACKs   uint64 // RFC 5961 challenge ACKs sent
	PAWSRejected    uint64 // segments dropped by PAWS (RFC 7323 §5)
	Dropped         uint64 // other segments dropped as unacceptable
	ResetsIn        uint64
	ResetsOut       uint64
	Probes          uint64 // zero-window and keepalive probes
	SRTT, RTTVar    time.Duration
	RTO             time.Duration
	Cwnd, Ssthresh  int // bytes; zero before the handshake completes
	SndWnd          int // peer's window, scaled
	RcvWnd          int // our advertised window
	SndMSS          int // sender MSS (before options)
	SACKedBytes     int // bytes recorded in the SACK scoreboard
	SendBuffered    int // bytes written and not yet acknowledged
	RecvBuffered    int // bytes received in order and not yet read
}

// Stats returns the connection's counters and state.
func (c *Conn) Stats() ConnStats {
	s := c.stats
	s.SRTT, s.RTTVar, s.RTO = c.rtt.srtt, c.rtt.rttvar, c.rtt.rto
	if c.cc != nil {
		s.Cwnd, s.Ssthresh = c.cc.Window(), c.cc.Threshold()
	}
	s.SndWnd = c.sndWnd
	s.RcvWnd = max(c.rcvAdv.Sub(c.rcvNxt), 0)
	s.SndMSS = c.sndMSS
	s.SACKedBytes = c.sb.sacked()
	s.SendBuffered = c.snd.n
	s.RecvBuffered = c.rcv.n
	return s
}
