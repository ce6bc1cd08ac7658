package conn

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/renet-go/renet/link/pipe"
	"golang.org/x/net/nettest"
)

func TestTCPEcho(t *testing.T) {
	a, b := newPair(t, pipe.Config{Seed: 1})
	l, err := Listen(a, "tcp", ":7")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go serveEcho(l)
	c, err := Dial(b, "tcp", "10.0.0.1:7")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	msg := bytes.Repeat([]byte("renet "), 100000)
	go func() {
		c.Write(msg)
		c.(*TCPConn).CloseWrite()
	}()
	c.SetReadDeadline(time.Now().Add(20 * time.Second))
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, msg) {
		t.Fatalf("echoed %d bytes, want %d identical", len(got), len(msg))
	}
}

func TestTCPRefused(t *testing.T) {
	_, b := newPair(t, pipe.Config{Seed: 1})
	start := time.Now()
	_, err := Dial(b, "tcp", "10.0.0.1:9")
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dial to a closed port: %v, want ECONNREFUSED", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("refusal took %v", d)
	}
}

func TestTCPNettest(t *testing.T) {
	nettest.TestConn(t, func() (c1, c2 net.Conn, stop func(), err error) {
		a, b := newPair(t, pipe.Config{Seed: 1})
		l, err := Listen(a, "tcp", ":80")
		if err != nil {
			return nil, nil, nil, err
		}
		accepted := make(chan net.Conn, 1)
		go func() {
			c, err := l.Accept()
			if err != nil {
				accepted <- nil
				return
			}
			accepted <- c
		}()
		c1, err = Dial(b, "tcp", "10.0.0.1:80")
		if err != nil {
			return nil, nil, nil, err
		}
		c2 = <-accepted
		if c2 == nil {
			return nil, nil, nil, errors.New("accept failed")
		}
		stop = func() {
			c1.Close()
			c2.Close()
			l.Close()
			a.Close()
			b.Close()
		}
		return c1, c2, stop, nil
	})
}

// A transfer through a lossy, duplicating, reordering, delaying link
// arrives intact.
func TestTCPTransferUnderImpairment(t *testing.T) {
	size := 100 << 20
	if testing.Short() {
		size = 8 << 20
	}
	a, b := newPair(t, pipe.Config{Seed: 5, Loss: 0.02, Duplicate: 0.01, Reorder: 0.02, Delay: 100 * time.Microsecond})
	l, err := Listen(a, "tcp", ":5001")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	sums := make(chan [32]byte, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			sums <- [32]byte{}
			return
		}
		h := sha256.New()
		io.Copy(h, c)
		c.Close()
		var s [32]byte
		copy(s[:], h.Sum(nil))
		sums <- s
	}()
	c, err := Dial(b, "tcp", "10.0.0.1:5001")
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, size)
	rng := rand.New(rand.NewPCG(1, 1))
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	start := time.Now()
	c.SetDeadline(time.Now().Add(10 * time.Minute))
	if _, err := c.Write(data); err != nil {
		t.Fatal(err)
	}
	c.Close()
	want := sha256.Sum256(data)
	select {
	case got := <-sums:
		if got != want {
			t.Fatal("sha256 differs")
		}
	case <-time.After(10 * time.Minute):
		t.Fatal("transfer did not finish")
	}
	st := c.(*TCPConn).Info()
	t.Logf("%d MB with 2%% loss, 1%% duplication, 2%% reordering: %v, %d retransmits, %d fast retransmits, %d timeouts",
		size>>20, time.Since(start).Round(time.Millisecond), st.Retransmits, st.FastRetransmits, st.Timeouts)
}
