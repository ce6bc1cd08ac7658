package pathsim

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/renet-go/renet/link"
)

// frames returns n frames of size bytes.
func frames(n, size int) [][]byte {
	pkts := make([][]byte, n)
	for i := range pkts {
		pkts[i] = make([]byte, size)
	}
	return pkts
}

// drain reads n frames from ep and returns when the last arrived, measured
// from start.
func drain(t *testing.T, ep link.Endpoint, n int, start time.Time) time.Duration {
	t.Helper()
	bufs, sizes := frames(16, 1600), make([]int, 16)
	for got := 0; got < n; {
		k, err := ep.ReadBatch(bufs, sizes)
		if err != nil {
			t.Fatal(err)
		}
		got += k
	}
	return time.Since(start)
}

// The bottleneck serialises at Rate and then the wire adds RTT/2: the last
// of a burst arrives after exactly its transmission time plus that.
func TestNetLinkRateThenDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nl := newNetLink(Path{RTT: 300 * time.Millisecond, Rate: 1_000_000, Queue: 100})
		defer nl.close()
		start := time.Now()
		nl.a.WriteBatch(frames(50, 1000))
		// 50 frames of 1000 bytes at 1 MB/s: 50ms, then 150ms of delay.
		if d := drain(t, nl.b, 50, start); d != 200*time.Millisecond {
			t.Errorf("last frame arrived after %v, want exactly 200ms", d)
		}
	})
}

// Queue bounds the packets waiting for the bottleneck's transmitter, not
// those in the wire's delay line: the reason the network is two pipes. On
// a 10 Mbit/s, 300 ms path (one-way delay line about 124 full frames),
// a burst of Queue+1 frames loses exactly one, and once the first burst
// has left the queue a second fits entirely even though the first is
// still in flight.
func TestNetLinkQueueIsRouterQueue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const queue = 100
		nl := newNetLink(Path{RTT: 300 * time.Millisecond, Rate: 1_250_000, Queue: queue})
		defer nl.close()
		nl.a.WriteBatch(frames(queue+1, 1514))
		// 100 frames take 121ms to serialise; wait until they have.
		time.Sleep(125 * time.Millisecond)
		nl.a.WriteBatch(frames(queue, 1514))
		time.Sleep(time.Second) // everything has crossed by now
		wire, bn := nl.stats()
		if bn.Tx.QueueDrops != 1 || wire.Tx.Sent != 2*queue {
			t.Errorf("bottleneck dropped %d frames and passed %d to the wire, want 1 and %d", bn.Tx.QueueDrops, wire.Tx.Sent, 2*queue)
		}
	})
}

// Without a Rate there is no bottleneck pipe and no relay.
func TestNetLinkNoRate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nl := newNetLink(Path{RTT: 40 * time.Millisecond})
		defer nl.close()
		if nl.relay != nil || nl.bottleneck != nil {
			t.Fatal("bottleneck built without a Rate")
		}
		start := time.Now()
		nl.b.WriteBatch(frames(3, 1514))
		if d := drain(t, nl.a, 3, start); d != 20*time.Millisecond {
			t.Errorf("frames arrived after %v, want RTT/2 = 20ms", d)
		}
	})
}
