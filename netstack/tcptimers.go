package netstack

import (
	"container/heap"
	"time"
)

// tcpTimers is a min-heap of connections ordered by their TCB's next
// deadline, so the stack's single timer can be armed for the earliest one
// without scanning every connection.
type tcpTimers []*TCPSocket

func (h tcpTimers) Len() int           { return len(h) }
func (h tcpTimers) Less(i, j int) bool { return h[i].deadline.Before(h[j].deadline) }
func (h tcpTimers) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].heapIndex = i
	h[j].heapIndex = j
}
func (h *tcpTimers) Push(x any) {
	sk := x.(*TCPSocket)
	sk.heapIndex = len(*h)
	*h = append(*h, sk)
}
func (h *tcpTimers) Pop() any {
	old := *h
	sk := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	sk.heapIndex = -1
	return sk
}

// set places sk in the heap at deadline d, or removes it when d is zero.
func (h *tcpTimers) set(sk *TCPSocket, d time.Time) {
	switch {
	case d.IsZero() && sk.heapIndex >= 0:
		heap.Remove(h, sk.heapIndex)
	case d.IsZero():
	case sk.heapIndex >= 0:
		if !d.Equal(sk.deadline) {
			sk.deadline = d
			heap.Fix(h, sk.heapIndex)
		}
	default:
		sk.deadline = d
		heap.Push(h, sk)
	}
	if d.IsZero() {
		sk.deadline = time.Time{}
	}
}

// next is the earliest deadline (zero if none).
func (h tcpTimers) next() time.Time {
	if len(h) == 0 {
		return time.Time{}
	}
	return h[0].deadline
}
