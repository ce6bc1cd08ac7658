package tcp

import (
	"testing"
	"time"

	"github.com/renet-go/renet/netstack/wire"
)

// drainTSO is drain through OutputFrame with TSO.
func drainTSO(t *testing.T, c *Conn, now time.Time) []Segment {
	t.Helper()
	var out []Segment
	var s Segment
	buf := make([]byte, 65536)
	for c.OutputFrame(now, &s, buf, OutputTSO) {
		s.Payload = append([]byte(nil), s.Payload...)
		out = append(out, s)
	}
	return out
}

// With TSO the initial window (RFC 6928: ten segments) leaves as one
// large segment cut at the MSS; loss recovery still works segment by
// segment: a SACK of all but the first asks for one MSS again.
func TestTSOBurstKeepsPerSegmentRecords(t *testing.T) {
	c := connectEstablished(t, Config{Nagle: false}, wire.TCPOptions{MSS: 1000, SACKPermitted: true})
	c.Write(make([]byte, 30000))
	out := drainTSO(t, c, t0)
	if len(out) != 1 || len(out[0].Payload) != 10000 || out[0].SegSize != 1000 {
		t.Fatalf("initial window: %d segments, first %d bytes cut at %d; want one of 10000 at 1000", len(out), len(out[0].Payload), out[0].SegSize)
	}
	if out[0].Flags&pshFlag != 0 {
		t.Fatal("PSH on a burst that does not end the data")
	}
	if got := c.Info().SegsOut; got < 11 {
		t.Fatalf("SegsOut %d: the segments the link cuts are counted", got)
	}
	// The peer got all but the first segment.
	at := t0.Add(ms(10))
	sack := wire.TCPOptions{NumSACK: 1}
	sack.SACK[0] = wire.SACKBlock{Start: uint32(ourISS + 1 + 1000), End: uint32(ourISS + 1 + 10000)}
	for i := 0; i < 3; i++ {
		send(t, c, at, Segment{Seq: peerISS + 1, Ack: ourISS + 1, Flags: ACK, Window: 65535, Options: sack})
	}
	var rexmit *Segment
	for _, s := range drainTSO(t, c, at) {
		if s.Seq == ourISS+1 {
			s := s
			rexmit = &s
		}
	}
	if rexmit == nil || len(rexmit.Payload) != 1000 || rexmit.SegSize != 0 {
		t.Fatalf("retransmission of the lost first segment: %v", rexmit)
	}
}

// The tail of a burst: with NoDelay the last partial segment and the FIN
// ride along (PSH and FIN on the burst, which the link puts on its last
// segment); with Nagle the partial tail waits, as it would alone.
func TestTSOBurstTail(t *testing.T) {
	c := connectEstablished(t, Config{Nagle: false}, wire.TCPOptions{MSS: 1000})
	c.Write(make([]byte, 3500))
	c.CloseWrite()
	out := drainTSO(t, c, t0)
	if len(out) != 1 || len(out[0].Payload) != 3500 || out[0].Flags&(pshFlag|finFlag) != pshFlag|finFlag {
		t.Fatalf("NoDelay burst: %v", out)
	}

	c = connectEstablished(t, Config{Nagle: true}, wire.TCPOptions{MSS: 1000})
	c.Write(make([]byte, 3500))
	out = drainTSO(t, c, t0)
	if len(out) != 1 || len(out[0].Payload) != 3000 {
		t.Fatalf("Nagle burst: %v, want 3000 bytes and the tail held back", out)
	}
}

// OutputFrame leaves exactly the room the segment's header needs in front
// of the payload, so the caller builds the packet without another copy.
func TestOutputFrameLeavesHeaderRoom(t *testing.T) {
	c := connectEstablished(t, Config{Nagle: false}, wire.TCPOptions{MSS: 1000, HasTimestamps: true, TSVal: 1})
	c.Write(make([]byte, 5000))
	frame := make([]byte, 65536)
	var s Segment
	if !c.OutputFrame(t0, &s, frame, OutputTSO) {
		t.Fatal("nothing to send")
	}
	hl := wire.TCPMinHeaderLen + s.Options.Len()
	if len(s.Payload) != 5000 || &frame[hl] != &s.Payload[0] {
		t.Fatalf("payload of %d bytes not at frame[%d] (header room for options %+v)", len(s.Payload), hl, s.Options)
	}
}

// TCP_CORK holds the partial tail of a burst back as it would a partial
// segment alone, NoDelay or not.
func TestTSOBurstCorked(t *testing.T) {
	c := connectEstablished(t, Config{Nagle: false}, wire.TCPOptions{MSS: 1000})
	c.SetCork(true)
	c.Write(make([]byte, 3500))
	out := drainTSO(t, c, t0)
	if len(out) != 1 || len(out[0].Payload) != 3000 {
		t.Fatalf("corked burst: %v, want 3000 bytes and the tail held", out)
	}
}

// With OutputGather new data is not copied: Held shows it where it lies
// in the send buffer (here across the ring's end, in two pieces), and it
// stays there, unchanged by later writes into the rest of the ring, until
// acknowledged. A retransmission is copied into the frame.
func TestOutputGatherHoldsNewData(t *testing.T) {
	c := connectEstablished(t, Config{Nagle: false, SendBufSize: 1 << 20}, wire.TCPOptions{MSS: 1000, SACKPermitted: true})
	frame := make([]byte, 65536)
	var s Segment
	// Move the ring's head near the end of its storage: 30000 bytes sent
	// and acknowledged in a 32 KiB ring.
	c.Write(make([]byte, 30000))
	for round := 0; c.sndUna != ourISS+1+30000; round++ {
		if round == 20 {
			t.Fatal("the first 30000 bytes never went out")
		}
		for c.OutputFrame(t0, &s, frame, OutputTSO) {
		}
		send(t, c, t0, Segment{Seq: peerISS + 1, Ack: c.sndMax, Flags: ACK, Window: 65535})
	}
	if c.snd.r.cap() != 32768 {
		t.Fatalf("ring of %d bytes, want 32768", c.snd.r.cap())
	}
	for c.OutputFrame(t0, &s, frame, OutputTSO) { // whatever the ACK asks for
	}
	first := ourISS + 1 + 30000
	data := pattern(10000, 3)
	c.Write(data)
	at := t0.Add(ms(1))
	if !c.OutputFrame(at, &s, frame, OutputTSO|OutputGather) {
		t.Fatal("nothing to send")
	}
	held := append(append([]byte{}, s.Held[0]...), s.Held[1]...)
	if s.Payload != nil || s.DataLen() != len(data) || string(held) != string(data) {
		t.Fatalf("segment holds %d bytes (payload %d), want the %d written", len(held), len(s.Payload), len(data))
	}
	if len(s.Held[0]) == 0 || len(s.Held[1]) == 0 {
		t.Fatalf("held in pieces of %d and %d bytes, want two (the data wraps)", len(s.Held[0]), len(s.Held[1]))
	}
	c.Write(pattern(20000, 9)) // fills the rest of the ring, no regrowth
	if c.snd.r.cap() != 32768 {
		t.Fatalf("the ring grew to %d bytes: the test needs it to stay", c.snd.r.cap())
	}
	if got := append(append([]byte{}, s.Held[0]...), s.Held[1]...); string(got) != string(data) {
		t.Fatal("a later write changed held bytes")
	}
	// Three duplicate ACKs SACKing all but the first segment: the first
	// goes again, copied.
	sack := wire.TCPOptions{NumSACK: 1}
	sack.SACK[0] = wire.SACKBlock{Start: uint32(first + 1000), End: uint32(first + 10000)}
	at = at.Add(ms(10))
	for i := 0; i < 3; i++ {
		send(t, c, at, Segment{Seq: peerISS + 1, Ack: first, Flags: ACK, Window: 65535, Options: sack})
	}
	found := false
	for c.OutputFrame(at, &s, frame, OutputTSO|OutputGather) {
		if s.Seq == first {
			found = true
			if s.DataLen() != len(s.Payload) || string(s.Payload) != string(data[:1000]) {
				t.Fatalf("retransmission: payload %d bytes, held %d; want 1000 copied", len(s.Payload), len(s.Held[0])+len(s.Held[1]))
			}
		}
	}
	if !found {
		t.Fatal("the lost segment was not retransmitted")
	}
}
