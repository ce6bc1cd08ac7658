package pipe

import (
	"math/rand/v2"
	"net"
	"sync"
	"time"

	"github.com/renet-go/renet/link"
)

// direction is one way of a pipe: packets written at the sending end wait
// here until the receiving end reads them. Every field below mu is guarded
// by it.
type direction struct {
	cfg    *Config // shared by both directions; read-only after New
	maxLen int     // longest packet accepted, link header included
	gsoLen int     // longest GSO packet accepted (offloading pipes)
	vlan   bool    // Ethernet: a tagged frame may be 4 bytes longer
	timed  bool    // Delay, Jitter or Rate set: packets go through sched

	mu    sync.Mutex
	ready sync.Cond // L is &mu; signalled when ready gains packets or on close

	rng    *rand.Rand
	free   []*packet // recycled buffers
	queue  ring      // ready to read, in delivery order
	sched  schedule  // waiting for their due time
	held   *packet   // held back by Reorder until the next packet is ready
	holdTo time.Time // when held is released even if nothing follows
	queued int       // packets in queue, sched and held; at most QueueLen
	seq    uint64
	busyTo time.Time // when the rate-limited transmitter is free again

	timer    *time.Timer // the one timer of the scheduler, nil until needed
	quit     chan struct{}
	armed    bool
	armedFor time.Time

	senderClosed   bool
	receiverClosed bool
	stats          DirectionStats
}

func newDirection(cfg *Config, stream uint64) *direction {
	hdr := cfg.Medium.HeaderLen()
	d := &direction{
		cfg:    cfg,
		maxLen: cfg.MTU + hdr,
		gsoLen: MaxOffloadSegment + hdr,
		vlan:   cfg.Medium == link.Ethernet,
		timed:  cfg.Delay > 0 || cfg.Jitter > 0 || cfg.Rate > 0,
		rng:    rand.New(rand.NewPCG(cfg.Seed, stream)),
	}
	d.ready.L = &d.mu
	return d
}

// send queues copies of pkts for the receiver, applying the impairments.
func (d *direction) send(pkts [][]byte, tails [][2][]byte, infos []link.PacketInfo) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.senderClosed {
		return 0, net.ErrClosed
	}
	now := time.Now()
	before := d.queue.len()
	for i, b := range pkts {
		var info link.PacketInfo
		if i < len(infos) {
			info = infos[i]
		}
		var tail [2][]byte
		if i < len(tails) {
			tail = tails[i]
		}
		d.sendOne(b, tail, info, now)
	}
	if d.queue.len() > before {
		d.ready.Signal()
	}
	d.arm(now)
	return len(pkts), nil
}

// sendOne sends the packet b followed by the pieces of tail.
func (d *direction) sendOne(b []byte, tail [2][]byte, info link.PacketInfo, now time.Time) {
	d.stats.Sent++
	switch {
	case d.receiverClosed:
		d.stats.Unplugged++
		return
	case !d.fits(b, len(b)+len(tail[0])+len(tail[1]), info):
		d.stats.Oversize++
		return
	case d.chance(d.cfg.Loss):
		d.stats.Lost++
		return
	case d.queued >= d.cfg.QueueLen:
		d.stats.QueueDrops++
		return
	}
	p := d.get()
	p.n = copy(p.buf, b)
	p.n += copy(p.buf[p.n:], tail[0])
	p.n += copy(p.buf[p.n:], tail[1])
	p.info = info
	if d.chance(d.cfg.Corrupt) && p.n > 0 {
		bit := d.rng.IntN(p.n * 8)
		p.buf[bit/8] ^= 1 << (bit % 8)
		d.stats.Corrupted++
		// A corrupted packet has crossed a wire: nobody vouches for its
		// checksum any more (a partial one then fails, as it should).
		p.info.NeedsCsum, p.info.CsumValid = false, false
	}
	dup := d.chance(d.cfg.Duplicate)
	p.reorder = d.chance(d.cfg.Reorder)
	due := now
	if d.timed {
		due = d.dueTime(p.n, now)
	}
	var q *packet
	if dup {
		d.stats.Duplicated++
		if d.queued+1 >= d.cfg.QueueLen {
			d.stats.QueueDrops++
		} else {
			q = d.get()
			q.n = copy(q.buf, p.buf[:p.n])
			q.info = p.info
		}
	}
	d.enqueue(p, due, now)
	if q != nil {
		d.enqueue(q, due, now)
	}
}

// fits reports whether a packet of n bytes that starts with b is short
// enough to cross the link.
func (d *direction) fits(b []byte, n int, info link.PacketInfo) bool {
	if n <= d.maxLen {
		return true
	}
	if info.GSO != link.GSONone && d.cfg.Offload {
		return n <= d.gsoLen
	}
	// IEEE 802.1Q: a tagged frame carries 4 more bytes of header.
	return d.vlan && n <= d.maxLen+4 && len(b) >= 14 && b[12] == 0x81 && b[13] == 0x00
}

// chance returns true with probability p, drawing from the direction's
// stream only when the outcome is in doubt.
func (d *direction) chance(p float64) bool {
	switch {
	case p <= 0:
		return false
	case p >= 1:
		return true
	}
	return d.rng.Float64() < p
}

// dueTime returns when a packet of n bytes written at now reaches the
// receiver: after waiting for the transmitter and its own serialisation
// time (Rate), then Delay plus Jitter.
func (d *direction) dueTime(n int, now time.Time) time.Time {
	due := now
	if d.cfg.Rate > 0 {
		start := now
		if d.busyTo.After(start) {
			start = d.busyTo
		}
		d.busyTo = start.Add(time.Duration(int64(n) * int64(time.Second) / d.cfg.Rate))
		due = d.busyTo
	}
	due = due.Add(d.cfg.Delay)
	if d.cfg.Jitter > 0 {
		due = due.Add(time.Duration(d.rng.Int64N(int64(d.cfg.Jitter))))
	}
	return due
}

func (d *direction) enqueue(p *packet, due time.Time, now time.Time) {
	d.queued++
	if !d.timed {
		d.deliver(p, now)
		return
	}
	p.due = due
	p.seq = d.seq
	d.seq++
	d.sched.push(p)
}

// deliver makes p ready to read, unless Reorder holds it back. A held
// packet is released right after the next packet made ready.
func (d *direction) deliver(p *packet, now time.Time) {
	if d.held != nil {
		d.queue.push(p)
		d.queue.push(d.held)
		d.held = nil
		d.stats.Reordered++
		return
	}
	if p.reorder {
		d.held = p
		d.holdTo = now.Add(d.cfg.ReorderHold)
		return
	}
	d.queue.push(p)
}

// receive blocks until a packet is ready, then copies as many ready
// packets as fit into bufs.
func (d *direction) receive(bufs [][]byte, sizes []int, infos []link.PacketInfo) (int, error) {
	limit := min(len(bufs), len(sizes))
	d.mu.Lock()
	defer d.mu.Unlock()
	for d.queue.len() == 0 && !d.receiverClosed && limit > 0 {
		d.ready.Wait()
	}
	if d.receiverClosed {
		return 0, net.ErrClosed
	}
	n := 0
	for n < limit && d.queue.len() > 0 {
		p := d.queue.pop()
		d.queued--
		if infos == nil && !d.plain(p) {
			d.put(p)
			d.stats.Oversize++ // a GSO packet a plain reader cannot take
			continue
		}
		sizes[n] = copy(bufs[n], p.buf[:p.n])
		if n < len(infos) {
			infos[n] = p.info
		}
		d.put(p)
		d.stats.Delivered++
		n++
	}
	if d.queue.len() > 0 {
		// More than fitted: pass the wake-up on, in case another
		// reader is waiting.
		d.ready.Signal()
	}
	return n, nil
}

// plain readies p for a reader that takes no PacketInfo (ReadBatch):
// a partial checksum is completed in software, as a kernel does before a
// packet leaves on a wire; a GSO packet cannot be made plain (false).
func (d *direction) plain(p *packet) bool {
	if p.info.GSO != link.GSONone {
		return false
	}
	p.info.CompleteChecksum(p.buf[:p.n])
	return true
}

func (d *direction) get() *packet {
	if n := len(d.free); n > 0 {
		p := d.free[n-1]
		d.free[n-1] = nil
		d.free = d.free[:n-1]
		return p
	}
	size := d.maxLen
	if d.vlan {
		size += 4
	}
	if d.cfg.Offload {
		size = max(size, d.gsoLen)
	}
	return &packet{buf: make([]byte, size)}
}

func (d *direction) put(p *packet) {
	p.reorder = false
	p.info = link.PacketInfo{}
	d.free = append(d.free, p)
}

// closeSender makes later writes fail; packets in flight still arrive.
func (d *direction) closeSender() {
	d.mu.Lock()
	d.senderClosed = true
	d.mu.Unlock()
}

// closeReceiver discards what waits for the receiver, stops the scheduler
// and wakes a blocked reader.
func (d *direction) closeReceiver() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.receiverClosed {
		return
	}
	d.receiverClosed = true
	d.stats.Unplugged += uint64(d.queued)
	d.queued = 0
	d.queue, d.sched, d.held, d.free = ring{}, nil, nil, nil
	if d.timer != nil {
		d.timer.Stop()
		close(d.quit)
	}
	d.ready.Broadcast()
}

func (d *direction) snapshot() DirectionStats {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.stats
}
