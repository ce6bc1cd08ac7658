package tun_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/renet-go/renet/internal/ifconfig"
	"github.com/renet-go/renet/internal/netnstest"
	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/link/internal/framestest"
	"github.com/renet-go/renet/link/tap"
	"github.com/renet-go/renet/link/tun"
)

var (
	kernelNet = netip.MustParsePrefix("10.9.0.1/24")
	peerIP    = netip.MustParseAddr("10.9.0.2") // routed into tun0 by the /24
)

const waitTimeout = 10 * time.Second

// modes are the two ways to open a device; the tests of the plain
// link.Endpoint calls run in both, since they must behave the same.
var modes = []struct {
	name string
	o    tun.Options
}{
	{"offload", tun.Options{}},
	{"nooffload", tun.Options{NoOffload: true}},
}

func forModes(t *testing.T, fn func(*testing.T, tun.Options)) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) { fn(t, m.o) })
	}
}

// openTun is netnstest's Tun with options: it opens name inside ns, gives
// the kernel side host (unless zero) and brings it up; cleanup closes it.
func openTun(t testing.TB, ns *netnstest.NS, o tun.Options, name string, host netip.Prefix) *tun.Device {
	t.Helper()
	var dev *tun.Device
	err := ns.Do(func() error {
		d, err := tun.OpenWith(name, o)
		if err != nil {
			return err
		}
		if err := ifconfig.Up(d.Name(), host); err != nil {
			d.Close()
			return err
		}
		dev = d
		return nil
	})
	if err != nil {
		t.Fatalf("tun %s: %v", name, err)
	}
	t.Cleanup(func() { dev.Close() })
	return dev
}

func run(t *testing.T, ns *netnstest.NS, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	out, err := ns.Run(ctx, name, args...)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return string(out)
}

// readUDP reads packets from dev until one is a UDP datagram to dst. The
// reads run on their own goroutine so a missing packet fails the test after
// waitTimeout instead of hanging it; the device's cleanup ends them.
func readUDP(t *testing.T, dev link.Endpoint, dst netip.AddrPort) (framestest.UDP4, []byte) {
	t.Helper()
	type found struct {
		u   framestest.UDP4
		raw []byte
		err error
	}
	ch := make(chan found, 1)
	go func() {
		bufs, sizes := [][]byte{make([]byte, 2048), make([]byte, 2048)}, []int{0, 0}
		for {
			n, err := dev.ReadBatch(bufs, sizes)
			if err != nil {
				ch <- found{err: err}
				return
			}
			for i := range n {
				p := bufs[i][:sizes[i]]
				if u, ok := framestest.ParseIPv4UDP(p); ok && u.Dst == dst {
					raw := bytes.Clone(p)
					u, _ = framestest.ParseIPv4UDP(raw)
					ch <- found{u: u, raw: raw}
					return
				}
			}
		}
	}()
	select {
	case f := <-ch:
		if f.err != nil {
			t.Fatalf("ReadBatch: %v", f.err)
		}
		return f.u, f.raw
	case <-time.After(waitTimeout):
		t.Fatalf("no UDP packet to %v within %v", dst, waitTimeout)
	}
	panic("unreachable")
}

// TestUDPBothWays sends a datagram from a kernel socket to an address
// routed into tun0, reads it as a bare IPv4 packet, and answers with a
// hand-built packet the kernel socket must accept.
func TestUDPBothWays(t *testing.T) { forModes(t, testUDPBothWays) }

func testUDPBothWays(t *testing.T, o tun.Options) {
	ns := netnstest.New(t)
	dev := openTun(t, ns, o, "tun0", kernelNet)
	route := run(t, ns, "ip", "-4", "route", "show", "dev", "tun0")
	if !strings.Contains(route, "10.9.0.0/24") {
		t.Fatalf("no route for 10.9.0.0/24 into tun0:\n%s", route)
	}
	conn := ns.ListenUDP(t, "10.9.0.1:0")
	kernelAddr := conn.LocalAddr().(*net.UDPAddr).AddrPort()
	peerAddr := netip.AddrPortFrom(peerIP, 7777)
	payload := []byte("to the peer behind tun0")
	if _, err := conn.WriteToUDPAddrPort(payload, peerAddr); err != nil {
		t.Fatal(err)
	}

	u, raw := readUDP(t, dev, peerAddr)
	if raw[0]>>4 != 4 {
		t.Fatalf("packet does not start with an IPv4 header (no link header expected): % x", raw[:min(len(raw), 20)])
	}
	if u.Src != kernelAddr || !bytes.Equal(u.Payload, payload) {
		t.Errorf("got %q from %v, want %q from %v", u.Payload, u.Src, payload, kernelAddr)
	}
	if !u.IPChecksumOK || !u.UDPChecksumOK {
		t.Errorf("kernel packet checksums do not verify (IP %t, UDP %t)", u.IPChecksumOK, u.UDPChecksumOK)
	}

	answer := []byte("from the peer")
	if n, err := dev.WriteBatch([][]byte{framestest.IPv4UDP(peerAddr, kernelAddr, answer)}); n != 1 || err != nil {
		t.Fatalf("WriteBatch = %d, %v", n, err)
	}
	conn.SetReadDeadline(time.Now().Add(waitTimeout))
	buf := make([]byte, 100)
	n, from, err := conn.ReadFromUDPAddrPort(buf)
	if err != nil {
		t.Fatalf("kernel socket did not receive the reply: %v", err)
	}
	if from != peerAddr || string(buf[:n]) != string(answer) {
		t.Fatalf("kernel got %q from %v, want %q from %v", buf[:n], from, answer, peerAddr)
	}
}

func TestDeviceProperties(t *testing.T) { forModes(t, testDeviceProperties) }

func testDeviceProperties(t *testing.T, o tun.Options) {
	ns := netnstest.New(t)
	dev := openTun(t, ns, o, "tun0", kernelNet)
	off := link.Offload{TSO: true, Checksum: true, GRO: true, MaxSegment: 65535}
	if o.NoOffload {
		off = link.Offload{}
	}
	if dev.Name() != "tun0" || dev.Medium() != link.IP || dev.HardwareAddr() != nil ||
		dev.Offload() != off || dev.MTU() != 1500 {
		t.Errorf("Name %q Medium %v HardwareAddr %v Offload %+v MTU %d; want tun0 ip <nil> %+v 1500",
			dev.Name(), dev.Medium(), dev.HardwareAddr(), dev.Offload(), dev.MTU(), off)
	}
	out := run(t, ns, "ip", "-d", "-o", "link", "show", "dev", "tun0")
	if !strings.Contains(out, "tun type tun") {
		t.Errorf("tun0 is not a TUN device:\n%s", out)
	}
	if vnet := strings.Contains(out, "vnet_hdr on"); vnet == o.NoOffload {
		t.Errorf("ip -d link show says vnet_hdr %t, want %t:\n%s", vnet, !o.NoOffload, out)
	}
}

func TestCloseUnblocksReadBatch(t *testing.T) { forModes(t, testCloseUnblocksReadBatch) }

func testCloseUnblocksReadBatch(t *testing.T, o tun.Options) {
	ns := netnstest.New(t)
	dev := openTun(t, ns, o, "tun0", kernelNet)
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		bufs, sizes := [][]byte{make([]byte, 2048)}, []int{0}
		close(started)
		for {
			if _, err := dev.ReadBatch(bufs, sizes); err != nil {
				done <- err
				return
			}
		}
	}()
	<-started
	dev.Close()
	select {
	case err := <-done:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("ReadBatch after Close returned %v, want net.ErrClosed", err)
		}
	case <-time.After(waitTimeout):
		t.Fatal("Close did not wake the pending ReadBatch")
	}
}

func TestOpenErrors(t *testing.T) {
	ns := netnstest.New(t)
	ns.Tun(t, "tun0", netip.Prefix{})
	ns.Tap(t, "tap0", netip.Prefix{})
	for _, tc := range []struct {
		open  func() error
		errno syscall.Errno
		want  string
	}{
		{func() error { return closeIfOpened(tun.Open("tun0")) }, syscall.EBUSY,
			"tun: open tun0: device or resource busy (the device is already open, probably by another process)"},
		{func() error { return closeIfOpened(tun.Open("tap0")) }, syscall.EINVAL,
			"tun: open tap0: invalid argument (an interface with this name exists and is not a tun device, or the name is not valid)"},
		{func() error { return closeIfOpened(tap.Open("tun0")) }, syscall.EINVAL,
			"tap: open tun0: invalid argument (an interface with this name exists and is not a tap device, or the name is not valid)"},
	} {
		err := ns.Do(tc.open)
		if !errors.Is(err, tc.errno) || err.Error() != tc.want {
			t.Errorf("got  %v\nwant %s", err, tc.want)
		}
	}
}

func closeIfOpened(ep link.Endpoint, err error) error {
	if err == nil {
		ep.Close()
	}
	return err
}
