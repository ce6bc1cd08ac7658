package conn

import (
	"bytes"
	"io"
	"testing"

	"github.com/renet-go/renet/link/pipe"
)

// A stack talks to its own addresses without the link, as Linux does over
// lo: TCP (a 4 MB echo) and UDP to 10.0.0.1 from 10.0.0.1.
func TestLoopback(t *testing.T) {
	a, _ := newPair(t, pipe.Config{Seed: 1})
	l, err := Listen(a, "tcp", "10.0.0.1:7")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go serveEcho(l)
	c, err := Dial(a, "tcp", "10.0.0.1:7")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	msg := bytes.Repeat([]byte("loop"), 1<<20)
	go c.Write(msg)
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("TCP echo over loopback: %v", err)
	}
	framesOut := a.Stats().FramesOut

	u, err := ListenPacket(a, "udp", "10.0.0.1:9")
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	v, err := Dial(a, "udp", "10.0.0.1:9")
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if _, err := v.Write([]byte("to myself")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	n, from, err := u.ReadFrom(buf)
	if err != nil || string(buf[:n]) != "to myself" || from.String() != v.LocalAddr().String() {
		t.Fatalf("UDP over loopback: %q from %v, %v", buf[:n], from, err)
	}
	if st := a.Stats(); st.FramesOut != framesOut {
		t.Errorf("%d frames reached the link", st.FramesOut-framesOut)
	}
}
