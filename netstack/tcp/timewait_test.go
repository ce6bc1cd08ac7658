package tcp

import (
	"testing"
	"time"

	"github.com/renet-go/renet/netstack/wire"
)

// timeWaitRecord closes a connection with timestamps into TIME-WAIT and
// takes its record.
func timeWaitRecord(t *testing.T) (TimeWaitRecord, Segment) {
	t.Helper()
	c := connectEstablished(t, Config{DisableSACK: true, DisableWindowScale: true}, wire.TCPOptions{MSS: 1460, HasTimestamps: true, TSVal: 100})
	c.CloseWrite()
	fin := recv(t, c, t0)
	send(t, c, t0, Segment{Seq: peerISS + 1, Ack: ourISS + 2, Flags: FIN | ACK, Window: 65535,
		Options: wire.TCPOptions{HasTimestamps: true, TSVal: 200, TSEcr: fin.Options.TSVal}})
	ack := recv(t, c, t0)
	tw, ok := c.TakeTimeWait()
	if !ok || !c.Done() || c.State() != Closed {
		t.Fatalf("TakeTimeWait: ok %v, then state %v done %v", ok, c.State(), c.Done())
	}
	if _, again := c.TakeTimeWait(); again {
		t.Fatal("a record taken twice")
	}
	return tw, ack
}

// The compact TIME-WAIT record answers as the connection would have (RFC
// 9293 §3.10.7.4): the retransmitted FIN gets the same ACK and restarts
// the timer; unacceptable segments get rate-limited ACKs (data always);
// an RST at RCV.NXT ends it; a newer SYN reopens the 4-tuple (RFC 6191).
func TestTimeWaitRecord_RFC9293_3_10_7_4(t *testing.T) {
	tw, lastAck := timeWaitRecord(t)
	ts := func(v uint32) wire.TCPOptions { return wire.TCPOptions{HasTimestamps: true, TSVal: v} }
	fin := Segment{Seq: peerISS + 1, Ack: ourISS + 2, Flags: FIN | ACK, Options: ts(250)}
	if v := tw.Input(t0.Add(time.Second), &fin); v != TimeWaitFIN {
		t.Fatalf("retransmitted FIN: %v", v)
	}
	var ack Segment
	tw.ACK(t0, &ack)
	want := lastAck
	want.Options.TSEcr = 250 // TS.Recent moved to the retransmission's
	expect(t, ack, want)

	now := t0.Add(2 * time.Second)
	for _, tc := range []struct {
		name string
		at   time.Time
		seg  Segment
		want TimeWaitVerdict
	}{
		{"bare ACK in window", now, Segment{Seq: peerISS + 2, Ack: ourISS + 2, Flags: ACK, Options: ts(260)}, TimeWaitDrop},
		{"old ACK", now, Segment{Seq: peerISS - 100, Ack: ourISS + 2, Flags: ACK, Options: ts(260)}, TimeWaitACK},
		{"second old ACK within 500ms", now.Add(ms(100)), Segment{Seq: peerISS - 100, Ack: ourISS + 2, Flags: ACK, Options: ts(260)}, TimeWaitDrop},
		{"data, never rate-limited", now.Add(ms(200)), Segment{Seq: peerISS + 2, Ack: ourISS + 2, Flags: ACK, Payload: []byte("x"), Options: ts(260)}, TimeWaitACK},
		{"PAWS-old after the limit", now.Add(time.Second), Segment{Seq: peerISS + 2, Ack: ourISS + 2, Flags: ACK, Options: ts(10)}, TimeWaitACK},
		{"RST off RCV.NXT", now, Segment{Seq: peerISS + 5, Flags: RST}, TimeWaitDrop},
		{"old SYN", now.Add(3 * time.Second), Segment{Seq: peerISS, Flags: SYN, Options: ts(100)}, TimeWaitACK},
		{"newer SYN", now, Segment{Seq: peerISS + 99, Flags: SYN, Options: ts(300)}, TimeWaitReopen},
		{"RST at RCV.NXT", now, Segment{Seq: peerISS + 2, Flags: RST}, TimeWaitEnd},
	} {
		if v := tw.Input(tc.at, &tc.seg); v != tc.want {
			t.Errorf("%s: verdict %v, want %v", tc.name, v, tc.want)
		}
	}
}
