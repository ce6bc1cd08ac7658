package conn

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/renet-go/renet/link/pipe"
	"github.com/renet-go/renet/netstack"
)

func TestUDPBothWays(t *testing.T) {
	a, b := newPair(t, pipe.Config{Seed: 1})
	srv, err := ListenPacket(a, "udp", ":9000")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	go func() {
		buf := make([]byte, 65536)
		for {
			n, from, err := srv.ReadFrom(buf)
			if err != nil {
				return
			}
			srv.WriteTo(bytes.ToUpper(buf[:n]), from)
		}
	}()
	c, err := Dial(b, "udp", "10.0.0.1:9000")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got := c.RemoteAddr().String(); got != "10.0.0.1:9000" {
		t.Errorf("RemoteAddr = %s", got)
	}
	if la := c.LocalAddr().(*net.UDPAddr); !la.IP.Equal(addrB.AsSlice()) || la.Port < 32768 || la.Port > 60999 {
		t.Errorf("LocalAddr = %v, want 10.0.0.2 with an ephemeral port", la)
	}
	// Small datagrams, and ones large enough to be fragmented both ways.
	for _, size := range []int{1, 100, 1472, 1473, 8000, 65507} {
		msg := bytes.Repeat([]byte("ab"), size/2+1)[:size]
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := c.Write(msg); err != nil {
			t.Fatalf("write %d: %v", size, err)
		}
		buf := make([]byte, 70000)
		n, err := c.Read(buf)
		if err != nil {
			t.Fatalf("read %d: %v", size, err)
		}
		if !bytes.Equal(buf[:n], bytes.ToUpper(msg)) {
			t.Fatalf("size %d: reply of %d bytes differs", size, n)
		}
	}
}

// With 10% loss, every datagram that is not lost arrives intact, once. The
// pipe's queue is made deep enough that a slow receiver (a loaded machine)
// costs no tail drops on top of the configured loss.
func TestUDPUnderLoss(t *testing.T) {
	a, b := newPair(t, pipe.Config{Seed: 7, Loss: 0.1, QueueLen: 1 << 16})
	srv, err := ListenUDP(a, "udp", netip.AddrPortFrom(addrA, 9001))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	srv.SetReadBuffer(16 << 20)
	c, err := Dial(b, "udp", "10.0.0.1:9001")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Resolve ARP both ways first, so loss of the first datagrams while
	// neighbours resolve does not blur the count.
	warmUp(c, srv)
	const total = 2000
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < total; i++ {
		msg := make([]byte, 40+rng.IntN(1400))
		stamp(msg, uint32(i), func(int) byte { return byte(rng.Uint32()) })
		if _, err := c.Write(msg); err != nil {
			t.Fatal(err)
		}
	}
	seen := make(map[uint32]bool)
	buf := make([]byte, 2000)
	for {
		srv.SetReadDeadline(time.Now().Add(time.Second))
		n, _, err := srv.ReadFromUDPAddrPort(buf)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if string(buf[:5]) == "hello" {
			continue
		}
		seq, intact := unstamp(buf[:n])
		if !intact {
			t.Fatalf("datagram of %d bytes corrupted", n)
		}
		if seen[seq] {
			t.Fatalf("datagram %d delivered twice", seq)
		}
		seen[seq] = true
	}
	// Binomial(2000, 0.9): mean 1800, sd 13.4.
	if len(seen) < 1700 || len(seen) > 1900 {
		t.Errorf("%d of %d datagrams arrived with 10%% loss", len(seen), total)
	}
}

func TestUDPErrors(t *testing.T) {
	a, _ := newPair(t, pipe.Config{Seed: 1})
	pc, err := ListenPacket(a, "udp", "10.0.0.1:9002")
	if err != nil {
		t.Fatal(err)
	}
	u := pc.(*UDPConn)

	if _, err := ListenPacket(a, "udp", ":9002"); !errors.Is(err, syscall.EADDRINUSE) {
		t.Errorf("second bind: %v, want EADDRINUSE", err)
	}
	if _, err := ListenPacket(a, "udp", "10.9.9.9:9003"); !errors.Is(err, syscall.EADDRNOTAVAIL) {
		t.Errorf("bind to a foreign address: %v, want EADDRNOTAVAIL", err)
	}
	if _, err := ListenPacket(a, "ip4", ":1"); err == nil {
		t.Error("unknown network accepted")
	}
	if _, err := u.Write([]byte("x")); !errors.Is(err, syscall.EDESTADDRREQ) {
		t.Errorf("Write on an unconnected socket: %v", err)
	}
	if _, err := Dial(a, "udp", "192.0.2.1:53"); !errors.Is(err, syscall.ENETUNREACH) {
		t.Errorf("dial off-link without a gateway: %v, want ENETUNREACH", err)
	}

	// A deadline in the past fails at once with a timeout error.
	u.SetReadDeadline(time.Now().Add(-time.Second))
	_, _, err = u.ReadFrom(make([]byte, 10))
	var ne net.Error
	if !errors.Is(err, os.ErrDeadlineExceeded) || !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("read past deadline: %v", err)
	}
	var oe *net.OpError
	if !errors.As(err, &oe) || oe.Op != "read" || oe.Net != "udp" {
		t.Errorf("error is not a read *net.OpError: %#v", err)
	}

	// A deadline set from another goroutine wakes a blocked read.
	u.SetReadDeadline(time.Time{})
	done := make(chan error, 1)
	go func() {
		_, _, err := u.ReadFrom(make([]byte, 10))
		done <- err
	}()
	time.AfterFunc(20*time.Millisecond, func() { u.SetReadDeadline(time.Now()) })
	if err := <-done; !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("blocked read after deadline: %v", err)
	}

	// Close wakes a blocked read with net.ErrClosed.
	u.SetReadDeadline(time.Time{})
	go func() {
		_, _, err := u.ReadFrom(make([]byte, 10))
		done <- err
	}()
	time.AfterFunc(20*time.Millisecond, func() { u.Close() })
	if err := <-done; !errors.Is(err, net.ErrClosed) {
		t.Errorf("read after Close: %v", err)
	}
	if _, err := u.WriteTo([]byte("x"), &net.UDPAddr{IP: net.IPv4(10, 0, 0, 2), Port: 1}); !errors.Is(err, net.ErrClosed) {
		t.Errorf("write after Close: %v", err)
	}
	if err := u.Close(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("second Close: %v", err)
	}
	// The port is free again.
	pc2, err := ListenPacket(a, "udp", ":9002")
	if err != nil {
		t.Fatalf("rebind after close: %v", err)
	}
	pc2.Close()
}

func TestUDPConnectedRules(t *testing.T) {
	a, b := newPair(t, pipe.Config{Seed: 1})
	c, err := Dial(b, "udp", "10.0.0.1:9004")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	u := c.(*UDPConn)
	if _, err := u.WriteToUDPAddrPort([]byte("x"), netip.MustParseAddrPort("10.0.0.1:1")); !errors.Is(err, net.ErrWriteToConnected) {
		t.Errorf("WriteTo on a connected socket: %v", err)
	}
	// Port unreachable from the peer is reported to a connected socket as
	// ECONNREFUSED, as Linux does.
	if _, err := c.Write([]byte("anyone?")); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 10)); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("read after port unreachable: %v, want ECONNREFUSED", err)
	}
	// Only the connected peer's datagrams are received.
	other, err := ListenPacket(a, "udp", ":9005")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	other.WriteTo([]byte("stranger"), c.LocalAddr())
	c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if n, err := c.Read(make([]byte, 10)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("connected socket read %d bytes from a stranger (err %v)", n, err)
	}
}

func TestStackCloseUnblocksUDPRead(t *testing.T) {
	a, _ := newPair(t, pipe.Config{Seed: 1})
	pc, err := ListenPacket(a, "udp", ":9006")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, _, err := pc.ReadFrom(make([]byte, 10))
		done <- err
	}()
	time.AfterFunc(20*time.Millisecond, func() { a.Close() })
	if err := <-done; !errors.Is(err, net.ErrClosed) {
		t.Errorf("read after stack Close: %v", err)
	}
	if _, err := ListenPacket(a, "udp", ":9007"); !errors.Is(err, net.ErrClosed) {
		t.Errorf("listen on a closed stack: %v", err)
	}
}

// Large datagrams cross the pipe as IPv4 fragments that are reordered,
// duplicated and sometimes lost: complete datagrams reassemble intact, and
// incomplete ones expire from the reassembly table (RFC 791 §3.2).
func TestUDPFragmentsUnderImpairment(t *testing.T) {
	recv, send := newPairWith(t, pipe.Config{Seed: 11, Loss: 0.05, Duplicate: 0.1, Reorder: 0.3, QueueLen: 1 << 16},
		netstack.Config{ReassemblyTimeout: 300 * time.Millisecond}, netstack.Config{})
	srv, err := ListenUDP(recv, "udp", netip.AddrPortFrom(addrA, 9100))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	srv.SetReadBuffer(64 << 20)
	c, err := Dial(send, "udp", "10.0.0.1:9100")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	warmUp(c, srv)
	const total = 300
	for i := 0; i < total; i++ {
		msg := make([]byte, 5000) // four fragments on a 1500-byte link
		stamp(msg, uint32(i), func(j int) byte { return byte(i + j) })
		if _, err := c.Write(msg); err != nil {
			t.Fatal(err)
		}
	}
	got := 0
	buf := make([]byte, 8000)
	for {
		srv.SetReadDeadline(time.Now().Add(time.Second))
		n, _, err := srv.ReadFromUDPAddrPort(buf)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if n != 5000 {
			continue // a late "hello"
		}
		if _, intact := unstamp(buf[:n]); !intact {
			t.Fatal("a reassembled datagram is corrupted")
		}
		got++
	}
	st := recv.Stats()
	// Each datagram survives 5% loss of each of its 4 fragments with
	// probability 0.95^4 = 81%.
	if got < total*70/100 || got > total*92/100 {
		t.Errorf("%d of %d datagrams reassembled", got, total)
	}
	if st.ReassemblyPending != 0 {
		t.Errorf("%d datagrams still pending after the timeout", st.ReassemblyPending)
	}
	if st.Dropped(netstack.DropFragTimeout) == 0 || st.Dropped(netstack.DropFragDuplicate) == 0 {
		t.Errorf("expected expiries and duplicates: timeouts %d, duplicates %d",
			st.Dropped(netstack.DropFragTimeout), st.Dropped(netstack.DropFragDuplicate))
	}
	if st.Reassembled != uint64(got) {
		t.Errorf("stack reassembled %d, socket received %d", st.Reassembled, got)
	}
}

// warmUp exchanges "hello" and "hi" between a client and a server socket
// until one round trip succeeds, so both stacks have resolved each other's
// MAC address before a test starts counting datagrams.
func warmUp(c net.Conn, srv *UDPConn) {
	buf := make([]byte, 100)
	for {
		c.Write([]byte("hello"))
		srv.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		if _, from, err := srv.ReadFromUDPAddrPort(buf); err == nil {
			srv.WriteToUDPAddrPort([]byte("hi"), from)
			c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
			if _, err := c.Read(buf); err == nil {
				return
			}
		}
	}
}

// Concurrent Close calls are safe: one succeeds, the others report
// net.ErrClosed.
func TestUDPConcurrentClose(t *testing.T) {
	a, _ := newPair(t, pipe.Config{Seed: 1})
	pc, err := ListenPacket(a, "udp", ":9200")
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		go func() { errs <- pc.Close() }()
	}
	ok := 0
	for i := 0; i < 8; i++ {
		if err := <-errs; err == nil {
			ok++
		} else if !errors.Is(err, net.ErrClosed) {
			t.Errorf("Close: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d Close calls succeeded, want 1", ok)
	}
}
