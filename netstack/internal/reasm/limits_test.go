package reasm

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"
)

// checkInvariants recomputes the Reassembler's bookkeeping from scratch
// and fails if it disagrees with the running counts or breaks a bound.
func checkInvariants(t testing.TB, r *Reassembler) {
	t.Helper()
	if r.Len() > r.cfg.MaxDatagrams {
		t.Fatalf("Len=%d > MaxDatagrams=%d", r.Len(), r.cfg.MaxDatagrams)
	}
	if r.Bytes() > r.cfg.MaxBytes {
		t.Fatalf("Bytes=%d > MaxBytes=%d", r.Bytes(), r.cfg.MaxBytes)
	}
	if r.pending+r.cached > r.cfg.MaxBytes {
		t.Fatalf("memory held %d+%d > MaxBytes=%d", r.pending, r.cached, r.cfg.MaxBytes)
	}
	pending, n := 0, 0
	var prev time.Time
	for s := r.oldest; s != noSlot; s = r.slots[s].newer {
		d := &r.slots[s]
		if n > 0 && d.first.Before(prev) {
			t.Fatalf("age list out of order")
		}
		prev = d.first
		if r.lookup(d.key, d.key.hash(r.seed)) != s {
			t.Fatalf("slot %d not found by its key", s)
		}
		pending += d.buf.cost()
		n++
	}
	if n != r.Len() {
		t.Fatalf("age list has %d datagrams, Len=%d", n, r.Len())
	}
	indexed := 0
	for _, s := range r.table {
		if s != noSlot {
			indexed++
		}
	}
	if indexed != n {
		t.Fatalf("table indexes %d datagrams, age list has %d", indexed, n)
	}
	if pending != r.pending {
		t.Fatalf("pending buffers cost %d, counted %d", pending, r.pending)
	}
	cached := 0
	if r.out.data != nil {
		cached += r.out.cost()
	}
	for c := range r.free {
		cached += len(r.free[c]) * classCost(c)
	}
	if cached != r.cached {
		t.Fatalf("cached buffers cost %d, counted %d", cached, r.cached)
	}
}

func TestTableFullEvictsOldest(t *testing.T) {
	r := New(Config{MaxDatagrams: 2})
	keys := make([]Key, 3)
	for i := range keys {
		keys[i] = key1
		keys[i].ID = uint32(100 + i)
		if _, _, err := r.Add(t0.Add(time.Duration(i)*time.Second), keys[i], 0, true, make([]byte, 8)); err != nil {
			t.Fatalf("datagram %d: %v", i, err)
		}
		checkInvariants(t, r)
	}
	if r.Len() != 2 || r.Evicted() != 1 {
		t.Fatalf("Len=%d Evicted=%d, want 2 1", r.Len(), r.Evicted())
	}
	// The newest two are intact; the oldest is gone (newest first, so
	// the fragment starting it anew evicts nobody we still check).
	for i := len(keys) - 1; i >= 0; i-- {
		_, done, err := r.Add(t0.Add(3*time.Second), keys[i], 8, false, make([]byte, 8))
		if err != nil {
			t.Fatalf("datagram %d: %v", i, err)
		}
		if want := i != 0; done != want {
			t.Fatalf("datagram %d: done=%v, want %v", i, done, want)
		}
	}
}

func TestByteBudgetEvictsOldest(t *testing.T) {
	// Room for two 32 KiB buffers, not three.
	r := New(Config{MaxBytes: 2*classCost(classFor(32<<10)) + 100})
	keys := make([]Key, 3)
	for i := range keys {
		keys[i] = key1
		keys[i].ID = uint32(i)
		// A final fragment ending at 30000 sizes the buffer at once.
		if _, _, err := r.Add(t0, keys[i], 29992, false, make([]byte, 8)); err != nil {
			t.Fatalf("datagram %d: %v", i, err)
		}
		checkInvariants(t, r)
	}
	if r.Len() != 2 || r.Evicted() != 1 {
		t.Fatalf("Len=%d Evicted=%d, want 2 1", r.Len(), r.Evicted())
	}
	if r.lookup(keys[0], keys[0].hash(r.seed)) != noSlot {
		t.Fatal("the oldest datagram survived; a newer one was evicted")
	}
}

func TestGrowEvictsOthersNotItself(t *testing.T) {
	// Two small datagrams fill the budget; the older one then grows to
	// 64 KiB, which needs the other's room: the other goes, the grower
	// completes.
	budget := classCost(classFor(maxBufferLen)) + classCost(0) - 1
	r := New(Config{MaxBytes: budget})
	k2 := key1
	k2.ID++
	p := pattern(60000, 2)
	if _, _, err := r.Add(t0, key1, 0, true, p[:1024]); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.Add(t0.Add(time.Second), k2, 0, true, make([]byte, 1024)); err != nil {
		t.Fatal(err)
	}
	got, done, err := r.Add(t0.Add(2*time.Second), key1, 1024, false, p[1024:])
	if err != nil || !done || !bytes.Equal(got, p) {
		t.Fatalf("growing datagram: done=%v err=%v", done, err)
	}
	checkInvariants(t, r)
	if r.Len() != 0 || r.Evicted() != 1 {
		t.Fatalf("Len=%d Evicted=%d, want 0 1", r.Len(), r.Evicted())
	}
}

func TestBufferBeyondBudgetIsErrLimit(t *testing.T) {
	// A budget smaller than a 64 KiB buffer: small datagrams work, a
	// large one is refused without evicting the others.
	r := New(Config{MaxBytes: 20000})
	k2 := key1
	k2.ID++
	if _, _, err := r.Add(t0, k2, 0, true, make([]byte, 8)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.Add(t0, key1, 40000, false, make([]byte, 8)); !errors.Is(err, ErrLimit) {
		t.Fatalf("new datagram needing 64 KiB: err=%v, want ErrLimit", err)
	}
	if r.Len() != 1 || r.Evicted() != 0 {
		t.Fatalf("Len=%d Evicted=%d, want 1 0", r.Len(), r.Evicted())
	}
	// An existing datagram growing past the budget is dropped.
	if _, _, err := r.Add(t0, key1, 0, true, make([]byte, 8)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.Add(t0, key1, 40000, false, make([]byte, 8)); !errors.Is(err, ErrLimit) {
		t.Fatalf("growing datagram: err=%v, want ErrLimit", err)
	}
	if r.lookup(key1, key1.hash(r.seed)) != noSlot || r.Len() != 1 {
		t.Fatalf("datagram that cannot fit was kept: Len=%d", r.Len())
	}
	checkInvariants(t, r)
}

func TestFloodKeepsBounds(t *testing.T) {
	// Random fragments from many sources at a small table and budget:
	// after every call the bounds hold and the bookkeeping adds up.
	// Meanwhile a well-formed datagram sent in the flood's last moments
	// still reassembles.
	cfg := Config{MaxDatagrams: 16, MaxBytes: 256 << 10, Timeout: 5 * time.Second}
	r := New(cfg)
	rng := rand.New(rand.NewPCG(7, 9))
	buf := make([]byte, 65535)
	now := t0
	for i := range 50000 {
		now = now.Add(time.Duration(rng.IntN(200)) * time.Microsecond)
		k := Key{
			Src:   netip.AddrFrom4([4]byte{10, 0, byte(rng.IntN(4)), byte(rng.IntN(8))}),
			Dst:   netip.AddrFrom4([4]byte{10, 0, 0, 1}),
			ID:    uint32(rng.IntN(4)),
			Proto: 17,
		}
		off := rng.IntN(8192) * 8
		if rng.IntN(2) == 0 {
			off = rng.IntN(16) * 8
		}
		n := 8 * (1 + rng.IntN(200))
		if rng.IntN(8) == 0 {
			n = rng.IntN(len(buf)) // also malformed and oversized ones
		}
		r.Add(now, k, off, rng.IntN(4) != 0, buf[:n])
		if i%16 == 0 {
			r.Expire(now)
		}
		checkInvariants(t, r)
	}
	p := pattern(5000, 0x42)
	legit := Key{Src: netip.MustParseAddr("192.0.2.1"), Dst: netip.MustParseAddr("192.0.2.2"), ID: 7, Proto: 17}
	if got := feed(t, r, now, legit, fragment(p, 1480)); !bytes.Equal(got, p) {
		t.Fatal("datagram reassembled wrong after the flood")
	}
}
