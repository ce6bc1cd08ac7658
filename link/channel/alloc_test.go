package channel

import (
	"context"
	"testing"
)

// inboundStep returns a step that writes one 1500-byte packet through the
// Port and reads it with ReadBatch, after warming up the free list.
func inboundStep(tb testing.TB, ctx context.Context) func() {
	ep, port := New(Config{})
	tb.Cleanup(func() { port.Close() })
	pkts := withOffset([][]byte{packet(1, 1500)}, 16)
	bufs, sizes := buffers(1, 1500)
	step := func() {
		if n, err := port.Write(ctx, pkts, 16); n != 1 || err != nil {
			tb.Fatalf("Write = %d, %v", n, err)
		}
		if n, err := ep.ReadBatch(bufs, sizes); n != 1 || err != nil {
			tb.Fatalf("ReadBatch = %d, %v", n, err)
		}
	}
	for range 20 {
		step()
	}
	return step
}

// outboundStep returns a step that writes one 1500-byte packet with
// WriteBatch and reads it through the Port.
func outboundStep(tb testing.TB, ctx context.Context) func() {
	ep, port := New(Config{})
	tb.Cleanup(func() { port.Close() })
	pkts := [][]byte{packet(1, 1500)}
	bufs, sizes := buffers(1, 16+1500)
	step := func() {
		if n, err := ep.WriteBatch(pkts); n != 1 || err != nil {
			tb.Fatalf("WriteBatch = %d, %v", n, err)
		}
		if n, err := port.Read(ctx, bufs, sizes, 16); n != 1 || err != nil {
			tb.Fatalf("Read = %d, %v", n, err)
		}
	}
	for range 20 {
		step()
	}
	return step
}

// refusalStep returns a step that overfills a 4-packet outbound queue and
// drains it, so that every step has a refusal and a notification.
func refusalStep(tb testing.TB) func() {
	ep, port := New(Config{OutboundQueue: 4})
	tb.Cleanup(func() { port.Close() })
	calls := 0
	ep.SetWriteNotify(func() { calls++ })
	pkts := packets(5, 1500)
	bufs, sizes := buffers(4, 1500)
	step := func() {
		before := calls
		if n, _ := ep.WriteBatch(pkts); n != 4 {
			tb.Fatalf("WriteBatch = %d, want 4", n)
		}
		if n, err := port.Read(context.Background(), bufs, sizes, 0); n != 4 || err != nil {
			tb.Fatalf("Read = %d, %v", n, err)
		}
		if calls != before+1 {
			tb.Fatalf("no notification")
		}
	}
	for range 20 {
		step()
	}
	return step
}

func TestNoAllocationPerPacket(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates; allocation counts are meaningless")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, tc := range []struct {
		name string
		step func()
	}{
		{"Write to ReadBatch", inboundStep(t, context.Background())},
		{"Write to ReadBatch, cancellable ctx", inboundStep(t, ctx)},
		{"WriteBatch to Read", outboundStep(t, context.Background())},
		{"WriteBatch to Read, cancellable ctx", outboundStep(t, ctx)},
		{"refusal and notify", refusalStep(t)},
	} {
		if allocs := testing.AllocsPerRun(1000, tc.step); allocs != 0 {
			t.Errorf("%s: %v allocations per step, want 0", tc.name, allocs)
		}
	}
}

func BenchmarkInbound(b *testing.B) {
	step := inboundStep(b, context.Background())
	b.SetBytes(1500)
	b.ReportAllocs()
	for b.Loop() {
		step()
	}
}

func BenchmarkOutbound(b *testing.B) {
	step := outboundStep(b, context.Background())
	b.SetBytes(1500)
	b.ReportAllocs()
	for b.Loop() {
		step()
	}
}

// BenchmarkInboundPingPong has the Port's writer and the stack's reader
// on separate goroutines, with 32-packet batches, as a tunnel feeds a
// stack.
func BenchmarkInboundPingPong(b *testing.B) {
	ep, port := New(Config{InboundQueue: 256})
	defer port.Close()
	pkts := withOffset(packets(32, 1500), 16)
	done := make(chan struct{})
	go func() {
		defer close(done)
		bufs, sizes := buffers(32, 1500)
		for {
			if _, err := ep.ReadBatch(bufs, sizes); err != nil {
				return
			}
		}
	}()
	b.SetBytes(32 * 1500)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := port.Write(context.Background(), pkts, 16); err != nil {
			b.Fatal(err)
		}
	}
	port.Close()
	<-done
}
