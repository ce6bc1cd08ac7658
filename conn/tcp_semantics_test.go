package conn

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/renet-go/renet/link/pipe"
	"github.com/renet-go/renet/netstack"
)

// Cancelling the context aborts a dial in progress. 10.0.0.99 is on-link
// but nobody answers its ARP, so the SYN never leaves.
func TestTCPDialContextCancel(t *testing.T) {
	_, b := newPair(t, pipe.Config{Seed: 1})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := DialContext(ctx, b, "tcp", "10.0.0.99:80")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("dial: %v, want context.Canceled", err)
	}
	var oe *net.OpError
	if !errors.As(err, &oe) || oe.Op != "dial" {
		t.Errorf("not a dial *net.OpError: %#v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("cancel took %v", d)
	}
	// A Dialer timeout ends the same way, as a timeout.
	d := Dialer{Stack: b, Timeout: 50 * time.Millisecond}
	_, err = d.Dial("tcp", "10.0.0.99:80")
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("dial with Timeout: %v, want a timeout error", err)
	}
}

// Close with unread data resets the connection, as Linux does: the peer's
// next Read fails with ECONNRESET.
func TestTCPCloseWithUnreadDataResets(t *testing.T) {
	c, s := tcpPair(t)
	if _, err := s.Write([]byte("you will not read this")); err != nil {
		t.Fatal(err)
	}
	// Wait until the data has arrived, unread, at c.
	deadline := time.Now().Add(5 * time.Second)
	for c.Info().RecvBuffered == 0 {
		if time.Now().After(deadline) {
			t.Fatal("data never arrived")
		}
		time.Sleep(time.Millisecond)
	}
	c.Close()
	s.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err := s.Read(make([]byte, 10))
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("peer read after reset: %v, want ECONNRESET", err)
	}
	if _, err := c.Read(make([]byte, 1)); !errors.Is(err, net.ErrClosed) {
		t.Errorf("read after own Close: %v, want net.ErrClosed", err)
	}
}

// A FIN reads as io.EOF; CloseWrite leaves the other direction open.
func TestTCPHalfClose(t *testing.T) {
	c, s := tcpPair(t)
	c.Write([]byte("request"))
	c.CloseWrite()
	got, err := io.ReadAll(s)
	if err != nil || string(got) != "request" {
		t.Fatalf("server read %q, %v", got, err)
	}
	if _, err := s.Write([]byte("reply after your FIN")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	got, err = io.ReadAll(c)
	if err != nil || string(got) != "reply after your FIN" {
		t.Fatalf("client read %q, %v", got, err)
	}
	if _, err := c.Write([]byte("x")); !errors.Is(err, syscall.EPIPE) {
		t.Errorf("write after CloseWrite: %v, want EPIPE", err)
	}
}

// Deadlines and closes set from another goroutine wake blocked calls.
func TestTCPWakeups(t *testing.T) {
	a, b := newPair(t, pipe.Config{Seed: 1})
	l, err := Listen(a, "tcp", ":7000")
	if err != nil {
		t.Fatal(err)
	}
	tl := l.(*TCPListener)
	wake := func(name string, block func() error, poke func(), want error) {
		t.Helper()
		done := make(chan error, 1)
		go func() { done <- block() }()
		time.AfterFunc(30*time.Millisecond, poke)
		select {
		case err := <-done:
			if !errors.Is(err, want) {
				t.Errorf("%s: %v, want %v", name, err, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: still blocked", name)
		}
	}
	accept := func() error { _, err := l.Accept(); return err }
	wake("Accept, deadline", accept, func() { tl.SetDeadline(time.Now()) }, os.ErrDeadlineExceeded)
	tl.SetDeadline(time.Time{})

	c, err := Dial(b, "tcp", "10.0.0.1:7000")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	read := func() error { _, err := c.Read(make([]byte, 10)); return err }
	wake("Read, deadline", read, func() { c.SetReadDeadline(time.Now()) }, os.ErrDeadlineExceeded)
	c.SetReadDeadline(time.Time{})

	// Fill the peer's window and our send buffer, then block in Write.
	c.(*TCPConn).SetWriteBuffer(4096)
	big := make([]byte, 8<<20)
	write := func() error { _, err := c.Write(big); return err }
	wake("Write, deadline", write, func() { c.SetWriteDeadline(time.Now()) }, os.ErrDeadlineExceeded)
	c.SetWriteDeadline(time.Time{})
	srv.Close()

	wake("Accept, Listener.Close", accept, func() { l.Close() }, net.ErrClosed)

	// Stack.Close unblocks everything still pending.
	l2, _ := Listen(a, "tcp", ":7001")
	c2, err := Dial(b, "tcp", "10.0.0.1:7001")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l2.Accept(); err != nil {
		t.Fatal(err)
	}
	wake("Read, Stack.Close", func() error { _, err := c2.Read(make([]byte, 1)); return err }, func() { b.Close() }, net.ErrClosed)
	wake("Accept, Stack.Close", func() error { _, err := l2.Accept(); return err }, func() { a.Close() }, net.ErrClosed)
	if _, err := Dial(b, "tcp", "10.0.0.1:7001"); !errors.Is(err, net.ErrClosed) {
		t.Errorf("dial on a closed stack: %v", err)
	}
}

// A listener that never accepts holds at most its backlog of established
// connections, as Linux does: the handshakes beyond it stay half-open
// (their final ACKs dropped and counted) until Accept makes room.
func TestTCPListenBacklogBounded(t *testing.T) {
	a, b := newPair(t, pipe.Config{Seed: 1})
	l, err := a.ListenTCP(netipAddrPort("10.0.0.1:7100"), 8)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	results := make(chan net.Conn, 40)
	for i := 0; i < 40; i++ {
		go func() {
			c, _ := DialContext(ctx, b, "tcp", "10.0.0.1:7100")
			results <- c
		}()
	}
	ok := 0
	for i := 0; i < 40; i++ {
		if c := <-results; c != nil {
			ok++
			defer c.Close()
		}
	}
	// The last final ACKs may still be on their way.
	waitFor(t, func() bool {
		syn, acc := l.Queues()
		return acc == 8 && syn+acc == ok && a.Stats().Dropped(netstack.DropTCPAcceptQueueFull) > 0
	})
	syn, acc := l.Queues()
	// A client is connected once it has our SYN-ACK, whether or not its
	// final ACK found room; SYNs that came while the accept queue was full
	// were dropped, and those clients are still retrying.
	if acc != 8 || syn+acc != ok {
		t.Errorf("queues: %d half-open, %d to accept, %d clients connected; want 8 to accept and the rest half-open", syn, acc, ok)
	}
	if d := a.Stats().Dropped(netstack.DropTCPAcceptQueueFull); d == 0 {
		t.Error("no handshake ACK was dropped for a full accept queue")
	}
}

// CloseRead wakes a blocked Read with io.EOF, as shutdown(SHUT_RD) does.
func TestTCPCloseReadWakesReader(t *testing.T) {
	c, _ := tcpPair(t)
	done := make(chan error, 1)
	go func() { _, err := c.Read(make([]byte, 1)); done <- err }()
	time.AfterFunc(30*time.Millisecond, func() { c.CloseRead() })
	select {
	case err := <-done:
		if err != io.EOF {
			t.Errorf("read after CloseRead: %v, want io.EOF", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Read still blocked after CloseRead")
	}
}

// A deadline already in the past fails a Read even when data is waiting,
// as in net (net/http relies on this to interrupt reads).
func TestTCPPastDeadlineBeatsBufferedData(t *testing.T) {
	c, s := tcpPair(t)
	s.Write([]byte("hello"))
	for c.Info().RecvBuffered == 0 {
		time.Sleep(time.Millisecond)
	}
	c.SetReadDeadline(time.Now().Add(-time.Second))
	if _, err := c.Read(make([]byte, 10)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("read: %v, want os.ErrDeadlineExceeded", err)
	}
	c.SetReadDeadline(time.Time{})
	if n, err := c.Read(make([]byte, 10)); n != 5 || err != nil {
		t.Errorf("read after clearing the deadline: %d, %v", n, err)
	}
}

// Close racing Read and Write makes them fail with net.ErrClosed, never
// with the TCB's view of our own close (EPIPE, ENOTCONN, ECONNRESET).
func TestTCPCloseRacingIO(t *testing.T) {
	for i := 0; i < 50; i++ {
		c, s := tcpPair(t)
		s.Write(make([]byte, 1000)) // unread data makes Close a reset
		errs := make(chan error, 2)
		go func() {
			buf := make([]byte, 100)
			for {
				if _, err := c.Read(buf); err != nil {
					errs <- err
					return
				}
			}
		}()
		go func() {
			for {
				if _, err := c.Write(make([]byte, 1000)); err != nil {
					errs <- err
					return
				}
			}
		}()
		time.Sleep(time.Millisecond)
		c.Close()
		for j := 0; j < 2; j++ {
			if err := <-errs; !errors.Is(err, net.ErrClosed) {
				t.Fatalf("round %d: %v, want net.ErrClosed", i, err)
			}
		}
	}
}
