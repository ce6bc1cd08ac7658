package channel_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/renet-go/renet/conn"
	"github.com/renet-go/renet/link/channel"
	"github.com/renet-go/renet/netstack"
)

// relay copies packets from one port to another, pausing after each
// batch for pause: a tunnel whose encryption is slower than the stack.
func relay(from, to *channel.Port, pause time.Duration, wg *sync.WaitGroup) {
	defer wg.Done()
	bufs := make([][]byte, 16)
	for i := range bufs {
		bufs[i] = make([]byte, 1500)
	}
	sizes := make([]int, len(bufs))
	pkts := make([][]byte, len(bufs))
	for {
		n, err := from.Read(context.Background(), bufs, sizes, 0)
		if err != nil {
			return
		}
		for i := range n {
			pkts[i] = bufs[i][:sizes[i]]
		}
		if _, err := to.Write(context.Background(), pkts[:n], 0); err != nil {
			return
		}
		if pause > 0 {
			time.Sleep(pause)
		}
	}
}

// TestSlowConsumerLosesNothing sends 8 MB from a stack whose port is read
// by a slow relay: the channel fills, the stack holds its data rather
// than dropping it, so the transfer needs no retransmission.
func TestSlowConsumerLosesNothing(t *testing.T) {
	cfg := channel.Config{OutboundQueue: 64}
	epA, portA := channel.New(cfg)
	epB, portB := channel.New(cfg)
	a, err := netstack.New(epA, netstack.Config{Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.0.1/24")}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := netstack.New(epB, netstack.Config{Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.0.2/24")}})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go relay(portA, portB, 200*time.Microsecond, &wg)
	go relay(portB, portA, 0, &wg)
	defer func() {
		a.Close()
		b.Close()
		wg.Wait()
	}()

	ln, err := conn.Listen(b, "tcp", ":80")
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan [32]byte, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- [32]byte{}
			return
		}
		h := sha256.New()
		io.Copy(h, c)
		c.Close()
		got <- [32]byte(h.Sum(nil))
	}()

	data := make([]byte, 8<<20)
	rand.NewChaCha8([32]byte{1}).Read(data)
	c, err := conn.Dial(a, "tcp", "10.0.0.2:80")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write(data); err != nil {
		t.Fatal(err)
	}
	info := c.(*conn.TCPConn).Info()
	c.Close()
	if <-got != sha256.Sum256(data) {
		t.Fatal("the data arrived damaged")
	}
	st := a.Stats()
	t.Logf("link full %d times; retransmits %d; drops %d", st.LinkFull, info.Retransmits, st.TotalDrops())
	if st.LinkFull == 0 {
		t.Fatal("the channel never filled: the test did not test back-pressure")
	}
	if n := st.Dropped(netstack.DropLinkFull) + st.Dropped(netstack.DropLinkWrite); n != 0 {
		t.Fatalf("%d packets dropped on their way to the channel; want none", n)
	}
	// Nothing was lost, so nothing needed sending again; on a loaded
	// machine a timer may still fire while the channel holds the data
	// back (a tail-loss probe), but a link that dropped would cost
	// hundreds.
	if info.Retransmits > 5 {
		t.Fatalf("%d retransmissions; want (almost) none", info.Retransmits)
	}
}

// TestCloseUnblocksEveryone closes a stack whose port has a blocked
// reader and a blocked writer on the user's side.
func TestCloseUnblocksEveryone(t *testing.T) {
	ep, port := channel.New(channel.Config{InboundQueue: 1})
	s, err := netstack.New(ep, netstack.Config{Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.0.1/24")}})
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 2)
	go func() {
		buf := [][]byte{make([]byte, 1500)}
		_, err := port.Read(context.Background(), buf, []int{0}, 0)
		errs <- err
	}()
	go func() {
		// A stream of junk the stack reads and drops; the writer blocks
		// whenever the one-packet queue is full, until Close.
		pkt := [][]byte{make([]byte, 100)}
		for {
			if _, err := port.Write(context.Background(), pkt, 0); err != nil {
				errs <- err
				return
			}
		}
	}()
	time.Sleep(10 * time.Millisecond)
	start := time.Now()
	s.Close()
	for range 2 {
		select {
		case err := <-errs:
			if !errors.Is(err, net.ErrClosed) {
				t.Fatalf("blocked call returned %v, want net.ErrClosed", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("a blocked call did not return after Close")
		}
	}
	t.Logf("blocked calls returned %v after Close", time.Since(start))
}
