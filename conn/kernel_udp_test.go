package conn

import (
	"context"
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"github.com/renet-go/renet/internal/netnstest"
	"github.com/renet-go/renet/link/pipe"
)

// udpErrorSequence runs the same script on either implementation: a
// connected socket a gets two datagrams from b, then b goes away and a's
// next send draws a port unreachable; it returns what a's reads return,
// in order, until nothing is left.
func udpErrorSequence(t *testing.T, a, b net.Conn, aAddr net.Addr, bClose func()) []string {
	t.Helper()
	bp := b.(net.PacketConn)
	for _, m := range []string{"one", "two"} {
		if _, err := bp.WriteTo([]byte(m), aAddr); err != nil {
			t.Fatal(err)
		}
	}
	bClose()
	time.Sleep(50 * time.Millisecond) // the datagrams arrive
	if _, err := a.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // the port unreachable arrives
	var got []string
	buf := make([]byte, 64)
	for {
		a.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		n, err := a.Read(buf)
		switch {
		case errors.Is(err, os.ErrDeadlineExceeded):
			return got
		case err != nil:
			var oe *net.OpError
			if errors.As(err, &oe) {
				err = oe.Err
			}
			var se *os.SyscallError
			if errors.As(err, &se) {
				err = se.Err
			}
			got = append(got, err.Error())
		default:
			got = append(got, string(buf[:n]))
		}
	}
}

// Side by side with Linux: a connected UDP socket that has datagrams
// queued when a port unreachable arrives reports the error on its next
// read, before those datagrams (Linux's __skb_recv_udp checks the socket
// error first), and then the datagrams.
func TestUDPErrorOrderAgainstLinux(t *testing.T) {
	ns := netnstest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if out, err := ns.Run(ctx, "ip", "link", "set", "lo", "up"); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	var linux []string
	err := ns.Do(func() error {
		b, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5001})
		if err != nil {
			return err
		}
		a, err := net.DialUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5000}, b.LocalAddr().(*net.UDPAddr))
		if err != nil {
			return err
		}
		defer a.Close()
		linux = udpErrorSequence(t, a, b, a.LocalAddr(), func() { b.Close() })
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	sa, sb := newPair(t, pipe.Config{Seed: 13})
	bc, err := ListenPacket(sb, "udp", "10.0.0.2:5001")
	if err != nil {
		t.Fatal(err)
	}
	ac, err := (&Dialer{Stack: sa, LocalAddr: &net.UDPAddr{IP: net.IPv4(10, 0, 0, 1), Port: 5000}}).Dial("udp", "10.0.0.2:5001")
	if err != nil {
		t.Fatal(err)
	}
	defer ac.Close()
	renet := udpErrorSequence(t, ac, bc.(net.Conn), ac.LocalAddr(), func() { bc.Close() })

	if len(linux) != 3 || len(renet) != len(linux) {
		t.Fatalf("reads: Linux %q, renet %q", linux, renet)
	}
	for i := range linux {
		if linux[i] != renet[i] {
			t.Fatalf("reads differ: Linux %q, renet %q", linux, renet)
		}
	}
	t.Logf("Linux and renet both read %q", linux)
}
