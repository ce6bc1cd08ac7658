//go:build !race

package fdio

import "testing"

// The race detector instruments allocations, so this only runs without it.
func TestBatchesDoNotAllocate(t *testing.T) {
	f, peer := pair(t)
	bufs, sizes := makeBufs(4, 64)
	out := [][]byte{[]byte("ping"), []byte("pong")}
	rbuf := make([]byte, 64)
	allocs := testing.AllocsPerRun(100, func() {
		send(t, peer, "a", "b", "c")
		if n, err := f.ReadBatch(bufs, sizes); n != 3 || err != nil {
			t.Fatalf("ReadBatch = %d, %v", n, err)
		}
		if n, err := f.WriteBatch(out); n != 2 || err != nil {
			t.Fatalf("WriteBatch = %d, %v", n, err)
		}
		for range out {
			readPeer(t, peer, rbuf)
		}
	})
	if allocs != 0 {
		t.Fatalf("ReadBatch+WriteBatch allocate %.1f times per batch, want 0", allocs)
	}
}

func TestHeaderBatchesDoNotAllocate(t *testing.T) {
	f, peer := pair(t)
	hdrs, _ := makeBufs(4, 10)
	bufs, sizes := makeBufs(4, 64)
	hdr := make([]byte, 10)
	pkt := []byte("ping")
	rbuf := make([]byte, 64)
	allocs := testing.AllocsPerRun(100, func() {
		send(t, peer, "0123456789a", "0123456789b")
		if n, err := f.ReadBatchHeader(hdrs, bufs, sizes); n != 2 || err != nil {
			t.Fatalf("ReadBatchHeader = %d, %v", n, err)
		}
		if err := f.WriteHeader(hdr, pkt); err != nil {
			t.Fatal(err)
		}
		readPeer(t, peer, rbuf)
		if err := f.WriteHeader(hdr, pkt[:2], pkt[2:3], pkt[3:]); err != nil {
			t.Fatal(err)
		}
		readPeer(t, peer, rbuf)
	})
	if allocs != 0 {
		t.Fatalf("ReadBatchHeader+WriteHeader allocate %.1f times per batch, want 0", allocs)
	}
}
