package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestMeasure prints throughput and connection rate through the relay in
// the test topology. It asserts nothing and runs only when asked:
//
//	TUN2SOCKS_MEASURE=1 go test -run Measure -v ./examples/tun2socks
//
// TUN2SOCKS_ARGS adds flags (-no-offload); with TUN2SOCKS_BIN they run another program in the relay's
// place, one that creates the TUN device t2s0 itself, for a comparison:
//
//	TUN2SOCKS_BIN=/tmp/xt2s TUN2SOCKS_ARGS="-device tun://t2s0 -proxy direct:// -loglevel warn"
func TestMeasure(t *testing.T) {
	if os.Getenv("TUN2SOCKS_MEASURE") == "" {
		t.Skip("set TUN2SOCKS_MEASURE=1 to measure")
	}
	var tp *topo
	if bin := os.Getenv("TUN2SOCKS_BIN"); bin != "" {
		tp = newTopoWith(t, bin, nil, strings.Fields(os.Getenv("TUN2SOCKS_ARGS"))...)
	} else {
		tp = newTopo(t, strings.Fields(os.Getenv("TUN2SOCKS_ARGS"))...)
	}
	tp.servers(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	const size = 256 << 20

	for range 3 {
		c, err := tp.dial(ctx, "tcp4", serverIP+":9001")
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		fmt.Fprintf(c, "%d\n", size)
		n, err := io.Copy(io.Discard, c)
		el := time.Since(start)
		c.Close()
		if err != nil || n != size {
			t.Fatalf("download: %d bytes, %v", n, err)
		}
		t.Logf("download: %.0f MB/s", float64(size)/1e6/el.Seconds())
	}
	for range 3 {
		c, err := tp.dial(ctx, "tcp4", serverIP+":9003")
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if _, err := io.Copy(c, io.LimitReader(&pattern{}, size)); err != nil {
			t.Fatal(err)
		}
		closeWrite(c)
		reply, err := io.ReadAll(c)
		el := time.Since(start)
		c.Close()
		if want := fmt.Sprintf("%d\n", size); err != nil || string(reply) != want {
			t.Fatalf("upload: %q, %v", reply, err)
		}
		t.Logf("upload: %.0f MB/s", float64(size)/1e6/el.Seconds())
	}

	// Connections per second: workers dial, the server accepts and
	// closes, the worker reads EOF and closes.
	const workers, period = 8, 3 * time.Second
	var done, failed atomic.Int64
	stop := time.Now().Add(period)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for time.Now().Before(stop) {
				dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				c, err := tp.dial(dctx, "tcp4", serverIP+":9002")
				cancel()
				if err != nil {
					failed.Add(1)
					continue
				}
				io.Copy(io.Discard, c)
				c.Close()
				done.Add(1)
			}
		})
	}
	wg.Wait()
	t.Logf("connections: %.0f/s (%d in %v with %d workers, %d failed)",
		float64(done.Load())/period.Seconds(), done.Load(), period, workers, failed.Load())
}
