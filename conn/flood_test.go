package conn

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/link/pipe"
	"github.com/renet-go/renet/netstack"
	"github.com/renet-go/renet/netstack/wire"
)

// spoofedSYNs builds n SYNs to dst from random addresses of 10.0.0.0/24
// (other than A and B) and random ports, with the options Linux sends.
func spoofedSYNs(n int, dst netip.AddrPort, rng *rand.Rand) [][]byte {
	pkts := make([][]byte, n)
	for i := range pkts {
		src := netip.AddrFrom4([4]byte{10, 0, 0, byte(3 + rng.IntN(250))})
		f := wire.TCPFields{
			SrcPort: uint16(1024 + rng.IntN(60000)), DstPort: dst.Port(),
			Seq: rng.Uint32(), Flags: wire.TCPFlagSYN, Window: 64240,
			Options: wire.TCPOptions{MSS: 1460, HasWindowScale: true, WindowScale: 7,
				SACKPermitted: true, HasTimestamps: true, TSVal: rng.Uint32()},
		}
		b := make([]byte, wire.IPv4MinHeaderLen+f.Len())
		f.Encode(b[wire.IPv4MinHeaderLen:], src, dst.Addr())
		ip := wire.IPv4Fields{Protocol: wire.IPProtoTCP, Src: src, Dst: dst.Addr(), TTL: 64, ID: uint16(i)}
		ip.Encode(b, f.Len())
		pkts[i] = b
	}
	return pkts
}

// floodPair is two stacks over an IP pipe, A configured by cfgA; it also
// returns B's end of the pipe, through which a test injects packets
// towards A as if from other hosts of the subnet.
func floodPair(t *testing.T, cfgA netstack.Config) (a, b *netstack.Stack, inject link.Endpoint) {
	t.Helper()
	ea, eb := pipe.New(pipe.Config{Medium: link.IP, QueueLen: 1 << 15, Seed: 1})
	cfgA.Addrs = []netip.Prefix{netip.PrefixFrom(addrA, 24)}
	a, err := netstack.New(ea, cfgA)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	b, err = netstack.New(eb, netstack.Config{Addrs: []netip.Prefix{netip.PrefixFrom(addrB, 24)}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return a, b, eb
}

// waitFor polls cond until it holds, failing the test after 10 seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 10s")
		}
	}
}

// heapInUse is the live heap after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// RFC 4987 §3.6: 20,000 spoofed SYNs fill a default listener's SYN queue,
// after which SYNs are answered with cookies; a legitimate client then
// connects at once, completes its handshake from a cookie with its MSS,
// window scale, SACK and timestamps honoured, and transfers data. The
// flood costs bounded memory.
func TestSYNFloodServedByCookies(t *testing.T) {
	a, b, eb := floodPair(t, netstack.Config{})
	l, err := Listen(a, "tcp", ":80")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go serveEcho(l)

	before := heapInUse()
	rng := rand.New(rand.NewPCG(1, 2))
	syns := spoofedSYNs(20000, netip.AddrPortFrom(addrA, 80), rng)
	for batch := range slices.Chunk(syns, 500) {
		// The flood enters A's side of the pipe beside B's own traffic; A's
		// SYN-ACKs reach B, which drops them (not its addresses).
		if _, err := eb.WriteBatch(batch); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	syns = nil
	waitFor(t, func() bool { return a.Stats().FramesIn >= 20000 })

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	c, err := DialContext(ctx, b, "tcp", "10.0.0.1:80")
	if err != nil {
		t.Fatalf("legitimate client during the flood: %v", err)
	}
	defer c.Close()
	msg := bytes.Repeat([]byte("renet"), 200000)
	go c.Write(msg)
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("echo of 1 MB after the flood: %v", err)
	}
	t.Logf("legitimate connect + 1 MB echo during the flood: %v", time.Since(start))

	st := a.Stats()
	// A few random 4-tuples repeat and reach their half-open entry instead.
	if st.TCPSYNCookiesSent < 20000-2048-200 || st.TCPSYNCookiesValid < 1 {
		t.Fatalf("cookies sent %d, valid %d", st.TCPSYNCookiesSent, st.TCPSYNCookiesValid)
	}
	in := c.(*TCPConn).Info()
	if !in.Timestamps || !in.SACK || !in.WindowScale || in.SndMSS != 1460 {
		t.Errorf("client's view: ts %v sack %v ws %v mss %d", in.Timestamps, in.SACK, in.WindowScale, in.SndMSS)
	}
	grown := int64(heapInUse()) - int64(before)
	t.Logf("heap growth over the flood: %.1f MB (%d half-open, %d cookies)", float64(grown)/1e6, 2048, st.TCPSYNCookiesSent)
	if grown > 50<<20 {
		t.Errorf("a SYN flood grew the heap by %d MB", grown>>20)
	}
}

// The server side of a cookie connection has everything the client's SYN
// offered: its MSS, window scale, SACK and timestamps.
func TestSYNCookieConnectionOptions(t *testing.T) {
	a, b, eb := floodPair(t, netstack.Config{SYNBacklog: 1})
	l, err := ListenTCP(a, netip.AddrPortFrom(addrA, 80))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	// A spoofed SYN whose handshake never completes fills the SYN queue
	// of one.
	if _, err := eb.WriteBatch(spoofedSYNs(1, netip.AddrPortFrom(addrA, 80), rand.New(rand.NewPCG(5, 6)))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { q, _ := l.l.Queues(); return q == 1 })

	accepted := make(chan *TCPConn, 2)
	go func() {
		for {
			c, err := l.AcceptTCP()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	c, err := Dial(b, "tcp", "10.0.0.1:80")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var srv *TCPConn
	for srv == nil {
		s := <-accepted
		if s.RemoteAddrPort() == c.(*TCPConn).LocalAddrPort() {
			srv = s
		}
	}
	in := srv.Info()
	if !in.SYNCookie {
		t.Fatal("the connection did not come from a cookie")
	}
	if !in.Timestamps || !in.SACK || !in.WindowScale || in.SndWscale != c.(*TCPConn).Info().RcvWscale || in.SndMSS != 1460 {
		t.Fatalf("cookie connection: ts %v sack %v ws %v shift %d mss %d", in.Timestamps, in.SACK, in.WindowScale, in.SndWscale, in.SndMSS)
	}
	msg := bytes.Repeat([]byte{7}, 3<<20)
	go c.Write(msg)
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(srv, got); err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("3 MB over a cookie connection: %v", err)
	}
	if in := srv.Info(); in.RecvBufSize <= 256<<10 {
		t.Errorf("receive buffer %d: autotuning needs the window scale the cookie carried", in.RecvBufSize)
	}
}

// 2,000 clients connecting at once to a conn.Listen listener: the default
// queues hold them all, so no SYN is dropped and none needs a cookie.
func TestSimultaneousDials(t *testing.T) {
	for _, n := range []int{200, 2000} {
		a, b := newPair(t, pipe.Config{QueueLen: 1 << 14, Seed: 4})
		l, err := Listen(a, "tcp", ":80")
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				defer c.Close()
			}
		}()
		// One connection first, so B has resolved A's MAC: this test is
		// about the listener's queues, not B's neighbour queue.
		warm, err := Dial(b, "tcp", "10.0.0.1:80")
		if err != nil {
			t.Fatal(err)
		}
		warm.Close()
		var wg sync.WaitGroup
		conns := make([]net.Conn, n)
		took := make([]time.Duration, n)
		errs := make([]error, n)
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				t0 := time.Now()
				conns[i], errs[i] = Dial(b, "tcp", "10.0.0.1:80")
				took[i] = time.Since(t0)
			})
		}
		close(start)
		wg.Wait()
		var retrans uint64
		for i, c := range conns {
			if errs[i] != nil {
				t.Fatalf("dial %d of %d: %v", i, n, errs[i])
			}
			retrans += c.(*TCPConn).Info().Retransmits
			c.Close()
		}
		st := a.Stats()
		drops := st.Dropped(netstack.DropTCPSYNQueueFull) + st.Dropped(netstack.DropTCPAcceptQueueFull)
		if drops != 0 || st.TCPSYNCookiesSent != 0 {
			t.Errorf("%d dials: %d SYNs dropped, %d cookies", n, drops, st.TCPSYNCookiesSent)
		}
		// Retransmissions are reported, not asserted: on a loaded machine
		// a handshake may outlast the 1s initial RTO without any loss.
		t.Logf("%d simultaneous dials: slowest %v, %d segments retransmitted", n, slices.Max(took), retrans)
		l.Close()
	}
}
