package tcp

import (
	"bytes"
	"testing"

	"github.com/renet-go/renet/netstack/wire"
)

func TestBasicTransferBothWays(t *testing.T) {
	c := connectEstablished(t, plainConfig(), wire.TCPOptions{MSS: 1460})
	data := pattern(3000, 1)
	if n, err := c.Write(data); n != 3000 || err != nil {
		t.Fatalf("Write = %d, %v", n, err)
	}
	s1 := recv(t, c, t0)
	s2 := recv(t, c, t0)
	s3 := recv(t, c, t0)
	recvNothing(t, c, t0)
	if len(s1.Payload) != 1460 || len(s2.Payload) != 1460 || len(s3.Payload) != 80 {
		t.Fatalf("segment sizes %d %d %d", len(s1.Payload), len(s2.Payload), len(s3.Payload))
	}
	if s3.Flags != ACK|PSH || s3.Seq != ourISS+1+2920 {
		t.Fatalf("last segment %v", s3)
	}
	got := append(append(append([]byte{}, s1.Payload...), s2.Payload...), s3.Payload...)
	if !bytes.Equal(got, data) {
		t.Fatal("payload mismatch")
	}
	send(t, c, t0.Add(ms(10)), Segment{Seq: peerISS + 1, Ack: ourISS + 1 + 3000, Flags: ACK, Window: 65535, Payload: []byte("hello")})
	if c.Info().SendBuffered != 0 {
		t.Fatalf("send buffer not drained: %d", c.Info().SendBuffered)
	}
	if got := readAll(t, c); string(got) != "hello" {
		t.Fatalf("read %q", got)
	}
}

func TestStateStrings(t *testing.T) {
	want := []string{"CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1",
		"FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT"}
	for i, w := range want {
		if got := State(i).String(); got != w {
			t.Errorf("State(%d) = %q, want %q", i, got, w)
		}
	}
	if State(200).String() != "UNKNOWN" {
		t.Error("out-of-range state")
	}
}

// RFC 9293 §3.10.7.4: data on the ACK that completes a passive open is
// accepted (the state is ESTABLISHED by the time the text is processed).
func TestDataOnHandshakeACK_RFC9293_3_10_7_4(t *testing.T) {
	c := NewConn(plainConfig())
	c.Listen()
	c.SetISS(ourISS)
	send(t, c, t0, Segment{Seq: peerISS, Flags: SYN, Window: 1000, Options: wire.TCPOptions{MSS: 1460}})
	recv(t, c, t0)
	if c.Established() {
		t.Fatal("Established in SYN-RECEIVED")
	}
	send(t, c, t0, Segment{Seq: peerISS + 1, Ack: ourISS + 1, Flags: ACK | PSH, Window: 1000, Payload: []byte("GET /")})
	if !c.Established() {
		t.Fatalf("state %v", c.State())
	}
	if got := string(readAll(t, c)); got != "GET /" {
		t.Fatalf("read %q", got)
	}
	c.SetNoDelay(false)
	if !c.cfg.Nagle {
		t.Fatal("SetNoDelay(false) did not enable Nagle")
	}
}
