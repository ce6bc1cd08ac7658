package stacks

import (
	"bytes"
	"io"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/renet-go/renet/link/pipe"
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

// renet-64k carries TCP in segments far larger than a 1500-byte MTU allows
// (the point of the network), and drops none for their size.
func TestRenet64KSegments(t *testing.T) {
	n, err := NewRenet64K()
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	checkTCP(t, n) // 1 MiB each way, and the ACKs
	st := n.(*renetNet).link.Stats()
	// At MTU 1500 each direction would take at least 1 MiB / 1460 = 719
	// data packets; with 64 KiB segments it takes about 17 and their ACKs.
	const most = (1 << 20) / (MTU - 40) / 4
	for dir, d := range map[string]pipe.DirectionStats{"server to client": st.Tx, "client to server": st.Rx} {
		if d.Oversize != 0 {
			t.Errorf("%s: %d packets dropped as oversize", dir, d.Oversize)
		}
		if d.Sent > most {
			t.Errorf("%s: %d packets for 1 MiB of data, want at most %d", dir, d.Sent, most)
		}
		t.Logf("%s: %d packets", dir, d.Sent)
	}
}
