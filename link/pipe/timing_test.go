package pipe

import (
	"errors"
	"net"
	"testing"
	"testing/synctest"
	"time"
)

// The tests in this file run in a synctest bubble, where the clock only
// moves when every goroutine is blocked: arrival times are then exact, not
// a matter of scheduling luck. TestDelayRealClock and TestRateRealClock
// check the same behaviour on the real clock with generous bounds.

func TestDelayExact(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := New(Config{Delay: 30 * time.Millisecond})
		defer a.Close()
		defer b.Close()
		start := time.Now()
		write(t, a, frames(1))
		time.Sleep(10 * time.Millisecond) // virtual: a second packet sent later
		write(t, a, frames(2)[1:])
		readN(t, b, 1)
		if d := time.Since(start); d != 30*time.Millisecond {
			t.Errorf("first packet arrived after %v, want exactly 30ms", d)
		}
		readN(t, b, 1)
		if d := time.Since(start); d != 40*time.Millisecond {
			t.Errorf("second packet arrived after %v, want exactly 40ms", d)
		}
	})
}

func TestJitterWithinBounds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const delay, jitter = 20 * time.Millisecond, 10 * time.Millisecond
		a, b := New(Config{Delay: delay, Jitter: jitter, Seed: 9})
		defer a.Close()
		defer b.Close()
		start := time.Now()
		write(t, a, frames(200))
		var last time.Duration
		distinct := map[time.Duration]bool{}
		for range 200 {
			readN(t, b, 1)
			d := time.Since(start)
			if d < delay || d >= delay+jitter || d < last {
				t.Fatalf("packet arrived after %v; want in [%v, %v) and never earlier than the previous", d, delay, delay+jitter)
			}
			last = d
			distinct[d] = true
		}
		if len(distinct) < 50 {
			t.Errorf("only %d distinct arrival times for 200 packets; jitter is not spreading them", len(distinct))
		}
	})
}

func TestRateExact(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// 1000 bytes at 100 kB/s is 10ms on the wire per packet.
		a, b := New(Config{Rate: 100_000, Delay: 5 * time.Millisecond})
		defer a.Close()
		defer b.Close()
		start := time.Now()
		pkts := [][]byte{frame(0, 1000), frame(1, 1000), frame(2, 1000)}
		write(t, a, pkts)
		for i := range pkts {
			readN(t, b, 1)
			want := time.Duration(i+1)*10*time.Millisecond + 5*time.Millisecond
			if d := time.Since(start); d != want {
				t.Errorf("packet %d arrived after %v, want %v", i, d, want)
			}
		}
		// An idle transmitter does not bank credit.
		time.Sleep(time.Second)
		start = time.Now()
		write(t, a, pkts[:1])
		readN(t, b, 1)
		if d := time.Since(start); d != 15*time.Millisecond {
			t.Errorf("after idling, packet arrived after %v, want 15ms", d)
		}
	})
}

func TestReorderHoldReleasesLonePacket(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := New(Config{Reorder: 1, ReorderHold: 7 * time.Millisecond})
		defer a.Close()
		defer b.Close()
		start := time.Now()
		write(t, a, frames(1))
		readN(t, b, 1)
		if d := time.Since(start); d != 7*time.Millisecond {
			t.Errorf("lone held packet arrived after %v, want 7ms", d)
		}
		if s := a.Stats().Tx; s.Reordered != 0 {
			t.Errorf("Reordered = %d for a packet nothing overtook, want 0", s.Reordered)
		}
	})
}

func TestReorderWithDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := New(Config{Reorder: 1, Delay: 50 * time.Millisecond})
		defer a.Close()
		defer b.Close()
		start := time.Now()
		write(t, a, frames(2))
		got := readN(t, b, 2)
		if index(got[0]) != 1 || index(got[1]) != 0 {
			t.Errorf("order %d, %d; want 1, 0", index(got[0]), index(got[1]))
		}
		if d := time.Since(start); d != 50*time.Millisecond {
			t.Errorf("pair arrived after %v, want 50ms", d)
		}
	})
}

func TestCloseStopsScheduler(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := New(Config{Delay: time.Hour})
		write(t, a, frames(3))
		b.Close()
		a.Close()
		// synctest.Test fails if the scheduler goroutine outlives the
		// bubble; the queued packets were discarded.
		if s := a.Stats().Tx; s.Unplugged != 3 {
			t.Errorf("Unplugged = %d, want 3", s.Unplugged)
		}
	})
}

func TestDelayRealClock(t *testing.T) {
	const delay = 50 * time.Millisecond
	a, b := New(Config{Delay: delay})
	defer a.Close()
	defer b.Close()
	start := time.Now()
	write(t, a, frames(1))
	readN(t, b, 1)
	if d := time.Since(start); d < delay || d > 5*time.Second {
		t.Errorf("packet arrived after %v, want at least %v", d, delay)
	}
}

func TestRateRealClock(t *testing.T) {
	const rate, total = 1_000_000, 200_000 // 1 MB/s, 200 kB: 200ms on the wire
	a, b := New(Config{Rate: rate})
	defer a.Close()
	defer b.Close()
	var pkts [][]byte
	for sent := 0; sent < total; sent += 1500 {
		pkts = append(pkts, frame(len(pkts), 1500))
	}
	start := time.Now()
	write(t, a, pkts)
	readN(t, b, len(pkts))
	if d := time.Since(start); d < 150*time.Millisecond || d > 10*time.Second {
		t.Errorf("%d bytes at %d B/s took %v; want about 200ms, at least 150ms", len(pkts)*1500, rate, d)
	}
}

// TestStatsBalance runs every impairment at once, with a queue small
// enough to overflow, and checks that each packet is accounted for exactly
// once and that everything accounted as deliverable arrives.
func TestStatsBalance(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := New(Config{
			Seed: 11, Loss: 0.05, Duplicate: 0.05, Reorder: 0.05, Corrupt: 0.05,
			Delay: 3 * time.Millisecond, Jitter: 2 * time.Millisecond, Rate: 10_000_000,
			QueueLen: 40,
		})
		defer a.Close()
		read := 0
		done := make(chan error)
		go func() {
			bufs := [][]byte{make([]byte, 1514), make([]byte, 1514)}
			sizes := make([]int, 2)
			for {
				n, err := b.ReadBatch(bufs, sizes)
				if err != nil {
					done <- err
					return
				}
				read += n
			}
		}()
		sent := frames(1000)
		for i := 0; i < len(sent); i += 50 {
			write(t, a, sent[i:i+50])
			time.Sleep(time.Millisecond)
		}
		time.Sleep(time.Second) // everything in flight has landed
		synctest.Wait()         // and the reader has taken it and is blocked
		s := a.Stats().Tx
		t.Logf("%+v", s)
		if pending(s) != 0 || s.Sent != 1000 || read != int(s.Delivered) {
			t.Errorf("stats %+v do not balance, or %d packets read differs from Delivered", s, read)
		}
		if s.Lost == 0 || s.Duplicated == 0 || s.Reordered == 0 || s.Corrupted == 0 || s.QueueDrops == 0 {
			t.Errorf("stats %+v; want every kind of impairment and queue drops", s)
		}
		b.Close()
		if err := <-done; !errors.Is(err, net.ErrClosed) {
			t.Errorf("reader ended with %v, want net.ErrClosed", err)
		}
	})
}
