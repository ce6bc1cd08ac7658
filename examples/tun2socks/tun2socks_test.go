package main

import (
	"bufio"
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
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/renet-go/renet/internal/netnstest"
)

// TestMain lets the test binary be the tun2socks process: run with
// TUN2SOCKS_MAIN=1 it is main, so the tests run the real program (built
// with -race when the tests are) without a separate go build.
func TestMain(m *testing.M) {
	if os.Getenv("TUN2SOCKS_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	if addr := os.Getenv("TUN2SOCKS_HOLD"); addr != "" {
		// The "hold" server in a process of its own (see
		// TestMeasureFlows), so its sockets count against its own open
		// file limit.
		l, err := net.Listen("tcp4", addr)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println("listening")
		for {
			c, err := l.Accept()
			if err != nil {
				continue // EMFILE: wait for the client to give up
			}
			go func() { defer c.Close(); hold(c) }()
		}
	}
	os.Exit(m.Run())
}

func TestFlags(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"-tun", "t0", "extra"},
		{"-tun", "t0", "-addr", "nonsense"},
		{"-tun", "t0", "-mtu", "100"},
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("parseFlags(%q) accepted", args)
		}
	}
	if _, err := upstreamDialer("http://proxy:1"); err == nil {
		t.Error("an http:// proxy was accepted")
	}
	o, err := parseFlags([]string{"-tun", "t0", "-proxy", "socks5://u:p@127.0.0.1:1080"}, io.Discard)
	if err != nil || o.addr.String() != "198.18.255.254/32" {
		t.Errorf("parseFlags = %+v, %v", o, err)
	}
	if got := redact(o.proxy); strings.Contains(got, ":p@") {
		t.Errorf("redact kept the password: %s", got)
	}
}

// Addresses of the test topology.
const (
	tunName    = "t2s0"
	clientAddr = "10.99.0.2/24" // the TUN device's address in the client namespace
	routerVeth = "10.77.0.1/24"
	serverIP   = "10.77.0.2"
	nobodyIP   = "10.77.0.99" // on the server's link, but nobody has it
	unrouted   = "192.0.2.1"  // no route in the router namespace
)

// topo is the test topology, three namespaces the test creates and
// deletes:
//
//	client ns                       router ns                      server ns
//	 curl, ping, Go clients          tun2socks process              HTTP, TCP, DNS servers
//	 default route -> t2s0 ~~fd~~>   (renet stack on t2s0's fd)     10.77.0.2/24
//	 10.99.0.2/24 on t2s0            host sockets: r0 10.77.0.1/24 ---veth--- s0
//
// tun2socks starts in the router namespace and creates t2s0 there; the
// test then moves the device into the client namespace (`ip link set
// t2s0 netns C`). A TUN file descriptor stays attached to its device
// across the move, so the program reads the client's packets while its
// own upstream sockets live in the router namespace, whose only route
// leads to the server: no loop, no policy routing, and the program runs
// exactly as a user would run it, configuring nothing. The process is
// stopped before the namespaces are deleted (deleting the client
// namespace with the device still open would send it to the host's
// namespace).
type topo struct {
	client, router, server *netnstest.NS
	cmd                    *exec.Cmd
	stdout, stderr         *syncBuffer
	waited                 chan error
}

func newTopo(t *testing.T, args ...string) *topo {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return newTopoWith(t, exe, []string{"TUN2SOCKS_MAIN=1"}, append([]string{"-tun", tunName}, args...)...)
}

// newTopoWith builds the topology around the program exe, run with env
// added to the environment and args, which must create tunName.
func newTopoWith(t *testing.T, exe string, env []string, args ...string) *topo {
	t.Helper()
	tp := &topo{client: netnstest.New(t), router: netnstest.New(t), server: netnstest.New(t)}
	ctx := context.Background()
	ip := func(ns *netnstest.NS, args ...string) {
		t.Helper()
		if out, err := ns.Run(ctx, "ip", args...); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
	}
	ip(tp.router, "link", "add", "r0", "type", "veth", "peer", "name", "s0", "netns", tp.server.Name())
	ip(tp.router, "addr", "add", routerVeth, "dev", "r0")
	ip(tp.router, "link", "set", "r0", "up")
	ip(tp.server, "addr", "add", serverIP+"/24", "dev", "s0")
	ip(tp.server, "link", "set", "s0", "up")
	if out, err := tp.router.Run(ctx, "sysctl", "-w", "net.ipv4.ping_group_range=0 2147483647"); err != nil {
		t.Fatalf("%v: %s", err, out)
	}

	tp.cmd = tp.router.Command(ctx, exe, args...)
	tp.cmd.Env = append(os.Environ(), env...)
	tp.stdout, tp.stderr = new(syncBuffer), new(syncBuffer)
	tp.cmd.Stdout = tp.stdout
	pr, pw := io.Pipe()
	tp.cmd.Stderr = pw
	if err := tp.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tp.waited = make(chan error, 1)
	go func() { err := tp.cmd.Wait(); pw.Close(); tp.waited <- err }()
	t.Cleanup(func() {
		tp.stop(t)
		if t.Failed() || testing.Verbose() {
			t.Logf("%s stderr:\n%s", exe, tp.stderr)
		}
	})
	// Ours says when it relays; another program, when its device exists.
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		said := false
		for sc.Scan() {
			fmt.Fprintln(tp.stderr, sc.Text())
			if !said && strings.Contains(sc.Text(), "relaying") {
				said = true
				ready <- true
			}
		}
		if !said {
			ready <- false
		}
	}()
	deadline := time.After(20 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
wait:
	for {
		select {
		case ok := <-ready:
			if !ok {
				t.Fatalf("%s exited before relaying:\n%s", exe, tp.stderr)
			}
			break wait
		case <-tick.C:
			if _, err := tp.router.Run(ctx, "ip", "link", "show", tunName); err == nil && len(env) == 0 {
				time.Sleep(200 * time.Millisecond) // a foreign program: let it finish starting
				break wait
			}
		case <-deadline:
			t.Fatalf("%s did not start:\n%s", exe, tp.stderr)
		}
	}

	ip(tp.router, "link", "set", tunName, "netns", tp.client.Name())
	ip(tp.client, "addr", "add", clientAddr, "dev", tunName)
	ip(tp.client, "link", "set", tunName, "up")
	ip(tp.client, "route", "add", "default", "dev", tunName)
	return tp
}

// stop sends SIGTERM and waits for the program to print its counters and
// exit.
func (tp *topo) stop(t *testing.T) {
	if tp.cmd.ProcessState != nil {
		return
	}
	tp.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-tp.waited:
		if err != nil {
			t.Errorf("tun2socks exited: %v", err)
		}
	case <-time.After(15 * time.Second):
		tp.cmd.Process.Kill()
		<-tp.waited
		t.Errorf("tun2socks did not exit on SIGTERM")
	}
}

// dial connects from the client namespace, through the tunnel.
func (tp *topo) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	var c net.Conn
	err := tp.client.Do(func() error {
		var err error
		c, err = (&net.Dialer{}).DialContext(ctx, network, addr)
		return err
	})
	return c, err
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// serve runs handle for every connection l accepts until l closes.
func serve(l net.Listener, handle func(net.Conn)) {
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); handle(c) }()
		}
	}()
}

// servers starts the server namespace's services: HTTP on :8080, "sha"
// on :9000 (reads to EOF, answers the hex sha256 and length), "source"
// on :9001 (sends the bytes asked for in a decimal line, then closes),
// "accept" on :9002 (accepts and closes), "sink" on :9003 (reads to EOF,
// answers the length), "hold" on :9004 (echoes what it reads, a byte at
// a time, until EOF), DNS on udp :53, UDP echo on :7.
func (tp *topo) servers(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello through the tunnel\n") })
	hl := tp.server.Listen(t, "tcp4", serverIP+":8080")
	hs := &http.Server{Handler: mux}
	go hs.Serve(hl)
	t.Cleanup(func() { hs.Close() })

	serve(tp.server.Listen(t, "tcp4", serverIP+":9000"), func(c net.Conn) {
		h := sha256.New()
		n, err := io.Copy(h, c)
		if err != nil {
			return
		}
		fmt.Fprintf(c, "%x %d\n", h.Sum(nil), n)
	})
	serve(tp.server.Listen(t, "tcp4", serverIP+":9001"), func(c net.Conn) {
		var n int64
		if _, err := fmt.Fscanf(c, "%d\n", &n); err != nil {
			return
		}
		io.Copy(c, io.LimitReader(&pattern{}, n))
	})
	serve(tp.server.Listen(t, "tcp4", serverIP+":9002"), func(c net.Conn) {})
	serve(tp.server.Listen(t, "tcp4", serverIP+":9003"), func(c net.Conn) {
		if n, err := io.Copy(io.Discard, c); err == nil {
			fmt.Fprintf(c, "%d\n", n)
		}
	})

	serve(tp.server.Listen(t, "tcp4", serverIP+":9004"), hold)

	echo := tp.server.ListenUDP(t, serverIP+":7")
	echo.SetReadBuffer(4 << 20)
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := echo.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			echo.WriteToUDPAddrPort(buf[:n], from)
		}
	}()

	dns := tp.server.ListenUDP(t, serverIP+":53")
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := dns.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			if reply, err := answerDNS(buf[:n]); err == nil {
				dns.WriteToUDPAddrPort(reply, from)
			}
		}
	}()
}

// hold echoes what c reads, a byte at a time, until EOF.
func hold(c net.Conn) {
	var b [1]byte
	for {
		if _, err := c.Read(b[:]); err != nil {
			return
		}
		if _, err := c.Write(b[:]); err != nil {
			return
		}
	}
}

// pattern reads as bytes i%251.
type pattern struct{ off int64 }

// patternBlock is the pattern from offset 0, for copying.
var patternBlock = func() []byte {
	b := make([]byte, 251*256)
	for i := range b {
		b[i] = byte(i % 251)
	}
	return b
}()

func (p *pattern) Read(b []byte) (int, error) {
	n := 0
	for n < len(b) {
		n += copy(b[n:], patternBlock[(p.off+int64(n))%251:])
	}
	p.off += int64(n)
	return n, nil
}

var dnsAnswer = netip.MustParseAddr("203.0.113.7")

// answerDNS answers any A question with dnsAnswer.
func answerDNS(q []byte) ([]byte, error) {
	var p dnsmessage.Parser
	h, err := p.Start(q)
	if err != nil {
		return nil, err
	}
	question, err := p.Question()
	if err != nil {
		return nil, err
	}
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true})
	b.StartQuestions()
	b.Question(question)
	b.StartAnswers()
	b.AResource(dnsmessage.ResourceHeader{Name: question.Name, Class: dnsmessage.ClassINET, TTL: 60},
		dnsmessage.AResource{A: dnsAnswer.As4()})
	return b.Finish()
}

func TestRelay(t *testing.T) {
	tp := newTopo(t, "-status", "127.0.0.1:8080", "-mtu", "1400")
	tp.servers(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if out, err := tp.client.Run(ctx, "ip", "link", "show", tunName); err != nil || !strings.Contains(string(out), "mtu 1400") {
		t.Errorf("-mtu 1400: %v: %s", err, out)
	}

	t.Run("curl", func(t *testing.T) {
		out, err := tp.client.Run(ctx, "curl", "-sS", "--max-time", "10", "http://"+serverIP+":8080/")
		if err != nil || string(out) != "hello through the tunnel\n" {
			t.Fatalf("curl: %v: %q", err, out)
		}
	})

	t.Run("upload half-close", func(t *testing.T) {
		const size = 20 << 20
		c, err := tp.dial(ctx, "tcp4", serverIP+":9000")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		h := sha256.New()
		start := time.Now()
		if _, err := io.Copy(io.MultiWriter(c, h), io.LimitReader(&pattern{}, size)); err != nil {
			t.Fatal(err)
		}
		if err := c.(*net.TCPConn).CloseWrite(); err != nil {
			t.Fatal(err)
		}
		// The reply comes only after the server read EOF: the FIN crossed
		// the relay, and the other direction stayed open.
		reply, err := io.ReadAll(c)
		elapsed := time.Since(start)
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("%s %d\n", hex.EncodeToString(h.Sum(nil)), size); string(reply) != want {
			t.Fatalf("server says %q, want %q", reply, want)
		}
		t.Logf("upload: %d MB in %v: %.0f MB/s", size>>20, elapsed.Round(time.Millisecond), float64(size)/1e6/elapsed.Seconds())
	})

	t.Run("download", func(t *testing.T) {
		const size = 20 << 20
		c, err := tp.dial(ctx, "tcp4", serverIP+":9001")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		start := time.Now()
		fmt.Fprintf(c, "%d\n", size)
		got := sha256.New()
		n, err := io.Copy(got, c)
		elapsed := time.Since(start)
		if err != nil || n != size {
			t.Fatalf("read %d bytes, %v; want %d", n, err, size)
		}
		want := sha256.New()
		io.Copy(want, io.LimitReader(&pattern{}, size))
		if !bytes.Equal(got.Sum(nil), want.Sum(nil)) {
			t.Fatal("downloaded bytes differ")
		}
		t.Logf("download: %d MB in %v: %.0f MB/s", size>>20, elapsed.Round(time.Millisecond), float64(size)/1e6/elapsed.Seconds())
	})

	t.Run("dns", func(t *testing.T) {
		c, err := tp.dial(ctx, "udp4", serverIP+":53")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: 4242, RecursionDesired: true})
		b.StartQuestions()
		b.Question(dnsmessage.Question{Name: dnsmessage.MustNewName("tunnel.example."), Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET})
		q, _ := b.Finish()
		buf := make([]byte, 1500)
		var n int
		for try := 0; ; try++ { // UDP: retry as a resolver would
			c.Write(q)
			c.SetReadDeadline(time.Now().Add(2 * time.Second))
			if n, err = c.Read(buf); err == nil || try == 2 {
				break
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		var m dnsmessage.Message
		if err := m.Unpack(buf[:n]); err != nil {
			t.Fatal(err)
		}
		if m.ID != 4242 || len(m.Answers) != 1 {
			t.Fatalf("reply %+v", m)
		}
		if a, ok := m.Answers[0].Body.(*dnsmessage.AResource); !ok || netip.AddrFrom4(a.A) != dnsAnswer {
			t.Fatalf("answer %v, want %v", m.Answers[0].Body, dnsAnswer)
		}
	})

	t.Run("udp port unreachable", func(t *testing.T) {
		// The server's ICMP port unreachable reaches the router's host
		// socket (IP_RECVERR) and is sent back to the client as one.
		c, err := tp.dial(ctx, "udp4", serverIP+":5353")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		buf := make([]byte, 100)
		for try := 0; ; try++ {
			c.Write([]byte("anyone?"))
			c.SetReadDeadline(time.Now().Add(2 * time.Second))
			_, err = c.Read(buf)
			if errors.Is(err, syscall.ECONNREFUSED) {
				break
			}
			if try == 2 {
				t.Fatalf("read: %v, want ECONNREFUSED", err)
			}
		}
	})

	t.Run("ping", func(t *testing.T) {
		out, err := tp.client.Run(ctx, "ping", "-c", "3", "-i", "0.2", "-W", "2", serverIP)
		if err != nil || !strings.Contains(string(out), "3 received") {
			t.Fatalf("ping: %v:\n%s", err, out)
		}
	})

	t.Run("ping nobody", func(t *testing.T) {
		// Nobody has nobodyIP: the ping socket hears nothing, so the
		// client must hear nothing either; a reply would be a lie.
		out, _ := tp.client.Run(ctx, "ping", "-c", "3", "-i", "0.2", "-W", "1", nobodyIP)
		if !strings.Contains(string(out), " 0 received") {
			t.Fatalf("ping %s got replies:\n%s", nobodyIP, out)
		}
	})

	t.Run("refused", func(t *testing.T) {
		start := time.Now()
		_, err := tp.dial(ctx, "tcp4", serverIP+":9999")
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Fatalf("dial closed port: %v, want ECONNREFUSED", err)
		}
		t.Logf("closed port refused in %v", time.Since(start).Round(time.Microsecond))
	})

	t.Run("unroutable", func(t *testing.T) {
		// The router has no route to 192.0.2.1: its dial fails at once with
		// ENETUNREACH, which reaches the client as ICMP net unreachable.
		dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		_, err := tp.dial(dctx, "tcp4", unrouted+":80")
		if !errors.Is(err, syscall.ENETUNREACH) && !errors.Is(err, syscall.EHOSTUNREACH) {
			t.Fatalf("dial %s: %v, want ENETUNREACH", unrouted, err)
		}
	})

	t.Run("status", func(t *testing.T) {
		c, err := tp.dial(ctx, "tcp4", serverIP+":9000")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.Write([]byte("in flight"))
		// The client may see the handshake complete a moment before the
		// relay records the accepted connection: look again for a while.
		var snap snapshot
		found := false
		for deadline := time.Now().Add(5 * time.Second); !found && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			snap = tp.status(t)
			for _, f := range snap.Flows {
				if f.Proto == "tcp" && f.Dst == serverIP+":9000" && f.Src == c.LocalAddr().String() {
					found = f.TCP != nil && f.TCP.State != ""
				}
			}
		}
		if !found {
			t.Fatalf("the open connection is not in the status snapshot: %+v", snap.Flows)
		}
		// The DNS flow lives on until its idle timeout (10 s).
		udp := false
		for _, f := range snap.Flows {
			udp = udp || f.Proto == "udp" && f.Dst == serverIP+":53" && f.BytesUp > 0 && f.BytesDown > 0
		}
		if !udp {
			t.Errorf("no UDP flow to %s:53 with bytes both ways in the snapshot: %+v", serverIP, snap.Flows)
		}
		if page := tp.statusPage(t, "/"); !strings.Contains(page, "<table>") || !strings.Contains(page, serverIP+":9000") {
			t.Errorf("status page:\n%s", page)
		}
		if snap.Counters.TCPRelayed == 0 || snap.Forwarder.TCPAccepted == 0 {
			t.Errorf("counters %+v, forwarder %+v", snap.Counters, snap.Forwarder)
		}
	})

	t.Run("500 udp flows", func(t *testing.T) {
		// Every one of 500 client sockets gets its echo back, through a
		// flow and a host socket of its own, all open at once.
		const n = 500
		start := time.Now()
		socks, ok, err := tp.openUDPFlows(ctx, n)
		defer closeAllConns(socks)
		if err != nil || ok != n {
			t.Fatalf("%d of %d flows answered: %v", ok, n, err)
		}
		if got := tp.status(t).Forwarder.UDPFlows; got < n {
			t.Errorf("forwarder has %d UDP flows open, want at least %d", got, n)
		}
		t.Logf("%d flows answered in %v", n, time.Since(start).Round(time.Millisecond))
	})

	t.Run("host unreachable", func(t *testing.T) {
		// The router's ARP for nobodyIP fails after about 3 s: its dial
		// gets EHOSTUNREACH, the client ICMP host unreachable.
		start := time.Now()
		dctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		_, err := tp.dial(dctx, "tcp4", nobodyIP+":80")
		if !errors.Is(err, syscall.EHOSTUNREACH) {
			t.Fatalf("dial %s: %v, want EHOSTUNREACH", nobodyIP, err)
		}
		t.Logf("host unreachable after %v", time.Since(start).Round(time.Millisecond))
	})

	t.Run("counters on exit", func(t *testing.T) {
		tp.stop(t)
		out := tp.stdout.String()
		t.Logf("tun2socks stdout:\n%s", out)
		for _, want := range []string{"tcp: ", "udp: ", "3 replies", "forwarder: "} {
			if !strings.Contains(out, want) {
				t.Errorf("counters printed on exit lack %q", want)
			}
		}
	})
}

// status fetches the JSON snapshot from the router namespace.
func (tp *topo) status(t *testing.T) snapshot {
	t.Helper()
	var snap snapshot
	if err := json.Unmarshal([]byte(tp.statusPage(t, "/?format=json")), &snap); err != nil {
		t.Fatal(err)
	}
	return snap
}

// statusPage fetches path from the status server in the router namespace.
func (tp *topo) statusPage(t *testing.T, path string) string {
	t.Helper()
	hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			var c net.Conn
			err := tp.router.Do(func() error {
				var err error
				c, err = (&net.Dialer{}).DialContext(ctx, network, addr)
				return err
			})
			return c, err
		},
	}}
	resp, err := hc.Get("http://127.0.0.1:8080" + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s, %v", path, resp.Status, err)
	}
	return string(b)
}

// openUDPFlows opens n UDP flows through the relay: n client sockets,
// each sending one datagram to the echo server (again, up to five times,
// until it is answered). It returns the sockets, open, and how many were
// answered.
func (tp *topo) openUDPFlows(ctx context.Context, n int) ([]*net.UDPConn, int, error) {
	socks := make([]*net.UDPConn, 0, n)
	err := tp.client.Do(func() error {
		for range n {
			c, err := net.DialUDP("udp4", nil, net.UDPAddrFromAddrPort(netip.MustParseAddrPort(serverIP+":7")))
			if err != nil {
				return err
			}
			socks = append(socks, c)
		}
		return nil
	})
	if err != nil {
		closeAllConns(socks)
		return nil, 0, err
	}
	var ok atomic.Int64
	each(ctx, len(socks), 256, func(i int) {
		c := socks[i]
		msg := fmt.Appendf(nil, "flow %d", i)
		buf := make([]byte, 64)
		for range 5 {
			c.Write(msg)
			c.SetReadDeadline(time.Now().Add(time.Second))
			m, err := c.Read(buf)
			if err == nil && bytes.Equal(buf[:m], msg) {
				ok.Add(1)
				return
			}
			if ctx.Err() != nil {
				return
			}
		}
	})
	return socks, int(ok.Load()), ctx.Err()
}

// openTCPConns opens n TCP connections through the relay to addr, a
// "hold" server, each one carrying a byte there and back, and returns them,
// open, and how many got their byte back.
func (tp *topo) openTCPConns(ctx context.Context, n int, addr string) ([]net.Conn, int, error) {
	conns := make([]net.Conn, n)
	var ok atomic.Int64
	each(ctx, n, 128, func(i int) {
		for range 3 {
			dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			c, err := tp.dial(dctx, "tcp4", addr)
			cancel()
			if err != nil {
				continue
			}
			conns[i] = c
			var b [1]byte
			c.SetDeadline(time.Now().Add(10 * time.Second))
			if _, err := c.Write([]byte{'x'}); err == nil {
				if _, err := c.Read(b[:]); err == nil && b[0] == 'x' {
					ok.Add(1)
				}
			}
			c.SetDeadline(time.Time{})
			return
		}
	})
	return conns, int(ok.Load()), ctx.Err()
}

// each runs f(0) ... f(n-1) on workers goroutines, until ctx is done.
func each(ctx context.Context, n, workers int, f func(int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				f(i)
			}
		})
	}
	wg.Wait()
}

// closeAllConns closes every connection of cs (skipping nil interfaces:
// dials that failed).
func closeAllConns[C io.Closer](cs []C) {
	for _, c := range cs {
		if any(c) != nil {
			c.Close()
		}
	}
}
