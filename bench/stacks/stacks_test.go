package stacks

import (
	"bytes"
	"io"
	"net"
	"runtime"
	"testing"
	"time"
)

// Every network carries TCP data intact in both directions, echoes UDP
// datagrams, and stops all its goroutines on Close — a leak would skew the
// memory benchmark of whatever ran next.
func TestNetworks(t *testing.T) {
	for _, impl := range Impls {
		t.Run(impl.Name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			n, err := impl.New()
			if err != nil {
				t.Fatal(err)
			}
			checkTCP(t, n)
			checkUDP(t, n)
			if err := n.Close(); err != nil {
				t.Fatal(err)
			}
			// Goroutines blocked on closed sockets need a moment to be
			// scheduled and return; nothing to wait on but the count.
			deadline := time.Now().Add(5 * time.Second)
			for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
			if got := runtime.NumGoroutine(); got > before {
				buf := make([]byte, 1<<16)
				t.Fatalf("%d goroutines after Close, %d before:\n%s", got, before, buf[:runtime.Stack(buf, true)])
			}
		})
	}
}

func checkTCP(t *testing.T, n Network) {
	t.Helper()
	l, err := n.ListenTCP()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		s, err := l.Accept()
		if err != nil {
			return
		}
		defer s.Close()
		io.Copy(s, s)
	}()
	c, err := n.DialTCP(l.Addr().(*net.TCPAddr).Port)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	want := make([]byte, 1<<20)
	for i := range want {
		want[i] = byte(i * 7 / 3)
	}
	go func() {
		c.Write(want)
		c.(interface{ CloseWrite() error }).CloseWrite()
	}()
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("echoed %d bytes, want the %d sent", len(got), len(want))
	}
}

func checkUDP(t *testing.T, n Network) {
	t.Helper()
	srv, err := n.ListenUDP()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	go func() {
		buf := make([]byte, 2048)
		for {
			k, from, err := srv.ReadFrom(buf)
			if err != nil {
				return
			}
			srv.WriteTo(buf[:k], from)
		}
	}()
	c, err := n.DialUDP(srv.LocalAddr().(*net.UDPAddr).Port)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	for i := range 10 {
		msg := bytes.Repeat([]byte{byte(i)}, 100+i)
		if _, err := c.Write(msg); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 2048)
		k, err := c.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf[:k], msg) {
			t.Fatalf("datagram %d came back as %d bytes", i, k)
		}
	}
}
