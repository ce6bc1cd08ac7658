package pipe

import (
	"bytes"
	"errors"
	"net"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/renet-go/renet/link"
)

func TestDefaults(t *testing.T) {
	a, b := New(Config{})
	defer a.Close()
	defer b.Close()
	if a.MTU() != 1500 || a.Medium() != link.Ethernet || a.Offload() != (link.Offload{}) {
		t.Errorf("a: MTU %d, Medium %v, Offload %+v; want 1500, ethernet, none", a.MTU(), a.Medium(), a.Offload())
	}
	if got := a.HardwareAddr().String(); got != "02:00:00:00:00:0a" {
		t.Errorf("a.HardwareAddr() = %s, want 02:00:00:00:00:0a", got)
	}
	if got := b.HardwareAddr().String(); got != "02:00:00:00:00:0b" {
		t.Errorf("b.HardwareAddr() = %s, want 02:00:00:00:00:0b", got)
	}

	ipa, ipb := New(Config{Medium: link.IP, MTU: 9000, HardwareAddrA: net.HardwareAddr{1, 2, 3, 4, 5, 6}})
	defer ipa.Close()
	defer ipb.Close()
	if ipa.HardwareAddr() != nil || ipb.HardwareAddr() != nil {
		t.Errorf("IP medium hardware addresses = %v, %v; want nil", ipa.HardwareAddr(), ipb.HardwareAddr())
	}
	if ipa.MTU() != 9000 || ipa.Medium() != link.IP {
		t.Errorf("IP pipe: MTU %d, Medium %v; want 9000, ip", ipa.MTU(), ipa.Medium())
	}
}

func TestHardwareAddrCopied(t *testing.T) {
	mac := net.HardwareAddr{2, 1, 1, 1, 1, 1}
	a, b := New(Config{HardwareAddrA: mac})
	defer a.Close()
	defer b.Close()
	mac[5] = 9
	if got := a.HardwareAddr().String(); got != "02:01:01:01:01:01" {
		t.Errorf("a.HardwareAddr() = %s after the caller changed its slice; want 02:01:01:01:01:01", got)
	}
}

func TestIntactInOrderBothWays(t *testing.T) {
	a, b := New(Config{})
	defer a.Close()
	defer b.Close()
	for _, dir := range []struct {
		name     string
		from, to *Endpoint
	}{{"a to b", a, b}, {"b to a", b, a}} {
		sent := frames(3000)
		// Batches of varying size, the buffers reused and scribbled on
		// after each write: the pipe must have copied them.
		buf := make([][]byte, 0, 50)
		for i := 0; i < len(sent); {
			k := min(1+i%50, len(sent)-i)
			buf = buf[:0]
			for _, p := range sent[i : i+k] {
				buf = append(buf, append([]byte(nil), p...))
			}
			write(t, dir.from, buf)
			for _, p := range buf {
				clear(p)
			}
			got := readN(t, dir.to, k)
			for j, p := range got {
				if !bytes.Equal(p, sent[i+j]) {
					t.Fatalf("%s: packet %d differs from the one sent", dir.name, i+j)
				}
			}
			i += k
		}
		s := dir.from.Stats().Tx
		if s != (DirectionStats{Sent: 3000, Delivered: 3000}) {
			t.Errorf("%s: stats %+v; want 3000 sent and delivered, nothing else", dir.name, s)
		}
		if dir.to.Stats().Rx != s {
			t.Errorf("%s: receiver's Rx %+v differs from sender's Tx %+v", dir.name, dir.to.Stats().Rx, s)
		}
	}
}

func TestReadBatchFillsSeveralBuffers(t *testing.T) {
	a, b := New(Config{})
	defer a.Close()
	defer b.Close()
	write(t, a, frames(5))
	bufs := [][]byte{make([]byte, 1514), make([]byte, 1514), make([]byte, 1514)}
	sizes := make([]int, 3)
	n, err := b.ReadBatch(bufs, sizes)
	if n != 3 || err != nil {
		t.Fatalf("ReadBatch with 5 packets ready and 3 buffers = %d, %v; want 3, nil", n, err)
	}
	n, err = b.ReadBatch(bufs, sizes)
	if n != 2 || err != nil {
		t.Fatalf("second ReadBatch = %d, %v; want 2, nil", n, err)
	}
	if index(bufs[1][:sizes[1]]) != 4 {
		t.Errorf("second batch ends with packet %d, want 4", index(bufs[1][:sizes[1]]))
	}
	if n, err := b.ReadBatch(nil, nil); n != 0 || err != nil {
		t.Errorf("ReadBatch with no buffers = %d, %v; want 0, nil without blocking", n, err)
	}
}

func TestReadBatchTruncates(t *testing.T) {
	a, b := New(Config{})
	defer a.Close()
	defer b.Close()
	p := frame(7, 1000)
	write(t, a, [][]byte{p})
	buf := make([]byte, 100)
	sizes := []int{0}
	if n, err := b.ReadBatch([][]byte{buf}, sizes); n != 1 || err != nil {
		t.Fatalf("ReadBatch = %d, %v; want 1, nil", n, err)
	}
	if sizes[0] != 100 || !bytes.Equal(buf, p[:100]) {
		t.Errorf("got %d bytes; want the first 100 bytes of the packet", sizes[0])
	}
}

func TestOversizeDropped(t *testing.T) {
	a, b := New(Config{MTU: 100})
	defer a.Close()
	defer b.Close()
	tagged := frame(3, 118)
	tagged[12], tagged[13] = 0x81, 0x00 // 802.1Q tag: 4 more bytes allowed
	untagged := frame(4, 118)
	write(t, a, [][]byte{frame(1, 114), frame(2, 115), tagged, untagged, frame(5, 60)})
	got := readN(t, b, 3)
	for i, want := range []int{1, 3, 5} {
		if index(got[i]) != want {
			t.Errorf("packet %d read is %d, want %d", i, index(got[i]), want)
		}
	}
	if s := a.Stats().Tx; s.Oversize != 2 || s.Sent != 5 || s.Delivered != 3 {
		t.Errorf("stats %+v; want 5 sent, 3 delivered, 2 oversize", s)
	}

	ipa, ipb := New(Config{Medium: link.IP, MTU: 100})
	defer ipa.Close()
	defer ipb.Close()
	write(t, ipa, [][]byte{frame(1, 100), frame(2, 101)})
	if got := readN(t, ipb, 1); index(got[0]) != 1 {
		t.Errorf("IP pipe delivered packet %d, want 1", index(got[0]))
	}
	if s := ipa.Stats().Tx; s.Oversize != 1 {
		t.Errorf("IP pipe: Oversize = %d, want 1 (no link header allowance)", s.Oversize)
	}
}

func TestQueueTailDrop(t *testing.T) {
	a, b := New(Config{QueueLen: 10})
	defer a.Close()
	defer b.Close()
	write(t, a, frames(25))
	got := readN(t, b, 10)
	for i, p := range got {
		if index(p) != i {
			t.Fatalf("packet %d read is %d; tail drop must keep the first 10", i, index(p))
		}
	}
	if s := a.Stats().Tx; s.QueueDrops != 15 || s.Delivered != 10 {
		t.Errorf("stats %+v; want 15 queue drops, 10 delivered", s)
	}
	// Reading made room again.
	write(t, a, frames(1))
	if got := readN(t, b, 1); index(got[0]) != 0 {
		t.Errorf("after draining, read packet %d, want 0", index(got[0]))
	}
}

func TestClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := New(Config{})
		errc := make(chan error, 1)
		go func() {
			_, err := b.ReadBatch([][]byte{make([]byte, 1514)}, []int{0})
			errc <- err
		}()
		synctest.Wait() // the reader is now blocked in ReadBatch
		select {
		case err := <-errc:
			t.Fatalf("ReadBatch returned %v before anything was sent", err)
		default:
		}
		b.Close()
		if err := <-errc; !errors.Is(err, net.ErrClosed) {
			t.Errorf("pending ReadBatch after Close returned %v, want net.ErrClosed", err)
		}
		if _, err := b.ReadBatch([][]byte{make([]byte, 1514)}, []int{0}); !errors.Is(err, net.ErrClosed) {
			t.Errorf("ReadBatch after Close returned %v, want net.ErrClosed", err)
		}
		if n, err := b.WriteBatch(frames(1)); n != 0 || !errors.Is(err, net.ErrClosed) {
			t.Errorf("WriteBatch after Close = %d, %v; want 0, net.ErrClosed", n, err)
		}
		// The peer's writes vanish as into an unplugged cable.
		if n, err := a.WriteBatch(frames(3)); n != 3 || err != nil {
			t.Errorf("WriteBatch to a closed peer = %d, %v; want 3, nil", n, err)
		}
		if s := a.Stats().Tx; s.Unplugged != 3 {
			t.Errorf("Unplugged = %d, want 3", s.Unplugged)
		}
		if err := b.Close(); err != nil {
			t.Errorf("second Close = %v, want nil", err)
		}
		a.Close()
	})
}

func TestCloseDiscardsQueued(t *testing.T) {
	a, b := New(Config{})
	write(t, a, frames(4))
	b.Close()
	if s := a.Stats().Tx; s.Unplugged != 4 || pending(s) != 0 {
		t.Errorf("stats after the receiver closed with 4 queued: %+v; want 4 unplugged", s)
	}
	a.Close()
}

func TestInFlightFromClosedSenderArrives(t *testing.T) {
	a, b := New(Config{})
	defer b.Close()
	write(t, a, frames(2))
	a.Close()
	if got := readN(t, b, 2); index(got[1]) != 1 {
		t.Errorf("read packet %d, want 1", index(got[1]))
	}
}

// TestConcurrentWritersAndReader is meant for -race: four writers on one
// end, a reader on the other, and a Stats poller. Each writer's packets
// must arrive complete and in that writer's order.
func TestConcurrentWritersAndReader(t *testing.T) {
	const writers, each = 4, 2000
	a, b := New(Config{QueueLen: writers * each})
	defer a.Close()
	defer b.Close()

	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			batch := make([][]byte, 0, 8)
			for i := 0; i < each; i += 8 {
				batch = batch[:0]
				for j := i; j < min(i+8, each); j++ {
					batch = append(batch, frame(w<<16|j, 60+j%200))
				}
				if _, err := a.WriteBatch(batch); err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
			}
		})
	}
	stop := make(chan struct{})
	polled := make(chan struct{})
	go func() {
		defer close(polled)
		for {
			select {
			case <-stop:
				return
			default:
				_ = a.Stats()
			}
		}
	}()

	next := make([]int, writers)
	for _, p := range readN(t, b, writers*each) {
		w, i := index(p)>>16, index(p)&0xffff
		if i != next[w] {
			t.Fatalf("writer %d: got packet %d, want %d", w, i, next[w])
		}
		if !bytes.Equal(p, frame(index(p), 60+i%200)) {
			t.Fatalf("writer %d packet %d corrupted", w, i)
		}
		next[w]++
	}
	wg.Wait()
	close(stop)
	<-polled
}

// A packet written in pieces arrives as one, its length checked whole.
func TestWriteBatchGatherJoinsPieces(t *testing.T) {
	a, b := New(Config{MTU: 100})
	defer a.Close()
	defer b.Close()
	whole := frame(7, 114)
	heads := [][]byte{whole[:20], whole[:20], frame(8, 60)}
	tails := [][2][]byte{
		{whole[20:50], whole[50:]},
		{whole[20:], []byte{0}}, // one byte too many for the MTU
		{},
	}
	n, err := a.WriteBatchGather(heads, tails, nil)
	if n != 3 || err != nil {
		t.Fatalf("WriteBatchGather = %d, %v", n, err)
	}
	got := readN(t, b, 2)
	if !bytes.Equal(got[0], whole) {
		t.Errorf("first packet arrived as %d bytes, not the %d written in pieces", len(got[0]), len(whole))
	}
	if index(got[1]) != 8 || len(got[1]) != 60 {
		t.Errorf("second packet is %d (%d bytes), want 8 (60)", index(got[1]), len(got[1]))
	}
	if s := a.Stats().Tx; s.Oversize != 1 {
		t.Errorf("Oversize = %d, want 1 (the pieces add up to 115 bytes)", s.Oversize)
	}
}
