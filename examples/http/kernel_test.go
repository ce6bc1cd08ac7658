package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/renet-go/renet/conn"
	"github.com/renet-go/renet/internal/netnstest"
	"github.com/renet-go/renet/link/afpacket"
	"github.com/renet-go/renet/link/tap"
	"github.com/renet-go/renet/netstack"
	"github.com/renet-go/renet/netstack/wire"
	"golang.org/x/net/nettest"
)

var (
	stackAddr = netip.MustParsePrefix("192.168.69.1/24")
	hostAddr  = netip.MustParsePrefix("192.168.69.100/24")
)

// kernelSetup is a stack on tap0 in a fresh namespace, serving the example
// routes on port 80, with the kernel at 192.168.69.100.
type kernelSetup struct {
	ns *netnstest.NS
	s  *netstack.Stack
}

func newKernelSetup(t *testing.T, cfg netstack.Config) *kernelSetup {
	return newKernelSetupWith(t, cfg, tap.Options{})
}

// newKernelSetupWith is newKernelSetup with tap options (offload off).
func newKernelSetupWith(t *testing.T, cfg netstack.Config, o tap.Options) *kernelSetup {
	ns := netnstest.New(t)
	dev := ns.TapWith(t, "tap0", hostAddr, o)
	cfg.Addrs = []netip.Prefix{stackAddr}
	cfg.HardwareAddr = net.HardwareAddr{2, 0, 0, 0, 0, 1}
	s, err := netstack.New(dev, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	l, err := conn.Listen(s, "tcp", ":80")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: newMux()}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return &kernelSetup{ns: ns, s: s}
}

// kernelDial dials from a kernel socket inside the namespace.
func (k *kernelSetup) kernelDial(ctx context.Context, network, addr string) (net.Conn, error) {
	var c net.Conn
	err := k.ns.Do(func() error {
		var err error
		c, err = (&net.Dialer{}).DialContext(ctx, network, addr)
		return err
	})
	return c, err
}

// kernelClient is an http.Client whose connections are kernel sockets in
// the namespace.
func (k *kernelSetup) kernelClient(keepAlive bool) *http.Client {
	return &http.Client{
		Timeout: 2 * time.Minute,
		Transport: &http.Transport{
			DialContext:         k.kernelDial,
			DisableKeepAlives:   !keepAlive,
			MaxIdleConnsPerHost: 256,
		},
	}
}

func TestHTTPAgainstLinux(t *testing.T) {
	k := newKernelSetup(t, netstack.Config{})
	// Hundreds of MB cross the tap in all: 2 x 200 MB, or 2 x 128 MB under
	// the race detector, which slows the stack several times over.
	size := int64(200 << 20)
	if raceEnabled {
		size = 128 << 20
	}
	if testing.Short() {
		size = 16 << 20
	}

	t.Run("GET /", func(t *testing.T) {
		resp, err := k.kernelClient(false).Get("http://192.168.69.1/")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), "renet") {
			t.Errorf("%s %q", resp.Status, body)
		}
	})

	t.Run("GET /bytes/N verified", func(t *testing.T) { k.download(t, size) })
	t.Run("POST /sha256 verified", func(t *testing.T) { k.upload(t, size) })
	t.Run("segments larger than the MTU both ways", func(t *testing.T) {
		// The tap offloads by default: TCP hands it 64 KiB segments to
		// cut, and the kernel hands up its own unsplit.
		if st := k.s.Stats(); st.GSOOut == 0 || st.GROIn == 0 {
			t.Fatalf("%d GSO packets written, %d large packets read", st.GSOOut, st.GROIn)
		}
	})

	t.Run("200 concurrent clients", func(t *testing.T) {
		c := k.kernelClient(true)
		var wg sync.WaitGroup
		errs := make(chan error, 200)
		for i := 0; i < 200; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				n := 10000 + i*100
				resp, err := c.Get(fmt.Sprintf("http://192.168.69.1/bytes/%d", n))
				if err != nil {
					errs <- err
					return
				}
				defer resp.Body.Close()
				got, err := io.Copy(&patternCheck{}, resp.Body)
				if err != nil || got != int64(n) {
					errs <- fmt.Errorf("client %d: %d bytes, %v", i, got, err)
				}
			}(i)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})

	t.Run("2000 sequential connections", func(t *testing.T) {
		c := k.kernelClient(false)
		for i := 0; i < 2000; i++ {
			resp, err := c.Get("http://192.168.69.1/")
			if err != nil {
				t.Fatalf("connection %d: %v", i, err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})

	t.Run("refused within a second", func(t *testing.T) {
		start := time.Now()
		_, err := k.kernelDial(context.Background(), "tcp", "192.168.69.1:81")
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Fatalf("kernel dial to a closed port: %v", err)
		}
		start2 := time.Now()
		_, err2 := conn.Dial(k.s, "tcp", "192.168.69.100:81")
		if !errors.Is(err2, syscall.ECONNREFUSED) {
			t.Fatalf("stack dial to a closed kernel port: %v", err2)
		}
		if d1, d2 := start2.Sub(start), time.Since(start2); d1 > time.Second || d2 > time.Second {
			t.Errorf("refusals took %v and %v", d1, d2)
		}
	})

	t.Run("stack as client: -get", func(t *testing.T) {
		l := k.ns.Listen(t, "tcp", "192.168.69.100:8080")
		go http.Serve(l, newMux())
		var out, summary bytes.Buffer
		if err := fetch(k.s, "http://192.168.69.100:8080/bytes/3000000", &out, &summary); err != nil {
			t.Fatal(err)
		}
		if out.Len() != 3000000 {
			t.Fatalf("fetched %d bytes", out.Len())
		}
		if _, err := (&patternCheck{}).Write(out.Bytes()); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(summary.String(), "200 OK: 3000000 bytes") {
			t.Errorf("summary %q", summary.String())
		}
	})
}

// download GETs /bytes/size from the stack with a kernel client and
// checks every byte.
func (k *kernelSetup) download(t *testing.T, size int64) {
	start := time.Now()
	resp, err := k.kernelClient(false).Get(fmt.Sprintf("http://192.168.69.1/bytes/%d", size))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.ContentLength != size {
		t.Errorf("Content-Length %d", resp.ContentLength)
	}
	n, err := io.Copy(&patternCheck{}, resp.Body)
	if err != nil || n != size {
		t.Fatalf("read %d of %d bytes: %v", n, size, err)
	}
	t.Logf("download: %.0f MB/s", float64(size)/time.Since(start).Seconds()/1e6)
}

// upload POSTs size bytes to /sha256 and checks the digest.
func (k *kernelSetup) upload(t *testing.T, size int64) {
	body := make([]byte, size)
	(&pattern{}).Read(body)
	sum := sha256.Sum256(body)
	start := time.Now()
	resp, err := k.kernelClient(false).Post("http://192.168.69.1/sha256", "application/octet-stream", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	reply, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := fmt.Sprintf("%s %d\n", hex.EncodeToString(sum[:]), size); string(reply) != want {
		t.Errorf("got %q, want %q", reply, want)
	}
	t.Logf("upload: %.0f MB/s", float64(size)/time.Since(start).Seconds()/1e6)
}

// The same transfers with the tap's offload turned off: identical results,
// and nothing larger than the MTU crosses.
func TestHTTPAgainstLinuxNoOffload(t *testing.T) {
	k := newKernelSetupWith(t, netstack.Config{}, tap.Options{NoOffload: true})
	size := int64(32 << 20)
	t.Run("GET /bytes/N verified", func(t *testing.T) { k.download(t, size) })
	t.Run("POST /sha256 verified", func(t *testing.T) { k.upload(t, size) })
	if st := k.s.Stats(); st.GSOOut != 0 || st.GROIn != 0 {
		t.Fatalf("offload off, yet %d GSO packets written and %d large packets read", st.GSOOut, st.GROIn)
	}
}

// golang.org/x/net/nettest's conformance suite, with the kernel as the
// peer, both ways round.
func TestNettestAgainstLinux(t *testing.T) {
	k := newKernelSetup(t, netstack.Config{})
	t.Run("stack accepts", func(t *testing.T) {
		nettest.TestConn(t, func() (c1, c2 net.Conn, stop func(), err error) {
			l, err := conn.Listen(k.s, "tcp", ":0")
			if err != nil {
				return nil, nil, nil, err
			}
			port := l.Addr().(*net.TCPAddr).Port
			accepted := make(chan net.Conn, 1)
			go func() {
				c, _ := l.Accept()
				accepted <- c
			}()
			c1, err = k.kernelDial(context.Background(), "tcp", fmt.Sprintf("192.168.69.1:%d", port))
			if err != nil {
				l.Close()
				return nil, nil, nil, err
			}
			c2 = <-accepted
			if c2 == nil {
				return nil, nil, nil, errors.New("accept failed")
			}
			return c1, c2, func() { c1.Close(); c2.Close(); l.Close() }, nil
		})
	})
	t.Run("stack dials", func(t *testing.T) {
		kl := k.ns.Listen(t, "tcp", "192.168.69.100:0")
		nettest.TestConn(t, func() (c1, c2 net.Conn, stop func(), err error) {
			accepted := make(chan net.Conn, 1)
			go func() {
				c, _ := kl.Accept()
				accepted <- c
			}()
			c1, err = conn.Dial(k.s, "tcp", kl.Addr().String())
			if err != nil {
				return nil, nil, nil, err
			}
			c2 = <-accepted
			if c2 == nil {
				return nil, nil, nil, errors.New("accept failed")
			}
			return c1, c2, func() { c1.Close(); c2.Close() }, nil
		})
	})
}

// A slow reader with a tiny receive buffer (the kernel, SO_RCVBUF 4 KiB)
// stalls the stack's sender into zero-window probing; when it drains, the
// transfer completes intact.
func TestZeroWindowAgainstLinux(t *testing.T) {
	k := newKernelSetup(t, netstack.Config{})
	var kl net.Listener
	if err := k.ns.Do(func() error {
		lc := net.ListenConfig{Control: func(network, address string, c syscall.RawConn) error {
			var serr error
			c.Control(func(fd uintptr) {
				serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 2048)
			})
			return serr
		}}
		var err error
		kl, err = lc.Listen(context.Background(), "tcp", "192.168.69.100:9000")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer kl.Close()
	received := make(chan []byte, 1)
	go func() {
		c, err := kl.Accept()
		if err != nil {
			received <- nil
			return
		}
		defer c.Close()
		time.Sleep(1500 * time.Millisecond) // let the window close and probes start
		b, _ := io.ReadAll(c)
		received <- b
	}()
	c, err := conn.Dial(k.s, "tcp", "192.168.69.100:9000")
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 2<<20)
	(&pattern{}).Read(data)
	c.SetDeadline(time.Now().Add(time.Minute))
	if _, err := c.Write(data); err != nil {
		t.Fatal(err)
	}
	tc := c.(*conn.TCPConn)
	c.Close()
	got := <-received
	if !bytes.Equal(got, data) {
		t.Fatalf("received %d bytes, want %d identical", len(got), len(data))
	}
	if st := tc.Info(); st.Probes == 0 {
		t.Errorf("no zero-window probes were sent: %+v", st)
	}
}

// RFC 5961: an in-window RST or SYN that is not exact, injected on a live
// connection, draws a challenge ACK and the connection survives.
func TestChallengeACKAgainstLinux(t *testing.T) {
	k := newKernelSetup(t, netstack.Config{})
	kc, err := k.kernelDial(context.Background(), "tcp", "192.168.69.1:80")
	if err != nil {
		t.Fatal(err)
	}
	defer kc.Close()
	var sniff *afpacket.Socket
	if err := k.ns.Do(func() (err error) { sniff, err = afpacket.Open("tap0"); return err }); err != nil {
		t.Fatal(err)
	}
	defer sniff.Close()

	// One request, so the stack sends segments we can read its receive
	// point (their ACK field) from.
	br := newLineReader(kc)
	get := func() {
		t.Helper()
		kc.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.WriteString(kc, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		if err := br.readResponse(); err != nil {
			t.Fatal(err)
		}
	}
	kport := uint16(kc.LocalAddr().(*net.TCPAddr).Port)
	// What the stack's segments tell: its receive point (ACK field) and
	// TS.Recent (the timestamp it echoes), which a forged segment needs to
	// pass PAWS (RFC 7323 §5) and land in the window.
	type seen struct{ ack, tsEcr uint32 }
	rcvNxt := make(chan seen, 64)
	go func() {
		bufs, sizes := [][]byte{make([]byte, 2048)}, []int{0}
		for {
			n, err := sniff.ReadBatch(bufs, sizes)
			if err != nil {
				return
			}
			for i := 0; i < n; i++ {
				eth, err := wire.ParseEthernet(bufs[i][:sizes[i]])
				if err != nil || eth.EtherType() != wire.EtherTypeIPv4 {
					continue
				}
				ip, err := wire.ParseIPv4(eth.Payload())
				if err != nil || ip.Protocol() != wire.IPProtoTCP || ip.Src() != stackAddr.Addr() {
					continue
				}
				th, err := wire.ParseTCP(ip.Payload())
				if err != nil || th.DstPort() != kport {
					continue
				}
				var o wire.TCPOptions
				wire.ParseTCPOptions(th.Options(), &o)
				select {
				case rcvNxt <- seen{th.Ack(), o.TSEcr}:
				default:
				}
			}
		}
	}()
	get()

	stackConnStats := func() uint64 {
		return k.s.Stats().TCPSegmentsOut
	}
	for _, kind := range []string{"RST", "SYN"} {
		var last seen
		timeout := time.After(5 * time.Second)
	drain:
		for {
			select {
			case last = <-rcvNxt:
			case <-time.After(200 * time.Millisecond):
				break drain
			case <-timeout:
				t.Fatal("saw no segment from the stack")
			}
		}
		flags := wire.TCPFlagRST
		if kind == "SYN" {
			flags = wire.TCPFlagSYN
		}
		before := stackConnStats()
		forged := forgeSegment(kport, last.ack+1000, last.tsEcr, flags)
		if _, err := sniff.WriteBatch([][]byte{forged}); err != nil {
			t.Fatal(err)
		}
		// The challenge ACK acknowledges exactly the receive point.
		select {
		case got := <-rcvNxt:
			if got.ack != last.ack {
				t.Errorf("%s: challenge ACK acks %d, want %d", kind, got.ack, last.ack)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: no challenge ACK (segments out %d -> %d)", kind, before, stackConnStats())
		}
		get() // the connection survives
	}
}

// forgeSegment builds a frame from the kernel's side to the stack's port 80,
// with a timestamps option when tsVal is set.
func forgeSegment(kport uint16, seq, tsVal uint32, flags wire.TCPFlags) []byte {
	tf := wire.TCPFields{SrcPort: kport, DstPort: 80, Seq: seq, Flags: flags, Window: 1000}
	if tsVal != 0 {
		tf.Options.HasTimestamps, tf.Options.TSVal = true, tsVal
	}
	hl := tf.Len()
	b := make([]byte, 14+20+hl)
	(&wire.EthernetFields{Dst: wire.MAC{2, 0, 0, 0, 0, 1}, Src: wire.MAC{2, 0, 0, 0, 0, 0x64}, Type: wire.EtherTypeIPv4}).Encode(b)
	tf.Encode(b[34:], hostAddr.Addr(), stackAddr.Addr())
	(&wire.IPv4Fields{TTL: 64, Protocol: wire.IPProtoTCP, Src: hostAddr.Addr(), Dst: stackAddr.Addr()}).Encode(b[14:], hl)
	return b
}

// lineReader reads HTTP/1.1 responses with Content-Length off a raw conn.
type lineReader struct {
	c   net.Conn
	buf []byte
}

func newLineReader(c net.Conn) *lineReader { return &lineReader{c: c} }

func (r *lineReader) readResponse() error {
	tmp := make([]byte, 4096)
	for {
		if i := bytes.Index(r.buf, []byte("\r\n\r\n")); i >= 0 {
			head := string(r.buf[:i])
			var n int
			for _, line := range strings.Split(head, "\r\n") {
				if v, ok := strings.CutPrefix(strings.ToLower(line), "content-length: "); ok {
					fmt.Sscan(v, &n)
				}
			}
			if len(r.buf) >= i+4+n {
				r.buf = r.buf[i+4+n:]
				return nil
			}
		}
		m, err := r.c.Read(tmp)
		if err != nil {
			return err
		}
		r.buf = append(r.buf, tmp[:m]...)
	}
}
