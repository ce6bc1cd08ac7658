package afpacket_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/netip"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/renet-go/renet/internal/netnstest"
	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/link/afpacket"
	"github.com/renet-go/renet/link/internal/framestest"
	"github.com/renet-go/renet/link/tap"
	"golang.org/x/net/bpf"
)

// The test kernel has no veth driver, so each test pairs the AF_PACKET
// socket with a tap device: the tap's file descriptor is the far end of the
// wire. A frame written to the descriptor arrives on interface tap0, where
// the socket reads it; a frame the socket sends out of tap0 comes out of
// the descriptor.

var stackMAC = net.HardwareAddr{0x02, 0, 0, 0, 0, 0x01}

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

// setup returns a namespace holding tap0 (up, no IPv6, no address), the
// tap's descriptor end, and an AF_PACKET socket bound to tap0.
func setup(t *testing.T) (*netnstest.NS, link.Endpoint, *afpacket.Socket) {
	ns := netnstest.New(t)
	run(t, ns, "sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1")
	wire := ns.Tap(t, "tap0", netip.Prefix{})
	return ns, wire, open(t, ns, "tap0")
}

func open(t *testing.T, ns *netnstest.NS, ifname string) *afpacket.Socket {
	t.Helper()
	var s *afpacket.Socket
	if err := ns.Do(func() (err error) { s, err = afpacket.Open(ifname); return err }); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// frame is a frame of the local experimental EtherType (which no kernel
// protocol answers) carrying tag, so tests can tell their frames apart.
func frame(etherType uint16, tag string) []byte {
	payload := make([]byte, 46) // minimum Ethernet payload
	copy(payload, tag)
	return framestest.Ethernet(framestest.Broadcast, stackMAC, etherType, payload)
}

// tagOf returns the tag of a frame built by frame, or "" for other frames.
func tagOf(f []byte) string {
	et, ok := framestest.EtherType(f)
	if !ok || (et != framestest.EtherTypeLocal && et != framestest.EtherTypeLocal+1) || len(f) < 14 {
		return ""
	}
	return string(bytes.TrimRight(f[14:], "\x00"))
}

// nextTag reads ep until a tagged frame arrives and returns its tag,
// failing the test after waitTimeout.
func nextTag(t *testing.T, ep link.Endpoint) string {
	t.Helper()
	ch := make(chan string, 1)
	errc := make(chan error, 1)
	go func() {
		bufs, sizes := [][]byte{make([]byte, 2048)}, []int{0}
		for {
			n, err := ep.ReadBatch(bufs, sizes)
			if err != nil {
				errc <- err
				return
			}
			if n == 1 {
				if tag := tagOf(bufs[0][:sizes[0]]); tag != "" {
					ch <- tag
					return
				}
			}
		}
	}()
	select {
	case tag := <-ch:
		return tag
	case err := <-errc:
		t.Fatalf("ReadBatch: %v", err)
	case <-time.After(waitTimeout):
		t.Fatalf("no tagged frame within %v", waitTimeout)
	}
	return ""
}

func write(t *testing.T, ep link.Endpoint, frames ...[]byte) {
	t.Helper()
	if n, err := ep.WriteBatch(frames); n != len(frames) || err != nil {
		t.Fatalf("WriteBatch = %d, %v", n, err)
	}
}

func TestReceive(t *testing.T) {
	_, wire, s := setup(t)
	write(t, wire, frame(framestest.EtherTypeLocal, "in-1"), frame(framestest.EtherTypeLocal, "in-2"))
	if tag := nextTag(t, s); tag != "in-1" {
		t.Fatalf("socket read %q, want in-1", tag)
	}
	if tag := nextTag(t, s); tag != "in-2" {
		t.Fatalf("socket read %q, want in-2", tag)
	}
}

func TestSend(t *testing.T) {
	_, wire, s := setup(t)
	write(t, s, frame(framestest.EtherTypeLocal, "out-1"))
	if tag := nextTag(t, wire); tag != "out-1" {
		t.Fatalf("far end read %q, want out-1", tag)
	}
}

// TestOutgoing: s sends "sent", then the far end sends "arrived". Frames
// are read in order, so the first tag each socket reads shows whether it
// saw the outgoing frame: s never sees its own; another socket sees it only
// after SetIgnoreOutgoing(false).
func TestOutgoing(t *testing.T) {
	ns, wire, s := setup(t)
	quiet := open(t, ns, "tap0")
	capture := open(t, ns, "tap0")
	if err := capture.SetIgnoreOutgoing(false); err != nil {
		t.Fatal(err)
	}
	write(t, s, frame(framestest.EtherTypeLocal, "sent"))
	if tag := nextTag(t, wire); tag != "sent" {
		t.Fatalf("far end read %q, want sent", tag)
	}
	write(t, wire, frame(framestest.EtherTypeLocal, "arrived"))
	for _, c := range []struct {
		name string
		s    *afpacket.Socket
		want []string
	}{
		{"sender", s, []string{"arrived"}},
		{"default socket", quiet, []string{"arrived"}},
		{"capture socket", capture, []string{"sent", "arrived"}},
	} {
		for _, want := range c.want {
			if tag := nextTag(t, c.s); tag != want {
				t.Fatalf("%s read %q, want %q", c.name, tag, want)
			}
		}
	}
}

func TestAttachFilter(t *testing.T) {
	_, wire, s := setup(t)
	prog, err := bpf.Assemble([]bpf.Instruction{
		bpf.LoadAbsolute{Off: 12, Size: 2},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: framestest.EtherTypeLocal, SkipFalse: 1},
		bpf.RetConstant{Val: 0x40000},
		bpf.RetConstant{Val: 0},
	})
	if err != nil {
		t.Fatal(err)
	}
	// "stale" is queued before the filter exists and must be discarded
	// when it is attached, though the filter would accept it.
	write(t, wire, frame(framestest.EtherTypeLocal, "stale"))
	if err := s.AttachFilter(prog); err != nil {
		t.Fatal(err)
	}
	write(t, wire, frame(framestest.EtherTypeLocal+1, "rejected"), frame(framestest.EtherTypeLocal, "accepted"))
	if tag := nextTag(t, s); tag != "accepted" {
		t.Fatalf("read %q, want accepted (stale flushed, rejected filtered)", tag)
	}

	if err := s.DetachFilter(); err != nil {
		t.Fatal(err)
	}
	write(t, wire, frame(framestest.EtherTypeLocal+1, "after-detach"))
	if tag := nextTag(t, s); tag != "after-detach" {
		t.Fatalf("read %q after DetachFilter, want after-detach", tag)
	}

	if err := s.AttachFilter(nil); err == nil {
		t.Error("AttachFilter(nil) succeeded")
	}
}

var promiscuity = regexp.MustCompile(`promiscuity (\d+)`)

func TestSetPromiscuous(t *testing.T) {
	ns, _, s := setup(t)
	count := func() string {
		m := promiscuity.FindStringSubmatch(run(t, ns, "ip", "-d", "link", "show", "dev", "tap0"))
		if m == nil {
			t.Fatal("ip -d link show prints no promiscuity")
		}
		return m[1]
	}
	if c := count(); c != "0" {
		t.Fatalf("promiscuity %s before, want 0", c)
	}
	for _, step := range []struct {
		on   bool
		want string
	}{{true, "1"}, {true, "1"}, {false, "0"}, {false, "0"}, {true, "1"}} {
		if err := s.SetPromiscuous(step.on); err != nil {
			t.Fatal(err)
		}
		if c := count(); c != step.want {
			t.Fatalf("after SetPromiscuous(%t): promiscuity %s, want %s", step.on, c, step.want)
		}
	}
	s.Close()
	if c := count(); c != "0" {
		t.Fatalf("promiscuity %s after Close, want 0", c)
	}
}

func TestProperties(t *testing.T) {
	ns, wire, s := setup(t)
	if s.Name() != "tap0" || s.Medium() != link.Ethernet || s.MTU() != 1500 || s.Offload() != (link.Offload{}) {
		t.Errorf("Name %q Medium %v MTU %d Offload %+v", s.Name(), s.Medium(), s.MTU(), s.Offload())
	}
	if !bytes.Equal(s.HardwareAddr(), wire.(*tap.Device).KernelHardwareAddr()) {
		t.Errorf("HardwareAddr %v, want tap0's %v", s.HardwareAddr(), wire.(*tap.Device).KernelHardwareAddr())
	}
	run(t, ns, "ip", "link", "set", "tap0", "mtu", "9000")
	if s.MTU() != 9000 {
		t.Errorf("MTU %d after setting 9000", s.MTU())
	}
}

// TestIPMedium opens the socket on a TUN device, where frames are bare IP
// packets.
func TestIPMedium(t *testing.T) {
	ns := netnstest.New(t)
	wire := ns.Tun(t, "tun0", netip.MustParsePrefix("10.9.0.1/24"))
	s := open(t, ns, "tun0")
	if s.Medium() != link.IP || s.HardwareAddr() != nil {
		t.Fatalf("Medium %v HardwareAddr %v on a TUN device, want ip and nil", s.Medium(), s.HardwareAddr())
	}
	src, dst := netip.MustParseAddrPort("10.9.0.2:7"), netip.MustParseAddrPort("10.9.0.1:9")
	write(t, wire, framestest.IPv4UDP(src, dst, []byte("over tun")))
	bufs, sizes := [][]byte{make([]byte, 2048)}, []int{0}
	done := make(chan error, 1)
	go func() {
		for {
			n, err := s.ReadBatch(bufs, sizes)
			if err != nil {
				done <- err
				return
			}
			if u, ok := framestest.ParseIPv4UDP(bufs[0][:sizes[0]]); n == 1 && ok && u.Src == src {
				if string(u.Payload) != "over tun" {
					err = errors.New("payload " + string(u.Payload))
				}
				done <- err
				return
			}
		}
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(waitTimeout):
		t.Fatal("socket on tun0 did not read the packet")
	}
}

func TestCloseUnblocksReadBatch(t *testing.T) {
	_, _, s := setup(t)
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		bufs, sizes := [][]byte{make([]byte, 2048)}, []int{0}
		close(started)
		for {
			if _, err := s.ReadBatch(bufs, sizes); err != nil {
				done <- err
				return
			}
		}
	}()
	<-started
	s.Close()
	select {
	case err := <-done:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("ReadBatch after Close returned %v, want net.ErrClosed", err)
		}
	case <-time.After(waitTimeout):
		t.Fatal("Close did not wake the pending ReadBatch")
	}
	if err := s.SetPromiscuous(true); !errors.Is(err, net.ErrClosed) {
		t.Errorf("SetPromiscuous after Close = %v", err)
	}
}

func TestOpenErrors(t *testing.T) {
	ns := netnstest.New(t)
	err := ns.Do(func() error {
		s, err := afpacket.Open("nosuch0")
		if err == nil {
			s.Close()
		}
		return err
	})
	if !errors.Is(err, syscall.ENODEV) || err.Error() != "afpacket: open nosuch0: no such device" {
		t.Errorf("Open(nosuch0) = %v", err)
	}
}
