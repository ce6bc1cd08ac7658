package pipe

import "time"

// arm makes sure the scheduler will wake at the earliest of the next due
// packet and the release of a held one. It starts the scheduler goroutine
// the first time it is needed. The caller holds d.mu.
func (d *direction) arm(now time.Time) {
	if d.receiverClosed {
		return
	}
	var next time.Time
	if d.sched.len() > 0 {
		next = d.sched.min().due
	}
	if d.held != nil && (next.IsZero() || d.holdTo.Before(next)) {
		next = d.holdTo
	}
	if next.IsZero() || d.armed && !next.Before(d.armedFor) {
		return
	}
	wait := next.Sub(now)
	if d.timer == nil {
		d.timer = time.NewTimer(wait)
		d.quit = make(chan struct{})
		go d.run(d.timer.C, d.quit)
	} else {
		// Since Go 1.23 Reset discards a pending tick, so the scheduler
		// never sees a stale one; an early wake-up is harmless anyway.
		d.timer.Reset(wait)
	}
	d.armed, d.armedFor = true, next
}

// run is the direction's scheduler: it wakes when the timer fires and
// stops when the receiver closes.
func (d *direction) run(tick <-chan time.Time, quit <-chan struct{}) {
	for {
		select {
		case <-tick:
			d.fire()
		case <-quit:
			return
		}
	}
}

// fire moves every due packet to the ready queue, releases a held packet
// whose wait is over, and re-arms the timer for what remains.
func (d *direction) fire() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.armed = false
	if d.receiverClosed {
		return
	}
	now := time.Now()
	before := d.queue.len()
	for d.sched.len() > 0 && !d.sched.min().due.After(now) {
		d.deliver(d.sched.pop(), now)
	}
	if d.held != nil && !d.holdTo.After(now) {
		d.queue.push(d.held)
		d.held = nil
	}
	if d.queue.len() > before {
		d.ready.Signal()
	}
	d.arm(now)
}
