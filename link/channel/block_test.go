package channel

import (
	"context"
	"errors"
	"net"
	"testing"
	"testing/synctest"
	"time"
)

// These tests run in a synctest bubble: synctest.Wait returns once every
// goroutine is blocked, so "Write is blocked" is an observed fact rather
// than a guess made after sleeping.

func packets(n, size int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = packet(i, size)
	}
	return out
}

// returned reports what a call sent to done, failing the test if the call
// has not returned.
func returned(t *testing.T, what string, done <-chan result) result {
	t.Helper()
	select {
	case r := <-done:
		return r
	case <-time.After(2 * time.Second): // virtual: fires only if stuck
		t.Fatalf("%s still blocked", what)
		return result{}
	}
}

// blocked fails the test if the call has already returned.
func blocked(t *testing.T, what string, done <-chan result) {
	t.Helper()
	select {
	case r := <-done:
		t.Fatalf("%s returned %d, %v; want it blocked", what, r.n, r.err)
	default:
	}
}

func goWrite(ctx context.Context, port *Port, pkts [][]byte) <-chan result {
	done := make(chan result, 1)
	go func() {
		n, err := port.Write(ctx, pkts, 0)
		done <- result{n, err}
	}()
	return done
}

func goRead(ctx context.Context, port *Port) <-chan result {
	done := make(chan result, 1)
	go func() {
		bufs, sizes := buffers(4, 1600)
		n, err := port.Read(ctx, bufs, sizes, 0)
		done <- result{n, err}
	}()
	return done
}

func goReadBatch(ep *Endpoint) <-chan result {
	done := make(chan result, 1)
	go func() {
		bufs, sizes := buffers(4, 1600)
		n, err := ep.ReadBatch(bufs, sizes)
		done <- result{n, err}
	}()
	return done
}

func TestWriteBlocksWhileFull(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ep, port := New(Config{InboundQueue: 4})
		defer port.Close()
		done := goWrite(context.Background(), port, packets(10, 100))
		synctest.Wait()
		blocked(t, "Write of 10 packets into a queue of 4", done)
		if s := ep.Stats().Inbound; s.Depth != 4 || s.Full != 1 {
			t.Errorf("while blocked: Depth %d, Full %d; want 4, 1", s.Depth, s.Full)
		}

		got := readBatchN(t, ep, 10)
		if r := returned(t, "Write", done); r.n != 10 || r.err != nil {
			t.Errorf("Write = %d, %v; want 10, nil", r.n, r.err)
		}
		for i, p := range got {
			if index(p) != i {
				t.Fatalf("packet %d read in place %d", index(p), i)
			}
		}
	})
}

func TestReadBatchBlocksUntilWrite(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ep, port := New(Config{})
		defer port.Close()
		done := goReadBatch(ep)
		synctest.Wait()
		blocked(t, "ReadBatch on an empty queue", done)
		port.Write(context.Background(), packets(3, 60), 0)
		if r := returned(t, "ReadBatch", done); r.n != 3 || r.err != nil {
			t.Errorf("ReadBatch = %d, %v; want 3, nil", r.n, r.err)
		}
	})
}

func TestCancelBlockedWrite(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ep, port := New(Config{InboundQueue: 4})
		defer port.Close()
		ctx, cancel := context.WithCancel(context.Background())
		done := goWrite(ctx, port, packets(10, 100))
		synctest.Wait()
		blocked(t, "Write into a full queue", done)
		cancel()
		if r := returned(t, "cancelled Write", done); r.n != 4 || !errors.Is(r.err, context.Canceled) {
			t.Errorf("cancelled Write = %d, %v; want 4, context.Canceled", r.n, r.err)
		}

		// A deadline, in the bubble's virtual time: nothing is read.
		ctx, cancel = context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		done = goWrite(ctx, port, packets(1, 100))
		if r := returned(t, "Write past its deadline", done); r.n != 0 || !errors.Is(r.err, context.DeadlineExceeded) {
			t.Errorf("Write past its deadline = %d, %v; want 0, context.DeadlineExceeded", r.n, r.err)
		}
		if got := readBatchN(t, ep, 4); index(got[3]) != 3 {
			t.Errorf("the written packets were not kept")
		}
	})
}

func TestCancelBlockedRead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ep, port := New(Config{})
		defer port.Close()
		ctx, cancel := context.WithCancel(context.Background())
		done := goRead(ctx, port)
		synctest.Wait()
		blocked(t, "Read of an empty queue", done)
		cancel()
		if r := returned(t, "cancelled Read", done); r.n != 0 || !errors.Is(r.err, context.Canceled) {
			t.Errorf("cancelled Read = %d, %v; want 0, context.Canceled", r.n, r.err)
		}
		// The channel still works.
		ep.WriteBatch(packets(1, 60))
		if got := readN(t, port, 1, 0); index(got[0]) != 0 {
			t.Errorf("read packet %d, want 0", index(got[0]))
		}
	})
}

// TestCloseUnblocksEverything blocks every call that can block, on both
// ends, closes one end, and checks that all of them return net.ErrClosed.
// A full inbound queue blocks Port.Write and an empty one ReadBatch, so
// the two are tried on separate channels.
func TestCloseUnblocksEverything(t *testing.T) {
	for _, closer := range []string{"port", "endpoint"} {
		for _, state := range []string{"idle", "inbound full"} {
			t.Run(closer+"/"+state, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					closeAll(t, closer, state)
				})
			})
		}
	}
}

func closeAll(t *testing.T, closer, state string) {
	ep, port := New(Config{InboundQueue: 2})
	ctx := context.Background()
	calls := map[string]<-chan result{
		"Port.Read 1": goRead(ctx, port),
		"Port.Read 2": goRead(ctx, port),
	}
	if state == "idle" {
		calls["Endpoint.ReadBatch"] = goReadBatch(ep)
	} else {
		calls["Port.Write 1"] = goWrite(ctx, port, packets(5, 100))
		calls["Port.Write 2"] = goWrite(ctx, port, packets(5, 100))
	}
	synctest.Wait()
	for what, done := range calls {
		blocked(t, what, done)
	}

	if closer == "port" {
		port.Close()
	} else {
		ep.Close()
	}
	for what, done := range calls {
		if r := returned(t, what, done); !errors.Is(r.err, net.ErrClosed) {
			t.Errorf("%s = %d, %v; want net.ErrClosed", what, r.n, r.err)
		}
	}

	// Idempotent, from either end, and every later call fails.
	if port.Close() != nil || ep.Close() != nil {
		t.Error("second Close returned an error")
	}
	bufs, sizes := buffers(1, 1600)
	if _, err := port.Read(ctx, bufs, sizes, 0); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Read after Close: %v", err)
	}
	if _, err := port.Write(ctx, packets(1, 60), 0); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Write after Close: %v", err)
	}
	if _, err := ep.ReadBatch(bufs, sizes); !errors.Is(err, net.ErrClosed) {
		t.Errorf("ReadBatch after Close: %v", err)
	}
	if _, err := ep.WriteBatch(packets(1, 60)); !errors.Is(err, net.ErrClosed) {
		t.Errorf("WriteBatch after Close: %v", err)
	}
}
