// Package deadline is a min-heap of items ordered by a deadline, so the
// stack can arm one timer for the earliest of many (TIME-WAIT records,
// neighbour entries) and find what is due in O(log n), without sweeping
// every item on every timer run.
//
// Items carry their own Slot (the deadline and the heap position), so
// setting, moving and removing a deadline needs no lookup.
package deadline

// Slot is an item's place in a Heap. The zero Slot is not in any heap.
type Slot struct {
	at    int64 // the deadline, in the owner's clock units
	index int32 // position in the heap, plus one; 0 when not in it
}

// At returns the deadline the item is scheduled at, and whether it is
// scheduled at all.
func (s *Slot) At() (int64, bool) { return s.at, s.index > 0 }

// Item is anything with a Slot, usually a pointer to a struct that
// embeds one.
type Item interface{ Slot() *Slot }

// Heap is a min-heap of items by deadline. The zero Heap is empty and
// ready to use.
type Heap[T Item] struct {
	items []T
}

// Len is the number of scheduled items.
func (h *Heap[T]) Len() int { return len(h.items) }

// Set schedules it at deadline at, moving it if it is already scheduled.
func (h *Heap[T]) Set(it T, at int64) {
	s := it.Slot()
	if s.index == 0 {
		s.at = at
		h.items = append(h.items, it)
		s.index = int32(len(h.items))
		h.up(len(h.items) - 1)
		return
	}
	old := s.at
	s.at = at
	if i := int(s.index - 1); at < old {
		h.up(i)
	} else {
		h.down(i)
	}
}

// Remove unschedules it; it does nothing when it is not scheduled.
func (h *Heap[T]) Remove(it T) {
	s := it.Slot()
	if s.index == 0 {
		return
	}
	i, last := int(s.index-1), len(h.items)-1
	if i != last {
		h.swap(i, last)
	}
	var zero T
	h.items[last] = zero
	h.items = h.items[:last]
	s.index = 0
	if i != last {
		h.down(i)
		h.up(i)
	}
}

// Next returns the earliest deadline, and false when nothing is
// scheduled.
func (h *Heap[T]) Next() (int64, bool) {
	if len(h.items) == 0 {
		return 0, false
	}
	return h.items[0].Slot().at, true
}

// PopDue unschedules and returns the earliest item if its deadline is at
// or before now.
func (h *Heap[T]) PopDue(now int64) (T, bool) {
	var zero T
	if len(h.items) == 0 || h.items[0].Slot().at > now {
		return zero, false
	}
	it := h.items[0]
	h.Remove(it)
	return it, true
}

func (h *Heap[T]) less(i, j int) bool { return h.items[i].Slot().at < h.items[j].Slot().at }

func (h *Heap[T]) swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.items[i].Slot().index = int32(i + 1)
	h.items[j].Slot().index = int32(j + 1)
}

func (h *Heap[T]) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !h.less(i, p) {
			return
		}
		h.swap(i, p)
		i = p
	}
}

func (h *Heap[T]) down(i int) {
	n := len(h.items)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && h.less(r, l) {
			m = r
		}
		if !h.less(m, i) {
			return
		}
		h.swap(i, m)
		i = m
	}
}
