package tap_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/renet-go/renet/internal/ifconfig"
	"github.com/renet-go/renet/internal/netnstest"
	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/link/internal/framestest"
	"github.com/renet-go/renet/link/tap"
)

var (
	stackMAC  = net.HardwareAddr{0x02, 0, 0, 0, 0, 0x01}
	stackIP   = netip.MustParseAddr("192.168.69.1")
	kernelIP  = netip.MustParseAddr("192.168.69.100")
	kernelNet = netip.MustParsePrefix("192.168.69.100/24")
)

// modes are the two ways to open a device; the tests of the plain
// link.Endpoint calls run in both, since they must behave the same.
var modes = []struct {
	name string
	o    tap.Options
}{
	{"offload", tap.Options{}},
	{"nooffload", tap.Options{NoOffload: true}},
}

func forModes(t *testing.T, fn func(*testing.T, tap.Options)) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) { fn(t, m.o) })
	}
}

// openTap is netnstest's Tap with options: it opens name inside ns, gives
// the kernel side host (unless zero) and brings it up; cleanup closes it.
func openTap(t testing.TB, ns *netnstest.NS, o tap.Options, name string, host netip.Prefix) *tap.Device {
	t.Helper()
	var dev *tap.Device
	err := ns.Do(func() error {
		d, err := tap.OpenWith(name, o)
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
		t.Fatalf("tap %s: %v", name, err)
	}
	t.Cleanup(func() { dev.Close() })
	return dev
}

// waitTimeout bounds how long a test waits for a frame the kernel should
// send at once; it only matters when something is broken.
const waitTimeout = 10 * time.Second

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

// quietNS returns a namespace where new interfaces get no IPv6, so the
// kernel sends no router solicitations or MLD reports to interleave with
// the frames a test waits for.
func quietNS(t *testing.T) *netnstest.NS {
	ns := netnstest.New(t)
	run(t, ns, "sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1")
	return ns
}

// pump reads dev in batches on its own goroutine and hands each frame over
// a channel, until the device is closed.
func pump(t *testing.T, dev link.Endpoint) <-chan []byte {
	ch := make(chan []byte, 256)
	done := make(chan struct{})
	t.Cleanup(func() { close(done) })
	go func() {
		bufs := make([][]byte, 8)
		for i := range bufs {
			bufs[i] = make([]byte, 2048)
		}
		sizes := make([]int, len(bufs))
		for {
			n, err := dev.ReadBatch(bufs, sizes)
			if err != nil {
				return
			}
			for i := range n {
				select {
				case ch <- bytes.Clone(bufs[i][:sizes[i]]):
				case <-done:
					return
				}
			}
		}
	}()
	return ch
}

// waitFrame returns the first frame from ch that match accepts, skipping
// others.
func waitFrame(t *testing.T, ch <-chan []byte, what string, match func([]byte) bool) []byte {
	t.Helper()
	timeout := time.After(waitTimeout)
	for {
		select {
		case f := <-ch:
			if match(f) {
				return f
			}
		case <-timeout:
			t.Fatalf("no %s within %v", what, waitTimeout)
		}
	}
}

func isUDPTo(dst netip.AddrPort) func([]byte) bool {
	return func(f []byte) bool {
		if len(f) < 14 || f[12] != 0x08 || f[13] != 0x00 {
			return false
		}
		u, ok := framestest.ParseIPv4UDP(f[14:])
		return ok && u.Dst == dst
	}
}

// TestARPThenUDP walks the first exchange any stack on a tap device has
// with the kernel: the kernel ARPs for the stack's address, the stack
// answers, the kernel sends the queued datagram and remembers the stack's
// MAC; then the stack answers over UDP.
func TestARPThenUDP(t *testing.T) { forModes(t, testARPThenUDP) }

func testARPThenUDP(t *testing.T, o tap.Options) {
	ns := netnstest.New(t)
	dev := openTap(t, ns, o, "tap0", kernelNet)
	kernelMAC := dev.KernelHardwareAddr()
	if len(kernelMAC) != 6 {
		t.Fatalf("HardwareAddr = %v, want the kernel side's MAC", kernelMAC)
	}
	frames := pump(t, dev)
	conn := ns.ListenUDP(t, "192.168.69.100:0")
	kernelAddr := conn.LocalAddr().(*net.UDPAddr).AddrPort()
	stackAddr := netip.AddrPortFrom(stackIP, 7777)
	payload := []byte("hello from the kernel")
	if _, err := conn.WriteToUDPAddrPort(payload, stackAddr); err != nil {
		t.Fatal(err)
	}

	f := waitFrame(t, frames, "ARP request for 192.168.69.1", func(f []byte) bool {
		a, ok := framestest.ParseARP(f)
		return ok && a.Op == 1 && a.TPA == stackIP
	})
	req, _ := framestest.ParseARP(f)
	if !bytes.Equal(f[0:6], framestest.Broadcast) || !bytes.Equal(f[6:12], kernelMAC) {
		t.Errorf("ARP request from %v to %v; want from the tap's MAC %v to broadcast",
			net.HardwareAddr(f[6:12]), net.HardwareAddr(f[0:6]), kernelMAC)
	}
	if req.SPA != kernelIP || !bytes.Equal(req.SHA, kernelMAC) {
		t.Errorf("ARP request sender %v/%v, want %v/%v", req.SPA, req.SHA, kernelIP, kernelMAC)
	}

	reply := framestest.Ethernet(kernelMAC, stackMAC, framestest.EtherTypeARP,
		framestest.ARP{Op: 2, SHA: stackMAC, SPA: stackIP, THA: kernelMAC, TPA: kernelIP}.Marshal())
	if n, err := dev.WriteBatch([][]byte{reply}); n != 1 || err != nil {
		t.Fatalf("WriteBatch(ARP reply) = %d, %v", n, err)
	}

	f = waitFrame(t, frames, "UDP datagram to 192.168.69.1:7777", isUDPTo(stackAddr))
	if !bytes.Equal(f[0:6], stackMAC) || !bytes.Equal(f[6:12], kernelMAC) {
		t.Errorf("UDP frame from %v to %v; want from %v to the MAC the ARP reply gave, %v",
			net.HardwareAddr(f[6:12]), net.HardwareAddr(f[0:6]), kernelMAC, stackMAC)
	}
	u, _ := framestest.ParseIPv4UDP(f[14:])
	if u.Src != kernelAddr || !bytes.Equal(u.Payload, payload) {
		t.Errorf("UDP from %v payload %q; want from %v payload %q", u.Src, u.Payload, kernelAddr, payload)
	}
	if !u.IPChecksumOK || !u.UDPChecksumOK {
		t.Errorf("checksums of the kernel's datagram do not verify (IP %t, UDP %t): a tap without offload gets complete packets",
			u.IPChecksumOK, u.UDPChecksumOK)
	}

	neigh := run(t, ns, "ip", "neigh", "show", stackIP.String(), "dev", "tap0")
	if !strings.Contains(neigh, "lladdr "+stackMAC.String()) {
		t.Errorf("kernel neighbour table lacks %s at %s:\n%s", stackIP, stackMAC, neigh)
	}

	// And back: the stack replies; the kernel socket must accept it,
	// checksums and all.
	answer := []byte("hello from the stack")
	back := framestest.Ethernet(kernelMAC, stackMAC, framestest.EtherTypeIPv4, framestest.IPv4UDP(stackAddr, kernelAddr, answer))
	if n, err := dev.WriteBatch([][]byte{back}); n != 1 || err != nil {
		t.Fatalf("WriteBatch(UDP) = %d, %v", n, err)
	}
	conn.SetReadDeadline(time.Now().Add(waitTimeout))
	buf := make([]byte, 100)
	n, from, err := conn.ReadFromUDPAddrPort(buf)
	if err != nil {
		t.Fatalf("kernel socket did not receive the stack's datagram: %v", err)
	}
	if from != stackAddr || string(buf[:n]) != string(answer) {
		t.Fatalf("kernel got %q from %v, want %q from %v", buf[:n], from, answer, stackAddr)
	}
}

// TestReadBatchReturnsSeveralFrames checks that frames already queued come
// back in one call rather than one per call.
func TestReadBatchReturnsSeveralFrames(t *testing.T) { forModes(t, testReadBatchReturnsSeveralFrames) }

func testReadBatchReturnsSeveralFrames(t *testing.T, o tap.Options) {
	ns := quietNS(t)
	dev := openTap(t, ns, o, "tap0", kernelNet)
	run(t, ns, "ip", "neigh", "replace", stackIP.String(), "lladdr", stackMAC.String(), "dev", "tap0", "nud", "permanent")
	conn := ns.ListenUDP(t, "192.168.69.100:0")
	const count = 6
	dst := netip.AddrPortFrom(stackIP, 9)
	for i := range count {
		if _, err := conn.WriteToUDPAddrPort([]byte{byte(i)}, dst); err != nil {
			t.Fatal(err)
		}
	}
	bufs := make([][]byte, 2*count)
	for i := range bufs {
		bufs[i] = make([]byte, 2048)
	}
	sizes := make([]int, len(bufs))
	seen, calls, largest := 0, 0, 0
	for seen < count {
		n, err := dev.ReadBatch(bufs, sizes)
		if err != nil {
			t.Fatal(err)
		}
		calls++
		largest = max(largest, n)
		for i := range n {
			if u, ok := framestest.ParseIPv4UDP(bufs[i][14:sizes[i]]); ok && u.Dst == dst {
				if int(u.Payload[0]) != seen {
					t.Fatalf("datagram %d arrived in position %d", u.Payload[0], seen)
				}
				seen++
			}
		}
	}
	if largest < 2 {
		t.Fatalf("%d queued frames took %d ReadBatch calls of at most %d frame(s); want batches", count, calls, largest)
	}
	t.Logf("%d frames in %d calls", count, calls)
}

func TestCloseUnblocksReadBatch(t *testing.T) { forModes(t, testCloseUnblocksReadBatch) }

func testCloseUnblocksReadBatch(t *testing.T, o tap.Options) {
	ns := quietNS(t)
	dev := openTap(t, ns, o, "tap0", kernelNet)
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
	if err := dev.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("ReadBatch after Close returned %v, want net.ErrClosed", err)
		}
	case <-time.After(waitTimeout):
		t.Fatal("Close did not wake the pending ReadBatch")
	}
	if _, err := dev.WriteBatch([][]byte{make([]byte, 60)}); !errors.Is(err, net.ErrClosed) {
		t.Errorf("WriteBatch after Close = %v, want net.ErrClosed", err)
	}
	if err := dev.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
	// The kernel removes a non-persistent device when its descriptor closes.
	if out := run(t, ns, "ip", "-o", "link", "show"); strings.Contains(out, "tap0") {
		t.Errorf("tap0 still exists after Close:\n%s", out)
	}
}

func TestDeviceProperties(t *testing.T) { forModes(t, testDeviceProperties) }

func testDeviceProperties(t *testing.T, o tap.Options) {
	ns := netnstest.New(t)
	dev := openTap(t, ns, o, "tap0", kernelNet)
	if dev.Name() != "tap0" {
		t.Errorf("Name = %q", dev.Name())
	}
	if dev.Medium() != link.Ethernet {
		t.Errorf("Medium = %v", dev.Medium())
	}
	want := link.Offload{TSO: true, Checksum: true, GRO: true, MaxSegment: 65535}
	if o.NoOffload {
		want = link.Offload{}
	}
	if dev.Offload() != want {
		t.Errorf("Offload = %+v, want %+v", dev.Offload(), want)
	}
	if vnet := strings.Contains(run(t, ns, "ip", "-d", "-o", "link", "show", "dev", "tap0"), "vnet_hdr on"); vnet == o.NoOffload {
		t.Errorf("ip -d link show says vnet_hdr %t, want %t", vnet, !o.NoOffload)
	}
	if mtu := dev.MTU(); mtu != 1500 {
		t.Errorf("MTU = %d, want 1500", mtu)
	}
	out := run(t, ns, "ip", "-o", "link", "show", "dev", "tap0")
	if mac := dev.KernelHardwareAddr(); !strings.Contains(out, "link/ether "+mac.String()) {
		t.Errorf("HardwareAddr %v is not the kernel side's MAC:\n%s", mac, out)
	}
	// MTU is asked of the tap's own namespace even though this goroutine
	// is in another one (which has no tap0).
	if err := ns.Do(func() error { return ifconfig.SetMTU("tap0", 1280) }); err != nil {
		t.Fatal(err)
	}
	if mtu := dev.MTU(); mtu != 1280 {
		t.Errorf("MTU after setting 1280 = %d", mtu)
	}
}

func TestKernelChoosesName(t *testing.T) {
	ns := netnstest.New(t)
	var dev *tap.Device
	if err := ns.Do(func() (err error) { dev, err = tap.Open(""); return err }); err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	if !strings.HasPrefix(dev.Name(), "tap") {
		t.Fatalf("kernel-chosen name %q", dev.Name())
	}
	if out := run(t, ns, "ip", "-o", "link", "show", "dev", dev.Name()); !strings.Contains(out, dev.Name()) {
		t.Fatalf("no interface %s:\n%s", dev.Name(), out)
	}
}

func TestOpenErrors(t *testing.T) {
	ns := netnstest.New(t)
	ns.Tap(t, "tap0", netip.Prefix{})
	err := ns.Do(func() error {
		d, err := tap.Open("tap0")
		if err == nil {
			d.Close()
		}
		return err
	})
	if !errors.Is(err, syscall.EBUSY) {
		t.Errorf("opening tap0 twice: %v, want EBUSY", err)
	} else if want := "tap: open tap0: device or resource busy (the device is already open"; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("busy error %q, want it to start %q", err, want)
	}

	run(t, ns, "ip", "link", "add", "br0", "type", "bridge")
	err = ns.Do(func() error {
		d, err := tap.Open("br0")
		if err == nil {
			d.Close()
		}
		return err
	})
	if !errors.Is(err, syscall.EINVAL) || !strings.Contains(err.Error(), "tap: open br0:") ||
		!strings.Contains(err.Error(), "exists and is not a tap device") {
		t.Errorf("opening a bridge as a tap: %v", err)
	}

	_, err = tap.Open("name-of-sixteen!")
	if err == nil || err.Error() != "tap: open name-of-sixteen!: interface name longer than 15 bytes" {
		t.Errorf("long name: %v", err)
	}
}

const childEnv = "RENET_TAP_TEST_CHILD"

// TestOpenWithoutCapability runs tap.Open as root stripped of every
// capability, as in a locked-down container, and checks the message.
func TestOpenWithoutCapability(t *testing.T) {
	if os.Getenv(childEnv) != "" {
		_, err := tap.Open("tap7")
		fmt.Printf("ERR=%v\nPERM=%t\n", err, errors.Is(err, os.ErrPermission))
		return
	}
	ns := netnstest.New(t)
	if _, err := exec.LookPath("setpriv"); err != nil {
		t.Skip("setpriv (util-linux) is not installed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	cmd := ns.Command(ctx, "setpriv", "--bounding-set", "-all", "--inh-caps", "-all", "--",
		os.Args[0], "-test.run=^TestOpenWithoutCapability$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	want := "ERR=tap: open tap7: operation not permitted (need root or CAP_NET_ADMIN)\nPERM=true\n"
	if !strings.Contains(string(out), want) {
		t.Fatalf("child output:\n%s\nwant it to contain:\n%s", out, want)
	}
}
