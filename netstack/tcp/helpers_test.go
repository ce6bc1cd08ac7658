package tcp

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/renet-go/renet/netstack/wire"
)

// Scripted-exchange helpers in the style of smoltcp's socket tests: the
// test plays the peer, feeding segments with send and checking what the
// Conn emits with recv and recvNothing, on a virtual clock.

const (
	ourISS  Seq = 10000
	peerISS Seq = 50000
)

// t0 is the virtual clock's origin.
var t0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

const (
	SYN = wire.TCPFlagSYN
	ACK = wire.TCPFlagACK
	FIN = wire.TCPFlagFIN
	RST = wire.TCPFlagRST
	PSH = wire.TCPFlagPSH
)

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// plainConfig turns off the options so scripted segments stay short; tests
// of the options turn them back on.
func plainConfig() Config {
	return Config{
		DisableSACK: true, DisableTimestamps: true, DisableWindowScale: true,
		RecvBufSize: 65535,
	}
}

func (s Segment) String() string {
	o := ""
	if s.Options.MSS != 0 {
		o += fmt.Sprintf(" mss=%d", s.Options.MSS)
	}
	if s.Options.HasWindowScale {
		o += fmt.Sprintf(" ws=%d", s.Options.WindowScale)
	}
	if s.Options.SACKPermitted {
		o += " sackOK"
	}
	if s.Options.HasTimestamps {
		o += fmt.Sprintf(" ts=%d/%d", s.Options.TSVal, s.Options.TSEcr)
	}
	for i := 0; i < s.Options.NumSACK; i++ {
		o += fmt.Sprintf(" sack[%d,%d)", s.Options.SACK[i].Start, s.Options.SACK[i].End)
	}
	return fmt.Sprintf("%v seq=%d ack=%d win=%d len=%d%s", s.Flags, s.Seq, s.Ack, s.Window, len(s.Payload), o)
}

// send delivers seg to c at now.
func send(t *testing.T, c *Conn, now time.Time, seg Segment) {
	t.Helper()
	c.Input(now, &seg)
	if err := c.checkInvariants(); err != nil {
		t.Fatalf("after input %v: %v", seg, err)
	}
}

// recv returns the next segment c emits at now, failing if there is none.
// The payload is copied.
func recv(t *testing.T, c *Conn, now time.Time) Segment {
	t.Helper()
	var s Segment
	buf := make([]byte, 65536)
	if !c.Output(now, &s, buf) {
		t.Fatalf("expected a segment, got none (state %v)", c.State())
	}
	s.Payload = bytes.Clone(s.Payload)
	if err := c.checkInvariants(); err != nil {
		t.Fatalf("after output %v: %v", s, err)
	}
	return s
}

// recvNothing fails if c has anything to send at now.
func recvNothing(t *testing.T, c *Conn, now time.Time) {
	t.Helper()
	var s Segment
	if c.Output(now, &s, make([]byte, 65536)) {
		t.Fatalf("expected nothing, got %v (state %v)", s, c.State())
	}
}

// expect fails unless got matches want in every field.
func expect(t *testing.T, got, want Segment) {
	t.Helper()
	if got.Seq != want.Seq || got.Ack != want.Ack || got.Flags != want.Flags ||
		got.Window != want.Window || got.Options != want.Options ||
		!bytes.Equal(got.Payload, want.Payload) {
		t.Fatalf("segment mismatch\n got: %v\nwant: %v", got, want)
	}
}

// expectState fails unless c is in state s.
func expectState(t *testing.T, c *Conn, s State) {
	t.Helper()
	if c.State() != s {
		t.Fatalf("state %v, want %v", c.State(), s)
	}
}

// connectEstablished runs an active open against a scripted peer whose
// SYN-ACK carries peerOpts and returns the ESTABLISHED Conn at t0.
func connectEstablished(t *testing.T, cfg Config, peerOpts wire.TCPOptions) *Conn {
	t.Helper()
	c := NewConn(cfg)
	c.Connect(t0, ourISS)
	syn := recv(t, c, t0)
	if syn.Flags != SYN || syn.Seq != ourISS {
		t.Fatalf("first segment %v, want SYN", syn)
	}
	send(t, c, t0, Segment{Seq: peerISS, Ack: ourISS + 1, Flags: SYN | ACK, Window: 65535, Options: peerOpts})
	ack := recv(t, c, t0)
	if ack.Flags != ACK || ack.Seq != ourISS+1 || ack.Ack != peerISS+1 {
		t.Fatalf("handshake ACK %v", ack)
	}
	recvNothing(t, c, t0)
	expectState(t, c, Established)
	return c
}

// acceptEstablished runs a passive open: the peer's SYN carries peerOpts.
func acceptEstablished(t *testing.T, cfg Config, peerOpts wire.TCPOptions) *Conn {
	t.Helper()
	c := NewConn(cfg)
	c.Listen()
	c.SetISS(ourISS)
	send(t, c, t0, Segment{Seq: peerISS, Flags: SYN, Window: 65535, Options: peerOpts})
	sa := recv(t, c, t0)
	if sa.Flags != SYN|ACK || sa.Seq != ourISS || sa.Ack != peerISS+1 {
		t.Fatalf("SYN-ACK %v", sa)
	}
	ackOpts := wire.TCPOptions{}
	if sa.Options.HasTimestamps {
		ackOpts = wire.TCPOptions{HasTimestamps: true, TSVal: peerOpts.TSVal + 1, TSEcr: sa.Options.TSVal}
	}
	send(t, c, t0, Segment{Seq: peerISS + 1, Ack: ourISS + 1, Flags: ACK, Window: 65535, Options: ackOpts})
	recvNothing(t, c, t0)
	expectState(t, c, Established)
	return c
}

// pattern returns n bytes that differ between offsets.
func pattern(n int, salt byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7+i/251) ^ salt
	}
	return b
}

// readAll reads everything c has buffered.
func readAll(t *testing.T, c *Conn) []byte {
	t.Helper()
	var out []byte
	buf := make([]byte, 4096)
	for {
		n, err := c.Read(buf)
		out = append(out, buf[:n]...)
		if n == 0 || err != nil {
			return out
		}
	}
}
