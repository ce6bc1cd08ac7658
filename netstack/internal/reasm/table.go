package reasm

// The datagram table is open addressing with linear probing over slot
// indices, sized to at least twice the datagrams pending. Unlike a Go map
// it never allocates once grown, however keys come and go: deletion
// shifts the following entries back instead of leaving tombstones.

const noSlot = -1

// lookup returns the slot holding k, whose hash is h, or noSlot.
func (r *Reassembler) lookup(k Key, h uint64) int32 {
	if len(r.table) == 0 {
		return noSlot
	}
	mask := uint64(len(r.table) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := r.table[i]
		if s == noSlot {
			return noSlot
		}
		if r.slots[s].hash == h && r.slots[s].key == k {
			return s
		}
	}
}

// index adds slot s, whose key is not yet in the table.
func (r *Reassembler) index(s int32) {
	if 2*(r.live+1) > len(r.table) {
		r.rehash(max(16, 2*len(r.table)))
	}
	mask := uint64(len(r.table) - 1)
	i := r.slots[s].hash & mask
	for r.table[i] != noSlot {
		i = (i + 1) & mask
	}
	r.table[i] = s
	r.live++
}

// unindex removes slot s from the table.
func (r *Reassembler) unindex(s int32) {
	mask := uint64(len(r.table) - 1)
	i := r.slots[s].hash & mask
	for r.table[i] != s {
		i = (i + 1) & mask
	}
	// Backward-shift deletion: move up every later entry of the probe run
	// whose home position does not lie cyclically in (i, j].
	for j := (i + 1) & mask; r.table[j] != noSlot; j = (j + 1) & mask {
		home := r.slots[r.table[j]].hash & mask
		var stays bool
		if i <= j {
			stays = i < home && home <= j
		} else {
			stays = i < home || home <= j
		}
		if !stays {
			r.table[i] = r.table[j]
			i = j
		}
	}
	r.table[i] = noSlot
	r.live--
}

// rehash rebuilds the table with n entries, n a power of two.
func (r *Reassembler) rehash(n int) {
	old := r.table
	r.table = make([]int32, n)
	for i := range r.table {
		r.table[i] = noSlot
	}
	mask := uint64(n - 1)
	for _, s := range old {
		if s == noSlot {
			continue
		}
		i := r.slots[s].hash & mask
		for r.table[i] != noSlot {
			i = (i + 1) & mask
		}
		r.table[i] = s
	}
}
