package tcp

import "github.com/renet-go/renet/netstack/wire"

// Segment is the part of a TCP segment the connection machine reads and
// writes: everything in the header except ports, data offset, checksum and
// urgent pointer, which belong to the stack.
type Segment struct {
	Seq, Ack Seq
	Flags    wire.TCPFlags
	// Window is the raw window field as on the wire, before any scaling.
	Window  uint16
	Options wire.TCPOptions
	// Payload is the segment's data. In Input it is valid only during the
	// call (the Conn copies what it keeps). In Output it aliases the buffer
	// the caller passed.
	Payload []byte
	// Held, set by OutputFrame in OutputGather mode instead of Payload
	// for new data: the payload where it lies in the send buffer, in at
	// most two pieces (the buffer wraps around). The connection leaves
	// those bytes alone until the peer acknowledges them, which it can do
	// only once this segment has been sent, so the caller may write the
	// pieces to the link later without copying them first.
	Held [2][]byte
	// SegSize, set by Output only, says the payload spans several
	// segments of SegSize bytes (the last may be shorter) for the link to
	// cut (TSO): their headers are this one's, with sequence numbers
	// advanced, PSH and FIN on the last only. Zero: one segment.
	SegSize int
}

// DataLen is the length of the segment's data, in Payload or Held.
func (s *Segment) DataLen() int { return len(s.Payload) + len(s.Held[0]) + len(s.Held[1]) }
