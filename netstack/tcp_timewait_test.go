package netstack

import (
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/renet-go/renet/netstack/tcp"
)

// A TIME-WAIT record costs a few hundred bytes, not a connection's
// kilobytes: the table, heap entry and record for 100,000 4-tuples.
func TestTimeWaitRecordMemory(t *testing.T) {
	s, _ := newTestStack(t)
	const n = 100000
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	now := time.Now()
	s.mu.Lock()
	for i := range n {
		remote := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 1, byte(i >> 16), byte(i >> 8)}), uint16(i))
		s.addTimeWait(now, tuple{netip.AddrPortFrom(ourIP, 80), remote}, tcp.TimeWaitRecord{})
	}
	s.mu.Unlock()
	per := float64(heap()-before) / n
	t.Logf("%.0f bytes of heap per TIME-WAIT record", per)
	if st := s.Stats(); st.TCPTimeWait != n {
		t.Fatalf("%d records", st.TCPTimeWait)
	}
	if per > 512 {
		t.Fatalf("%.0f bytes per TIME-WAIT record", per)
	}
}
