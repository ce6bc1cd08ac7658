package conn

import (
	"io"
	"testing"
	"time"

	"github.com/renet-go/renet/link/pipe"
	"github.com/renet-go/renet/netstack"
)

// A bulk transfer outlives many neighbour entries (20ms of reachability
// here, 30s by default): the sender's entry is kept REACHABLE by TCP's
// forward progress, the receiver's goes STALE and is probed while still
// in use, and not one packet is dropped or held back for resolution.
func TestBulkTransferAcrossNeighbourExpiry(t *testing.T) {
	short := netstack.Config{ARPTimeout: 20 * time.Millisecond}
	a, b := newPairWith(t, pipe.Config{Seed: 7, Delay: time.Millisecond}, short, short)
	l, err := Listen(a, "tcp", ":80")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	const size = 32 << 20
	got := make(chan int64, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			got <- -1
			return
		}
		defer c.Close()
		n, _ := io.Copy(io.Discard, c)
		got <- n
	}()
	c, err := Dial(b, "tcp", "10.0.0.1:80")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := io.Copy(c, io.LimitReader(zeros{}, size)); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if n := <-got; n != size {
		t.Fatalf("received %d of %d bytes", n, size)
	}
	elapsed := time.Since(start)
	for name, s := range map[string]*netstack.Stack{"receiver": a, "sender": b} {
		st := s.Stats()
		drops := st.Dropped(netstack.DropARPQueueFull) + st.Dropped(netstack.DropARPUnresolved) + st.Dropped(netstack.DropARPEvicted)
		if drops != 0 {
			t.Errorf("%s: %d packets dropped for neighbour resolution", name, drops)
		}
		t.Logf("%s over %v: %d ARP requests sent, %d replies", name, elapsed.Round(time.Millisecond), st.ARPRequestsOut, st.ARPRepliesOut)
	}
}

// zeros is an endless reader of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }
