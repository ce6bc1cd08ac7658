package conn

import (
	"errors"
	"io"
	"syscall"
	"testing"
	"time"

	"github.com/renet-go/renet/link/pipe"
)

// RFC 5482 (Linux's TCP_USER_TIMEOUT): when the peer vanishes without a
// word, data left unacknowledged fails the connection with ETIMEDOUT once
// the user timeout has passed, instead of after every retransmission
// (about 15 minutes).
func TestUserTimeout_RFC5482(t *testing.T) {
	ea, eb := pipe.New(pipe.Config{Seed: 11})
	a, b := stacksOn(t, ea, eb)
	l, err := Listen(b, "tcp", ":80")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		if s, err := l.Accept(); err == nil {
			defer s.Close()
			io.Copy(io.Discard, s)
		}
	}()
	c, err := Dial(a, "tcp", "10.0.0.2:80")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tc := c.(*TCPConn)
	if err := tc.SetUserTimeout(300 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	eb.Close() // the peer's link goes dead: nothing more arrives or leaves
	start := time.Now()
	if _, err := c.Write([]byte("into the void")); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(20 * time.Second))
	_, err = c.Read(make([]byte, 1))
	if !errors.Is(err, syscall.ETIMEDOUT) {
		t.Fatalf("read after the peer vanished: %v, want ETIMEDOUT", err)
	}
	t.Logf("failed %v after the write, with a 300ms user timeout", time.Since(start).Round(time.Millisecond))
}

// Linux's TCP_CORK: while corked, small writes wait to fill a segment;
// uncorking sends what is left at once.
func TestCork(t *testing.T) {
	a, b := newPair(t, pipe.Config{Seed: 12})
	l, err := Listen(a, "tcp", ":80")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	got := make(chan []byte, 1)
	go func() {
		s, err := l.Accept()
		if err != nil {
			return
		}
		defer s.Close()
		data, _ := io.ReadAll(s)
		got <- data
	}()
	c, err := Dial(b, "tcp", "10.0.0.1:80")
	if err != nil {
		t.Fatal(err)
	}
	tc := c.(*TCPConn)
	tc.SetNoDelay(true)
	tc.SetCork(true)
	before := tc.Info().SegsOut
	for range 10 {
		c.Write([]byte("0123456789"))
	}
	if n := tc.Info().SegsOut - before; n != 0 {
		t.Fatalf("%d segments left while corked with 100 bytes queued", n)
	}
	tc.SetCork(false)
	waitFor(t, func() bool { return tc.Info().SegsOut-before >= 1 })
	if n := tc.Info().SegsOut - before; n != 1 {
		t.Errorf("uncorking sent %d segments for 100 bytes, want one", n)
	}
	c.(interface{ CloseWrite() error }).CloseWrite()
	if data := <-got; len(data) != 100 {
		t.Fatalf("received %d bytes", len(data))
	}
	c.Close()
}
