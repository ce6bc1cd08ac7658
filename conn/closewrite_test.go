package conn

import (
	"errors"
	"net"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/renet-go/renet/link/pipe"
)

// A Write blocked on a full send buffer (the peer does not read) must
// return EPIPE when another goroutine calls CloseWrite, as on Linux
// (inet_shutdown wakes every waiter). The old tcpUpdate woke writers on any
// state change; the event-based one once did not.
func TestCloseWriteWakesBlockedWrite(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := newPair(t, pipe.Config{QueueLen: 1 << 16})
		l, err := Listen(b, "tcp", ":80")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		stop := make(chan struct{})
		defer close(stop)
		go func() {
			s, err := l.Accept()
			if err == nil {
				defer s.Close()
				<-stop // never reads
			}
		}()
		c, err := Dial(a, "tcp", "10.0.0.2:80")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		done := make(chan error, 1)
		go func() {
			_, err := c.Write(make([]byte, 64<<20))
			done <- err
		}()
		time.Sleep(10 * time.Second) // the peer's window closes, our buffer fills
		synctest.Wait()
		select {
		case err := <-done:
			t.Fatalf("write finished early: %v", err)
		default:
		}
		c.(*TCPConn).CloseWrite()
		select {
		case err := <-done:
			if !errors.Is(err, syscall.EPIPE) && !errors.Is(err, net.ErrClosed) {
				t.Errorf("write returned %v", err)
			}
		case <-time.After(5 * time.Minute):
			t.Fatal("Write still blocked five minutes after CloseWrite made it fail")
		}
	})
}
