package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/renet-go/renet/conn"
	"github.com/renet-go/renet/internal/netnstest"
	"github.com/renet-go/renet/link/afpacket"
	"github.com/renet-go/renet/netstack"
	"github.com/renet-go/renet/netstack/wire"
)

var (
	stackMAC  = net.HardwareAddr{0x02, 0, 0, 0, 0, 0x01}
	stackAddr = netip.MustParsePrefix("192.168.69.1/24")
	hostAddr  = netip.MustParsePrefix("192.168.69.100/24")
)

// startEcho runs the echo services on a stack whose tap0 lives in a fresh
// namespace, with the kernel at 192.168.69.100.
func startEcho(t *testing.T) (*netnstest.NS, *netstack.Stack) {
	ns := netnstest.New(t)
	dev := ns.Tap(t, "tap0", hostAddr)
	s, err := netstack.New(dev, netstack.Config{Addrs: []netip.Prefix{stackAddr}, HardwareAddr: stackMAC})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := run(s, 64); err != nil {
		t.Fatal(err)
	}
	return ns, s
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func ping(t *testing.T, ns *netnstest.NS, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath("ping"); err != nil {
		t.Skip("ping is not installed (apt-get install iputils-ping)")
	}
	// -w: wait up to 10s for every reply, so a loaded machine (CI runs
	// packages in parallel under -race) does not turn a late reply into loss.
	out, err := ns.Run(ctx(t), "ping", append([]string{"-n", "-w", "10"}, args...)...)
	if err != nil {
		t.Fatalf("ping %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func TestAgainstLinux(t *testing.T) {
	ns, s := startEcho(t)

	t.Run("ping", func(t *testing.T) {
		out := ping(t, ns, "-c", "5", "-i", "0.2", "192.168.69.1")
		if !strings.Contains(out, " 0% packet loss") {
			t.Errorf("ping lost packets:\n%s", out)
		}
	})

	t.Run("kernel ARP entry is our MAC", func(t *testing.T) {
		out, err := ns.Run(ctx(t), "ip", "neigh", "show", "192.168.69.1", "dev", "tap0")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(out), "lladdr 02:00:00:00:00:01") {
			t.Errorf("kernel neighbour entry: %q", out)
		}
	})

	// 4000 bytes of data: the request arrives in three fragments and the
	// reply leaves in three.
	t.Run("ping -s 4000", func(t *testing.T) {
		before := s.Stats()
		out := ping(t, ns, "-c", "3", "-i", "0.2", "-s", "4000", "192.168.69.1")
		after := s.Stats()
		if !strings.Contains(out, " 0% packet loss") || !strings.Contains(out, "4008 bytes from 192.168.69.1") {
			t.Errorf("large ping failed:\n%s\nstack stats: %+v", out, after)
		}
		if after.Reassembled-before.Reassembled < 3 || after.FragmentsOut-before.FragmentsOut < 9 {
			t.Errorf("reassembled %d, fragments out %d", after.Reassembled-before.Reassembled, after.FragmentsOut-before.FragmentsOut)
		}
	})

	t.Run("UDP 6969 says yo dawg", func(t *testing.T) {
		c, err := ns.Dial(t, "udp", "192.168.69.1:6969")
		if err != nil {
			t.Fatal(err)
		}
		for _, msg := range []string{"hi", strings.Repeat("x", 3000)} {
			c.SetDeadline(time.Now().Add(5 * time.Second))
			if _, err := c.Write([]byte(msg)); err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 100)
			n, err := c.Read(buf)
			if err != nil {
				t.Fatal(err)
			}
			if string(buf[:n]) != "yo dawg\n" {
				t.Errorf("got %q", buf[:n])
			}
		}
	})

	t.Run("UDP to a closed port is refused", func(t *testing.T) {
		c, err := ns.Dial(t, "udp", "192.168.69.1:7000")
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		c.Write([]byte("anyone?"))
		_, err = c.Read(make([]byte, 10))
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("read: %v, want ECONNREFUSED", err)
		}
	})

	t.Run("stack dials a kernel UDP socket", func(t *testing.T) {
		k := ns.ListenUDP(t, "192.168.69.100:7777")
		c, err := conn.Dial(s, "udp", "192.168.69.100:7777")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.Write([]byte("from renet")); err != nil {
			t.Fatal(err)
		}
		k.SetDeadline(time.Now().Add(5 * time.Second))
		buf := make([]byte, 100)
		n, from, err := k.ReadFromUDPAddrPort(buf)
		if err != nil {
			t.Fatal(err)
		}
		if string(buf[:n]) != "from renet" || from.Addr() != stackAddr.Addr() {
			t.Fatalf("kernel got %q from %v", buf[:n], from)
		}
		if from.String() != c.LocalAddr().String() {
			t.Errorf("kernel saw %v, conn says LocalAddr %v", from, c.LocalAddr())
		}
		k.WriteToUDPAddrPort([]byte("from linux"), from)
		c.SetDeadline(time.Now().Add(5 * time.Second))
		n, err = c.Read(buf)
		if err != nil || string(buf[:n]) != "from linux" {
			t.Fatalf("stack read %q, %v", buf[:n], err)
		}
	})

	t.Run("frame to another MAC is ignored", func(t *testing.T) {
		var sock *afpacket.Socket
		if err := ns.Do(func() (err error) { sock, err = afpacket.Open("tap0"); return err }); err != nil {
			t.Fatal(err)
		}
		defer sock.Close()
		frame := foreignPing(t)
		before := s.Stats()
		if _, err := sock.WriteBatch([][]byte{frame}); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for s.Stats().Dropped(netstack.DropLinkForeignMAC) == before.Dropped(netstack.DropLinkForeignMAC) {
			if time.Now().After(deadline) {
				t.Fatal("the foreign frame was not counted as dropped")
			}
			time.Sleep(10 * time.Millisecond)
		}
		if after := s.Stats(); after.EchoRepliesOut != before.EchoRepliesOut {
			t.Error("answered a ping addressed to another MAC")
		}
		out := ping(t, ns, "-c", "2", "-i", "0.2", "192.168.69.1")
		if !strings.Contains(out, " 0% packet loss") {
			t.Errorf("ping after the foreign frame:\n%s", out)
		}
	})
}

// foreignPing is an echo request to our IP inside a frame addressed to
// another host's MAC.
func foreignPing(t *testing.T) []byte {
	icmp := make([]byte, 8+4)
	copy(icmp[8:], "ping")
	(&wire.ICMPv4Fields{Type: wire.ICMPEchoRequest, Rest: wire.EchoRest(9, 9)}).Encode(icmp)
	b := make([]byte, 14+20+len(icmp))
	(&wire.EthernetFields{Dst: wire.MAC{2, 0, 0, 0, 0, 0x99}, Src: wire.MAC{2, 0, 0, 0, 0, 0x64}, Type: wire.EtherTypeIPv4}).Encode(b)
	copy(b[34:], icmp)
	(&wire.IPv4Fields{TTL: 64, Protocol: wire.IPProtoICMP, Src: hostAddr.Addr(), Dst: stackAddr.Addr()}).Encode(b[14:], len(icmp))
	return b
}

// The TCP service reverses each chunk; a client that shuts its write side
// still receives every reply (half-close).
func TestTCPReversalHalfClose(t *testing.T) {
	ns, _ := startEcho(t)
	c, err := ns.Dial(t, "tcp", "192.168.69.1:6969")
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(20 * time.Second))
	// One 64-byte chunk at a time: write, read its reversal.
	chunk := []byte(strings.Repeat("0123456789abcdef", 4))
	if _, err := c.Write(chunk); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 64)
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatal(err)
	}
	if string(got) != reverseString(string(chunk)) {
		t.Fatalf("got %q", got)
	}
	// Then a lot at once, and shut down the write side: every byte still
	// comes back, and then EOF.
	big := bytes.Repeat([]byte("renet!"), 50000)
	if _, err := c.Write(big); err != nil {
		t.Fatal(err)
	}
	if err := c.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	back, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("after half-close: %v (%d bytes)", err, len(back))
	}
	if len(back) != len(big) {
		t.Fatalf("got %d bytes back after half-close, want %d", len(back), len(big))
	}
	// Chunk boundaries depend on segmentation, so the exact bytes are not
	// predictable; each chunk is a reversal, so the byte counts must match.
	if !sameBytes(back, big) {
		t.Error("replies are not a permutation of what was sent")
	}
}

func reverseString(s string) string {
	b := []byte(s)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

func sameBytes(a, b []byte) bool {
	var ca, cb [256]int
	for _, x := range a {
		ca[x]++
	}
	for _, x := range b {
		cb[x]++
	}
	return ca == cb
}
