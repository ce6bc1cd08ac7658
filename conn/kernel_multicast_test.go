package conn

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/renet-go/renet/internal/netnstest"
	"github.com/renet-go/renet/netstack"
	"golang.org/x/net/ipv4"
)

// Against Linux: the stack's tap is a port of a kernel bridge with IGMP
// snooping, so the bridge forwards a group to the port only once the
// stack's IGMP report has taught it the group, and forgets it on the
// leave. Multicast then flows both ways between a kernel socket and the
// stack.
func TestMulticastThroughSnoopingBridge(t *testing.T) {
	ns := netnstest.New(t)
	dev := ns.Tap(t, "tap0", netip.Prefix{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, cmd := range [][]string{
		{"ip", "link", "add", "br0", "type", "bridge", "mcast_snooping", "1"},
		{"ip", "link", "set", "tap0", "master", "br0"},
		{"bridge", "link", "set", "dev", "tap0", "fastleave", "on"},
		{"ip", "addr", "add", "192.168.69.100/24", "dev", "br0"},
		{"ip", "link", "set", "br0", "up"},
		{"ip", "route", "add", "224.0.0.0/4", "dev", "br0"},
	} {
		if out, err := ns.Run(ctx, cmd[0], cmd[1:]...); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
	}
	s, err := netstack.New(dev, netstack.Config{Addrs: []netip.Prefix{netip.MustParsePrefix("192.168.69.1/24")}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	pc, err := ListenPacket(s, "udp", ":5353")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	ours := pc.(*UDPConn)
	group := &net.UDPAddr{IP: net.IPv4(239, 1, 2, 3), Port: 5353}
	mdbHas := func() bool {
		out, err := ns.Run(ctx, "bridge", "mdb", "show")
		if err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		return strings.Contains(string(out), "port tap0 grp 239.1.2.3")
	}
	if mdbHas() {
		t.Fatal("the bridge knows the group before the stack joined")
	}
	if err := ours.JoinGroup(nil, group); err != nil {
		t.Fatal(err)
	}
	waitFor(t, mdbHas)

	// Kernel to stack, through the snooping bridge.
	kernel := ns.ListenUDP(t, "192.168.69.100:0")
	if _, err := kernel.WriteTo([]byte("from linux"), group); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	ours.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, _, err := ours.ReadFrom(buf); err != nil || string(buf[:n]) != "from linux" {
		t.Fatalf("stack read %q, %v", buf[:n], err)
	}

	// Stack to kernel: a kernel socket joins another group.
	listener := ns.ListenUDP(t, "0.0.0.0:6000")
	kg := &net.UDPAddr{IP: net.IPv4(239, 1, 2, 4), Port: 6000}
	if err := ns.Do(func() error {
		br, err := net.InterfaceByName("br0")
		if err != nil {
			return err
		}
		return ipv4.NewPacketConn(listener).JoinGroup(br, kg)
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := ours.WriteTo([]byte("from renet"), kg); err != nil {
		t.Fatal(err)
	}
	listener.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, _, err := listener.ReadFrom(buf); err != nil || string(buf[:n]) != "from renet" {
		t.Fatalf("kernel read %q, %v", buf[:n], err)
	}

	if err := ours.LeaveGroup(nil, group); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return !mdbHas() })
	if st := s.Stats(); st.IGMPOut < 2 {
		t.Errorf("%d IGMP messages sent", st.IGMPOut)
	}
}
