package tcp

import (
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/renet-go/renet/netstack/wire"
)

// RFC 5961 §3.2: a RST resets the connection only if its sequence number
// is exactly RCV.NXT; an in-window RST draws a challenge ACK; an
// out-of-window RST is dropped silently.
func TestRST_RFC5961_3_2(t *testing.T) {
	c := connectEstablished(t, plainConfig(), wire.TCPOptions{MSS: 1460})
	challenge := Segment{Seq: ourISS + 1, Ack: peerISS + 1, Flags: ACK, Window: 65535}
	send(t, c, t0, Segment{Seq: peerISS + 1000, Flags: RST})
	expect(t, recv(t, c, t0), challenge)
	expectState(t, c, Established)
	send(t, c, t0, Segment{Seq: peerISS + 1 + 70000, Flags: RST})
	recvNothing(t, c, t0)
	send(t, c, t0, Segment{Seq: peerISS - 10, Flags: RST})
	recvNothing(t, c, t0)
	expectState(t, c, Established)
	if c.Info().ChallengeACKs != 1 {
		t.Fatalf("challenge ACKs %d", c.Info().ChallengeACKs)
	}
	send(t, c, t0, Segment{Seq: peerISS + 1, Flags: RST})
	recvNothing(t, c, t0)
	expectState(t, c, Closed)
	if !errors.Is(c.Err(), syscall.ECONNRESET) {
		t.Fatalf("Err %v, want ECONNRESET", c.Err())
	}
	if _, err := c.Read(make([]byte, 1)); !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("Read err %v", err)
	}
	if !c.Readable() || !c.Writable() {
		t.Fatal("a reset connection must be readable and writable (an error is pending)")
	}
}

// RFC 5961 §4.2: any SYN in a synchronized state draws a challenge ACK
// and changes nothing, wherever its sequence number lies.
func TestSYNInSynchronizedState_RFC5961_4_2(t *testing.T) {
	c := connectEstablished(t, plainConfig(), wire.TCPOptions{MSS: 1460})
	challenge := Segment{Seq: ourISS + 1, Ack: peerISS + 1, Flags: ACK, Window: 65535}
	for _, seq := range []Seq{peerISS + 1, peerISS + 500} {
		send(t, c, t0, Segment{Seq: seq, Flags: SYN, Window: 100})
		expect(t, recv(t, c, t0), challenge)
		recvNothing(t, c, t0)
		expectState(t, c, Established)
	}
	if w := c.Info().SndWnd; w != 65535 {
		t.Fatalf("SYN changed the send window to %d", w)
	}
}

// RFC 5961 §5.2: an ACK outside [SND.UNA - MAX.SND.WND, SND.NXT] is dropped
// (with its data) and draws a challenge ACK.
func TestACKValidation_RFC5961_5_2(t *testing.T) {
	c := connectEstablished(t, plainConfig(), wire.TCPOptions{MSS: 1460})
	c.Write([]byte("abc"))
	recv(t, c, t0)
	// Acknowledges data never sent.
	send(t, c, t0, Segment{Seq: peerISS + 1, Ack: ourISS + 100, Flags: ACK, Window: 65535, Payload: []byte("x")})
	expect(t, recv(t, c, t0), Segment{Seq: ourISS + 4, Ack: peerISS + 1, Flags: ACK, Window: 65535})
	if c.Readable() {
		t.Fatal("data of a segment with an invalid ACK was accepted")
	}
	// Far below SND.UNA - MAX.SND.WND.
	send(t, c, t0, Segment{Seq: peerISS + 1, Ack: ourISS.Add(-70000), Flags: ACK, Window: 65535, Payload: []byte("y")})
	recv(t, c, t0)
	if c.Readable() {
		t.Fatal("data of a segment with an ancient ACK was accepted")
	}
	// An old but plausible ACK (within MAX.SND.WND) is fine: data accepted.
	send(t, c, t0, Segment{Seq: peerISS + 1, Ack: ourISS - 10, Flags: ACK, Window: 65535, Payload: []byte("z")})
	if got := readAll(t, c); string(got) != "z" {
		t.Fatalf("read %q", got)
	}
	if c.Info().ChallengeACKs != 2 {
		t.Fatalf("challenge ACKs %d, want 2", c.Info().ChallengeACKs)
	}
}

// RFC 5961 §7: challenge ACKs are rate-limited (challengeACKLimit per
// second per connection).
func TestChallengeACKRateLimit_RFC5961_7(t *testing.T) {
	c := connectEstablished(t, plainConfig(), wire.TCPOptions{MSS: 1460})
	sent := 0
	for i := 0; i < 50; i++ {
		send(t, c, t0, Segment{Seq: peerISS + 100, Flags: RST})
		var s Segment
		for c.Output(t0, &s, make([]byte, 2000)) {
			sent++
		}
	}
	if sent != challengeACKLimit {
		t.Fatalf("%d challenge ACKs in one second, want %d", sent, challengeACKLimit)
	}
	send(t, c, t0.Add(time.Second), Segment{Seq: peerISS + 100, Flags: RST})
	recv(t, c, t0.Add(time.Second))
}

// RFC 9293 §3.10.7.4 first check: an unacceptable segment draws an ACK and
// is dropped; bare ones only at a limited rate.
func TestUnacceptableSegment_RFC9293_3_10_7_4(t *testing.T) {
	c := connectEstablished(t, plainConfig(), wire.TCPOptions{MSS: 1460})
	ack := Segment{Seq: ourISS + 1, Ack: peerISS + 1, Flags: ACK, Window: 65535}
	// Data entirely before RCV.NXT (a duplicate) and beyond the window.
	send(t, c, t0, Segment{Seq: peerISS - 100, Ack: ourISS + 1, Flags: ACK, Payload: []byte("old")})
	expect(t, recv(t, c, t0), ack)
	send(t, c, t0, Segment{Seq: peerISS + 1 + 65535, Ack: ourISS + 1, Flags: ACK, Payload: []byte("far")})
	expect(t, recv(t, c, t0), ack)
	// A bare old segment (a keepalive): answered, but not twice in 500ms.
	send(t, c, t0, Segment{Seq: peerISS, Ack: ourISS + 1, Flags: ACK})
	expect(t, recv(t, c, t0), ack)
	send(t, c, t0.Add(ms(100)), Segment{Seq: peerISS, Ack: ourISS + 1, Flags: ACK})
	recvNothing(t, c, t0.Add(ms(100)))
	send(t, c, t0.Add(ms(600)), Segment{Seq: peerISS, Ack: ourISS + 1, Flags: ACK})
	expect(t, recv(t, c, t0.Add(ms(600))), ack)
	if c.Readable() {
		t.Fatal("unacceptable data was accepted")
	}
}

// Linux's tcp_rcv_established and tcp_rcv_state_process drop a segment
// with none of ACK, RST and SYN before its sequence number is checked: a
// FIN or data without ACK, in the window or not, draws nothing.
func TestSegmentWithoutACKDropped(t *testing.T) {
	c := connectEstablished(t, plainConfig(), wire.TCPOptions{MSS: 1460})
	for i, seg := range []Segment{
		{Seq: peerISS + 1, Flags: FIN, Window: 65535},
		{Seq: peerISS + 1 + 70000, Flags: FIN, Window: 65535},
		{Seq: peerISS - 100, Flags: FIN, Window: 65535},
		{Seq: peerISS + 1, Flags: PSH, Window: 65535, Payload: []byte("data")},
		{Seq: peerISS + 1 + 70000, Window: 65535, Payload: []byte("data")},
	} {
		now := t0.Add(time.Duration(i) * time.Second)
		send(t, c, now, seg)
		recvNothing(t, c, now)
	}
	expectState(t, c, Established)
	if c.Readable() || c.Info().Dropped != 5 {
		t.Fatalf("segments without ACK: readable %v, dropped %d", c.Readable(), c.Info().Dropped)
	}
}

// RFC 5961 §4.2 with Linux's tcp_validate_incoming: a SYN that fails the
// sequence test draws a challenge ACK (rate-limited), not the duplicate
// ACK owed to data; out-of-window data and FINs are answered every time
// (tcp_oow_rate_limited exempts segments that occupy sequence space),
// bare segments once per 500ms.
func TestUnacceptableSegmentACKRateLimits(t *testing.T) {
	c := connectEstablished(t, plainConfig(), wire.TCPOptions{MSS: 1460})
	count := func(now time.Time, seg Segment, n int) int {
		acks := 0
		for i := 0; i < n; i++ {
			send(t, c, now, seg)
			acks += len(drain(t, c, now))
		}
		return acks
	}
	far := peerISS + 1 + 70000
	if got := count(t0, Segment{Seq: far, Flags: SYN, Window: 65535}, 50); got != challengeACKLimit {
		t.Fatalf("50 out-of-window SYNs drew %d ACKs, want %d (challenge ACK limit)", got, challengeACKLimit)
	}
	now := t0.Add(2 * time.Second)
	if got := count(now, Segment{Seq: far, Ack: ourISS + 1, Flags: ACK, Window: 65535, Payload: []byte("x")}, 5); got != 5 {
		t.Fatalf("5 out-of-window data segments drew %d ACKs, want 5", got)
	}
	if got := count(now, Segment{Seq: far, Ack: ourISS + 1, Flags: ACK | FIN, Window: 65535}, 5); got != 5 {
		t.Fatalf("5 out-of-window FINs drew %d ACKs, want 5", got)
	}
	if got := count(now, Segment{Seq: far, Ack: ourISS + 1, Flags: ACK, Window: 65535}, 5); got != 1 {
		t.Fatalf("5 out-of-window bare ACKs drew %d ACKs, want 1", got)
	}
	later := now.Add(oowAckInterval)
	if got := count(later, Segment{Seq: far, Ack: ourISS + 1, Flags: ACK, Window: 65535}, 5); got != 1 {
		t.Fatalf("after %v: %d ACKs, want 1", oowAckInterval, got)
	}
	expectState(t, c, Established)
}
