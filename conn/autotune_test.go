package conn

import (
	"io"
	"net"
	"testing"
	"testing/synctest"
	"time"

	"github.com/renet-go/renet/link/pipe"
	"github.com/renet-go/renet/netstack/tcp"
)

// transfer sends n bytes from a to b over a fresh connection on a path
// with the given one-way delay and returns both ends, still open, and the
// virtual time the transfer took. setup, if not nil, runs on both conns
// before any data moves.
func transfer(t *testing.T, delay time.Duration, n int, setup func(snd, rcv *TCPConn)) (snd, rcv *TCPConn, took time.Duration) {
	t.Helper()
	a, b := newPair(t, pipe.Config{Delay: delay, QueueLen: 1 << 16, Seed: 1})
	l, err := Listen(b, "tcp", ":80")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := l.Accept()
		accepted <- c
	}()
	c, err := Dial(a, "tcp", "10.0.0.2:80")
	if err != nil {
		t.Fatal(err)
	}
	snd, rcv = c.(*TCPConn), (<-accepted).(*TCPConn)
	t.Cleanup(func() { snd.Close(); rcv.Close() })
	if setup != nil {
		setup(snd, rcv)
	}
	start := time.Now()
	go func() {
		buf := make([]byte, 64<<10)
		for left := n; left > 0; left -= len(buf) {
			if _, err := snd.Write(buf[:min(left, len(buf))]); err != nil {
				return
			}
		}
	}()
	if _, err := io.CopyN(io.Discard, rcv, int64(n)); err != nil {
		t.Fatalf("after %v: %v", time.Since(start), err)
	}
	return snd, rcv, time.Since(start)
}

// A reader that keeps up with a long path makes the receive buffer grow
// past its initial size (dynamic right-sizing), the window scale in the
// SYN covers the maximum, and the sender's buffer follows its congestion
// window; the transfer then runs far faster than a fixed 256 KiB window
// allows (256 KiB per 100 ms RTT is 2.6 MB/s).
func TestAutotuningGrowsBuffers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const n = 64 << 20
		snd, rcv, took := transfer(t, 50*time.Millisecond, n, nil)
		ri, si := rcv.Info(), snd.Info()
		if ri.RecvBufSize <= tcp.DefaultRecvBufSize || si.SendBufSize <= tcp.DefaultSendBufSize {
			t.Fatalf("buffers did not grow: receive %d, send %d", ri.RecvBufSize, si.SendBufSize)
		}
		if ri.RecvBufSize > tcp.DefaultRecvBufMax || si.SendBufSize > tcp.DefaultSendBufMax {
			t.Fatalf("buffers beyond their maxima: receive %d, send %d", ri.RecvBufSize, si.SendBufSize)
		}
		rate := float64(n) / took.Seconds()
		t.Logf("64 MiB at 100 ms RTT in %v: %.1f MB/s; receive buffer %d, send buffer %d, cwnd %d",
			took, rate/1e6, ri.RecvBufSize, si.SendBufSize, si.Cwnd)
		if rate < 3*(256<<10)/0.1 {
			t.Fatalf("%.1f MB/s: not above what a fixed 256 KiB window allows", rate/1e6)
		}
	})
}

// SetReadBuffer and SetWriteBuffer pin the sizes: autotuning leaves them
// alone, as on Linux.
func TestPinnedBuffersStay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		snd, rcv, _ := transfer(t, 10*time.Millisecond, 8<<20, func(snd, rcv *TCPConn) {
			rcv.SetReadBuffer(64 << 10)
			snd.SetWriteBuffer(64 << 10)
		})
		if r, s := rcv.Info().RecvBufSize, snd.Info().SendBufSize; r != 64<<10 || s != 64<<10 {
			t.Fatalf("pinned buffers moved: receive %d, send %d", r, s)
		}
	})
}

// After a bulk transfer an idle connection gives its ring storage back.
func TestIdleConnectionReleasesBuffers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		snd, rcv, _ := transfer(t, 5*time.Millisecond, 16<<20, nil)
		if rcv.Info().BufferMemory == 0 {
			t.Fatal("no buffer memory held right after the transfer: the test would prove nothing")
		}
		time.Sleep(3 * time.Second) // virtual time
		if s, r := snd.Info().BufferMemory, rcv.Info().BufferMemory; s != 0 || r != 0 {
			t.Fatalf("idle connection still holds %d (sender) and %d (receiver) bytes of buffers", s, r)
		}
	})
}
