package conn

import (
	"io"
	"net/netip"
	"slices"
	"testing"
	"time"
)

// TestKernelRoundTripUnderLoad measures 1-byte round trips between a
// kernel socket and the stack over the offloading tap, first on an idle
// link, then while another connection of the same stack sends to the
// kernel as fast as it can. The bulk connection's small queue keeps the
// stack's output queue short, so the round trips wait behind little of
// it. Figures are logged, not asserted; the echoes are checked.
func TestKernelRoundTripUnderLoad(t *testing.T) {
	k := newKernelLink(t, "192.168.69.1/24")
	echo, err := ListenTCP(k.s, netip.AddrPortFrom(stack4, 5003))
	if err != nil {
		t.Fatal(err)
	}
	defer echo.Close()
	go func() {
		c, err := echo.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		io.Copy(c, c)
	}()
	bulk, err := ListenTCP(k.s, netip.AddrPortFrom(stack4, 5004))
	if err != nil {
		t.Fatal(err)
	}
	defer bulk.Close()
	stop := make(chan struct{})
	sent := make(chan int64, 1)
	go func() {
		c, err := bulk.Accept()
		if err != nil {
			sent <- 0
			return
		}
		defer c.Close()
		buf := make([]byte, 256<<10)
		var n int64
		for {
			select {
			case <-stop:
				sent <- n
				return
			default:
			}
			m, err := c.Write(buf)
			n += int64(m)
			if err != nil {
				sent <- n
				return
			}
		}
	}()

	ec := k.dial(t, "tcp4", "192.168.69.1:5003")
	defer ec.Close()
	ec.SetDeadline(time.Now().Add(60 * time.Second))
	roundTrips := func(n int) []time.Duration {
		var b [1]byte
		d := make([]time.Duration, n)
		for i := range d {
			b[0] = byte(i)
			start := time.Now()
			if _, err := ec.Write(b[:]); err != nil {
				t.Fatal(err)
			}
			if _, err := io.ReadFull(ec, b[:]); err != nil || b[0] != byte(i) {
				t.Fatalf("echo %d: %v (got %d)", i, err, b[0])
			}
			d[i] = time.Since(start)
		}
		slices.Sort(d)
		return d
	}
	idle := roundTrips(500)

	bc := k.dial(t, "tcp4", "192.168.69.1:5004")
	defer bc.Close()
	received := make(chan int64, 1)
	go func() {
		n, _ := io.Copy(io.Discard, bc)
		received <- n
	}()
	time.Sleep(100 * time.Millisecond) // past slow start
	start := time.Now()
	loaded := roundTrips(500)
	took := time.Since(start)
	close(stop)
	n := <-sent
	bc.Close()
	<-received
	if n == 0 {
		t.Fatal("the bulk connection sent nothing")
	}
	pct := func(d []time.Duration, p int) time.Duration { return d[len(d)*p/100] }
	t.Logf("round trip idle: median %v, p99 %v", pct(idle, 50), pct(idle, 99))
	t.Logf("round trip beside a bulk sender (%d MB in %v+0.1 s): median %v, p99 %v",
		n>>20, took.Round(time.Millisecond), pct(loaded, 50), pct(loaded, 99))
}
