package netstack

import (
	"bytes"
	"net/netip"
	"testing"
	"time"

	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/link/pipe"
)

// watchLink records the IP IDs and PacketInfo of what a stack writes.
type watchLink struct {
	link.OffloadEndpoint
	ids   []uint16
	infos []link.PacketInfo
}

func (w *watchLink) WriteBatchInfo(pkts [][]byte, infos []link.PacketInfo) (int, error) {
	for i, p := range pkts {
		if len(p) > 14+20 && p[12] == 0x08 && p[13] == 0x00 {
			w.ids = append(w.ids, uint16(p[18])<<8|uint16(p[19]))
			w.infos = append(w.infos, infos[i])
		}
	}
	return w.OffloadEndpoint.WriteBatchInfo(pkts, infos)
}

// A TSO burst that has to wait for ARP keeps its description (it would
// otherwise reach the link as a 60 KB frame with a meaningless checksum),
// and the IP IDs the link gives its segments are not reused.
func TestGSOWaitsForARPWithItsInfo(t *testing.T) {
	ea, eb := pipe.New(pipe.Config{Offload: true, Seed: 5})
	w := &watchLink{OffloadEndpoint: ea}
	a, err := New(w, Config{Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.0.1/24")}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := New(eb, Config{Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.0.2/24")}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	l, err := b.ListenTCP(netip.MustParseAddrPort("10.0.0.2:80"), 0)
	if err != nil {
		t.Fatal(err)
	}
	sk, err := a.DialTCP(netip.AddrPort{}, netip.MustParseAddrPort("10.0.0.2:80"), nil)
	if err != nil {
		t.Fatal(err)
	}
	var srv *TCPSocket
	for deadline := time.Now().Add(5 * time.Second); srv == nil; time.Sleep(time.Millisecond) {
		srv, _ = l.TryAccept()
		if time.Now().After(deadline) {
			t.Fatal("no connection")
		}
	}
	// Forget the peer's MAC: the next burst waits for ARP.
	a.mu.Lock()
	for _, n := range a.neigh.m {
		a.deleteNeighbour(n, DropARPEvicted)
	}
	a.mu.Unlock()
	data := bytes.Repeat([]byte("0123456789"), 2000)
	if n, err := sk.TryWrite(data); err != nil || n != len(data) {
		t.Fatalf("write %d: %v", n, err)
	}
	got := make([]byte, 0, len(data))
	buf := make([]byte, 65536)
	for deadline := time.Now().Add(5 * time.Second); len(got) < len(data); time.Sleep(time.Millisecond) {
		if n, err := srv.TryRead(buf); err == nil {
			got = append(got, buf[:n]...)
		}
		if time.Now().After(deadline) {
			t.Fatalf("received %d of %d bytes", len(got), len(data))
		}
	}
	if !bytes.Equal(got, data) {
		t.Fatal("data corrupted")
	}
	if st := eb.Stats().Rx; st.Oversize != 0 {
		t.Fatalf("%d packets too large for the link: a GSO packet lost its description", st.Oversize)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	gso := false
	for i, info := range w.infos {
		if info.GSO == link.GSONone || i+1 >= len(w.ids) {
			continue
		}
		gso = true
		if d := w.ids[i+1] - w.ids[i]; int(d) < 2 {
			t.Fatalf("the packet after a GSO packet has IP ID %d, right after its %d", w.ids[i+1], w.ids[i])
		}
	}
	if !gso {
		t.Fatal("no GSO packet was sent")
	}
}
