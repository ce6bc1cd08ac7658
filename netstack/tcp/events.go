package tcp

// Events are what changed in a connection that its owner must act on.
// The Conn collects them as Input, Tick, Output and the user calls run;
// the stack takes them with TakeEvents after each call and turns them
// into wake-ups, so neither it nor package conn has to compare states to
// guess what happened.
type Events uint8

const (
	// EventEstablished: the handshake completed (RFC 9293 §3.5), by any
	// path: active open, passive open, or simultaneous open through
	// SYN-RECEIVED. A listener queues the connection for Accept; a dialer
	// returns it.
	EventEstablished Events = 1 << iota
	// EventReadable: data, the peer's FIN or an error became readable.
	EventReadable
	// EventWritable: room opened in the send buffer.
	EventWritable
	// EventClosed: the connection ended, normally or with Err.
	EventClosed
	// EventAcked: the peer acknowledged new data. That is forward
	// progress, proof that the path and the next hop work, which lets the
	// stack confirm its neighbour entry without probing (RFC 4861
	// §7.3.1).
	EventAcked
)

// TakeEvents returns the events collected since the last call and clears
// them.
func (c *Conn) TakeEvents() Events {
	ev := c.events
	c.events = 0
	return ev
}

// Connected reports whether the handshake ever completed: an
// EventEstablished was raised. It stays true after the connection closes.
func (c *Conn) Connected() bool { return c.connected }
