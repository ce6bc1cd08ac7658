package conn

import (
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/renet-go/renet/link/pipe"
)

// tcpPair returns the two ends of one TCP connection between two stacks
// joined by a clean pipe.
func tcpPair(tb testing.TB) (client, server *TCPConn) {
	return tcpPairOver(tb, pipe.Config{Seed: 1})
}

// tcpPairOver is tcpPair over a pipe configured by cfg.
func tcpPairOver(tb testing.TB, cfg pipe.Config) (client, server *TCPConn) {
	a, b := newPair(tb, cfg)
	l, err := Listen(a, "tcp", ":5000")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { l.Close() })
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := l.Accept()
		accepted <- c
	}()
	c, err := Dial(b, "tcp", "10.0.0.1:5000")
	if err != nil {
		tb.Fatal(err)
	}
	s := <-accepted
	if s == nil {
		tb.Fatal("accept failed")
	}
	tb.Cleanup(func() { c.Close(); s.Close() })
	return c.(*TCPConn), s.(*TCPConn)
}

// BenchmarkTCPBulk measures one-way bulk transfer between two stacks over
// link/pipe, 64 KiB per op.
func BenchmarkTCPBulk(b *testing.B) {
	b.Run("plain", func(b *testing.B) { benchBulk(b, pipe.Config{Seed: 1}) })
	// A pipe that offloads as a veth does: partial checksums, TSO and GRO.
	b.Run("offload", func(b *testing.B) { benchBulk(b, pipe.Config{Seed: 1, Offload: true}) })
	// A 64 KiB MTU, as Linux's loopback has.
	b.Run("mtu64k", func(b *testing.B) { benchBulk(b, pipe.Config{Seed: 1, MTU: 65535, Offload: true}) })
}

func benchBulk(b *testing.B, cfg pipe.Config) {
	c, s := tcpPairOver(b, cfg)
	const chunk = 64 << 10
	done := make(chan int64)
	go func() {
		n, _ := io.Copy(io.Discard, s)
		done <- n
	}()
	buf := make([]byte, chunk)
	b.SetBytes(chunk)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Write(buf); err != nil {
			b.Fatal(err)
		}
	}
	c.CloseWrite()
	if n := <-done; n != int64(b.N)*chunk {
		b.Fatalf("received %d bytes, want %d", n, int64(b.N)*chunk)
	}
}

// BenchmarkTCPRoundTrip measures a 1-byte request and 1-byte reply between
// two stacks over link/pipe.
func BenchmarkTCPRoundTrip(b *testing.B) {
	c, s := tcpPair(b)
	go func() {
		buf := make([]byte, 1)
		for {
			if _, err := io.ReadFull(s, buf); err != nil {
				return
			}
			if _, err := s.Write(buf); err != nil {
				return
			}
		}
	}()
	buf := make([]byte, 1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Write(buf); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			b.Fatal(err)
		}
	}
}

// 1,000 connections open at once between two stacks, each exchanging data.
func TestTCPThousandConnections(t *testing.T) {
	a, b := newPair(t, pipe.Config{Seed: 3})
	l, err := Listen(a, "tcp", ":6000")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go serveEcho(l)
	const n = 1000
	conns := make([]net.Conn, n)
	for i := range conns {
		c, err := Dial(b, "tcp", "10.0.0.1:6000")
		if err != nil {
			t.Fatalf("dial %d: %v", i, err)
		}
		defer c.Close()
		conns[i] = c
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			msg := []byte(fmt.Sprintf("connection %d says hello", i))
			c.SetDeadline(time.Now().Add(time.Minute))
			if _, err := c.Write(msg); err != nil {
				errs <- err
				return
			}
			got := make([]byte, len(msg))
			if _, err := io.ReadFull(c, got); err != nil {
				errs <- fmt.Errorf("connection %d: %v", i, err)
				return
			}
			if string(got) != string(msg) {
				errs <- fmt.Errorf("connection %d got %q", i, got)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
