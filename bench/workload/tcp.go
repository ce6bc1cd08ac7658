package workload

import (
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/renet-go/renet/bench/stacks"
)

// BulkChunk is the bytes the client writes per TCPBulk op, and the size of
// the buffer the server reads into.
const BulkChunk = 64 << 10

// tcpPair returns the two ends of one established TCP connection on n,
// closed when b ends.
func tcpPair(b *testing.B, n stacks.Network) (client, server net.Conn) {
	b.Helper()
	l, err := n.ListenTCP()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { l.Close() })
	c, s, err := connect(n, l)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close(); s.Close() })
	return c, s
}

// connect dials l's port from n's client and accepts the connection. The
// dial completes before the accept (the handshake needs only the
// listener's backlog), so one goroutine can do both.
func connect(n stacks.Network, l net.Listener) (client, server net.Conn, err error) {
	c, err := n.DialTCP(portOf(l.Addr()))
	if err != nil {
		return nil, nil, fmt.Errorf("dial: %w", err)
	}
	s, err := l.Accept()
	if err != nil {
		c.Close()
		return nil, nil, fmt.Errorf("accept: %w", err)
	}
	return c, s, nil
}

// onlyReader and onlyWriter hide io.WriterTo and io.ReaderFrom so that
// io.CopyBuffer uses the buffer it is given: left to itself io.Copy would
// read renet's connection in 64 KiB chunks (its WriteTo) but gVisor's and
// the kernel's in 8 KiB ones (io.Discard's ReadFrom), which is a difference
// in the caller, not in the stacks.
type onlyReader struct{ io.Reader }
type onlyWriter struct{ io.Writer }

// TCPBulk measures one-way transfer on one connection: the client writes
// BulkChunk bytes per op and the server reads them into a BulkChunk buffer
// and discards them. The clock stops only once the server has read every
// byte, which it counts.
func TCPBulk(b *testing.B, impl stacks.Impl) {
	n := newNetwork(b, impl)
	c, s := tcpPair(b, n)
	type result struct {
		n   int64
		err error
	}
	done := make(chan result, 1)
	go func() {
		buf := make([]byte, BulkChunk)
		got, err := io.CopyBuffer(onlyWriter{io.Discard}, onlyReader{s}, buf)
		done <- result{got, err}
	}()
	buf := make([]byte, BulkChunk)
	b.SetBytes(BulkChunk)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := c.Write(buf); err != nil {
			b.Fatal(err)
		}
	}
	if err := c.(interface{ CloseWrite() error }).CloseWrite(); err != nil {
		b.Fatal(err)
	}
	r := <-done
	b.StopTimer()
	if r.err != nil {
		b.Fatalf("server read: %v", r.err)
	}
	if want := int64(b.N) * BulkChunk; r.n != want {
		b.Fatalf("server received %d bytes, want %d", r.n, want)
	}
}

// TCPRoundTrip measures a 1-byte request answered by a 1-byte reply on one
// connection; the server echoes, and the client checks each reply.
func TCPRoundTrip(b *testing.B, impl stacks.Impl) {
	n := newNetwork(b, impl)
	c, s := tcpPair(b, n)
	go func() {
		buf := make([]byte, 1)
		for {
			if _, err := io.ReadFull(s, buf); err != nil {
				return
			}
			if _, err := s.Write(buf); err != nil {
				return
			}
		}
	}()
	buf := make([]byte, 1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		buf[0] = byte(i)
		if _, err := c.Write(buf); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			b.Fatal(err)
		}
		if buf[0] != byte(i) {
			b.Fatalf("reply %d is %d", i, buf[0])
		}
	}
}

// TCPConnect measures one connection's life per op: dial, accept, the
// server closes, the client reads io.EOF and closes. The server closes
// first, as an HTTP/1.0 server does, so TIME-WAIT lands on the server's
// side, where a new SYN may reuse it (RFC 6191). With the client closing
// first, renet runs out of ephemeral ports (28,232, Linux's range) after
// that many connections within TIME-WAIT's 60 s, as Linux does off loopback.
//
// Besides ns/op it reports UnitStalls: how many dials took longer than
// StallThreshold, which on a lossless link means a SYN was dropped and sent
// again after the 1 s initial RTO, and UnitUnstalled, the mean time of the
// other ops, so that a few stalls do not hide the cost of the rest.
func TCPConnect(b *testing.B, impl stacks.Impl) {
	n := newNetwork(b, impl)
	l, err := n.ListenTCP()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { l.Close() })
	var buf [1]byte
	stalls := 0
	var unstalled time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		c, s, err := connect(n, l)
		if err != nil {
			b.Fatalf("connection %d: %v", i, err)
		}
		stalled := time.Since(start) > StallThreshold
		if portOf(c.LocalAddr()) != portOf(s.RemoteAddr()) {
			b.Fatalf("connection %d: accepted %v, dialled from %v", i, s.RemoteAddr(), c.LocalAddr())
		}
		s.Close()
		if k, err := c.Read(buf[:]); k != 0 || err != io.EOF {
			b.Fatalf("connection %d: client read %d, %v after the server closed; want io.EOF", i, k, err)
		}
		c.Close()
		if stalled {
			stalls++
		} else {
			unstalled += time.Since(start)
		}
	}
	b.ReportMetric(float64(stalls), UnitStalls)
	if stalls < b.N {
		b.ReportMetric(float64(unstalled.Nanoseconds())/float64(b.N-stalls), UnitUnstalled)
	}
}

// StallThreshold is the dial time beyond which TCPConnect counts a stall:
// far above any handshake on these links, well below a 1 s SYN timeout.
const StallThreshold = 100 * time.Millisecond

// UnitStalls is the unit of TCPConnect's stall count, a total over the run
// (not per op).
const UnitStalls = "stalls"

// UnitUnstalled is the unit of TCPConnect's mean time per op without the
// stalled ops.
const UnitUnstalled = "ns/unstalled-op"

// portOf returns the port of a *net.TCPAddr or *net.UDPAddr, or 0.
func portOf(a net.Addr) int {
	switch a := a.(type) {
	case *net.TCPAddr:
		return a.Port
	case *net.UDPAddr:
		return a.Port
	}
	return 0
}
