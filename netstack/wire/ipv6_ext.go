package wire

import (
	"encoding/binary"
)

// IPv6 extension headers (RFC 8200 §4): hop-by-hop options, routing,
// fragment and destination options, and the walk over a packet's chain of
// them to its upper-layer header.

// IPv6MaxExtHeaders is the most extension headers WalkIPv6 walks before
// it gives up on a packet (ErrUnsupported). RFC 8200 §4.1 recommends an
// order with at most six, destination options twice included.
const IPv6MaxExtHeaders = 8

// ipv6ExtMinLen is the length of the smallest extension header: every
// header is a multiple of 8 bytes.
const ipv6ExtMinLen = 8

// ipv6ExtLen is the length of a hop-by-hop, destination options or
// routing header from its Hdr Ext Len field, b[1]: 8-byte units not
// counting the first (RFC 8200 §4.3).
func ipv6ExtLen(b []byte) int { return (int(b[1]) + 1) * 8 }

// Codes of ICMPv6 Parameter Problem messages (RFC 4443 §3.4, RFC 7112
// §5), which RFC 8200 §4 asks for when a header cannot be processed.
const (
	ICMPv6ErroneousHeader       = 0
	ICMPv6UnrecognizedNextHdr   = 1
	ICMPv6UnrecognizedOption    = 2
	ICMPv6IncompleteHeaderChain = 3
)

// Option types of hop-by-hop and destination options headers that the
// walk recognises (RFC 8200 §4.2, RFC 2711 §2), and the Jumbo Payload
// option ParseIPv6 looks for (RFC 2675 §2).
const (
	IPv6OptPad1        uint8 = 0
	IPv6OptPadN        uint8 = 1
	IPv6OptRouterAlert uint8 = 5
	IPv6OptJumbo       uint8 = 0xc2
)

// IPv6RouterAlertMLD is the value of the Router Alert option on MLD
// messages (RFC 2711 §2.1).
const IPv6RouterAlertMLD = 0

// IPv6OptionAction is what RFC 8200 §4.2 asks of a node that does not
// recognise an option: the two high bits of the option type.
type IPv6OptionAction uint8

// The four actions, in the order of their bit patterns 00 to 11.
const (
	// IPv6OptSkip: skip the option and go on with the header.
	IPv6OptSkip IPv6OptionAction = iota
	// IPv6OptDiscard: discard the packet silently.
	IPv6OptDiscard
	// IPv6OptDiscardICMP: discard the packet and send a Parameter
	// Problem, code 2, pointing at the option type, whatever the
	// destination.
	IPv6OptDiscardICMP
	// IPv6OptDiscardICMPUnicast: discard the packet and send that
	// Parameter Problem only if the destination was not multicast.
	IPv6OptDiscardICMPUnicast
)

// IPv6OptionActionOf is the action for an unrecognised option of type t.
func IPv6OptionActionOf(t uint8) IPv6OptionAction { return IPv6OptionAction(t >> 6) }

// IPv6Option is one option of a hop-by-hop or destination options header.
type IPv6Option struct {
	Type uint8
	// Data is the option's value, empty for Pad1. It shares the packet's
	// memory.
	Data []byte
	// Offset is where the option's type byte lies from the start of its
	// header.
	Offset int
}

// IPv6OptionsIter iterates over the options of a hop-by-hop or
// destination options header; get one from IPv6OptionsHeader.Options. It
// allocates nothing.
type IPv6OptionsIter struct {
	b   []byte
	off int
}

// newIPv6OptionsIter iterates over the options of the header hdr, which
// start after its Next Header and Hdr Ext Len bytes.
func newIPv6OptionsIter(hdr []byte) IPv6OptionsIter { return IPv6OptionsIter{b: hdr, off: 2} }

// Next returns the next option, Pad1 and PadN included, and false after
// the last. It stops early at an option that does not fit the header,
// which a header from ParseIPv6OptionsHeader cannot hold.
func (it *IPv6OptionsIter) Next() (IPv6Option, bool) {
	if it.off >= len(it.b) {
		return IPv6Option{}, false
	}
	off := it.off
	if it.b[off] == IPv6OptPad1 {
		it.off++
		return IPv6Option{Type: IPv6OptPad1, Offset: off}, true
	}
	if off+2 > len(it.b) || off+2+int(it.b[off+1]) > len(it.b) {
		it.off = len(it.b)
		return IPv6Option{}, false
	}
	end := off + 2 + int(it.b[off+1])
	it.off = end
	return IPv6Option{Type: it.b[off], Data: it.b[off+2 : end], Offset: off}, true
}

// IPv6OptionsHeader is a view of a hop-by-hop options or destination
// options header (RFC 8200 §4.3, §4.6):
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  Next Header  |  Hdr Ext Len  |                               |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
//	|          Options: type, length, value; Pad1 is one 0 byte     |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Obtain one from ParseIPv6OptionsHeader.
type IPv6OptionsHeader []byte

// ParseIPv6OptionsHeader checks that b holds the whole header its Hdr Ext
// Len declares (ErrTruncated) and that its options exactly fill it, each
// option's length inside the header (ErrMalformed). The view is cut to
// the header.
func ParseIPv6OptionsHeader(b []byte) (IPv6OptionsHeader, error) {
	if len(b) < ipv6ExtMinLen || len(b) < ipv6ExtLen(b) {
		return nil, ErrTruncated
	}
	h := b[:ipv6ExtLen(b)]
	for i := 2; i < len(h); {
		if h[i] == IPv6OptPad1 {
			i++
			continue
		}
		if i+2 > len(h) || i+2+int(h[i+1]) > len(h) {
			return nil, ErrMalformed
		}
		i += 2 + int(h[i+1])
	}
	return IPv6OptionsHeader(h), nil
}

// NextHeader is the type of the header that follows.
func (h IPv6OptionsHeader) NextHeader() IPProto { return IPProto(h[0]) }

// Options iterates over the options.
func (h IPv6OptionsHeader) Options() IPv6OptionsIter { return newIPv6OptionsIter(h) }

// Unrecognized finds the first option this package does not recognise
// whose action is not IPv6OptSkip, and returns its offset from the start
// of the header and its action. Pad1, PadN and Router Alert are
// recognised; Router Alert must then have its 2-byte value, else it is
// reported with action IPv6OptDiscard, as Linux drops it. ok is false
// when every option may be processed or skipped.
func (h IPv6OptionsHeader) Unrecognized() (off int, action IPv6OptionAction, ok bool) {
	for it := h.Options(); ; {
		o, more := it.Next()
		if !more {
			return 0, 0, false
		}
		switch o.Type {
		case IPv6OptPad1, IPv6OptPadN:
			continue
		case IPv6OptRouterAlert:
			if len(o.Data) != 2 {
				return o.Offset, IPv6OptDiscard, true
			}
			continue
		}
		if a := IPv6OptionActionOf(o.Type); a != IPv6OptSkip {
			return o.Offset, a, true
		}
	}
}

// RouterAlert returns the value of the header's Router Alert option (RFC
// 2711 §2.1; IPv6RouterAlertMLD for MLD) and whether it has one.
func (h IPv6OptionsHeader) RouterAlert() (value uint16, ok bool) {
	for it := h.Options(); ; {
		o, more := it.Next()
		if !more {
			return 0, false
		}
		if o.Type == IPv6OptRouterAlert && len(o.Data) == 2 {
			return binary.BigEndian.Uint16(o.Data), true
		}
	}
}

// IPv6RouterAlertLen is the length of the hop-by-hop header
// IPv6RouterAlertFields builds.
const IPv6RouterAlertLen = 8

// IPv6RouterAlertFields builds the hop-by-hop options header MLD messages
// carry (RFC 3810 §5, RFC 2711): a Router Alert option and a 2-byte PadN
// to fill the 8 bytes, as Linux sends it.
type IPv6RouterAlertFields struct {
	NextHeader IPProto
	// Value is IPv6RouterAlertMLD for MLD.
	Value uint16
}

// Len is the encoded length, IPv6RouterAlertLen.
func (f *IPv6RouterAlertFields) Len() int { return IPv6RouterAlertLen }

// Encode writes the header to b[0:8].
func (f *IPv6RouterAlertFields) Encode(b []byte) {
	_ = b[IPv6RouterAlertLen-1]
	b[0], b[1] = uint8(f.NextHeader), 0
	b[2], b[3] = IPv6OptRouterAlert, 2
	binary.BigEndian.PutUint16(b[4:], f.Value)
	b[6], b[7] = IPv6OptPadN, 0
}

// IPv6FragmentLen is the length of a fragment header.
const IPv6FragmentLen = 8

// IPv6Fragment is a view of a fragment header (RFC 8200 §4.5):
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  Next Header  |   Reserved    |      Fragment Offset    |Res|M|
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                         Identification                        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Obtain one from ParseIPv6Fragment or WalkIPv6.
type IPv6Fragment []byte

// ParseIPv6Fragment checks that b holds the 8-byte header (ErrTruncated)
// and returns it, cut to 8 bytes.
func ParseIPv6Fragment(b []byte) (IPv6Fragment, error) {
	if len(b) < IPv6FragmentLen {
		return nil, ErrTruncated
	}
	return IPv6Fragment(b[:IPv6FragmentLen]), nil
}

// NextHeader is the type of the first header of the fragmentable part of
// the original packet.
func (f IPv6Fragment) NextHeader() IPProto { return IPProto(f[0]) }

// Offset is where this fragment's data lies in the fragmentable part of
// the original packet, in bytes (the field counts 8-byte units).
func (f IPv6Fragment) Offset() int { return int(binary.BigEndian.Uint16(f[2:]) &^ 7) }

// More is the M flag: more fragments follow.
func (f IPv6Fragment) More() bool { return f[3]&1 != 0 }

// ID is the identification shared by the fragments of a packet.
func (f IPv6Fragment) ID() uint32 { return binary.BigEndian.Uint32(f[4:]) }

// IsAtomic reports an atomic fragment, offset 0 without M (RFC 6946 §4):
// a whole packet that needs no reassembly and must be processed on its
// own, apart from any fragments with the same identification.
func (f IPv6Fragment) IsAtomic() bool { return binary.BigEndian.Uint16(f[2:])&^6 == 0 }

// IPv6FragmentFields is the decoded form of a fragment header.
type IPv6FragmentFields struct {
	NextHeader IPProto
	// Offset is in bytes, a multiple of 8 below 65536; the low three bits
	// are dropped.
	Offset int
	More   bool
	ID     uint32
}

// Len is the encoded length, IPv6FragmentLen.
func (f *IPv6FragmentFields) Len() int { return IPv6FragmentLen }

// Encode writes the header to b[0:8], reserved fields zero.
func (f *IPv6FragmentFields) Encode(b []byte) {
	_ = b[IPv6FragmentLen-1]
	b[0], b[1] = uint8(f.NextHeader), 0
	v := uint16(f.Offset) &^ 7
	if f.More {
		v |= 1
	}
	binary.BigEndian.PutUint16(b[2:], v)
	binary.BigEndian.PutUint32(b[4:], f.ID)
}

// IPv6Problem is the ICMPv6 Parameter Problem (RFC 4443 §3.4) that RFC
// 8200 §4 asks a node to send about a packet it discards.
type IPv6Problem struct {
	// ICMP reports whether to send one; when false the packet is
	// discarded silently and Code and Pointer are zero.
	ICMP bool
	// Code is ICMPv6ErroneousHeader, ICMPv6UnrecognizedNextHdr,
	// ICMPv6UnrecognizedOption or ICMPv6IncompleteHeaderChain.
	Code uint8
	// Pointer is the offset of the offending byte from the start of the
	// IPv6 header.
	Pointer uint32
}

// IPv6ExtHeaders is the result of walking a packet's extension headers
// with WalkIPv6.
type IPv6ExtHeaders struct {
	// Proto is the upper-layer protocol, or IPProtoIPv6NoNext. In a
	// fragment other than the first it is the fragment header's Next
	// Header, and the data at Offset is not a header.
	Proto IPProto
	// Offset is where the upper-layer header (or the fragment's data)
	// starts, from the start of the IPv6 header.
	Offset int
	// ProtoField is the offset of the Next Header field that holds Proto:
	// the Pointer of the Parameter Problem, code
	// ICMPv6UnrecognizedNextHdr, to send if the stack does not handle
	// Proto (RFC 8200 §4).
	ProtoField int
	// Count is the number of extension headers walked.
	Count int
	// Frag is the fragment header, nil if there is none. Unless it
	// IsAtomic, the packet is to be reassembled: the bytes before
	// FragOffset are the unfragmentable part, those from
	// FragOffset+IPv6FragmentLen the fragment's data, and FragField the
	// Next Header field to set to Frag.NextHeader() in the reassembled
	// packet (RFC 8200 §4.5).
	Frag       IPv6Fragment
	FragOffset int
	FragField  int
	// RouterAlert reports a Router Alert option in the hop-by-hop header,
	// whose value is RouterAlertValue (RFC 2711).
	RouterAlert      bool
	RouterAlertValue uint16
	// Problem is set when WalkIPv6 returns an error.
	Problem IPv6Problem
}

// WalkIPv6 walks the extension headers of p, which ParseIPv6 returned, to
// its upper-layer header, checking each header as a destination node
// must (RFC 8200 §4):
//
//   - a hop-by-hop header anywhere but first: ErrMalformed, Parameter
//     Problem code 1 pointing at the Next Header field naming it;
//   - a header that runs past the packet: ErrTruncated, silently; in a
//     first fragment, Parameter Problem code 3 instead (RFC 7112 §5);
//   - an option with a bad length: ErrMalformed, silently;
//   - an unrecognised option: the action of its type's high bits
//     (IPv6OptionActionOf), ErrUnsupported, with or without Parameter
//     Problem code 2 pointing at it;
//   - a routing header with segments left: no routing type is supported
//     (type 0 is deprecated by RFC 5095), ErrUnsupported, Parameter
//     Problem code 0 pointing at the routing type;
//   - a fragment with M set whose data is not a multiple of 8 bytes, or
//     which would end beyond 65535 bytes: ErrMalformed, Parameter Problem
//     code 0 pointing at the payload length or the fragment offset;
//   - a second fragment header, or more than IPv6MaxExtHeaders headers:
//     ErrUnsupported, silently.
//
// The walk stops at the first header that is not one of those four
// extension headers: the upper-layer header, No Next Header, or anything
// else (AH, ESP, ...), which is left to the caller. It stops too at the
// fragment header of a fragment other than the first, whose data
// continues another packet. On error, the result holds what was walked
// and Problem.
func WalkIPv6(p IPv6) (h IPv6ExtHeaders, err error) {
	nh := p.NextHeader()
	field, off := 6, IPv6HeaderLen
	firstFrag := false
	fail := func(e error, code uint8, ptr int, icmp bool) (IPv6ExtHeaders, error) {
		if icmp {
			h.Problem = IPv6Problem{ICMP: true, Code: code, Pointer: uint32(ptr)}
		}
		return h, e
	}
	truncated := func() (IPv6ExtHeaders, error) {
		return fail(ErrTruncated, ICMPv6IncompleteHeaderChain, 0, firstFrag)
	}
	for {
		switch nh {
		case IPProtoIPv6HopByHop, IPProtoIPv6Opts, IPProtoIPv6Route, IPProtoIPv6Frag:
		default:
			h.Proto, h.Offset, h.ProtoField = nh, off, field
			return h, nil
		}
		if h.Count == IPv6MaxExtHeaders {
			return fail(ErrUnsupported, 0, 0, false)
		}
		h.Count++
		b := p[off:]
		switch nh {
		case IPProtoIPv6HopByHop, IPProtoIPv6Opts:
			if nh == IPProtoIPv6HopByHop && off != IPv6HeaderLen {
				return fail(ErrMalformed, ICMPv6UnrecognizedNextHdr, field, true)
			}
			o, err := ParseIPv6OptionsHeader(b)
			if err == ErrTruncated {
				return truncated()
			} else if err != nil {
				return fail(err, 0, 0, false)
			}
			if at, action, ok := o.Unrecognized(); ok {
				icmp := action == IPv6OptDiscardICMP || action == IPv6OptDiscardICMPUnicast && p[24] != 0xff
				e := ErrUnsupported
				if o[at] == IPv6OptRouterAlert {
					e = ErrMalformed
				}
				return fail(e, ICMPv6UnrecognizedOption, off+at, icmp)
			}
			if nh == IPProtoIPv6HopByHop {
				h.RouterAlertValue, h.RouterAlert = o.RouterAlert()
			}
			nh, field, off = o.NextHeader(), off, off+len(o)
		case IPProtoIPv6Route:
			// RFC 8200 §4.4: Next Header, Hdr Ext Len, Routing Type,
			// Segments Left, then type-specific data.
			if len(b) < ipv6ExtMinLen || len(b) < ipv6ExtLen(b) {
				return truncated()
			}
			if b[3] != 0 {
				return fail(ErrUnsupported, ICMPv6ErroneousHeader, off+2, true)
			}
			nh, field, off = IPProto(b[0]), off, off+ipv6ExtLen(b)
		case IPProtoIPv6Frag:
			if h.Frag != nil {
				return fail(ErrUnsupported, 0, 0, false)
			}
			f, err := ParseIPv6Fragment(b)
			if err != nil {
				return truncated()
			}
			h.Frag, h.FragOffset, h.FragField = f, off, field
			nh, field, off = f.NextHeader(), off, off+IPv6FragmentLen
			if f.IsAtomic() {
				continue
			}
			data := len(p) - off
			if f.More() && data%8 != 0 {
				return fail(ErrMalformed, ICMPv6ErroneousHeader, 4, true)
			}
			if f.Offset()+data > 0xffff {
				return fail(ErrMalformed, ICMPv6ErroneousHeader, h.FragOffset+2, true)
			}
			if f.Offset() != 0 {
				h.Proto, h.Offset, h.ProtoField = nh, off, field
				return h, nil
			}
			firstFrag = true
		}
	}
}
