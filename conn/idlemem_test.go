package conn

import (
	"io"
	"net"
	"runtime"
	"testing"
	"testing/synctest"
	"time"

	"github.com/renet-go/renet/link/pipe"
)

// TestIdleConnectionHeap measures what an established connection costs
// once a bulk transfer is over and it has gone quiet. The goal is about 2
// KB per endpoint; today this test counts about 2.5 KB (bench's
// IdleConnMemory, counting every allocation a connection makes, about 3
// KB), with no buffer memory at all: the TCB's struct is half of it (1.5
// KB, see tcp.TestConnSize), then its congestion controller (0.4), the
// stack's socket and its channels (0.4), conn's wrapper, deadlines and
// addresses (0.7). The test reports the figure and
// fails well above it, where a regression that keeps buffers would land
// (a single ring is at least 4 KB).
func TestIdleConnectionHeap(t *testing.T) {
	if testing.Short() {
		t.Skip("measures many connections")
	}
	synctest.Test(t, func(t *testing.T) {
		const n = 200
		a, b := newPair(t, pipe.Config{QueueLen: 1 << 16})
		l, err := Listen(b, "tcp", ":80")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		accepted := make(chan net.Conn, n)
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				accepted <- c
			}
		}()
		var conns []net.Conn
		heap := func() uint64 {
			runtime.GC()
			runtime.GC() // twice: sync.Pool keeps a victim cache across one
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			return m.HeapAlloc
		}
		chunk := make([]byte, 256<<10)
		warm, err := Dial(a, "tcp", "10.0.0.2:80") // grow the stacks' packet pools first
		if err != nil {
			t.Fatal(err)
		}
		go func() { warm.Write(chunk); warm.Close() }()
		io.Copy(io.Discard, <-accepted)
		time.Sleep(3 * time.Second)
		before := heap()
		for i := 0; i < n; i++ {
			c, err := Dial(a, "tcp", "10.0.0.2:80")
			if err != nil {
				t.Fatal(err)
			}
			s := <-accepted
			go func() { c.Write(chunk) }()
			if _, err := io.ReadFull(s, make([]byte, len(chunk))); err != nil {
				t.Fatal(err)
			}
			conns = append(conns, c, s)
		}
		time.Sleep(3 * time.Second) // quiet: the reclaim timers fire
		per := (float64(heap()) - float64(before)) / float64(len(conns))
		t.Logf("%d idle endpoints after a 256 KiB transfer each: %.0f bytes of heap per endpoint", len(conns), per)
		if per > 6<<10 {
			t.Errorf("%.0f bytes per idle endpoint, want about 2 KB", per)
		}
		for _, c := range conns {
			c.(*TCPConn).Info() // keep them alive through the measurement
			c.Close()
		}
	})
}
