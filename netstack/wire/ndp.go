package wire

import (
	"encoding/binary"
	"net/netip"
)

// Neighbor Discovery for IPv6 (RFC 4861 §4): the messages a host reads
// and sends, their options, and the multicast addresses they go to.

// Well-known IPv6 multicast addresses (RFC 4291 §2.7.1, RFC 3810 §5.2.14).
var (
	// IPv6AllNodes (ff02::1) receives router advertisements and general
	// MLD queries.
	IPv6AllNodes = netip.AddrFrom16([16]byte{0: 0xff, 1: 0x02, 15: 1})
	// IPv6AllRouters (ff02::2) receives router solicitations.
	IPv6AllRouters = netip.AddrFrom16([16]byte{0: 0xff, 1: 0x02, 15: 2})
	// MLDv2AllRouters (ff02::16) receives MLDv2 reports.
	MLDv2AllRouters = netip.AddrFrom16([16]byte{0: 0xff, 1: 0x02, 15: 0x16})
)

// SolicitedNodeAddr is the solicited-node multicast address of a (RFC 4291
// §2.7.1): ff02::1:ff00:0/104 followed by the low 24 bits of a, to which
// neighbour solicitations for a are sent. For an IPv4 address it takes
// the low 24 bits of its mapped form.
func SolicitedNodeAddr(a netip.Addr) netip.Addr {
	v := a.As16()
	return netip.AddrFrom16([16]byte{0: 0xff, 1: 0x02, 11: 0x01, 12: 0xff, 13: v[13], 14: v[14], 15: v[15]})
}

// NDPHopLimit is the hop limit every NDP message is sent with and must
// arrive with, proving it was not forwarded (RFC 4861 §6.1.1, §7.1.1).
const NDPHopLimit = 255

// Lengths of the NDP messages without options, ICMPv6 header included
// (RFC 4861 §4.1 to §4.5).
const (
	NDPRouterSolicitLen   = 8
	NDPRouterAdvertLen    = 16
	NDPNeighborSolicitLen = 24
	NDPNeighborAdvertLen  = 24
	NDPRedirectLen        = 40
)

// NDPOptionType is the type of an NDP option (RFC 4861 §4.6).
type NDPOptionType uint8

// NDP option types this package decodes, and the nonce Linux adds to its
// duplicate address detection (RFC 7527 §4.1).
const (
	NDPOptSourceLinkAddr NDPOptionType = 1
	NDPOptTargetLinkAddr NDPOptionType = 2
	NDPOptPrefixInfo     NDPOptionType = 3
	NDPOptRedirected     NDPOptionType = 4
	NDPOptMTU            NDPOptionType = 5
	NDPOptNonce          NDPOptionType = 14
)

// NDPOption is one option: type, length in 8-byte units, data.
type NDPOption []byte

// Type is the option type.
func (o NDPOption) Type() NDPOptionType { return NDPOptionType(o[0]) }

// Data is the option after its type and length bytes.
func (o NDPOption) Data() []byte { return o[2:] }

// LinkAddr is the address of a source or target link-layer address option
// for Ethernet (RFC 4861 §4.6.1), and false for another option or length.
func (o NDPOption) LinkAddr() (MAC, bool) {
	t := o.Type()
	if t != NDPOptSourceLinkAddr && t != NDPOptTargetLinkAddr || len(o) != 8 {
		return MAC{}, false
	}
	return MAC(o[2:8]), true
}

// MTU is the value of an MTU option (RFC 4861 §4.6.4), and false for
// another option or length.
func (o NDPOption) MTU() (uint32, bool) {
	if o.Type() != NDPOptMTU || len(o) != 8 {
		return 0, false
	}
	return binary.BigEndian.Uint32(o[4:]), true
}

// NDPPrefixInfo is the decoded form of a prefix information option (RFC
// 4861 §4.6.2).
type NDPPrefixInfo struct {
	// Prefix is the prefix and its length, the bits after the length
	// as sent (RFC 4861 §4.6.2 asks receivers to ignore them).
	Prefix netip.Prefix
	// OnLink (L) and Autonomous (A) are the flags of RFC 4861 §4.6.2 and
	// RFC 4862 §5.5.3.
	OnLink, Autonomous bool
	// ValidLifetime and PreferredLifetime are in seconds; 0xffffffff is
	// infinity.
	ValidLifetime, PreferredLifetime uint32
}

// PrefixInfo decodes a prefix information option, and returns false for
// another option, a length other than 4 units, or a prefix length above
// 128.
func (o NDPOption) PrefixInfo() (NDPPrefixInfo, bool) {
	if o.Type() != NDPOptPrefixInfo || len(o) != 32 || o[2] > 128 {
		return NDPPrefixInfo{}, false
	}
	return NDPPrefixInfo{
		Prefix:            netip.PrefixFrom(getAddr16(o[16:32]), int(o[2])),
		OnLink:            o[3]&0x80 != 0,
		Autonomous:        o[3]&0x40 != 0,
		ValidLifetime:     binary.BigEndian.Uint32(o[4:]),
		PreferredLifetime: binary.BigEndian.Uint32(o[8:]),
	}, true
}

// NDPOptionsIter iterates over the options of an NDP message. It
// allocates nothing.
type NDPOptionsIter struct{ b []byte }

// Next returns the next option, and false after the last. Options of
// unknown types are returned too: skip them (RFC 4861 §4.6). It stops
// early at an option of length zero or past the end, which a message
// from a Parse function cannot hold.
func (it *NDPOptionsIter) Next() (NDPOption, bool) {
	if len(it.b) < 2 || it.b[1] == 0 || int(it.b[1])*8 > len(it.b) {
		it.b = nil
		return nil, false
	}
	n := int(it.b[1]) * 8
	o := NDPOption(it.b[:n])
	it.b = it.b[n:]
	return o, true
}

// checkNDPOptions returns ErrMalformed if the options do not exactly fill
// b, each with a non-zero length: RFC 4861 §4.6 has a message with an
// option of length zero discarded whole.
func checkNDPOptions(b []byte) error {
	for len(b) > 0 {
		if len(b) < 2 || b[1] == 0 || int(b[1])*8 > len(b) {
			return ErrMalformed
		}
		b = b[int(b[1])*8:]
	}
	return nil
}

// findLinkAddr returns the first link-layer address option of type t.
func findLinkAddr(b []byte, t NDPOptionType) (MAC, bool) {
	for it := (NDPOptionsIter{b}); ; {
		o, ok := it.Next()
		if !ok {
			return MAC{}, false
		}
		if o.Type() == t {
			return o.LinkAddr()
		}
	}
}

// parseNDP checks the type, length, code 0 and options of an NDP message
// whose fixed part is n bytes.
func parseNDP(m ICMPv6, t ICMPv6Type, n int) error {
	if m.Type() != t {
		return ErrUnsupported
	}
	if len(m) < n {
		return ErrTruncated
	}
	if m.Code() != 0 {
		return ErrMalformed
	}
	return checkNDPOptions(m[n:])
}

// NDPRouterSolicit is a view of a router solicitation (RFC 4861 §4.1):
// the ICMPv6 header, 4 reserved bytes, options.
type NDPRouterSolicit []byte

// ParseNDPRouterSolicit checks that m is a router solicitation
// (ErrUnsupported), of at least 8 bytes (ErrTruncated), with code 0 and
// well-formed options (ErrMalformed). The hop limit of 255 is for the
// caller to check.
func ParseNDPRouterSolicit(m ICMPv6) (NDPRouterSolicit, error) {
	if err := parseNDP(m, ICMPv6RouterSolicit, NDPRouterSolicitLen); err != nil {
		return nil, err
	}
	return NDPRouterSolicit(m), nil
}

// Options iterates over the options.
func (r NDPRouterSolicit) Options() NDPOptionsIter { return NDPOptionsIter{r[NDPRouterSolicitLen:]} }

// SourceLinkAddr is the source link-layer address option's address.
func (r NDPRouterSolicit) SourceLinkAddr() (MAC, bool) {
	return findLinkAddr(r[NDPRouterSolicitLen:], NDPOptSourceLinkAddr)
}

// NDPRouterAdvert is a view of a router advertisement (RFC 4861 §4.2):
//
//	| type | code | checksum | cur hop limit |M|O|  reserved | router lifetime |
//	| reachable time | retrans timer | options ...
type NDPRouterAdvert []byte

// ParseNDPRouterAdvert checks m as ParseNDPRouterSolicit does, for a
// router advertisement of at least 16 bytes.
func ParseNDPRouterAdvert(m ICMPv6) (NDPRouterAdvert, error) {
	if err := parseNDP(m, ICMPv6RouterAdvert, NDPRouterAdvertLen); err != nil {
		return nil, err
	}
	return NDPRouterAdvert(m), nil
}

// CurHopLimit is the hop limit hosts should use, 0 if unspecified.
func (r NDPRouterAdvert) CurHopLimit() uint8 { return r[4] }

// Managed is the M flag: addresses are available from DHCPv6.
func (r NDPRouterAdvert) Managed() bool { return r[5]&0x80 != 0 }

// Other is the O flag: other configuration is available from DHCPv6.
func (r NDPRouterAdvert) Other() bool { return r[5]&0x40 != 0 }

// RouterLifetime is the lifetime of the router as a default router, in
// seconds; 0 means it is not one.
func (r NDPRouterAdvert) RouterLifetime() uint16 { return binary.BigEndian.Uint16(r[6:]) }

// ReachableTime is the neighbour reachable time in milliseconds, 0 if
// unspecified.
func (r NDPRouterAdvert) ReachableTime() uint32 { return binary.BigEndian.Uint32(r[8:]) }

// RetransTimer is the time between neighbour solicitations in
// milliseconds, 0 if unspecified.
func (r NDPRouterAdvert) RetransTimer() uint32 { return binary.BigEndian.Uint32(r[12:]) }

// Options iterates over the options: source link-layer address, MTU,
// prefix information.
func (r NDPRouterAdvert) Options() NDPOptionsIter { return NDPOptionsIter{r[NDPRouterAdvertLen:]} }

// NDPNeighborSolicit is a view of a neighbour solicitation (RFC 4861 §4.3):
// the ICMPv6 header, 4 reserved bytes, the target address, options.
type NDPNeighborSolicit []byte

// ParseNDPNeighborSolicit checks m as ParseNDPRouterSolicit does, for a
// neighbour solicitation of at least 24 bytes. RFC 4861 §7.1.1's other
// checks (a multicast target, a source link-layer address option from
// ::) are for the caller.
func ParseNDPNeighborSolicit(m ICMPv6) (NDPNeighborSolicit, error) {
	if err := parseNDP(m, ICMPv6NeighborSolicit, NDPNeighborSolicitLen); err != nil {
		return nil, err
	}
	return NDPNeighborSolicit(m), nil
}

// Target is the address whose link-layer address is sought.
func (n NDPNeighborSolicit) Target() netip.Addr { return getAddr16(n[8:24]) }

// Options iterates over the options.
func (n NDPNeighborSolicit) Options() NDPOptionsIter {
	return NDPOptionsIter{n[NDPNeighborSolicitLen:]}
}

// SourceLinkAddr is the source link-layer address option's address.
func (n NDPNeighborSolicit) SourceLinkAddr() (MAC, bool) {
	return findLinkAddr(n[NDPNeighborSolicitLen:], NDPOptSourceLinkAddr)
}

// NDPNeighborAdvert is a view of a neighbour advertisement (RFC 4861
// §4.4): the ICMPv6 header, the R, S and O flags and 29 reserved bits,
// the target address, options.
type NDPNeighborAdvert []byte

// ParseNDPNeighborAdvert checks m as ParseNDPRouterSolicit does, for a
// neighbour advertisement of at least 24 bytes.
func ParseNDPNeighborAdvert(m ICMPv6) (NDPNeighborAdvert, error) {
	if err := parseNDP(m, ICMPv6NeighborAdvert, NDPNeighborAdvertLen); err != nil {
		return nil, err
	}
	return NDPNeighborAdvert(m), nil
}

// Router is the R flag: the sender is a router.
func (n NDPNeighborAdvert) Router() bool { return n[4]&0x80 != 0 }

// Solicited is the S flag: the advertisement answers a solicitation.
func (n NDPNeighborAdvert) Solicited() bool { return n[4]&0x40 != 0 }

// Override is the O flag: the advertisement replaces a cached address.
func (n NDPNeighborAdvert) Override() bool { return n[4]&0x20 != 0 }

// Target is the address whose link-layer address is advertised.
func (n NDPNeighborAdvert) Target() netip.Addr { return getAddr16(n[8:24]) }

// Options iterates over the options.
func (n NDPNeighborAdvert) Options() NDPOptionsIter {
	return NDPOptionsIter{n[NDPNeighborAdvertLen:]}
}

// TargetLinkAddr is the target link-layer address option's address.
func (n NDPNeighborAdvert) TargetLinkAddr() (MAC, bool) {
	return findLinkAddr(n[NDPNeighborAdvertLen:], NDPOptTargetLinkAddr)
}

// NDPRedirect is a view of a redirect (RFC 4861 §4.5): the ICMPv6
// header, 4 reserved bytes, the target (the better first hop) and
// destination addresses, options.
type NDPRedirect []byte

// ParseNDPRedirect checks m as ParseNDPRouterSolicit does, for a redirect
// of at least 40 bytes.
func ParseNDPRedirect(m ICMPv6) (NDPRedirect, error) {
	if err := parseNDP(m, ICMPv6Redirect, NDPRedirectLen); err != nil {
		return nil, err
	}
	return NDPRedirect(m), nil
}

// Target is the better first hop for Dst.
func (r NDPRedirect) Target() netip.Addr { return getAddr16(r[8:24]) }

// Dst is the destination being redirected.
func (r NDPRedirect) Dst() netip.Addr { return getAddr16(r[24:40]) }

// Options iterates over the options.
func (r NDPRedirect) Options() NDPOptionsIter { return NDPOptionsIter{r[NDPRedirectLen:]} }

// ndpLinkAddrOptLen is the length of a link-layer address option for
// Ethernet.
const ndpLinkAddrOptLen = 8

// putLinkAddrOpt writes a link-layer address option of type t to b[0:8].
func putLinkAddrOpt(b []byte, t NDPOptionType, m MAC) {
	b[0], b[1] = uint8(t), 1
	copy(b[2:8], m[:])
}

// NDPNeighborSolicitFields builds a neighbour solicitation (RFC 4861
// §4.3, §7.2.2).
type NDPNeighborSolicitFields struct {
	Target netip.Addr
	// SourceLinkAddr, unless zero, is sent in a source link-layer
	// address option. Leave it zero for duplicate address detection, sent
	// from :: (RFC 4862 §5.4.2).
	SourceLinkAddr MAC
}

// Len is the encoded length: 24 bytes, and 8 with the option.
func (f *NDPNeighborSolicitFields) Len() int {
	if f.SourceLinkAddr.IsZero() {
		return NDPNeighborSolicitLen
	}
	return NDPNeighborSolicitLen + ndpLinkAddrOptLen
}

// Encode writes the message to b[0:f.Len()], with its checksum over the
// pseudo-header of src and dst.
func (f *NDPNeighborSolicitFields) Encode(b []byte, src, dst netip.Addr) {
	b = b[:f.Len()]
	b[0], b[1] = uint8(ICMPv6NeighborSolicit), 0
	b[4], b[5], b[6], b[7] = 0, 0, 0, 0
	putAddr16(b[8:24], f.Target)
	if !f.SourceLinkAddr.IsZero() {
		putLinkAddrOpt(b[NDPNeighborSolicitLen:], NDPOptSourceLinkAddr, f.SourceLinkAddr)
	}
	icmpv6Checksum(b, src, dst)
}

// NDPNeighborAdvertFields builds a neighbour advertisement (RFC 4861
// §4.4, §7.2.4).
type NDPNeighborAdvertFields struct {
	Router, Solicited, Override bool
	Target                      netip.Addr
	// TargetLinkAddr, unless zero, is sent in a target link-layer address
	// option, which an answer to a multicast solicitation must carry.
	TargetLinkAddr MAC
}

// Len is the encoded length: 24 bytes, and 8 with the option.
func (f *NDPNeighborAdvertFields) Len() int {
	if f.TargetLinkAddr.IsZero() {
		return NDPNeighborAdvertLen
	}
	return NDPNeighborAdvertLen + ndpLinkAddrOptLen
}

// Encode writes the message to b[0:f.Len()], with its checksum over the
// pseudo-header of src and dst.
func (f *NDPNeighborAdvertFields) Encode(b []byte, src, dst netip.Addr) {
	b = b[:f.Len()]
	b[0], b[1] = uint8(ICMPv6NeighborAdvert), 0
	var flags uint8
	if f.Router {
		flags |= 0x80
	}
	if f.Solicited {
		flags |= 0x40
	}
	if f.Override {
		flags |= 0x20
	}
	b[4], b[5], b[6], b[7] = flags, 0, 0, 0
	putAddr16(b[8:24], f.Target)
	if !f.TargetLinkAddr.IsZero() {
		putLinkAddrOpt(b[NDPNeighborAdvertLen:], NDPOptTargetLinkAddr, f.TargetLinkAddr)
	}
	icmpv6Checksum(b, src, dst)
}

// NDPRouterSolicitFields builds a router solicitation (RFC 4861 §4.1,
// §6.3.7), sent to IPv6AllRouters.
type NDPRouterSolicitFields struct {
	// SourceLinkAddr, unless zero, is sent in a source link-layer address
	// option; leave it zero when sending from ::.
	SourceLinkAddr MAC
}

// Len is the encoded length: 8 bytes, and 8 with the option.
func (f *NDPRouterSolicitFields) Len() int {
	if f.SourceLinkAddr.IsZero() {
		return NDPRouterSolicitLen
	}
	return NDPRouterSolicitLen + ndpLinkAddrOptLen
}

// Encode writes the message to b[0:f.Len()], with its checksum over the
// pseudo-header of src and dst.
func (f *NDPRouterSolicitFields) Encode(b []byte, src, dst netip.Addr) {
	b = b[:f.Len()]
	b[0], b[1] = uint8(ICMPv6RouterSolicit), 0
	b[4], b[5], b[6], b[7] = 0, 0, 0, 0
	if !f.SourceLinkAddr.IsZero() {
		putLinkAddrOpt(b[NDPRouterSolicitLen:], NDPOptSourceLinkAddr, f.SourceLinkAddr)
	}
	icmpv6Checksum(b, src, dst)
}
