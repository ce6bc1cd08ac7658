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
	if c.Stats().SendBuffered != 0 {
		t.Fatalf("send buffer not drained: %d", c.Stats().SendBuffered)
	}
	if got := readAll(t, c); string(got) != "hello" {
		t.Fatalf("read %q", got)
	}
}
