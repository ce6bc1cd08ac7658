package deadline

import (
	"math/rand/v2"
	"slices"
	"testing"
)

type item struct {
	slot Slot
	id   int
}

func (it *item) Slot() *Slot { return &it.slot }

// Random sets, moves and removes against a plain model: PopDue yields
// exactly the due items, earliest first.
func TestHeapAgainstModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var h Heap[*item]
	items := make([]*item, 200)
	model := map[int]int64{}
	for i := range items {
		items[i] = &item{id: i}
	}
	for round := 0; round < 20000; round++ {
		it := items[rng.IntN(len(items))]
		switch rng.IntN(4) {
		case 0, 1:
			at := rng.Int64N(1000)
			h.Set(it, at)
			model[it.id] = at
		case 2:
			h.Remove(it)
			delete(model, it.id)
		case 3:
			now := rng.Int64N(1000)
			var got []int64
			for {
				x, ok := h.PopDue(now)
				if !ok {
					break
				}
				if model[x.id] != x.slot.at || x.slot.at > now {
					t.Fatalf("popped %d at %d (model %d) for now %d", x.id, x.slot.at, model[x.id], now)
				}
				got = append(got, x.slot.at)
				delete(model, x.id)
			}
			if !slices.IsSorted(got) {
				t.Fatalf("popped out of order: %v", got)
			}
			for id, at := range model {
				if at <= now {
					t.Fatalf("item %d due at %d left in the heap at %d", id, at, now)
				}
			}
		}
		if h.Len() != len(model) {
			t.Fatalf("heap has %d items, model %d", h.Len(), len(model))
		}
	}
}

func TestHeapEmpty(t *testing.T) {
	var h Heap[*item]
	if _, ok := h.Next(); ok {
		t.Fatal("empty heap has a next deadline")
	}
	it := &item{}
	h.Remove(it) // not scheduled: nothing happens
	h.Set(it, 5)
	if at, ok := h.Next(); !ok || at != 5 {
		t.Fatalf("next %d %v", at, ok)
	}
	if _, ok := h.PopDue(4); ok {
		t.Fatal("popped an item not yet due")
	}
	if _, sched := it.slot.At(); !sched {
		t.Fatal("slot says unscheduled")
	}
}
