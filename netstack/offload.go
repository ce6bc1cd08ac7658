package netstack

import (
	"encoding/binary"
	"net/netip"

	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/netstack/wire"
)

// Offload: a link that implements link.OffloadEndpoint and reports
// offloads gets a link.PacketInfo with every packet both ways.
//
//   - Received packets whose transport checksum the link verified, or that
//     never crossed a wire (the kernel's own, with partial checksums), are
//     not checked again; nor are packets delivered over loopback.
//   - With Offload.GRO the driver reads into buffers of MaxSegment bytes,
//     so TCP takes coalesced segments whole.
//   - With Offload.Checksum, TCP segments leave with a partial checksum
//     (the pseudo-header sum only) for the link to complete. A packet that
//     waits for neighbour resolution keeps its description beside it; one
//     that must be fragmented is completed in software first.

// outPacket is a packet in the output queue with its offload state. A
// TCP segment sent straight from its connection's send buffer (gather)
// has its payload in body and only its headers in *p, a small buffer
// (headersOnly): the link writes the pieces, or materialize joins them for
// a path that needs the packet whole.
type outPacket struct {
	p     *[]byte
	info  link.PacketInfo
	body  [2][]byte
	owner *TCPSocket // a TCP connection's, counted in its small queue
}

// bodyLen is the length of the payload held outside *p.
func (o *outPacket) bodyLen() int { return len(o.body[0]) + len(o.body[1]) }

// size is the length of the whole packet.
func (o *outPacket) size() int { return len(*o.p) + o.bodyLen() }

// headersOnly moves the headers of a packet in pieces, built in a buffer
// with room for the whole packet (the last bodyLen bytes unfilled), into
// a small buffer of their own, and gives the large one back: a TSO burst
// waiting for the link then pins 1.5 KiB, not 64. Called with mu held.
func (s *Stack) headersOnly(o *outPacket) {
	n := o.bodyLen()
	if n == 0 {
		return
	}
	hdr := len(*o.p) - n
	q := s.getBuf(hdr)
	*q = (*q)[:copy(*q, (*o.p)[:hdr])]
	s.putBuf(o.p)
	o.p = q
}

// materialize joins the headers and the body of a packet in pieces in one
// buffer, making it whole.
func (s *Stack) materialize(o *outPacket) {
	n := o.bodyLen()
	if n == 0 {
		return
	}
	hdr := len(*o.p)
	q := s.getBuf(hdr + n)
	*q = (*q)[:hdr+n]
	copy(*q, *o.p)
	materializeBody(*q, o.body)
	s.putBuf(o.p)
	o.p, o.body = q, [2][]byte{}
}

// materializeBody copies body into the end of pkt.
func materializeBody(pkt []byte, body [2][]byte) {
	n := len(body[0]) + len(body[1])
	if n == 0 {
		return
	}
	at := len(pkt) - n
	at += copy(pkt[at:], body[0])
	copy(pkt[at:], body[1])
}

// gather reports whether TCP may leave new data in the send buffer for
// the link to write from there: the link writes packets in pieces and
// completes checksums, so no one reads the payload before the kernel.
func (s *Stack) gather() bool { return s.gep != nil && s.offload.Checksum }

// setupOffload looks at what the link offers. Called from New.
func (s *Stack) setupOffload() {
	oep, ok := s.ep.(link.OffloadEndpoint)
	if !ok {
		return
	}
	off := s.ep.Offload()
	if !off.TSO && !off.Checksum && !off.GRO {
		return
	}
	off.MaxSegment = min(off.MaxSegment, maxGROPacket) // an IPv4 packet's limit
	s.oep, s.offload = oep, off
	s.gep, _ = oep.(link.GatherEndpoint)
}

// groReadBatch is how many packets the driver reads at once from a GRO
// link: each buffer holds 64 KiB, so a batch of 64 would pin 4 MiB per
// stack; 8 coalesced segments are already half a megabyte of data.
const groReadBatch = 8

// readBatchLen is how many packets the driver asks the link for at once.
func (s *Stack) readBatchLen() int {
	if s.offload.GRO {
		return groReadBatch
	}
	return readBatch
}

// readBufSize is the size of each driver read buffer: a frame, or the
// largest coalesced segment a GRO link hands up.
func (s *Stack) readBufSize() int {
	if s.offload.GRO {
		return max(s.frameSize, s.offload.MaxSegment+18)
	}
	return s.frameSize
}

// partialChecksum fills the checksum field of the transport header at
// b[0:], which starts at offset start in the link packet, with the folded
// pseudo-header sum, and returns the description that asks the link to
// complete it (csumOffset is where the field sits in the header).
func partialChecksum(b []byte, start, csumOffset int, src, dst netip.Addr, proto wire.IPProto) link.PacketInfo {
	binary.BigEndian.PutUint16(b[csumOffset:], ^wire.Finish(wire.PseudoHeaderSum(src, dst, proto, len(b))))
	return link.PacketInfo{NeedsCsum: true, CsumStart: uint16(start), CsumOffset: uint16(csumOffset)}
}

// tso reports whether TCP may hand the link segments for it to cut: the
// link must do TSO and complete checksums (a GSO packet's checksum is
// always left partial, as virtio-net requires).
func (s *Stack) tso() bool {
	return s.offload.TSO && s.offload.Checksum && s.offload.MaxSegment > s.mtu
}

// gsoInfo describes a TCP segment of n bytes (header hl bytes) whose
// payload the link is to cut into segments of segSize bytes.
func (s *Stack) gsoInfo(info link.PacketInfo, dst netip.Addr, hl, segSize int) link.PacketInfo {
	info.GSO = link.GSOTCPv4
	if !dst.Is4() {
		info.GSO = link.GSOTCPv6
	}
	info.GSOSize = uint16(segSize)
	info.HdrLen = uint16(s.transportOffset(dst) + hl)
	return info
}

// gsoSegments is how many segments the link cuts a packet of n bytes
// into (1 for an ordinary packet).
func gsoSegments(info link.PacketInfo, n int) int {
	if info.GSO == link.GSONone || info.GSOSize == 0 {
		return 1
	}
	payload := n - int(info.HdrLen)
	return max((payload+int(info.GSOSize)-1)/int(info.GSOSize), 1)
}
