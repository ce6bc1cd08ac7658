package vnet

import (
	"encoding/binary"

	"github.com/renet-go/renet/link"
)

// Len is the size of the header this package reads and writes.
const Len = 10

// Header flags (virtio_net_hdr.flags).
const (
	FlagNeedsCsum = 1 // VIRTIO_NET_HDR_F_NEEDS_CSUM
	FlagDataValid = 2 // VIRTIO_NET_HDR_F_DATA_VALID
)

// GSO types (virtio_net_hdr.gso_type).
const (
	GSONone  = 0    // VIRTIO_NET_HDR_GSO_NONE
	GSOTCPv4 = 1    // VIRTIO_NET_HDR_GSO_TCPV4
	GSOUDP   = 3    // VIRTIO_NET_HDR_GSO_UDP (UFO, IP fragmentation; never produced here)
	GSOTCPv6 = 4    // VIRTIO_NET_HDR_GSO_TCPV6
	GSOUDPL4 = 5    // VIRTIO_NET_HDR_GSO_UDP_L4
	GSOECN   = 0x80 // VIRTIO_NET_HDR_GSO_ECN: the first segment carries CWR
)

// Header is a decoded virtio_net_hdr.
type Header struct {
	Flags      uint8
	GSOType    uint8
	HdrLen     uint16
	GSOSize    uint16
	CsumStart  uint16
	CsumOffset uint16
}

// Decode reads a header from b, which must hold at least Len bytes.
func Decode(b []byte) (Header, bool) {
	if len(b) < Len {
		return Header{}, false
	}
	return Header{
		Flags:      b[0],
		GSOType:    b[1],
		HdrLen:     binary.LittleEndian.Uint16(b[2:]),
		GSOSize:    binary.LittleEndian.Uint16(b[4:]),
		CsumStart:  binary.LittleEndian.Uint16(b[6:]),
		CsumOffset: binary.LittleEndian.Uint16(b[8:]),
	}, true
}

// Encode writes h into b[:Len]. b must hold at least Len bytes.
func (h Header) Encode(b []byte) {
	_ = b[Len-1]
	b[0] = h.Flags
	b[1] = h.GSOType
	binary.LittleEndian.PutUint16(b[2:], h.HdrLen)
	binary.LittleEndian.PutUint16(b[4:], h.GSOSize)
	binary.LittleEndian.PutUint16(b[6:], h.CsumStart)
	binary.LittleEndian.PutUint16(b[8:], h.CsumOffset)
}

// FromInfo returns the header that asks the kernel for what pi describes
// about pkt, the packet as the link carries it. A TCP GSO packet whose
// first segment has CWR set gets the ECN bit, as Linux's own
// virtio_net_hdr_from_skb does for such segments, so the kernel keeps CWR
// on the first segment only. FromInfo does not check pi against pkt: the
// kernel refuses (EINVAL) a header it cannot honour.
func FromInfo(pi *link.PacketInfo, pkt []byte) Header {
	var h Header
	if pi.NeedsCsum {
		h.Flags = FlagNeedsCsum
		h.CsumStart, h.CsumOffset = pi.CsumStart, pi.CsumOffset
	}
	if pi.GSO == link.GSONone {
		return h
	}
	switch pi.GSO {
	case link.GSOTCPv4:
		h.GSOType = GSOTCPv4
	case link.GSOTCPv6:
		h.GSOType = GSOTCPv6
	case link.GSOUDPL4:
		h.GSOType = GSOUDPL4
	default:
		// Not a type the kernel knows; send it as is and let the kernel
		// refuse it.
		h.GSOType = uint8(pi.GSO)
	}
	h.GSOSize, h.HdrLen = pi.GSOSize, pi.HdrLen
	if (h.GSOType == GSOTCPv4 || h.GSOType == GSOTCPv6) && pi.NeedsCsum {
		if flags := int(pi.CsumStart) + 13; flags < len(pkt) && pkt[flags]&0x80 != 0 {
			h.GSOType |= GSOECN
		}
	}
	return h
}

// Fault says which parts of a received header Info could not trust and
// dropped. The zero Fault means none.
type Fault uint8

const (
	// FaultCsum: NEEDS_CSUM with a checksum field outside the packet.
	FaultCsum Fault = 1 << iota
	// FaultGSO: an unknown GSO type, a GSO size of zero, or transport
	// headers that cannot be found in the packet.
	FaultGSO
)

// Info translates a received header into the PacketInfo for pkt, the
// packet as read (link header included, possibly cut short by a small
// buffer: then truncated is set and no offload state is reported, since
// it describes bytes that are not there).
//
// The rules, for input the kernel (or anything posing as it) got wrong:
//   - NEEDS_CSUM is kept only if the two-byte checksum field at
//     CsumStart+CsumOffset lies inside pkt;
//   - a GSO type is kept only if it is TCPv4, TCPv6 or UDP_L4 with a
//     non-zero size, and its transport header (the one the checksum
//     fields point at) lies inside pkt. HdrLen is then computed from that
//     header (the kernel sends the length of its skb's linear part there,
//     a hint that may include payload), not taken from the kernel;
//   - a GSO packet whose payload fits in one segment is reported as an
//     ordinary packet, as the kernel itself treats it;
//   - the ECN bit is ignored: the CWR flag it mirrors is in the packet.
func (h Header) Info(pkt []byte, truncated bool) (link.PacketInfo, Fault) {
	var pi link.PacketInfo
	var f Fault
	if truncated {
		return pi, 0
	}
	n := len(pkt)
	if h.Flags&FlagNeedsCsum != 0 {
		if int(h.CsumStart)+int(h.CsumOffset)+2 <= n {
			pi.NeedsCsum = true
			pi.CsumStart, pi.CsumOffset = h.CsumStart, h.CsumOffset
		} else {
			f |= FaultCsum
		}
	}
	if h.Flags&FlagDataValid != 0 {
		pi.CsumValid = true
	}
	gt := h.GSOType &^ GSOECN
	if gt == GSONone {
		return pi, f
	}
	var typ link.GSOType
	switch gt {
	case GSOTCPv4:
		typ = link.GSOTCPv4
	case GSOTCPv6:
		typ = link.GSOTCPv6
	case GSOUDPL4:
		typ = link.GSOUDPL4
	default:
		return pi, f | FaultGSO
	}
	if h.GSOSize == 0 || !pi.NeedsCsum {
		// Without the checksum offsets the transport header cannot be
		// found (the kernel always sends them with GSO).
		return pi, f | FaultGSO
	}
	th := int(pi.CsumStart)
	var hdrLen int
	if typ == link.GSOUDPL4 {
		hdrLen = th + 8
	} else {
		if th+13 > n {
			return pi, f | FaultGSO
		}
		hdrLen = th + int(pkt[th+12]>>4)*4
		if hdrLen < th+20 {
			return pi, f | FaultGSO
		}
	}
	if hdrLen > n {
		return pi, f | FaultGSO
	}
	if n-hdrLen <= int(h.GSOSize) {
		return pi, f // one segment: an ordinary packet
	}
	pi.GSO, pi.GSOSize, pi.HdrLen = typ, h.GSOSize, uint16(hdrLen)
	return pi, f
}
