package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/renet-go/renet/internal/filter"
	"github.com/renet-go/renet/internal/netnstest"
	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/link/pcap"
	"github.com/renet-go/renet/link/pipe"
	"github.com/renet-go/renet/netstack"
	"github.com/renet-go/renet/netstack/wire"
)

var (
	stackMAC  = net.HardwareAddr{0x02, 0, 0, 0, 0, 0x01}
	stackAddr = netip.MustParsePrefix("192.168.69.1/24")
	hostAddr  = netip.MustParsePrefix("192.168.69.100/24")
)

// timestamp matches the line prefix: local time of day to the microsecond.
var timestamp = regexp.MustCompile(`^\d\d:\d\d:\d\d\.\d{6} `)

// splitLines checks every line's timestamp and returns the lines without it.
func splitLines(t *testing.T, out string) []string {
	t.Helper()
	var lines []string
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if l == "" {
			continue
		}
		if !timestamp.MatchString(l) {
			t.Errorf("line without a timestamp: %q", l)
			continue
		}
		lines = append(lines, timestamp.ReplaceAllString(l, ""))
	}
	return lines
}

// testFrames are an ARP request, an echo request and its reply, a UDP
// datagram, in that order.
func testFrames() [][]byte {
	host, stack := hostAddr.Addr(), stackAddr.Addr()
	arp := make([]byte, 14+28)
	(&wire.EthernetFields{Dst: wire.MAC{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, Src: wire.MAC{2, 0, 0, 0, 0, 0x64}, Type: wire.EtherTypeARP}).Encode(arp)
	(&wire.ARPFields{Op: wire.ARPRequest, SenderMAC: wire.MAC{2, 0, 0, 0, 0, 0x64}, SenderIP: host, TargetIP: stack}).Encode(arp[14:])
	icmp := func(typ wire.ICMPType, src, dst netip.Addr) []byte {
		b := make([]byte, 14+20+8+4)
		(&wire.EthernetFields{Dst: wire.MAC{2, 0, 0, 0, 0, 1}, Src: wire.MAC{2, 0, 0, 0, 0, 0x64}, Type: wire.EtherTypeIPv4}).Encode(b)
		(&wire.IPv4Fields{TTL: 64, Protocol: wire.IPProtoICMP, Src: src, Dst: dst}).Encode(b[14:], 12)
		(&wire.ICMPv4Fields{Type: typ, Rest: wire.EchoRest(1, 1)}).Encode(b[34:])
		return b
	}
	udp := make([]byte, 14+20+8)
	(&wire.EthernetFields{Dst: wire.MAC{2, 0, 0, 0, 0, 1}, Src: wire.MAC{2, 0, 0, 0, 0, 0x64}, Type: wire.EtherTypeIPv4}).Encode(udp)
	(&wire.IPv4Fields{TTL: 64, Protocol: wire.IPProtoUDP, Src: host, Dst: stack}).Encode(udp[14:], 8)
	(&wire.UDPFields{SrcPort: 5353, DstPort: 53}).Encode(udp[34:], host, stack)
	return [][]byte{arp, icmp(wire.ICMPEchoRequest, host, stack), icmp(wire.ICMPEchoReply, stack, host), udp}
}

// writeCapture records frames with link/pcap, through a pipe endpoint of
// the given medium, into a file and returns its name.
func writeCapture(t *testing.T, m link.Medium, frames [][]byte) string {
	name := filepath.Join(t.TempDir(), "in.pcap")
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	a, b := pipe.New(pipe.Config{Medium: m})
	defer b.Close()
	ep, err := pcap.Wrap(a, bufio.NewWriter(f))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ep.WriteBatch(frames); err != nil {
		t.Fatal(err)
	}
	if err := ep.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return name
}

func TestReadFile(t *testing.T) {
	frames := testFrames()
	file := writeCapture(t, link.Ethernet, frames)
	for _, c := range []struct {
		expr  string
		count int
		want  []int // indexes into frames
	}{
		{"", 0, []int{0, 1, 2, 3}},
		{"icmp", 0, []int{1, 2}},
		{"arp or udp port 53", 0, []int{0, 3}},
		{"not arp", 2, []int{1, 2}},
		{"tcp", 0, nil},
	} {
		var out bytes.Buffer
		n, err := run(context.Background(), config{read: file, expr: c.expr, count: c.count}, &out)
		if err != nil {
			t.Fatalf("%q: %v", c.expr, err)
		}
		lines := splitLines(t, out.String())
		if n != len(c.want) || len(lines) != len(c.want) {
			t.Errorf("%q: run returned %d and printed %d lines, want %d:\n%s", c.expr, n, len(lines), len(c.want), out.String())
			continue
		}
		for i, j := range c.want {
			if want := wire.FormatFrame(frames[j]); lines[i] != want {
				t.Errorf("%q line %d:\n got %s\nwant %s", c.expr, i, lines[i], want)
			}
		}
	}
}

// TestReadFileIP reads a capture of bare IPv4 packets (link/pcap writes
// LINKTYPE_RAW for an IP-medium link).
func TestReadFileIP(t *testing.T) {
	frames := testFrames()
	var pkts [][]byte
	for _, f := range frames[1:] {
		pkts = append(pkts, f[14:])
	}
	file := writeCapture(t, link.IP, pkts)
	var out bytes.Buffer
	if _, err := run(context.Background(), config{read: file, expr: "icmp and src host 192.168.69.1"}, &out); err != nil {
		t.Fatal(err)
	}
	lines := splitLines(t, out.String())
	if len(lines) != 1 || lines[0] != wire.FormatIPv4Packet(pkts[1]) {
		t.Errorf("got %q, want the echo reply alone", lines)
	}
	// An Ethernet primitive makes no sense on such a file.
	_, err := run(context.Background(), config{read: file, expr: "arp"}, io.Discard)
	var se *filter.SyntaxError
	if !errors.As(err, &se) {
		t.Errorf(`"arp" on a raw IPv4 capture: %v, want a syntax error`, err)
	}
}

// TestReadFileIPv6 reads netstack/wire's Linux IPv6 capture with IPv6
// filters and wants the frames an independent reading of each frame
// (wire's parsers) selects, printed as wire prints them, and as many as
// tcpdump keeps when it is installed.
func TestReadFileIPv6(t *testing.T) {
	file := filepath.Join("..", "..", "netstack", "wire", "testdata", "linux6.pcap")
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	rd, err := pcap.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var frames [][]byte
	for {
		data, _, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		frames = append(frames, slices.Clone(data))
	}
	f.Close()
	stack := netip.MustParseAddr("fdaa::1")
	ip6 := func(b []byte) wire.IPv6 {
		p, err := wire.ParseIPv6(b[14:])
		if err != nil {
			t.Fatalf("frame %s: %v", wire.FormatFrame(b), err)
		}
		return p
	}
	for _, c := range []struct {
		expr string
		want func(b []byte) bool
		min  int // at least this many frames, so the test means something
	}{
		{"", func([]byte) bool { return true }, 43},
		{"ip6", func([]byte) bool { return true }, 43},
		{"ip", func([]byte) bool { return false }, 0},
		{"icmp6", func(b []byte) bool {
			p := ip6(b)
			nh := p.NextHeader()
			if nh == wire.IPProtoIPv6Frag {
				nh = wire.IPProto(p.Payload()[0])
			}
			return nh == wire.IPProtoICMPv6
		}, 10},
		{"host fdaa::1", func(b []byte) bool { p := ip6(b); return p.Src() == stack || p.Dst() == stack }, 20},
		{"src host fdaa::1 and tcp", func(b []byte) bool { p := ip6(b); return p.Src() == stack && p.NextHeader() == wire.IPProtoTCP }, 5},
		{"udp port 6969", func(b []byte) bool {
			p := ip6(b)
			if p.NextHeader() != wire.IPProtoUDP {
				return false
			}
			u, err := wire.ParseUDP(p.Payload())
			return err == nil && (u.SrcPort() == 6969 || u.DstPort() == 6969)
		}, 2},
	} {
		var want []string
		for _, b := range frames {
			if c.want(b) {
				want = append(want, wire.FormatFrame(b))
			}
		}
		if len(want) < c.min {
			t.Fatalf("%q: only %d frames of the capture qualify, want at least %d", c.expr, len(want), c.min)
		}
		var out bytes.Buffer
		n, err := run(context.Background(), config{read: file, expr: c.expr}, &out)
		if err != nil {
			t.Fatalf("%q: %v", c.expr, err)
		}
		lines := splitLines(t, out.String())
		if n != len(want) || !slices.Equal(lines, want) {
			t.Errorf("%q: printed %d lines (run says %d), want %d:\n%s\nwant:\n%s", c.expr, len(lines), n, len(want),
				strings.Join(lines, "\n"), strings.Join(want, "\n"))
		}
		if tcpdump, err := exec.LookPath("tcpdump"); err == nil {
			out, err := exec.Command(tcpdump, "-nn", "-r", file, c.expr).Output()
			if err != nil {
				t.Fatalf("tcpdump -r linux6.pcap %q: %v", c.expr, err)
			}
			if got := strings.Count(string(out), "\n"); got != len(want) {
				t.Errorf("%q: tcpdump prints %d lines, we %d", c.expr, got, len(want))
			}
		}
	}
}

// TestReadFileBareMixed reads a capture of bare IP packets of both
// families, as a TUN device carries them: each is printed by its
// version's printer, and the filters tell the families apart.
func TestReadFileBareMixed(t *testing.T) {
	v4 := testFrames()[1][14:] // echo request
	v6 := make([]byte, 40+8+4)
	src, dst := netip.MustParseAddr("fdaa::100"), netip.MustParseAddr("fdaa::1")
	(&wire.IPv6Fields{NextHeader: wire.IPProtoICMPv6, HopLimit: 64, Src: src, Dst: dst}).Encode(v6, 12)
	(&wire.ICMPv6Fields{Type: wire.ICMPv6EchoRequest, Rest: wire.EchoRest(1, 1)}).Encode(v6[40:], src, dst)
	file := writeCapture(t, link.IP, [][]byte{v4, v6})
	for _, c := range []struct {
		expr string
		want []string
	}{
		{"", []string{wire.FormatIPv4Packet(v4), wire.FormatIPv6Packet(v6)}},
		{"ip6", []string{wire.FormatIPv6Packet(v6)}},
		{"icmp6 and host fdaa::1", []string{wire.FormatIPv6Packet(v6)}},
		{"icmp", []string{wire.FormatIPv4Packet(v4)}},
		{"host 192.168.69.1 or fdaa::1", []string{wire.FormatIPv4Packet(v4), wire.FormatIPv6Packet(v6)}},
	} {
		var out bytes.Buffer
		if _, err := run(context.Background(), config{read: file, expr: c.expr}, &out); err != nil {
			t.Fatalf("%q: %v", c.expr, err)
		}
		if lines := splitLines(t, out.String()); !slices.Equal(lines, c.want) {
			t.Errorf("%q: got\n%s\nwant\n%s", c.expr, strings.Join(lines, "\n"), strings.Join(c.want, "\n"))
		}
	}
	if !strings.HasPrefix(wire.FormatIPv6Packet(v6), "IP6 fdaa::100 > fdaa::1: ICMP6, echo request") {
		t.Errorf("unexpected IPv6 line %q", wire.FormatIPv6Packet(v6))
	}
}

func TestErrors(t *testing.T) {
	file := writeCapture(t, link.Ethernet, testFrames())
	_, err := run(context.Background(), config{read: file, expr: "tcp port http"}, io.Discard)
	var se *filter.SyntaxError
	if !errors.As(err, &se) || se.Pos != 9 {
		t.Errorf("bad filter: %v, want a syntax error at offset 9", err)
	}

	garbage := filepath.Join(t.TempDir(), "garbage.pcap")
	os.WriteFile(garbage, []byte("not a capture file at all"), 0o644)
	if _, err := run(context.Background(), config{read: garbage}, io.Discard); !errors.Is(err, pcap.ErrFormat) {
		t.Errorf("reading garbage: %v, want pcap.ErrFormat", err)
	}

	// An interface that cannot be opened is one clear line naming it,
	// whether the cause is its absence (root) or the lack of privilege.
	_, err = run(context.Background(), config{iface: "nosuch0", expr: "icmp"}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "nosuch0") || strings.Contains(err.Error(), "\n") {
		t.Errorf("opening a missing interface: %v, want one line naming it", err)
	}
}

// TestCaptureTap runs the capture on tap0 in a fresh namespace, where a
// renet stack owns the tap's file descriptor and the AF_PACKET socket
// watches from the kernel's side, while the kernel pings the stack.
func TestCaptureTap(t *testing.T) {
	ns := netnstest.New(t)
	if _, err := exec.LookPath("ping"); err != nil {
		t.Skip("ping is not installed (apt-get install iputils-ping)")
	}
	dev := ns.Tap(t, "tap0", hostAddr)
	s, err := netstack.New(dev, netstack.Config{Addrs: []netip.Prefix{stackAddr}, HardwareAddr: stackMAC})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })

	// capture runs the dump inside the namespace with the given filter
	// and count, starts pinging target once the filter is attached, and
	// returns the printed lines.
	capture := func(t *testing.T, expr string, count int, file, target string) []string {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		listening := make(chan struct{})
		cfg := config{iface: "tap0", count: count, write: file, promisc: true, expr: expr,
			listening: func(iface string, m link.Medium) {
				if iface != "tap0" || m != link.Ethernet {
					t.Errorf("listening on %s, %v", iface, m)
				}
				close(listening)
			}}
		var out bytes.Buffer // run's own; read after done
		done := make(chan error, 1)
		go func() {
			done <- ns.Do(func() error {
				n, err := run(ctx, cfg, &out)
				if err == nil && n != count {
					t.Errorf("run printed %d frames, want %d", n, count)
				}
				return err
			})
		}()
		select {
		case <-listening:
		case err := <-done:
			t.Fatalf("capture ended before listening: %v", err)
		}
		ping := ns.Start(t, "ping", "-n", "-i", "0.2", "-c", "50", target)
		if err := <-done; err != nil {
			t.Fatalf("run: %v\n%s", err, out.String())
		}
		if ctx.Err() != nil {
			t.Fatalf("capture timed out with %q", out.String())
		}
		ping.Process.Kill()
		ping.Wait()
		t.Logf("dump -i tap0 -c %d %s:\n%s", count, expr, out.String())
		return splitLines(t, out.String())
	}

	t.Run("icmp", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "icmp.pcap")
		lines := capture(t, "icmp", 4, file, "192.168.69.1")
		var req, rep int
		for _, l := range lines {
			if strings.Contains(l, "ARP") || !strings.Contains(l, "ICMP") {
				t.Errorf("filter icmp let through: %s", l)
			}
			if strings.Contains(l, "ICMP echo request") {
				req++
			}
			if strings.Contains(l, "ICMP echo reply") {
				rep++
			}
		}
		if len(lines) != 4 || req == 0 || rep == 0 || !strings.Contains(lines[0], "echo request") {
			t.Errorf("want 4 lines, the first an echo request, with replies too:\n%s", strings.Join(lines, "\n"))
		}
		for _, l := range lines {
			// Both directions: the kernel's requests leave through tap0,
			// the stack's replies arrive on it.
			if strings.Contains(l, "echo request") && !strings.Contains(l, "192.168.69.100 > 192.168.69.1:") ||
				strings.Contains(l, "echo reply") && !strings.HasPrefix(l, "02:00:00:00:00:01 > ") {
				t.Errorf("unexpected addresses: %s", l)
			}
		}

		// The recording holds the same frames as the lines, in order.
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rd, err := pcap.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		if rd.LinkType() != pcap.LinkTypeEthernet {
			t.Errorf("link type %d, want Ethernet", rd.LinkType())
		}
		for i := 0; ; i++ {
			data, _, err := rd.Next()
			if err == io.EOF {
				if i != len(lines) {
					t.Errorf("pcap holds %d records, %d lines printed", i, len(lines))
				}
				break
			}
			if err != nil {
				t.Fatalf("record %d: %v", i, err)
			}
			if i >= len(lines) || wire.FormatFrame(data) != lines[i] {
				t.Errorf("record %d: %s\nprinted: %q", i, wire.FormatFrame(data), lines)
			}
		}
	})

	// With the kernel's neighbour entry gone, the next ping resolves the
	// stack's MAC again: "arp" must show that exchange and nothing else.
	t.Run("arp", func(t *testing.T) {
		if out, err := ns.Run(context.Background(), "ip", "neigh", "flush", "dev", "tap0"); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		lines := capture(t, "arp", 2, "", "192.168.69.1")
		joined := strings.Join(lines, "\n")
		if len(lines) != 2 || !strings.Contains(joined, "ARP, Request who-has 192.168.69.1 tell 192.168.69.100") ||
			!strings.Contains(joined, "ARP, Reply 192.168.69.1 is-at 02:00:00:00:00:01") {
			t.Errorf("want the ARP request and reply:\n%s", joined)
		}
	})

	// The kernel side also gets fdaa::100/64 (no DAD, so it is usable at
	// once). Pinging fdaa::1 starts with the kernel's neighbour
	// solicitation to fdaa::1's solicited-node group; then (once the
	// stack speaks IPv6) an advertisement and echoes, or (until then)
	// more solicitations: IPv6 frames "icmp6 and host fdaa::100" must let
	// through, while the IPv4 pings are kept out.
	t.Run("ip6", func(t *testing.T) {
		if out, err := ns.Run(context.Background(), "ip", "addr", "add", "fdaa::100/64", "dev", "tap0", "nodad"); err != nil {
			t.Skipf("no IPv6 on the kernel side (%v): %s", err, out)
		}
		lines := capture(t, "icmp6 and host fdaa::100", 2, "", "fdaa::1")
		if len(lines) == 0 || !strings.Contains(lines[0], "IP6 fdaa::100 > ff02::1:ff00:1: ICMP6, neighbor solicitation, who has fdaa::1") {
			t.Errorf("want a neighbour solicitation for fdaa::1 first:\n%s", strings.Join(lines, "\n"))
		}
		for _, l := range lines {
			if !strings.Contains(l, "IP6 ") || !strings.Contains(l, "ICMP6, ") || !strings.Contains(l, "fdaa::100") {
				t.Errorf("filter icmp6 and host fdaa::100 let through: %s", l)
			}
		}
	})
}
