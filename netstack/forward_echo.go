package netstack

import (
	"net"
	"net/netip"
	"time"

	"github.com/renet-go/renet/netstack/wire"
)

// EchoRequest is an ICMP echo request (a ping) a client sent to an
// address the stack does not own. The stack does not answer it: the user
// pings Dst itself, and calls Reply only if Dst answered.
type EchoRequest struct {
	f *Forwarder
	// Src is the client, Dst the address it pinged.
	Src, Dst netip.Addr
	// ID, Seq and Data are the request's identifier, sequence number
	// and data, which the reply carries back unchanged.
	ID, Seq uint16
	Data    []byte
	// TTL is the request's time to live as it arrived.
	TTL     uint8
	arrived time.Time
}

// TryAcceptEcho returns the next echo request, or ErrWouldBlock when none
// waits; net.ErrClosed once the forwarder or the stack is closed.
// Readiness is signalled on EchoReady. Requests older than
// ForwarderConfig.EchoMaxAge are discarded rather than returned: their
// client has given up on them.
func (f *Forwarder) TryAcceptEcho() (*EchoRequest, error) {
	f.s.mu.Lock()
	defer f.s.mu.Unlock()
	if f.closed || f.s.closing {
		return nil, net.ErrClosed
	}
	now := time.Now()
	for {
		e, ok := f.echoes.pop()
		if !ok {
			return nil, ErrWouldBlock
		}
		if now.Sub(e.arrived) > f.cfg.EchoMaxAge {
			f.stats.EchoDropped++
			continue
		}
		if f.echoes.len() > 0 {
			notify(f.echoReady)
		}
		return e, nil
	}
}

// EchoReady receives a token when an echo request may be waiting.
func (f *Forwarder) EchoReady() <-chan struct{} { return f.echoReady }

// forwardEcho queues an echo request to an address we do not own for the
// user, or drops it when the queue is full. Called with s.mu held.
func (s *Stack) forwardEcho(now time.Time, d *datagram, id, seq uint16, data []byte) {
	if !s.takes() {
		return
	}
	f := s.fwd
	if f.echoes.len() >= f.cfg.MaxPendingEcho {
		f.stats.EchoDropped++
		return
	}
	e := &EchoRequest{
		f: f, Src: d.src, Dst: d.dst, ID: id, Seq: seq,
		Data: append([]byte(nil), data...), TTL: d.ttl, arrived: now,
	}
	f.echoes.push(e)
	f.stats.EchoRequests++
	notify(f.echoReady)
}

// Reply sends the echo reply, from Dst, as the destination's own reply
// would have been (RFC 792: same identifier, sequence number and data).
func (e *EchoRequest) Reply() error {
	s := e.f.s
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return net.ErrClosed
	}
	now := time.Now()
	n := wire.ICMPv4HeaderLen + len(e.Data)
	p := s.newPacket(e.Src, n)
	b := (*p)[s.transportOffset(e.Src):]
	copy(b[wire.ICMPv4HeaderLen:n], e.Data)
	o := ipOut{proto: wire.IPProtoICMP, src: e.Dst, dst: e.Src}
	if is6(e.Src) {
		o.proto = wire.IPProtoICMPv6
		(&wire.ICMPv6Fields{Type: wire.ICMPv6EchoReply, Rest: wire.EchoRest(e.ID, e.Seq)}).Encode(b[:n], e.Dst, e.Src)
	} else {
		(&wire.ICMPv4Fields{Type: wire.ICMPEchoReply, Rest: wire.EchoRest(e.ID, e.Seq)}).Encode(b[:n])
	}
	err := s.sendIP(now, p, &o, n)
	if err == nil {
		s.stats.ICMPOut++
		s.stats.EchoRepliesOut++
		e.f.stats.EchoReplies++
	}
	s.armTimer(now)
	s.mu.Unlock()
	s.flush()
	return err
}

// Refuse tells the client its ping could not be delivered, as the
// upstream's failure says: ICMP network or host unreachable, or
// administratively prohibited, sent as Dst and quoting the request, so
// `ping` prints "Destination Host Unreachable" rather than nothing.
// RefuseReset and RefuseSilently send nothing (a ping has no port to
// refuse).
func (e *EchoRequest) Refuse(how Refusal) error {
	v6 := is6(e.Src)
	code, ok := how.icmpCode(wire.IPProtoICMP)
	if v6 {
		code, ok = how.icmpv6Code(wire.IPProtoICMPv6)
	}
	if !ok {
		return nil
	}
	// The request as it came, for the error to quote.
	msg := make([]byte, wire.ICMPv4HeaderLen+len(e.Data))
	copy(msg[wire.ICMPv4HeaderLen:], e.Data)
	var hbuf [wire.IPv6HeaderLen]byte
	h := hbuf[:netHeaderLen(e.Src)]
	proto := wire.IPProtoICMP
	if v6 {
		proto = wire.IPProtoICMPv6
		(&wire.ICMPv6Fields{Type: wire.ICMPv6EchoRequest, Rest: wire.EchoRest(e.ID, e.Seq)}).Encode(msg, e.Src, e.Dst)
		(&wire.IPv6Fields{NextHeader: proto, HopLimit: e.TTL, Src: e.Src, Dst: e.Dst}).Encode(h, len(msg))
	} else {
		(&wire.ICMPv4Fields{Type: wire.ICMPEchoRequest, Rest: wire.EchoRest(e.ID, e.Seq)}).Encode(msg)
		(&wire.IPv4Fields{Protocol: proto, Src: e.Src, Dst: e.Dst, TTL: e.TTL}).Encode(h, len(msg))
	}

	s := e.f.s
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return net.ErrClosed
	}
	now := time.Now()
	d := datagram{src: e.Src, dst: e.Dst, proto: proto, firstFragment: true, header: h, payload: msg}
	if v6 {
		s.sendICMPv6Error(now, &d, wire.ICMPv6DestUnreachable, code, 0, false)
	} else {
		s.sendICMPError(now, &d, wire.ICMPDestUnreachable, code)
	}
	e.f.stats.EchoRefused++
	s.armTimer(now)
	s.mu.Unlock()
	s.flush()
	return nil
}
