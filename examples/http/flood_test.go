package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"os"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/renet-go/renet/internal/netnstest"
	"github.com/renet-go/renet/netstack"
	"golang.org/x/sys/unix"
)

// The SYN flood of issue 8.
const (
	floodSYNs     = 20000 // spoofed SYNs sent in all
	floodRate     = 10000 // SYNs per second
	floodURL      = "http://192.168.69.1/bytes/100000"
	floodBody     = 100000          // bytes floodURL returns
	getTimeout    = 3 * time.Second // liveness bound of one legitimate GET
	getEvery      = 50 * time.Millisecond
	getsAfter     = 5 // GETs once the flood is over
	getAfterEvery = 200 * time.Millisecond
)

// TestSYNFloodKernel floods the stack's HTTP listener with spoofed SYNs
// from a raw socket in the namespace while a kernel-side client keeps
// fetching a page, each time on a fresh connection. Every GET, during the
// flood and after it, must complete within getTimeout with the right body.
//
// The spoofed sources are off-link (10.0.0.0/8) and the stack's default
// route is the kernel, so its SYN-ACKs all go to one neighbour, the
// gateway, which drops them (forwarding is off in the namespace): the
// stack never ARPs for a spoofed address and nothing leaves the namespace.
func TestSYNFloodKernel(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("skipping: the SYN flood needs root, for a network namespace, a tap device and a raw socket")
	}
	k := newKernelSetup(t, netstack.Config{Gateway: hostAddr.Addr()})
	// Off by default in a new namespace; said explicitly because the
	// SYN-ACKs must die at the gateway.
	if err := k.ns.Do(func() error {
		return os.WriteFile("/proc/sys/net/ipv4/ip_forward", []byte("0\n"), 0)
	}); err != nil {
		t.Fatal(err)
	}
	raw := openRawSocket(t, k.ns)
	client := floodClient(k.ns)

	// The page works before the flood, and both sides have resolved
	// each other.
	if _, err := floodGet(client); err != nil {
		t.Fatalf("GET before the flood: %v", err)
	}

	statsBefore := k.s.Stats()
	heapBefore, rssBefore := memUsage(t)
	cpuBefore := cpuTime()
	addrErrsBefore := kernelInAddrErrors(t, k.ns)

	start := time.Now()
	flooded := make(chan floodResult, 1)
	go func() { flooded <- synFlood(raw, rand.New(rand.NewPCG(8, 2026))) }()

	var (
		mu     sync.Mutex
		during []getResult
		wg     sync.WaitGroup
	)
	tick := time.NewTicker(getEvery)
	var fr floodResult
wait:
	for {
		select {
		case fr = <-flooded:
			break wait
		case <-tick.C:
			wg.Add(1)
			go func(at time.Duration) {
				defer wg.Done()
				took, err := floodGet(client)
				mu.Lock()
				during = append(during, getResult{at, took, err})
				mu.Unlock()
			}(time.Since(start))
		}
	}
	floodCPU := cpuTime() - cpuBefore
	wg.Wait()

	// A few more once the flood is over, getAfterEvery apart, each on its
	// own connection; concurrent, so a dead listener costs getTimeout
	// once, not getsAfter times.
	tick.Stop()
	tick = time.NewTicker(getAfterEvery)
	after := make([]getResult, getsAfter)
	for i := range after {
		if i > 0 {
			<-tick.C
		}
		wg.Add(1)
		go func(i int, at time.Duration) {
			defer wg.Done()
			took, err := floodGet(client)
			after[i] = getResult{at, took, err}
		}(i, time.Since(start))
	}
	wg.Wait()
	tick.Stop()

	statsAfter := k.s.Stats()
	heapAfter, rssAfter := memUsage(t)

	t.Logf("flood: %d SYNs sent in %v (%d send errors%s); process CPU (stack, flood, client) during the flood %v",
		fr.sent, fr.took.Round(time.Millisecond), fr.errs, fr.firstErrText(), floodCPU.Round(time.Millisecond))
	t.Logf("stack: %d frames in during the test (flood + GETs), %d segments out; kernel dropped %d packets not for it (the SYN-ACKs to spoofed sources)",
		statsAfter.FramesIn-statsBefore.FramesIn, statsAfter.TCPSegmentsOut-statsBefore.TCPSegmentsOut,
		kernelInAddrErrors(t, k.ns)-addrErrsBefore)
	logGets(t, "during the flood", during)
	logGets(t, "after the flood", after)
	logStats(t, statsAfter)
	t.Logf("memory: heap in use %s -> %s, VmRSS %s -> %s",
		mib(heapBefore), mib(heapAfter), mib(rssBefore), mib(rssAfter))
	if out, err := k.ns.Run(t.Context(), "ip", "-s", "link", "show", "dev", "tap0"); err == nil {
		t.Logf("tap0 from the kernel's side (its TX is the stack's RX):\n%s", out)
	}

	// The flood must have reached the stack, or the GETs prove nothing.
	if got := statsAfter.FramesIn - statsBefore.FramesIn; got < floodSYNs/2 {
		t.Errorf("only %d frames reached the stack for %d SYNs sent", got, fr.sent)
	}
	checkGets(t, "during the flood", during)
	checkGets(t, "after the flood", after)
}

// getResult is one legitimate GET: when it started (since the flood
// began), how long it took, and how it failed.
type getResult struct {
	at, took time.Duration
	err      error
}

// floodClient is an HTTP client whose connections are kernel sockets in
// the namespace, a fresh one for every request. The dialer has the
// request's time limit too: net/http lets a dial outlive the request that
// started it, and the kernel would go on sending SYNs for a minute.
func floodClient(ns *netnstest.NS) *http.Client {
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		var c net.Conn
		err := ns.Do(func() (err error) {
			c, err = (&net.Dialer{Timeout: getTimeout}).DialContext(ctx, network, addr)
			return err
		})
		return c, err
	}
	return &http.Client{
		Timeout:   getTimeout,
		Transport: &http.Transport{DialContext: dial, DisableKeepAlives: true},
	}
}

// floodGet fetches floodURL and checks the whole body.
func floodGet(c *http.Client) (time.Duration, error) {
	start := time.Now()
	resp, err := c.Get(floodURL)
	if err != nil {
		return time.Since(start), err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return time.Since(start), fmt.Errorf("status %s", resp.Status)
	}
	n, err := io.Copy(&patternCheck{}, resp.Body)
	if err == nil && n != floodBody {
		err = fmt.Errorf("body of %d bytes, want %d", n, floodBody)
	}
	return time.Since(start), err
}

// logGets logs the latencies of the GETs that succeeded and every failure.
func logGets(t *testing.T, phase string, gets []getResult) {
	t.Helper()
	var ok []time.Duration
	for _, g := range gets {
		if g.err == nil {
			ok = append(ok, g.took)
		} else {
			t.Logf("%s: GET started at +%v failed after %v: %v",
				phase, g.at.Round(time.Millisecond), g.took.Round(time.Millisecond), g.err)
		}
	}
	if len(ok) == 0 {
		t.Logf("%s: 0 of %d GETs succeeded", phase, len(gets))
		return
	}
	slices.Sort(ok)
	t.Logf("%s: %d of %d GETs succeeded; latency median %v, max %v",
		phase, len(ok), len(gets), ok[len(ok)/2].Round(time.Microsecond), ok[len(ok)-1].Round(time.Microsecond))
}

// checkGets fails the test if any GET failed.
func checkGets(t *testing.T, phase string, gets []getResult) {
	t.Helper()
	if len(gets) == 0 {
		t.Errorf("%s: no GET was made", phase)
	}
	failed := 0
	var first getResult
	for _, g := range gets {
		if g.err != nil {
			if failed == 0 {
				first = g
			}
			failed++
		}
	}
	if failed > 0 {
		t.Errorf("%s: %d of %d legitimate GETs failed (client timeout %v); the first, started at +%v: %v",
			phase, failed, len(gets), getTimeout, first.at.Round(time.Millisecond), first.err)
	}
}

// logStats logs every non-zero counter of st, by field name (so counters
// added later, such as SYN cookies, show up without changing this test),
// and the drops by reason.
func logStats(t *testing.T, st netstack.Stats) {
	t.Helper()
	var b strings.Builder
	v := reflect.ValueOf(st)
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		var n uint64
		switch f.Kind() {
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			n = f.Uint()
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			n = uint64(f.Int())
		default:
			continue
		}
		if n != 0 {
			fmt.Fprintf(&b, " %s=%d", v.Type().Field(i).Name, n)
		}
	}
	t.Logf("stack stats:%s", b.String())
	b.Reset()
	for _, r := range netstack.DropReasons() {
		if n := st.Dropped(r); n != 0 {
			fmt.Fprintf(&b, " %s=%d", r, n)
		}
	}
	t.Logf("stack drops:%s", b.String())
}

// floodResult is what synFlood did.
type floodResult struct {
	sent, errs int
	firstErr   error
	took       time.Duration
}

func (r floodResult) firstErrText() string {
	if r.firstErr == nil {
		return ""
	}
	return ", the first: " + r.firstErr.Error()
}

// synFlood sends floodSYNs spoofed SYNs to the stack's port 80 through the
// raw socket fd, paced at floodRate per second.
func synFlood(fd int, rng *rand.Rand) floodResult {
	var r floodResult
	dst := stackAddr.Addr()
	sa := &unix.SockaddrInet4{Addr: dst.As4()}
	var pkt [spoofedSYNLen]byte
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	start := time.Now()
	for i := 0; i < floodSYNs; {
		due := min(floodSYNs, int(time.Since(start).Seconds()*floodRate)+1)
		for ; i < due; i++ {
			spoofedSYN(pkt[:], rng, dst)
			if err := unix.Sendto(fd, pkt[:], 0, sa); err != nil {
				if r.errs == 0 {
					r.firstErr = err
				}
				r.errs++
				continue
			}
			r.sent++
		}
		if i < floodSYNs {
			<-tick.C
		}
	}
	r.took = time.Since(start)
	return r
}

// openRawSocket opens, inside the namespace, a raw IPv4 socket whose
// packets carry their own IP header (IPPROTO_RAW implies IP_HDRINCL), so
// the source address can be anything. Cleanup closes it.
func openRawSocket(t *testing.T, ns *netnstest.NS) int {
	t.Helper()
	fd := -1
	if err := ns.Do(func() (err error) {
		fd, err = unix.Socket(unix.AF_INET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.IPPROTO_RAW)
		return err
	}); err != nil {
		t.Fatalf("raw socket in the namespace: %v", err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	return fd
}

// spoofedSYNLen is the length of the packets spoofedSYN builds: IPv4
// header, TCP header, 20 bytes of options.
const spoofedSYNLen = 20 + 20 + 20

// spoofedSYN writes into b an IPv4 packet carrying a TCP SYN to dst:80
// from a random address in 10.0.0.0/8 and a random port, with a random
// sequence number and the options Linux puts in its SYNs, in its order:
// MSS 1460, SACK permitted, timestamps, NOP, window scale 7.
//
//	IPv4 (RFC 791 §3.1)  b[0:20]
//	TCP  (RFC 9293 §3.1) b[20:40]
//	options              b[40:60]: 02 04 05b4 | 04 02 | 08 0a TSval TSecr | 01 | 03 03 07
func spoofedSYN(b []byte, rng *rand.Rand, dst netip.Addr) {
	ip, th := b[:20], b[20:spoofedSYNLen]
	src := [4]byte{10, byte(rng.Uint32()), byte(rng.Uint32()), byte(1 + rng.IntN(254))}
	d := dst.As4()

	ip[0] = 4<<4 | 5 // version, header length in words
	ip[1] = 0
	binary.BigEndian.PutUint16(ip[2:], spoofedSYNLen)
	binary.BigEndian.PutUint16(ip[4:], uint16(rng.Uint32())) // ID
	binary.BigEndian.PutUint16(ip[6:], 0x4000)               // DF, offset 0
	ip[8] = 64                                               // TTL
	ip[9] = unix.IPPROTO_TCP
	ip[10], ip[11] = 0, 0
	copy(ip[12:16], src[:])
	copy(ip[16:20], d[:])
	binary.BigEndian.PutUint16(ip[10:], checksum(0, ip))

	binary.BigEndian.PutUint16(th[0:], uint16(1024+rng.IntN(65536-1024)))
	binary.BigEndian.PutUint16(th[2:], 80)
	binary.BigEndian.PutUint32(th[4:], rng.Uint32()) // sequence number
	binary.BigEndian.PutUint32(th[8:], 0)            // ACK
	th[12] = (40 / 4) << 4                           // data offset
	th[13] = 0x02                                    // SYN
	binary.BigEndian.PutUint16(th[14:], 64240)       // Linux's SYN window
	th[16], th[17], th[18], th[19] = 0, 0, 0, 0      // checksum, urgent pointer
	o := th[20:40]
	o[0], o[1] = 2, 4 // MSS
	binary.BigEndian.PutUint16(o[2:], 1460)
	o[4], o[5] = 4, 2 // SACK permitted
	o[6], o[7] = 8, 10
	binary.BigEndian.PutUint32(o[8:], rng.Uint32()) // TSval
	binary.BigEndian.PutUint32(o[12:], 0)           // TSecr
	o[16] = 1                                       // NOP
	o[17], o[18], o[19] = 3, 3, 7                   // window scale 7

	// The pseudo-header (RFC 9293 §3.1): source, destination, zero,
	// protocol, TCP length.
	var pseudo [12]byte
	copy(pseudo[0:], src[:])
	copy(pseudo[4:], d[:])
	pseudo[9] = unix.IPPROTO_TCP
	binary.BigEndian.PutUint16(pseudo[10:], uint16(len(th)))
	binary.BigEndian.PutUint16(th[16:], checksum(sum16(0, pseudo[:]), th))
}

// sum16 adds b to a ones'-complement running sum (RFC 1071), b of even
// length.
func sum16(sum uint32, b []byte) uint32 {
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	return sum
}

// checksum is the Internet checksum of b on top of the partial sum.
func checksum(sum uint32, b []byte) uint16 {
	sum = sum16(sum, b)
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

// kernelInAddrErrors reads the namespace's Ip InAddrErrors counter: packets
// the kernel dropped because they were not addressed to it and it does not
// forward. Here that is the stack's SYN-ACKs to spoofed sources.
func kernelInAddrErrors(t *testing.T, ns *netnstest.NS) uint64 {
	t.Helper()
	var snmp []byte
	if err := ns.Do(func() (err error) {
		snmp, err = os.ReadFile("/proc/thread-self/net/snmp")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// Two "Ip:" lines: the names, then the values.
	var names, values []string
	for line := range strings.Lines(string(snmp)) {
		if f, ok := strings.CutPrefix(line, "Ip: "); ok {
			if names == nil {
				names = strings.Fields(f)
			} else {
				values = strings.Fields(f)
			}
		}
	}
	if i := slices.Index(names, "InAddrErrors"); i >= 0 && i < len(values) {
		n, _ := strconv.ParseUint(values[i], 10, 64)
		return n
	}
	t.Fatalf("no Ip InAddrErrors in the namespace's /proc/net/snmp:\n%s", snmp)
	return 0
}

// memUsage returns the heap in use after a collection and the process's
// resident set size, in bytes.
func memUsage(t *testing.T) (heap, rss uint64) {
	t.Helper()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(status)) {
		if f, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(f), " kB"), 10, 64)
			rss = kb << 10
		}
	}
	return ms.HeapInuse, rss
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru unix.Rusage
	unix.Getrusage(unix.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func mib(n uint64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
