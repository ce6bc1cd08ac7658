package wire

import (
	"encoding/binary"
	"net/netip"
)

// IPv4MinHeaderLen is the length of an IPv4 header without options.
const IPv4MinHeaderLen = 20

// IPv4 header flag bits, in the high bits of the 16-bit flags/fragment
// offset word (RFC 791 §3.1).
const (
	ipv4FlagDF      = 0x4000
	ipv4FlagMF      = 0x2000
	ipv4FragOffMask = 0x1fff
)

// IPv4 is a view of an IPv4 packet (RFC 791 §3.1):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|Version|  IHL  |Type of Service|          Total Length         |
//	|         Identification        |Flags|      Fragment Offset    |
//	|  Time to Live |    Protocol   |         Header Checksum       |
//	|                       Source Address                          |
//	|                    Destination Address                        |
//	|                    Options                    |    Padding    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Obtain one from ParseIPv4; the view then ends at the total length.
type IPv4 []byte

// ParseIPv4 validates an IPv4 header: version 4 (else ErrMalformed), IHL at
// least 5 (ErrMalformed), b holding the whole header and the total length
// (ErrTruncated), a total length no shorter than the header (ErrMalformed),
// and the header checksum (ErrBadChecksum). The returned view is cut to the
// total length, which removes Ethernet padding.
//
// It does not reassemble fragments or interpret options.
func ParseIPv4(b []byte) (IPv4, error) {
	p, err := parseIPv4NoChecksum(b)
	if err != nil {
		return nil, err
	}
	if Checksum(p[:p.HeaderLen()]) != 0 {
		return nil, ErrBadChecksum
	}
	return p, nil
}

// parseIPv4NoChecksum is ParseIPv4 without the checksum check, for the
// printers, which show a packet with a bad checksum rather than nothing.
func parseIPv4NoChecksum(b []byte) (IPv4, error) {
	if len(b) < IPv4MinHeaderLen {
		return nil, ErrTruncated
	}
	if b[0]>>4 != 4 {
		return nil, ErrMalformed
	}
	hl := int(b[0]&0x0f) * 4
	if hl < IPv4MinHeaderLen {
		return nil, ErrMalformed
	}
	if len(b) < hl {
		return nil, ErrTruncated
	}
	total := int(binary.BigEndian.Uint16(b[2:]))
	if total < hl {
		return nil, ErrMalformed
	}
	if len(b) < total {
		return nil, ErrTruncated
	}
	return IPv4(b[:total]), nil
}

// HeaderLen is the header length in bytes, IHL*4: 20 to 60.
func (p IPv4) HeaderLen() int { return int(p[0]&0x0f) * 4 }

// TOS is the type-of-service byte: DSCP in the high six bits, ECN in the
// low two (RFC 2474, RFC 3168).
func (p IPv4) TOS() uint8 { return p[1] }

// TotalLen is the total length field: header plus payload, in bytes.
func (p IPv4) TotalLen() int { return int(binary.BigEndian.Uint16(p[2:])) }

// ID is the identification field, which groups fragments of a datagram.
func (p IPv4) ID() uint16 { return binary.BigEndian.Uint16(p[4:]) }

func (p IPv4) flagsFrag() uint16 { return binary.BigEndian.Uint16(p[6:]) }

// DontFragment reports the DF flag.
func (p IPv4) DontFragment() bool { return p.flagsFrag()&ipv4FlagDF != 0 }

// MoreFragments reports the MF flag.
func (p IPv4) MoreFragments() bool { return p.flagsFrag()&ipv4FlagMF != 0 }

// FragmentOffset is the offset of this fragment's payload in the original
// datagram, in bytes (the field counts 8-byte units).
func (p IPv4) FragmentOffset() int { return int(p.flagsFrag()&ipv4FragOffMask) * 8 }

// IsFragment reports whether the packet is a fragment: MF set or a
// non-zero offset.
func (p IPv4) IsFragment() bool { return p.flagsFrag()&(ipv4FlagMF|ipv4FragOffMask) != 0 }

// TTL is the time-to-live field.
func (p IPv4) TTL() uint8 { return p[8] }

// Protocol is the protocol of the payload.
func (p IPv4) Protocol() IPProto { return IPProto(p[9]) }

// Checksum is the header checksum field as received.
func (p IPv4) Checksum() uint16 { return binary.BigEndian.Uint16(p[10:]) }

// Src is the source address.
func (p IPv4) Src() netip.Addr { return getAddr4(p[12:16]) }

// Dst is the destination address.
func (p IPv4) Dst() netip.Addr { return getAddr4(p[16:20]) }

// Options are the header bytes after the first 20, uninterpreted.
func (p IPv4) Options() []byte { return p[IPv4MinHeaderLen:p.HeaderLen()] }

// RouterAlert reports whether the options hold a Router Alert option
// (RFC 2113), whatever its value. The options are walked as RFC 791 §3.1
// lays them out; the walk stops at End of Option List or at an option
// whose length is impossible.
func (p IPv4) RouterAlert() bool {
	o := p.Options()
	for i := 0; i < len(o); {
		switch o[i] {
		case ipv4OptEOL:
			return false
		case ipv4OptNOP:
			i++
			continue
		}
		if i+1 >= len(o) {
			return false
		}
		n := int(o[i+1])
		if n < 2 || i+n > len(o) {
			return false
		}
		if o[i] == ipv4OptRouterAlert && n == ipv4OptRouterAlertLen {
			return true
		}
		i += n
	}
	return false
}

// Payload is the data after the header, up to the total length.
func (p IPv4) Payload() []byte { return p[p.HeaderLen():] }

// IPv4Fields is the decoded form of an IPv4 header. The only option it can
// carry is Router Alert, which IGMP needs; other options are neither built
// nor decoded.
type IPv4Fields struct {
	TOS                         uint8
	ID                          uint16
	DontFragment, MoreFragments bool
	// FragmentOffset is in bytes and must be a multiple of 8, below 65536;
	// the low three bits are dropped.
	FragmentOffset int
	TTL            uint8
	Protocol       IPProto
	// Src and Dst are written as 0.0.0.0 if they are not IPv4.
	Src, Dst netip.Addr
	// RouterAlert adds the Router Alert option of RFC 2113 (94 04 00 00,
	// "every router examines this packet"), making the header
	// IPv4RouterAlertHeaderLen bytes long. IGMP messages must carry it
	// (RFC 2236 §2, RFC 3376 §4).
	RouterAlert bool
}

// IPv4RouterAlertHeaderLen is the length of an IPv4 header whose only
// option is Router Alert: 20 bytes and the 4-byte option, IHL 6.
const IPv4RouterAlertHeaderLen = IPv4MinHeaderLen + ipv4OptRouterAlertLen

// The Router Alert option (RFC 2113 §2.1): type 148 (copied flag set,
// class 0, number 20), length 4, a 16-bit value whose 0 means "router
// shall examine packet".
const (
	ipv4OptEOL            = 0
	ipv4OptNOP            = 1
	ipv4OptRouterAlert    = 0x94
	ipv4OptRouterAlertLen = 4
)

// Len is the encoded header length: IPv4MinHeaderLen, or
// IPv4RouterAlertHeaderLen with RouterAlert.
func (f *IPv4Fields) Len() int {
	if f.RouterAlert {
		return IPv4RouterAlertHeaderLen
	}
	return IPv4MinHeaderLen
}

// Encode writes the header to b[0:f.Len()] with total length
// f.Len()+payloadLen and a correct header checksum. The payload need not
// be in b yet, since the checksum covers only the header. payloadLen must
// be at most 65535-f.Len().
func (f *IPv4Fields) Encode(b []byte, payloadLen int) {
	hl := f.Len()
	_ = b[hl-1]
	b[0] = 4<<4 | uint8(hl/4)
	b[1] = f.TOS
	binary.BigEndian.PutUint16(b[2:], uint16(hl+payloadLen))
	binary.BigEndian.PutUint16(b[4:], f.ID)
	ff := uint16(f.FragmentOffset/8) & ipv4FragOffMask
	if f.DontFragment {
		ff |= ipv4FlagDF
	}
	if f.MoreFragments {
		ff |= ipv4FlagMF
	}
	binary.BigEndian.PutUint16(b[6:], ff)
	b[8] = f.TTL
	b[9] = uint8(f.Protocol)
	b[10], b[11] = 0, 0
	putAddr4(b[12:16], f.Src)
	putAddr4(b[16:20], f.Dst)
	if f.RouterAlert {
		b[20], b[21], b[22], b[23] = ipv4OptRouterAlert, ipv4OptRouterAlertLen, 0, 0
	}
	binary.BigEndian.PutUint16(b[10:], Checksum(b[:hl]))
}
