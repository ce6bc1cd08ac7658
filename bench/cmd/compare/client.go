package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/renet-go/renet/bench/internal/netns"
	"golang.org/x/sys/unix"
)

// The kernel client is this same executable, started in the client's
// namespace by `ip netns exec` with clientEnv set: one process per
// measurement, so that the server's getrusage counts no client work.
//
//	verify URL N   GET URL and check its N bytes against the pattern
//	get URL        GET URL, discard the body, time it
//	post URL N     POST N bytes of the pattern to URL (/sha256), time it,
//	               check the digest the server returns
//	rtt ADDR N     N 1-byte round trips to an echo server, median
//
// It prints one clientResult as JSON on stdout.
const clientEnv = "RENET_COMPARE_CLIENT"

// clientResult is what the kernel client reports.
type clientResult struct {
	Bytes   int64   // payload bytes moved
	Seconds float64 // from the request to the last byte (get, post)
	CPU     float64 // the client's own user+system seconds for the op
	RTT     int64   // median round trip, ns (rtt)
}

// isClient reports whether this process was started as the kernel client.
func isClient() bool { return os.Getenv(clientEnv) != "" }

// clientMain runs one client op and returns the exit status.
func clientMain(args []string) int {
	r, err := clientOp(args)
	if err != nil {
		fmt.Fprintln(os.Stderr, "client:", err)
		return 1
	}
	if err := json.NewEncoder(os.Stdout).Encode(r); err != nil {
		fmt.Fprintln(os.Stderr, "client:", err)
		return 1
	}
	return 0
}

func clientOp(args []string) (clientResult, error) {
	var r clientResult
	if len(args) != 2 && len(args) != 3 {
		return r, fmt.Errorf("bad arguments %q", args)
	}
	var n int64
	if len(args) == 3 {
		var err error
		if n, err = strconv.ParseInt(args[2], 10, 64); err != nil || n < 0 {
			return r, fmt.Errorf("bad count %q", args[2])
		}
	}
	cpu0 := processCPU()
	var err error
	switch args[0] {
	case "verify":
		err = verify(args[1], n)
		r.Bytes = n
	case "get":
		r.Bytes, r.Seconds, err = download(args[1])
	case "post":
		r.Bytes = n
		r.Seconds, err = upload(args[1], n)
	case "rtt":
		var d time.Duration
		d, err = roundTrips(args[1], int(n))
		r.RTT = int64(d)
	default:
		err = fmt.Errorf("unknown op %q", args[0])
	}
	r.CPU = processCPU().total() - cpu0.total()
	return r, err
}

// httpClient makes one connection per request and never consults proxy
// settings: every packet goes to the server in the namespace.
func httpClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		Proxy:              nil,
		DisableKeepAlives:  true,
		DisableCompression: true,
		ReadBufferSize:     64 << 10,
		WriteBufferSize:    64 << 10,
	}}
}

// verify fetches url and checks every byte and the length: once, outside
// any timing.
func verify(url string, n int64) error {
	resp, err := httpClient().Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if int64(len(body)) != n {
		return fmt.Errorf("GET %s: %d bytes, want %d", url, len(body), n)
	}
	for i, b := range body {
		if b != byte(i%patternPeriod) {
			return fmt.Errorf("GET %s: byte %d is %d, want %d", url, i, b, i%patternPeriod)
		}
	}
	return nil
}

// download fetches url into a 256 KiB buffer that it discards, and checks
// the count against Content-Length.
func download(url string) (int64, float64, error) {
	buf := make([]byte, 256<<10)
	start := time.Now()
	resp, err := httpClient().Get(url)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, 0, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	var n int64
	for {
		k, err := resp.Body.Read(buf)
		n += int64(k)
		if err == io.EOF {
			break
		}
		if err != nil {
			return n, 0, err
		}
	}
	secs := time.Since(start).Seconds()
	if n != resp.ContentLength {
		return n, secs, fmt.Errorf("GET %s: %d bytes, Content-Length %d", url, n, resp.ContentLength)
	}
	return n, secs, nil
}

// upload posts n bytes of the pattern to url and checks the digest and
// length the server replies with; the expected digest is computed before
// the clock starts.
func upload(url string, n int64) (float64, error) {
	h := sha256.New()
	if _, err := (&patternReader{n: n}).WriteTo(h); err != nil {
		return 0, err
	}
	want := fmt.Sprintf("%s %d", hex.EncodeToString(h.Sum(nil)), n)
	start := time.Now()
	req, err := http.NewRequest(http.MethodPost, url, &patternReader{n: n})
	if err != nil {
		return 0, err
	}
	req.ContentLength = n
	resp, err := httpClient().Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(resp.Body)
	secs := time.Since(start).Seconds()
	if err != nil {
		return 0, err
	}
	if got := strings.TrimSpace(string(reply)); resp.StatusCode != http.StatusOK || got != want {
		return secs, fmt.Errorf("POST %s: %s %q, want %q", url, resp.Status, got, want)
	}
	return secs, nil
}

// roundTrips times n 1-byte round trips on one connection, after a few
// to warm up, and returns the median.
func roundTrips(addr string, n int) (time.Duration, error) {
	if n < 1 {
		return 0, errors.New("rtt: need at least one round trip")
	}
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	c.(*net.TCPConn).SetNoDelay(true)
	one := []byte{'x'}
	back := make([]byte, 1)
	d := make([]time.Duration, n)
	for i := -10; i < n; i++ {
		start := time.Now()
		if _, err := c.Write(one); err != nil {
			return 0, err
		}
		if _, err := io.ReadFull(c, back); err != nil {
			return 0, err
		}
		if i >= 0 {
			d[i] = time.Since(start)
		}
		if back[0] != one[0] {
			return 0, fmt.Errorf("rtt: echoed %q, sent %q", back, one)
		}
	}
	slices.Sort(d)
	return d[n/2], nil
}

// cpuTime is a process's user and system CPU time, in seconds.
type cpuTime struct{ user, sys float64 }

func (c cpuTime) total() float64 { return c.user + c.sys }

func (c cpuTime) sub(d cpuTime) cpuTime { return cpuTime{c.user - d.user, c.sys - d.sys} }

// processCPU returns getrusage(RUSAGE_SELF): every thread of this process.
func processCPU() cpuTime {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return cpuTime{}
	}
	sec := func(t unix.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return cpuTime{sec(ru.Utime), sec(ru.Stime)}
}

// runClient runs one client op in ns and returns what it reports.
func runClient(ctx context.Context, ns *netns.NS, args ...string) (clientResult, error) {
	var r clientResult
	exe, err := os.Executable()
	if err != nil {
		return r, err
	}
	cmd := ns.Command(ctx, exe, args...)
	cmd.Env = append(os.Environ(), clientEnv+"=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return r, fmt.Errorf("client %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		return r, fmt.Errorf("client %s: %v: %q", strings.Join(args, " "), err, stdout.String())
	}
	return r, nil
}
