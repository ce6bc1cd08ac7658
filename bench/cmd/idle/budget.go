package main

import (
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"unsafe"

	"github.com/renet-go/renet/conn"
	"github.com/renet-go/renet/netstack"
	"github.com/renet-go/renet/netstack/tcp"
	"github.com/renet-go/renet/netstack/tcp/cc"
)

// budgetRow is one item of what an idle endpoint is made of: its struct
// size, and what one costs on the heap once rounded up to the allocator's
// size class (measured).
type budgetRow struct {
	what  string
	size  uintptr // unsafe.Sizeof; 0 where it does not apply
	heap  float64 // heap bytes per item, measured
	count string  // how many an endpoint has
}

// connKey has the layout of netstack's connection-table key (its
// unexported tuple): the two ends as netip.AddrPort.
type connKey struct{ local, remote netip.AddrPort }

// budget measures the pieces of an endpoint that can be reached from
// outside netstack, with a connection table of n entries as each stack
// will hold. Run it while the heap is small: every measurement collects
// garbage.
func budget(n int) []budgetRow {
	return []budgetRow{
		{"tcp.Conn (the TCB struct)", unsafe.Sizeof(tcp.Conn{}), heapCost(func() any { return new(tcp.Conn) }), "1"},
		{"tcp.NewConn(default Config), everything it allocates", 0, heapCost(func() any { return tcp.NewConn(tcp.Config{}) }), "1"},
		{"cc.CUBIC (the default controller, made at the handshake)", unsafe.Sizeof(cc.CUBIC{}), heapCost(func() any { return cc.NewCUBIC(tcp.DefaultMSS) }), "1"},
		{"netstack.TCPSocket", unsafe.Sizeof(netstack.TCPSocket{}), heapCost(func() any { return new(netstack.TCPSocket) }), "1"},
		{"chan struct{}, capacity 1 (readable, writable)", 0, heapCost(func() any { return make(chan struct{}, 1) }), "2"},
		{fmt.Sprintf("connection table entry, 2 x netip.AddrPort -> *TCPSocket (map of %d)", n), unsafe.Sizeof(connKey{}) + unsafe.Sizeof(uintptr(0)), mapCost(n), "1"},
		{"conn.TCPConn (conn layer only)", unsafe.Sizeof(conn.TCPConn{}), heapCost(func() any { return new(conn.TCPConn) }), "1"},
		{"*net.TCPAddr for IPv4 (laddr, raddr; conn layer only)", unsafe.Sizeof(net.TCPAddr{}), heapCost(func() any {
			return net.TCPAddrFromAddrPort(netip.MustParseAddrPort("10.9.0.1:80"))
		}), "2"},
		{"chan struct{}, unbuffered (closed, readClosed, 2 deadlines; conn layer only)", 0, heapCost(func() any { return make(chan struct{}) }), "4"},
	}
}

// heapCost is the live heap one alloc() result holds, averaged over
// enough of them to hide the noise.
func heapCost(alloc func() any) float64 {
	const k = 4096
	keep := make([]any, k)
	before := liveHeap()
	for i := range keep {
		keep[i] = alloc()
	}
	after := liveHeap()
	runtime.KeepAlive(keep)
	return float64(int64(after)-int64(before)) / k
}

// mapCost is the heap per entry of a map shaped like netstack's connection
// table holding n entries. Go's maps grow by doubling, so the figure moves
// between about x and 2x with n.
func mapCost(n int) float64 {
	before := liveHeap()
	m := make(map[connKey]*netstack.TCPSocket)
	a := netip.MustParseAddr("10.9.0.2")
	remote := netip.MustParseAddrPort("10.9.0.1:80")
	for i := range n {
		m[connKey{netip.AddrPortFrom(a, uint16(i)), netip.AddrPortFrom(remote.Addr(), uint16(i>>16))}] = nil
	}
	after := liveHeap()
	runtime.KeepAlive(m)
	return float64(int64(after)-int64(before)) / float64(n)
}

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
