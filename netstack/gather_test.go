package netstack

import (
	"bytes"
	"math/rand"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/link/pcap"
	"github.com/renet-go/renet/link/pipe"
	"github.com/renet-go/renet/netstack/wire"
)

// gatherLink counts the packets a stack writes in pieces, and those whose
// payload wrapped around the send buffer's end (two pieces).
type gatherLink struct {
	*pipe.Endpoint
	pieces, wrapped atomic.Int64
}

func (g *gatherLink) WriteBatchGather(heads [][]byte, tails [][2][]byte, infos []link.PacketInfo) (int, error) {
	for _, t := range tails {
		if len(t[0])+len(t[1]) > 0 {
			g.pieces.Add(1)
		}
		if len(t[0]) > 0 && len(t[1]) > 0 {
			g.wrapped.Add(1)
		}
	}
	return g.Endpoint.WriteBatchGather(heads, tails, infos)
}

// stackOn starts a stack with addr on ep, closed when the test ends.
func stackOn(t *testing.T, ep link.Endpoint, addr string) *Stack {
	t.Helper()
	s, err := New(ep, Config{Addrs: []netip.Prefix{netip.MustParsePrefix(addr)}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// connectedPair dials from a to b's addr (or a's own) and returns both
// ends once the server end is accepted.
func connectedPair(t *testing.T, a, b *Stack, to netip.AddrPort) (client, server *TCPSocket) {
	t.Helper()
	l, err := b.ListenTCP(to, 0)
	if err != nil {
		t.Fatal(err)
	}
	client, err = a.DialTCP(netip.AddrPort{}, to, nil)
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); server == nil; time.Sleep(time.Millisecond) {
		server, _ = l.TryAccept()
		if time.Now().After(deadline) {
			t.Fatal("no connection")
		}
	}
	return client, server
}

// transfer writes data on from and reads it all on to, polling.
func transfer(t *testing.T, from, to *TCPSocket, data []byte) []byte {
	t.Helper()
	got := make([]byte, 0, len(data))
	buf := make([]byte, 65536)
	sent := 0
	for deadline := time.Now().Add(20 * time.Second); len(got) < len(data); {
		if sent < len(data) {
			n, _ := from.TryWrite(data[sent:])
			sent += n
		}
		n, err := to.TryRead(buf)
		if err == nil {
			got = append(got, buf[:n]...)
		}
		if n == 0 {
			time.Sleep(100 * time.Microsecond)
		}
		if time.Now().After(deadline) {
			t.Fatalf("received %d of %d bytes", len(got), len(data))
		}
	}
	return got
}

// On a link that writes packets in pieces, new data goes out straight
// from the send buffer (its wrap-around included) and arrives intact.
func TestGatherSendsFromTheSendBuffer(t *testing.T) {
	ea, eb := pipe.New(pipe.Config{Offload: true, Seed: 9})
	g := &gatherLink{Endpoint: ea}
	a := stackOn(t, g, "10.0.0.1/24")
	b := stackOn(t, eb, "10.0.0.2/24")
	client, server := connectedPair(t, a, b, netip.MustParseAddrPort("10.0.0.2:80"))
	data := make([]byte, 8<<20) // many times the send buffer: it wraps
	rand.New(rand.NewSource(1)).Read(data)
	if got := transfer(t, client, server, data); !bytes.Equal(got, data) {
		t.Fatal("data corrupted")
	}
	if g.pieces.Load() == 0 {
		t.Fatal("no packet was written in pieces")
	}
	if g.wrapped.Load() == 0 {
		t.Error("no packet's payload wrapped around the send buffer")
	}
	if st := a.Stats(); st.GSOOut == 0 {
		t.Error("no GSO packet: gather was tested without TSO")
	}
}

// A connection to the stack's own address on a gathering link gets its
// data whole (loopback reads the packet, so it must be materialized).
func TestGatherLoopback(t *testing.T) {
	ea, eb := pipe.New(pipe.Config{Offload: true, Seed: 10})
	defer eb.Close()
	a := stackOn(t, ea, "10.0.0.1/24")
	client, server := connectedPair(t, a, a, netip.MustParseAddrPort("10.0.0.1:80"))
	data := bytes.Repeat([]byte("loopback gather "), 1<<16)
	if got := transfer(t, client, server, data); !bytes.Equal(got, data) {
		t.Fatal("data corrupted over loopback")
	}
	if st := eb.Stats().Rx; st.Delivered != 0 {
		t.Errorf("%d packets reached the link", st.Delivered)
	}
}

// A packet in pieces that has to wait for ARP is made whole first: its
// payload must not depend on the send buffer while it waits.
func TestGatherWaitsForARPWhole(t *testing.T) {
	ea, eb := pipe.New(pipe.Config{Offload: true, Seed: 11})
	defer eb.Close()
	s := stackOn(t, ea, "10.0.0.1/24")
	ring := []byte("0123456789abcdef")
	p := s.getBuf(20)
	*p = (*p)[:copy(*p, "headers of 20 bytes.")]
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.newNeighbour(netip.MustParseAddr("10.0.0.9"))
	s.queueForNeighbour(n, outPacket{p: p, body: [2][]byte{ring[10:], ring[:10]}})
	copy(ring, "XXXXXXXXXXXXXXXX") // the connection reuses its buffer
	if len(n.pending) != 1 {
		t.Fatalf("%d packets pending", len(n.pending))
	}
	o := n.pending[0]
	if o.bodyLen() != 0 {
		t.Fatal("the pending packet still has its payload outside")
	}
	if got, want := string(*o.p), "headers of 20 bytes.abcdef0123456789"; got != want {
		t.Fatalf("pending packet %q, want %q", got, want)
	}
}

// slowLink blocks its first GSO write until released, noting the bytes
// of packet that write carries and the buffer capacity they pin.
type slowLink struct {
	*pipe.Endpoint
	entered, release chan struct{}
	once             atomic.Bool
	bytes, pinned    int // of the blocked write; read after entered
}

func (l *slowLink) WriteBatchGather(heads [][]byte, tails [][2][]byte, infos []link.PacketInfo) (int, error) {
	for _, pi := range infos {
		if pi.GSO != link.GSONone && l.once.CompareAndSwap(false, true) {
			for i, h := range heads {
				l.bytes += len(h) + len(tails[i][0]) + len(tails[i][1])
				l.pinned += cap(h)
			}
			close(l.entered)
			<-l.release
		}
	}
	return l.Endpoint.WriteBatchGather(heads, tails, infos)
}

// A burst for the link to cut is written by the stack's writer goroutine:
// the user's write returns while the link is still busy with it.
func TestBurstWriteDoesNotWaitForTheLink(t *testing.T) {
	ea, eb := pipe.New(pipe.Config{Offload: true, Seed: 12})
	l := &slowLink{Endpoint: ea, entered: make(chan struct{}), release: make(chan struct{})}
	a := stackOn(t, l, "10.0.0.1/24")
	b := stackOn(t, eb, "10.0.0.2/24")
	var releaseOnce sync.Once
	release := func() { releaseOnce.Do(func() { close(l.release) }) }
	defer release() // before the stacks close, even on failure
	client, server := connectedPair(t, a, b, netip.MustParseAddrPort("10.0.0.2:80"))
	data := bytes.Repeat([]byte("burst "), 20000)
	wrote := make(chan int, 1)
	go func() {
		n, _ := client.TryWrite(data)
		wrote <- n
	}()
	select {
	case <-l.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("no GSO packet reached the link")
	}
	select {
	case n := <-wrote:
		if n != len(data) {
			t.Fatalf("TryWrite took %d of %d bytes", n, len(data))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("TryWrite waited for the link's write")
	}
	release()
	got := make([]byte, 0, len(data))
	buf := make([]byte, 65536)
	for deadline := time.Now().Add(10 * time.Second); len(got) < len(data); time.Sleep(time.Millisecond) {
		if n, err := server.TryRead(buf); err == nil {
			got = append(got, buf[:n]...)
		}
		if time.Now().After(deadline) {
			t.Fatalf("received %d of %d bytes", len(got), len(data))
		}
	}
	if !bytes.Equal(got, data) {
		t.Fatal("data corrupted")
	}
}

// While the link is busy, a bulk sender keeps at most its small queue of
// packets waiting for it (plus the burst in the link's hands); the rest
// of its data waits in its send buffer, and all of it arrives in the end.
func TestSmallQueueBoundsQueuedData(t *testing.T) {
	ea, eb := pipe.New(pipe.Config{Offload: true, Seed: 13})
	l := &slowLink{Endpoint: ea, entered: make(chan struct{}), release: make(chan struct{})}
	l.once.Store(true) // not blocking until armed below
	a := stackOn(t, l, "10.0.0.1/24")
	b := stackOn(t, eb, "10.0.0.2/24")
	var releaseOnce sync.Once
	release := func() { releaseOnce.Do(func() { close(l.release) }) }
	defer release()
	client, server := connectedPair(t, a, b, netip.MustParseAddrPort("10.0.0.2:80"))
	client.SetWriteBuffer(8 << 20)
	data := make([]byte, 6<<20)
	rand.New(rand.NewSource(3)).Read(data)
	// Open the congestion window first, so that only the queue bound can
	// hold the data back.
	if got := transfer(t, client, server, data); !bytes.Equal(got, data) {
		t.Fatal("warm-up data corrupted")
	}
	l.once.Store(false) // block the next burst
	n, err := client.TryWrite(data)
	if err != nil || n != len(data) {
		t.Fatalf("TryWrite = %d, %v", n, err)
	}
	select {
	case <-l.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("no burst reached the link")
	}
	a.mu.Lock()
	queued, unsent := client.queued, client.tcb.Unsent()
	a.mu.Unlock()
	if queued > smallQueueLimit+tso64k || l.bytes > smallQueueLimit+tso64k {
		t.Errorf("%d bytes queued for the busy link (%d in its hands), want at most %d", queued, l.bytes, smallQueueLimit+tso64k)
	}
	if unsent == 0 {
		t.Error("nothing left in the send buffer: the queue was not bounded")
	}
	// The bursts in the link's hands hold their headers only: their
	// payload is in the send buffer.
	if l.bytes < tso64k || l.pinned > l.bytes/8 {
		t.Errorf("%d bytes of packet buffers for %d bytes of packets", l.pinned, l.bytes)
	}
	release()
	got := make([]byte, 0, len(data))
	buf := make([]byte, 65536)
	for deadline := time.Now().Add(20 * time.Second); len(got) < len(data); time.Sleep(100 * time.Microsecond) {
		if n, err := server.TryRead(buf); err == nil {
			got = append(got, buf[:n]...)
		}
		if time.Now().After(deadline) {
			a.mu.Lock()
			t.Logf("queued %d held %v outq %d linkFull %v flushing %v unsent %d info %+v", client.queued, client.held, len(a.outq), a.linkFull, a.flushing, client.tcb.Unsent(), client.tcb.Info())
			a.mu.Unlock()
			t.Fatalf("received %d of %d bytes", len(got), len(data))
		}
	}
	if !bytes.Equal(got, data) {
		t.Fatal("data corrupted")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if client.queued != 0 {
		t.Errorf("%d bytes still counted as queued after everything was sent", client.queued)
	}
}

// tso64k is one TSO burst with its headers.
const tso64k = 64 << 10

// slowCapture is a capture file on a slow disk: each record takes a while.
type slowCapture struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (f *slowCapture) Write(p []byte) (int, error) {
	time.Sleep(100 * time.Microsecond)
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.buf.Write(p)
}

// A capture of a gathering link holds the bytes that crossed it, even
// when the peer acknowledges them, and the sender reuses its buffer,
// before the capture file has taken the record.
func TestCaptureOfGatheringLinkHoldsWhatCrossed(t *testing.T) {
	ea, eb := pipe.New(pipe.Config{Offload: true, Seed: 14})
	file := &slowCapture{}
	wa, err := pcap.Wrap(ea, file)
	if err != nil {
		t.Fatal(err)
	}
	a := stackOn(t, wa, "10.0.0.1/24")
	b := stackOn(t, eb, "10.0.0.2/24")
	client, server := connectedPair(t, a, b, netip.MustParseAddrPort("10.0.0.2:80"))
	client.SetWriteBuffer(64 << 10) // a small ring, reused soon after each ACK
	data := make([]byte, 4<<20)
	rand.New(rand.NewSource(4)).Read(data)
	if got := transfer(t, client, server, data); !bytes.Equal(got, data) {
		t.Fatal("data corrupted")
	}
	a.Close()
	r, err := pcap.NewReader(bytes.NewReader(file.buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	var iss uint32
	synSeen := false
	checked, bad := 0, 0
	for {
		f, _, err := r.Next()
		if err != nil {
			break
		}
		ip, err := wire.ParseIPv4(f[wire.EthernetHeaderLen:])
		if err != nil || ip.Protocol() != wire.IPProtoTCP || ip.Src() != netip.MustParseAddr("10.0.0.1") {
			continue
		}
		th, err := wire.ParseTCP(ip.Payload())
		if err != nil {
			continue
		}
		if th.Flags()&wire.TCPFlagSYN != 0 {
			iss, synSeen = th.Seq(), true
			continue
		}
		if p := th.Payload(); synSeen && len(p) > 0 {
			off := int(th.Seq() - iss - 1)
			checked++
			if off < 0 || off+len(p) > len(data) || !bytes.Equal(p, data[off:off+len(p)]) {
				bad++
			}
		}
	}
	if checked == 0 {
		t.Fatal("no data segment recorded")
	}
	if bad > 0 {
		t.Fatalf("%d of %d recorded segments hold other bytes than the ones sent", bad, checked)
	}
}
