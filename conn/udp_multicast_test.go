package conn

import (
	"net"
	"testing"
	"time"

	"github.com/renet-go/renet/link/pipe"
)

// Two stacks on one link: a socket on A joins a group (through the
// x/net/ipv4-shaped method) and receives what B sends to it; a wildcard
// socket on A receives B's subnet broadcast, which a UDPConn may send by
// default, as with Go's net package.
func TestUDPMulticastAndBroadcastBetweenStacks(t *testing.T) {
	a, b := newPair(t, pipe.Config{Seed: 9})
	pc, err := ListenPacket(a, "udp", ":5353")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	recv := pc.(*UDPConn)
	group := &net.UDPAddr{IP: net.IPv4(239, 1, 2, 3), Port: 5353}
	if err := recv.JoinGroup(nil, group); err != nil {
		t.Fatal(err)
	}
	send, err := ListenPacket(b, "udp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	defer send.Close()
	buf := make([]byte, 64)
	for _, dst := range []*net.UDPAddr{group, {IP: net.IPv4(10, 0, 0, 255), Port: 5353}} {
		if _, err := send.WriteTo([]byte("to "+dst.IP.String()), dst); err != nil {
			t.Fatalf("send to %v: %v", dst, err)
		}
		recv.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, from, err := recv.ReadFrom(buf)
		if err != nil || string(buf[:n]) != "to "+dst.IP.String() || from.(*net.UDPAddr).IP.String() != "10.0.0.2" {
			t.Fatalf("datagram to %v: %q from %v, %v", dst, buf[:n], from, err)
		}
	}
	if ttl, _ := recv.MulticastTTL(); ttl != 1 {
		t.Errorf("default multicast TTL %d", ttl)
	}
	if err := recv.LeaveGroup(nil, group); err != nil {
		t.Fatal(err)
	}
	if err := recv.LeaveGroup(nil, group); err == nil {
		t.Error("left a group twice")
	}
}
