package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
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
//	TUN2SOCKS_BIN=/tmp/xt2s TUN2SOCKS_ARGS="--device tun://t2s0 --proxy direct:// --loglevel warn"
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

// TestMeasureFlows prints the relay's memory with many concurrent flows
// open and idle: 10,000 UDP flows (one client socket each, every one
// answered by an echo server and kept open), then, in a fresh topology,
// 10,000 TCP connections held open by the server. It reads the relay
// process's resident set (VmRSS) before and after, and for this program
// its Go heap from the status page. Opt-in, like TestMeasure:
//
//	TUN2SOCKS_MEASURE=1 go test -run MeasureFlows -v ./examples/tun2socks
//
// TUN2SOCKS_FLOWS sets the count; TUN2SOCKS_BIN and TUN2SOCKS_ARGS run
// another program in the relay's place, as for TestMeasure.
func TestMeasureFlows(t *testing.T) {
	if os.Getenv("TUN2SOCKS_MEASURE") == "" {
		t.Skip("set TUN2SOCKS_MEASURE=1 to measure")
	}
	n := 10000
	if s := os.Getenv("TUN2SOCKS_FLOWS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n <= 0 {
			t.Fatalf("TUN2SOCKS_FLOWS=%q", s)
		}
	}
	raiseNofile(t, uint64(n+1000))
	bin := os.Getenv("TUN2SOCKS_BIN")
	start := func(t *testing.T) *topo {
		args := strings.Fields(os.Getenv("TUN2SOCKS_ARGS"))
		if bin != "" {
			return newTopoWith(t, bin, nil, args...)
		}
		return newTopo(t, append([]string{"-status", "127.0.0.1:8080"}, args...)...)
	}
	measure := func(t *testing.T, kind string, open func(ctx context.Context, tp *topo) (func(), int, error)) {
		tp := start(t)
		tp.servers(t)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		time.Sleep(time.Second)
		rss0, heap0 := tp.memory(t, bin == "")
		began := time.Now()
		closeAll, ok, err := open(ctx, tp)
		if err != nil {
			t.Fatal(err)
		}
		defer closeAll()
		took := time.Since(began)
		time.Sleep(2 * time.Second) // let the relay settle
		rss1, heap1 := tp.memory(t, bin == "")
		t.Logf("%d %s flows (%d answered) in %v: RSS %.1f -> %.1f MiB, %.0f bytes per flow",
			n, kind, ok, took.Round(time.Millisecond), mib(rss0), mib(rss1), float64(rss1-rss0)/float64(n))
		if bin == "" {
			t.Logf("  Go: heap %.1f -> %.1f MiB, stacks %.1f -> %.1f MiB, %d -> %d goroutines; %.0f bytes of heap and stack per flow",
				mib(heap0.HeapInuse), mib(heap1.HeapInuse), mib(heap0.StackInuse), mib(heap1.StackInuse),
				heap0.Goroutines, heap1.Goroutines,
				float64(heap1.HeapInuse+heap1.StackInuse-heap0.HeapInuse-heap0.StackInuse)/float64(n))
		}
		if ok < n {
			t.Errorf("%d of %d %s flows answered", ok, n, kind)
		}
	}
	t.Run("udp", func(t *testing.T) {
		measure(t, "udp", func(ctx context.Context, tp *topo) (func(), int, error) {
			socks, ok, err := tp.openUDPFlows(ctx, n)
			return func() { closeAllConns(socks) }, ok, err
		})
	})
	t.Run("tcp", func(t *testing.T) {
		measure(t, "tcp", func(ctx context.Context, tp *topo) (func(), int, error) {
			addr := tp.holdProcess(t)
			conns, ok, err := tp.openTCPConns(ctx, n, addr)
			return func() { closeAllConns(conns) }, ok, err
		})
	})
}

func mib[T int64 | uint64](b T) float64 { return float64(b) / (1 << 20) }

// raiseNofile lifts the process's open file limit to at least n, the
// client sockets living in this process; the relay and the hold server
// it starts inherit the limit. Raising the hard limit needs
// CAP_SYS_RESOURCE; without it, the soft limit goes up to the hard one
// and the test is skipped if that is not enough.
func raiseNofile(t *testing.T, n uint64) {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		t.Fatal(err)
	}
	if r.Cur >= n {
		return
	}
	want := r
	want.Cur, want.Max = n, max(r.Max, n)
	if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want) == nil {
		return
	}
	r.Cur = r.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &r); err != nil || r.Cur < n {
		t.Skipf("RLIMIT_NOFILE: want %d, hard limit %d (%v)", n, r.Max, err)
	}
}

// holdProcess starts the "hold" server in a process of its own in the
// server namespace, on port 9005, and returns its address: the
// connections' server ends then count against that process's open file
// limit, not this one's.
func (tp *topo) holdProcess(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	addr := serverIP + ":9005"
	cmd := tp.server.Command(context.Background(), exe)
	cmd.Env = append(os.Environ(), "TUN2SOCKS_HOLD="+addr)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if line != "listening\n" {
		t.Fatalf("hold server: %q, %v", line, err)
	}
	return addr
}

// memory returns the relay process's resident set in bytes and, if
// withStatus (this program, run with -status), its runtime's view.
func (tp *topo) memory(t *testing.T, withStatus bool) (rss int64, m memView) {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", tp.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatalf("VmRSS %q", v)
			}
			rss = kb << 10
		}
	}
	if withStatus {
		var snap snapshot
		if err := json.Unmarshal([]byte(tp.statusPage(t, "/?format=json&flows=0")), &snap); err != nil {
			t.Fatal(err)
		}
		m = snap.Memory
	}
	return rss, m
}
