package channel

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/renet-go/renet/link"
)

// TestWriteBatchFullAndNotify follows two refusal episodes on a queue of
// 8: the notify function must run once per episode, only when a Read has
// left room for 2 packets (a quarter), never inside WriteBatch, and with
// no lock held (it writes again, as the stack does).
func TestWriteBatchFullAndNotify(t *testing.T) {
	ep, port := New(Config{OutboundQueue: 8})
	defer port.Close()
	pkts := packets(10, 100)
	var calls int
	var kept [][]byte // what the "stack" could not write
	ep.SetWriteNotify(func() {
		calls++
		n, err := ep.WriteBatch(kept)
		if n != len(kept) || err != nil {
			t.Errorf("WriteBatch from notify = %d, %v; want %d, nil", n, err, len(kept))
		}
		kept = nil
	})

	n, err := ep.WriteBatch(pkts)
	if n != 8 || !errors.Is(err, link.ErrFull) {
		t.Fatalf("WriteBatch of 10 into 8 = %d, %v; want 8, link.ErrFull", n, err)
	}
	kept = pkts[n:]
	if n, err := ep.WriteBatch(kept); n != 0 || !errors.Is(err, link.ErrFull) {
		t.Fatalf("WriteBatch into a full queue = %d, %v; want 0, link.ErrFull", n, err)
	}
	if calls != 0 {
		t.Fatalf("notify ran %d times from WriteBatch", calls)
	}

	read := func(k int) []int {
		bufs, sizes := buffers(k, 1600)
		n, err := port.Read(context.Background(), bufs, sizes, 0)
		if n != k || err != nil {
			t.Fatalf("Read of %d = %d, %v", k, n, err)
		}
		idx := make([]int, n)
		for i := range n {
			idx[i] = index(bufs[i])
		}
		return idx
	}
	read(1)
	if calls != 0 {
		t.Fatalf("notify ran with 1 packet of room, want it to wait for 2")
	}
	read(1)
	if calls != 1 {
		t.Fatalf("notify ran %d times with 2 packets of room after two refusals, want 1", calls)
	}
	// The notified writer filled the queue again without a refusal.
	got := read(8)
	if got[0] != 2 || got[7] != 9 {
		t.Errorf("read packets %v, want 2..9", got)
	}
	if calls != 1 {
		t.Fatalf("notify ran again (%d) without a refusal", calls)
	}

	// A second episode gets a second call.
	if n, err := ep.WriteBatch(packets(9, 60)); n != 8 || !errors.Is(err, link.ErrFull) {
		t.Fatalf("second episode: WriteBatch = %d, %v; want 8, link.ErrFull", n, err)
	}
	kept = packets(1, 60)
	read(2)
	if calls != 2 {
		t.Errorf("second episode: %d calls in all, want 2", calls)
	}
	s := ep.Stats().Outbound
	if s.Full != 3 || s.Notified != 2 {
		t.Errorf("Full %d, Notified %d; want 3, 2", s.Full, s.Notified)
	}
}

// TestStackLikeWriter runs a writer that behaves as the stack does on
// ErrFull (keep the rest, wait for the notification) against a slow
// reader, and checks that every packet arrives once, in order.
func TestStackLikeWriter(t *testing.T) {
	const total = 20000
	ep, port := New(Config{OutboundQueue: 16})
	defer port.Close()
	wake := make(chan struct{}, 1)
	ep.SetWriteNotify(func() {
		select {
		case wake <- struct{}{}:
		default:
		}
	})
	go func() {
		pkts := packets(total, 64)
		for sent := 0; sent < total; {
			n, err := ep.WriteBatch(pkts[sent:min(total, sent+1+sent%37)])
			sent += n
			switch {
			case errors.Is(err, link.ErrFull):
				<-wake
			case err != nil:
				t.Errorf("WriteBatch: %v", err)
				return
			}
		}
	}()
	bufs, sizes := buffers(5, 16+1600)
	for next := 0; next < total; {
		n, err := port.Read(context.Background(), bufs, sizes, 16)
		if err != nil {
			t.Fatalf("Read after %d packets: %v", next, err)
		}
		for i := range n {
			if got := index(bufs[i][16:]); got != next {
				t.Fatalf("read packet %d, want %d", got, next)
			}
			next++
		}
	}
	// The writer waits after every refusal, so each one is an episode
	// and each episode ended with a call.
	if s := port.Stats().Outbound; s.Full == 0 || s.Notified != s.Full {
		t.Errorf("Full %d, Notified %d; want some refusals, each notified", s.Full, s.Notified)
	}
}

// TestConcurrentWriters has several goroutines Write through a small
// inbound queue while the stack's side reads: every packet must arrive
// once, and each writer's packets in its order.
func TestConcurrentWriters(t *testing.T) {
	const writers, each = 8, 2000
	ep, port := New(Config{InboundQueue: 16})
	defer port.Close()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			pkts := make([][]byte, each)
			for i := range pkts {
				pkts[i] = withOffset([][]byte{packet(w<<20|i, 60+i%200)}, 16)[0]
			}
			for sent := 0; sent < each; {
				k := min(each-sent, 1+(sent+w)%23)
				n, err := port.Write(context.Background(), pkts[sent:sent+k], 16)
				if n != k || err != nil {
					t.Errorf("writer %d: Write = %d, %v; want %d, nil", w, n, err, k)
					return
				}
				sent += n
			}
		})
	}
	go func() { // Stats may be read at any time
		for range 100 {
			port.Stats()
		}
	}()
	next := make([]int, writers)
	for _, p := range readBatchN(t, ep, writers*each) {
		w, i := index(p)>>20, index(p)&(1<<20-1)
		if i != next[w] {
			t.Fatalf("writer %d: packet %d arrived, want %d", w, i, next[w])
		}
		next[w]++
	}
	wg.Wait()
	if s := ep.Stats().Inbound; s.Packets != writers*each || s.Depth != 0 {
		t.Errorf("Inbound: %+v", s)
	}
}

// TestConcurrentReaders has several goroutines Read from the Port while
// the stack's side writes: every packet must be read exactly once.
func TestConcurrentReaders(t *testing.T) {
	const readers, total = 4, 20000
	ep, port := New(Config{OutboundQueue: 64})
	wake := make(chan struct{}, 1)
	ep.SetWriteNotify(func() {
		select {
		case wake <- struct{}{}:
		default:
		}
	})
	seen := make([]int, total)
	var mu sync.Mutex
	var wg sync.WaitGroup
	var count int
	for range readers {
		wg.Go(func() {
			bufs, sizes := buffers(7, 1600)
			for {
				n, err := port.Read(context.Background(), bufs, sizes, 0)
				if err != nil {
					return // closed once everything has arrived
				}
				mu.Lock()
				for i := range n {
					seen[index(bufs[i])]++
				}
				count += n
				if count == total {
					port.Close()
				}
				mu.Unlock()
			}
		})
	}
	pkts := packets(total, 40)
	for sent := 0; sent < total; {
		n, err := ep.WriteBatch(pkts[sent:min(total, sent+32)])
		sent += n
		if errors.Is(err, link.ErrFull) {
			<-wake
		} else if err != nil {
			t.Fatalf("WriteBatch: %v", err)
		}
	}
	wg.Wait()
	for i, k := range seen {
		if k != 1 {
			t.Fatalf("packet %d read %d times", i, k)
		}
	}
}
