package conn

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/ipv6"
	"golang.org/x/sys/unix"

	"github.com/renet-go/renet/internal/netnstest"
	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/netstack"
)

// IPv6 against Linux: in a fresh namespace, a tap device whose kernel side
// holds 192.168.69.100/24 and fdaa::100/64, and a stack on it holding
// 192.168.69.1/24 and fdaa::1/64 (and its link-local address).

var (
	kernel4 = netip.MustParseAddr("192.168.69.100")
	kernel6 = netip.MustParseAddr("fdaa::100")
	stack4  = netip.MustParseAddr("192.168.69.1")
	stack6  = netip.MustParseAddr("fdaa::1")
)

// kernelLink is the namespace, the tap and the stack of a kernel test.
type kernelLink struct {
	ns  *netnstest.NS
	dev link.Endpoint
	s   *netstack.Stack
}

// run runs a command in the namespace and returns its output, failing the
// test on error.
func (k *kernelLink) run(t testing.TB, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := k.ns.Run(ctx, name, args...)
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return string(out)
}

// newKernelLink makes the namespace and tap, gives the kernel side its
// addresses (fdaa::100 without DAD), waits for the kernel's link-local
// address to be usable, and starts a stack with addrs on the tap.
func newKernelLink(t *testing.T, addrs ...string) *kernelLink {
	t.Helper()
	k := newKernelLinkNoStack(t)
	if len(addrs) == 0 {
		addrs = []string{"192.168.69.1/24", "fdaa::1/64"}
	}
	var cfg netstack.Config
	for _, a := range addrs {
		cfg.Addrs = append(cfg.Addrs, netip.MustParsePrefix(a))
	}
	s, err := netstack.New(k.dev, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	k.s = s
	return k
}

// newKernelLinkNoStack is newKernelLink without the stack.
func newKernelLinkNoStack(t *testing.T) *kernelLink {
	t.Helper()
	ns := netnstest.New(t)
	k := &kernelLink{ns: ns, dev: ns.Tap(t, "tap0", netip.PrefixFrom(kernel4, 24))}
	k.run(t, "ip", "-6", "addr", "add", "fdaa::100/64", "dev", "tap0", "nodad")
	waitFor(t, func() bool {
		return !strings.Contains(k.run(t, "ip", "-6", "addr", "show", "dev", "tap0"), "tentative")
	})
	return k
}

// do runs f inside the namespace, failing the test on error.
func (k *kernelLink) do(t testing.TB, f func() error) {
	t.Helper()
	if err := k.ns.Do(f); err != nil {
		t.Fatal(err)
	}
}

func TestKernelPing6(t *testing.T) {
	k := newKernelLink(t)
	for _, args := range [][]string{
		{"-6", "-c", "3", "-i", "0.2", "-W", "2", "fdaa::1"},
		{"-6", "-c", "3", "-i", "0.2", "-W", "2", "-s", "1452", "fdaa::1"}, // 1500 bytes: one full frame
		{"-6", "-c", "3", "-i", "0.2", "-W", "2", "-s", "4000", "fdaa::1"}, // fragmented both ways
	} {
		out := k.run(t, "ping", args...)
		if !strings.Contains(out, " 0% packet loss") {
			t.Errorf("ping %v:\n%s", args, out)
		}
	}
	if st := k.s.Stats(); st.Reassembled < 3 || st.FragmentsOut < 6 {
		t.Errorf("4000-byte pings: %d reassembled, %d fragments sent", st.Reassembled, st.FragmentsOut)
	}
	if out := k.run(t, "ip", "-6", "neigh", "show", "fdaa::1", "dev", "tap0"); !strings.Contains(out, "lladdr "+k.s.HardwareAddr().String()) {
		t.Errorf("the kernel's neighbour entry for fdaa::1: %q", out)
	}
	ll := linkLocal(t, k.s)
	out := k.run(t, "ping", "-6", "-c", "3", "-i", "0.2", "-W", "2", ll.String()+"%tap0")
	if !strings.Contains(out, " 0% packet loss") {
		t.Errorf("ping the link-local address:\n%s", out)
	}
}

// udpEcho serves echo on a renet UDP socket until it is closed.
func udpEcho(pc net.PacketConn) {
	buf := make([]byte, 65536)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		pc.WriteTo(buf[:n], from)
	}
}

func TestKernelUDP6(t *testing.T) {
	k := newKernelLink(t)
	pc, err := ListenPacket(k.s, "udp", ":7")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	go udpEcho(pc)

	kc := k.ns.ListenUDP(t, "[fdaa::100]:0")
	big := make([]byte, 3000) // fragmented both ways
	rand.Read(big)
	buf := make([]byte, 4000)
	for _, msg := range [][]byte{[]byte("hello over IPv6"), big} {
		if _, err := kc.WriteTo(msg, &net.UDPAddr{IP: stack6.AsSlice(), Port: 7}); err != nil {
			t.Fatal(err)
		}
		kc.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, from, err := kc.ReadFrom(buf)
		if err != nil || !bytes.Equal(buf[:n], msg) {
			t.Fatalf("echo of %d bytes: %d bytes, %v", len(msg), n, err)
		}
		if got := from.(*net.UDPAddr).AddrPort(); got != netip.AddrPortFrom(stack6, 7) {
			t.Errorf("echo from %v", got)
		}
	}

	// The stack to a kernel socket, from a renet "udp6" socket.
	c, err := Dial(k.s, "udp6", kc.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write(big); err != nil {
		t.Fatal(err)
	}
	kc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, _, err := kc.ReadFrom(buf); err != nil || !bytes.Equal(buf[:n], big) {
		t.Fatalf("kernel read %d bytes, %v", n, err)
	}

	// A closed port answers with ICMPv6 port unreachable: a connected
	// kernel socket reads ECONNREFUSED.
	var closed *net.UDPConn
	k.do(t, func() error {
		var err error
		closed, err = net.DialUDP("udp6", nil, &net.UDPAddr{IP: stack6.AsSlice(), Port: 9})
		return err
	})
	defer closed.Close()
	closed.Write([]byte("anyone?"))
	closed.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := closed.Read(buf); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("read after a datagram to a closed port: %v, want ECONNREFUSED", err)
	}
	if st := k.s.Stats(); st.ICMPUnreachablesOut == 0 {
		t.Error("no port unreachable counted")
	}
}

// sendAndSum writes n bytes of the pattern i%251 on w and closes it for
// writing; readSum reads to EOF and returns the sha256 and count.
func sendPattern(w io.Writer, n int) error {
	buf := make([]byte, 64<<10)
	for off := 0; off < n; off += len(buf) {
		m := min(len(buf), n-off)
		for i := range m {
			buf[i] = byte((off + i) % 251)
		}
		if _, err := w.Write(buf[:m]); err != nil {
			return err
		}
	}
	return nil
}

func readSum(r io.Reader) ([32]byte, int64, error) {
	h := sha256.New()
	n, err := io.Copy(h, r)
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	return sum, n, err
}

// sendVerified sends n bytes from one end to the other and checks them, and
// returns the time it took.
func sendVerified(t *testing.T, from, to net.Conn, n int) time.Duration {
	t.Helper()
	start := time.Now()
	errc := make(chan error, 1)
	go func() {
		err := sendPattern(from, n)
		if cw, ok := from.(interface{ CloseWrite() error }); ok {
			cw.CloseWrite()
		}
		errc <- err
	}()
	to.SetReadDeadline(time.Now().Add(60 * time.Second))
	sum, got, err := readSum(to)
	took := time.Since(start)
	if werr := <-errc; werr != nil {
		t.Fatalf("write: %v", werr)
	}
	if err != nil || got != int64(n) || sum != sha256Of(n) {
		t.Fatalf("read %d of %d bytes (sha256 equal: %v): %v", got, n, sum == sha256Of(n), err)
	}
	return took
}

// kernelDial connects a kernel socket from inside the namespace.
func (k *kernelLink) dial(t *testing.T, network, addr string) net.Conn {
	t.Helper()
	c, err := k.ns.Dial(t, network, addr)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// tcpBothWays runs a verified n-byte transfer each way over the family of
// stackAddr/kernelAddr and returns the throughputs in MB/s.
func tcpBothWays(t *testing.T, k *kernelLink, stackAddr, kernelAddr netip.Addr, n int) (in, out float64) {
	l, err := ListenTCP(k.s, netip.AddrPortFrom(stackAddr, 5001))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	kc := k.dial(t, "tcp", netip.AddrPortFrom(stackAddr, 5001).String())
	rc, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	took := sendVerified(t, kc, rc, n)
	in = float64(n) / took.Seconds() / 1e6

	kl := k.ns.Listen(t, "tcp", netip.AddrPortFrom(kernelAddr, 0).String())
	rc2, err := Dial(k.s, "tcp", kl.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer rc2.Close()
	kc2, err := kl.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer kc2.Close()
	took = sendVerified(t, rc2, kc2, n)
	out = float64(n) / took.Seconds() / 1e6
	if mss, want := rc2.(*TCPConn).Info().SndMSS, 1500-20-netHeaderLenOf(stackAddr); mss != want {
		t.Errorf("SndMSS %d, want %d", mss, want)
	}
	return in, out
}

func netHeaderLenOf(a netip.Addr) int {
	if a.Is4() {
		return 20
	}
	return 40
}

// 20 MB each way over IPv6, sha256 checked, and the same over IPv4 for
// comparison.
func TestKernelTCP6(t *testing.T) {
	k := newKernelLink(t)
	const n = 20 << 20
	in6, out6 := tcpBothWays(t, k, stack6, kernel6, n)
	in4, out4 := tcpBothWays(t, k, stack4, kernel4, n)
	t.Logf("20 MB kernel→renet: IPv6 %.0f MB/s, IPv4 %.0f MB/s; renet→kernel: IPv6 %.0f MB/s, IPv4 %.0f MB/s", in6, in4, out6, out4)
}

// One renet listener on ":80" serves net/http to kernel clients of both
// families: curl -6 and curl -4, and a Go client inside the namespace.
func TestKernelHTTPDualStack(t *testing.T) {
	k := newKernelLink(t)
	l, err := Listen(k.s, "tcp", ":80")
	if err != nil {
		t.Fatal(err)
	}
	if got := l.Addr().String(); got != "[::]:80" {
		t.Errorf("Addr %s, want [::]:80", got)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			sum, n, _ := readSum(r.Body)
			fmt.Fprintf(w, "%x %d\n", sum, n)
			return
		}
		fmt.Fprintf(w, "hello %s\n", r.RemoteAddr)
	})}
	go srv.Serve(l)
	defer srv.Close()

	for _, tc := range []struct{ flag, url, from string }{
		{"-6", "http://[fdaa::1]/", "hello [fdaa::100]:"},
		{"-4", "http://192.168.69.1/", "hello 192.168.69.100:"},
	} {
		out := k.run(t, "curl", tc.flag, "-sS", "--max-time", "10", tc.url)
		if !strings.HasPrefix(out, tc.from) {
			t.Errorf("curl %s %s: %q, want %q...", tc.flag, tc.url, out, tc.from)
		}
	}

	// A Go client in the namespace posts 20 MB over IPv6.
	client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			var c net.Conn
			err := k.ns.Do(func() error {
				var err error
				c, err = (&net.Dialer{}).DialContext(ctx, network, addr)
				return err
			})
			return c, err
		},
	}}
	const n = 20 << 20
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(sendPattern(pw, n)) }()
	resp, err := client.Post("http://[fdaa::1]/sha256", "application/octet-stream", pr)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	sum := sha256Of(n)
	if want := fmt.Sprintf("%x %d\n", sum, n); string(body) != want {
		t.Errorf("POST 20 MB: %q, want %q", body, want)
	}
}

// ptb6 is an ICMPv6 Packet Too Big (RFC 4443 §3.2) with mtu, quoting the
// start of a TCP segment from src to dst with sequence number seq; the
// kernel fills in the checksum of a raw ICMPv6 socket's messages.
func ptb6(mtu uint32, src, dst netip.AddrPort, seq uint32) []byte {
	b := make([]byte, 8+40+20)
	b[0] = 2 // Packet Too Big
	binary.BigEndian.PutUint32(b[4:], mtu)
	ip := b[8:]
	ip[0] = 0x60
	binary.BigEndian.PutUint16(ip[4:], 1440)
	ip[6], ip[7] = 6, 64 // TCP, hop limit
	s16, d16 := src.Addr().As16(), dst.Addr().As16()
	copy(ip[8:], s16[:])
	copy(ip[24:], d16[:])
	tcp := ip[40:]
	binary.BigEndian.PutUint16(tcp[0:], src.Port())
	binary.BigEndian.PutUint16(tcp[2:], dst.Port())
	binary.BigEndian.PutUint32(tcp[4:], seq)
	tcp[12] = 5 << 4
	tcp[13] = 0x10 // ACK
	return b
}

// capture is an AF_PACKET socket on the namespace's tap0 that sees the
// IPv6 packets crossing it.
type capture struct{ fd int }

func (k *kernelLink) capture(t *testing.T) *capture {
	t.Helper()
	c := &capture{fd: -1}
	k.do(t, func() error {
		ifi, err := net.InterfaceByName("tap0")
		if err != nil {
			return err
		}
		proto := int(htons(unix.ETH_P_IPV6))
		fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_DGRAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, proto)
		if err != nil {
			return err
		}
		c.fd = fd
		return unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: uint16(proto), Ifindex: ifi.Index})
	})
	t.Cleanup(func() { unix.Close(c.fd) })
	return c
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

// latestSeq drains what was captured and returns the sequence number of
// the last data segment from src to dst.
func (c *capture) latestSeq(src, dst netip.AddrPort) (uint32, bool) {
	buf := make([]byte, 65536)
	var seq uint32
	found := false
	for {
		n, _, err := unix.Recvfrom(c.fd, buf, 0)
		if err != nil {
			return seq, found
		}
		p := buf[:n]
		if n < 60 || p[6] != 6 || netip.AddrFrom16([16]byte(p[8:24])) != src.Addr() || netip.AddrFrom16([16]byte(p[24:40])) != dst.Addr() {
			continue
		}
		tcp := p[40:]
		if binary.BigEndian.Uint16(tcp[0:]) != src.Port() || binary.BigEndian.Uint16(tcp[2:]) != dst.Port() {
			continue
		}
		if n > 40+int(tcp[12]>>4)*4 {
			seq, found = binary.BigEndian.Uint32(tcp[4:]), true
		}
	}
}

// A Packet Too Big from the kernel's side, quoting a segment in flight of
// a running transfer from the stack, lowers the connection's segment size
// to 1280-60 bytes, and the transfer completes intact.
func TestKernelPacketTooBig6(t *testing.T) {
	k := newKernelLink(t)
	kl := k.ns.Listen(t, "tcp6", "[fdaa::100]:0")
	rc, err := Dial(k.s, "tcp6", kl.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	kc, err := kl.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer kc.Close()
	tc := rc.(*TCPConn)
	if got := tc.Info().PathMSS; got != 1440 {
		t.Fatalf("PathMSS %d before, want 1440", got)
	}
	var raw net.PacketConn
	k.do(t, func() error {
		var err error
		raw, err = net.ListenPacket("ip6:ipv6-icmp", "fdaa::100")
		return err
	})
	defer raw.Close()
	cap := k.capture(t)

	const n = 200 << 20 // long enough to be running while we strike
	done := make(chan time.Duration, 1)
	go func() { done <- sendVerified(t, rc, kc, n) }()
	src, dst := tc.LocalAddrPort(), tc.RemoteAddrPort()
	deadline := time.Now().Add(10 * time.Second)
	sent := 0
	for tc.Info().PathMSS != 1280-60 {
		if time.Now().After(deadline) {
			t.Fatalf("PathMSS %d after %d Packet Too Big messages, want 1220", tc.Info().PathMSS, sent)
		}
		time.Sleep(time.Millisecond)
		seq, ok := cap.latestSeq(src, dst)
		if !ok {
			continue
		}
		// The last segment seen and a few after it: one of them is in
		// flight (between SND.UNA and SND.MAX) when the message lands.
		for i := range uint32(8) {
			raw.WriteTo(ptb6(1280, src, dst, seq+i*1440), &net.IPAddr{IP: stack6.AsSlice()})
			sent++
		}
	}
	took := <-done
	info := tc.Info()
	t.Logf("PathMSS %d after %d Packet Too Big messages; 200 MB in %v; %d path MTU updates", info.PathMSS, sent, took, k.s.Stats().TCPPathMTUUpdates)
	if info.PathMSS != 1220 {
		t.Errorf("PathMSS %d at the end, want 1220", info.PathMSS)
	}
}

// routerAdvert is a router advertisement (RFC 4861 §4.2) with a lifetime
// of zero (not a default router) and one prefix information option with
// the L and A flags (§4.6.2); the kernel fills in the checksum.
func routerAdvert(prefix netip.Prefix) []byte {
	b := make([]byte, 16+32)
	b[0] = 134 // router advertisement
	b[4] = 64  // current hop limit
	o := b[16:]
	o[0], o[1] = 3, 4 // prefix information, 4×8 bytes
	o[2] = byte(prefix.Bits())
	o[3] = 0xc0 // L, A
	binary.BigEndian.PutUint32(o[4:], 86400)
	binary.BigEndian.PutUint32(o[8:], 14400)
	a := prefix.Addr().As16()
	copy(o[16:], a[:])
	return b
}

// SLAAC (RFC 4862): a router advertisement sent from the kernel's
// link-local address with hop limit 255 gives the stack an address in the
// advertised prefix, which then answers ping.
func TestKernelSLAAC(t *testing.T) {
	k := newKernelLink(t)
	prefix := netip.MustParsePrefix("fdab::/64")
	var raw net.PacketConn
	k.do(t, func() error {
		var err error
		raw, err = net.ListenPacket("ip6:ipv6-icmp", "::")
		return err
	})
	defer raw.Close()
	p := ipv6.NewPacketConn(raw)
	if err := p.SetMulticastHopLimit(255); err != nil {
		t.Fatal(err)
	}
	p.SetMulticastLoopback(false)
	var ifi *net.Interface
	k.do(t, func() error {
		var err error
		ifi, err = net.InterfaceByName("tap0")
		return err
	})
	if err := p.SetMulticastInterface(ifi); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.WriteTo(routerAdvert(prefix), &net.IPAddr{IP: net.ParseIP("ff02::1"), Zone: "tap0"}); err != nil {
		t.Fatal(err)
	}
	var got netip.Addr
	waitFor(t, func() bool {
		for _, a := range k.s.Addrs() {
			if prefix.Contains(a.Addr()) {
				got = a.Addr()
				return true
			}
		}
		return false
	})
	t.Logf("SLAAC address %v", got)
	k.run(t, "ip", "-6", "route", "add", prefix.String(), "dev", "tap0")
	out := k.run(t, "ping", "-6", "-c", "3", "-i", "0.2", "-W", "2", got.String())
	if !strings.Contains(out, " 0% packet loss") {
		t.Errorf("ping %v:\n%s", got, out)
	}
}

// Duplicate address detection (RFC 4862 §5.4): a stack started with the
// address the kernel holds (fdaa::100) beside one of its own gives up the
// duplicate, within a DAD probe's second, counts the conflict, and keeps
// the other.
func TestKernelDAD(t *testing.T) {
	k := newKernelLink(t, "192.168.69.1/24", "fdaa::1/64", "fdaa::100/64")
	start := time.Now()
	waitFor(t, func() bool {
		for _, p := range k.s.Addrs() {
			if p.Addr() == kernel6 {
				return false
			}
		}
		return true
	})
	t.Logf("fdaa::100 given up after %v", time.Since(start).Round(time.Millisecond))
	if n := k.s.Stats().DADConflicts; n != 1 {
		t.Errorf("DADConflicts %d, want 1", n)
	}
	time.Sleep(2 * time.Second) // DAD of fdaa::1 is over too
	has := false
	for _, p := range k.s.Addrs() {
		has = has || p.Addr() == stack6
	}
	if !has || k.s.Stats().DADConflicts != 1 {
		t.Errorf("after DAD: addresses %v, %d conflicts; want fdaa::1 kept", k.s.Addrs(), k.s.Stats().DADConflicts)
	}
	out := k.run(t, "ping", "-6", "-c", "2", "-i", "0.2", "-W", "2", "fdaa::1")
	if !strings.Contains(out, " 0% packet loss") {
		t.Errorf("ping fdaa::1:\n%s", out)
	}
}

// IPv6 against IPv4 over the same tap in one run: the median of five
// 100 MB transfers each way per family, and ping's average RTT. The aim
// is IPv6 within 5% of IPv4; this logs the figures rather than failing on
// a noisy machine.
func TestKernelIPv6VsIPv4(t *testing.T) {
	if testing.Short() {
		t.Skip("a measurement")
	}
	k := newKernelLink(t)
	const n, rounds = 100 << 20, 5
	var in6, out6, in4, out4 []float64
	for range rounds {
		i, o := tcpBothWays(t, k, stack6, kernel6, n)
		in6, out6 = append(in6, i), append(out6, o)
		i, o = tcpBothWays(t, k, stack4, kernel4, n)
		in4, out4 = append(in4, i), append(out4, o)
	}
	rtt := func(args ...string) string {
		out := k.run(t, "ping", append([]string{"-q", "-c", "200", "-i", "0.002"}, args...)...)
		if i := strings.Index(out, "rtt "); i >= 0 {
			return strings.TrimSpace(out[i:])
		}
		return out
	}
	t.Logf("kernel→renet MB/s: IPv6 %.0f, IPv4 %.0f (%+.1f%%)", median(in6), median(in4), 100*(median(in6)/median(in4)-1))
	t.Logf("renet→kernel MB/s: IPv6 %.0f, IPv4 %.0f (%+.1f%%)", median(out6), median(out4), 100*(median(out6)/median(out4)-1))
	t.Logf("ping IPv6: %s", rtt("-6", "fdaa::1"))
	t.Logf("ping IPv4: %s", rtt("-4", "192.168.69.1"))
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s[len(s)/2]
}
