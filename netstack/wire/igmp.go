package wire

import (
	"encoding/binary"
	"math/bits"
	"net/netip"
	"strconv"
	"time"
)

// Well-known IPv4 multicast addresses IGMP uses (RFC 2236 §9, RFC 3376 §4).
var (
	// IGMPAllSystems (224.0.0.1) receives general queries.
	IGMPAllSystems = netip.AddrFrom4([4]byte{224, 0, 0, 1})
	// IGMPAllRouters (224.0.0.2) receives IGMPv2 leave messages.
	IGMPAllRouters = netip.AddrFrom4([4]byte{224, 0, 0, 2})
	// IGMPv3AllRouters (224.0.0.22) receives IGMPv3 reports.
	IGMPv3AllRouters = netip.AddrFrom4([4]byte{224, 0, 0, 22})
)

// IGMPType is the type field of an IGMP message.
type IGMPType uint8

// IGMP message types (RFC 2236 §2.1, RFC 3376 §4).
const (
	// IGMPMembershipQuery is a query of any version; its length and Max
	// Resp Code tell which (IGMP.Version).
	IGMPMembershipQuery    IGMPType = 0x11
	IGMPv1MembershipReport IGMPType = 0x12
	IGMPv2MembershipReport IGMPType = 0x16
	IGMPv2LeaveGroup       IGMPType = 0x17
	IGMPv3MembershipReport IGMPType = 0x22
)

// String names the type as tcpdump does ("query", "v2 report", "leave",
// ...), or "igmp-N".
func (t IGMPType) String() string {
	switch t {
	case IGMPMembershipQuery:
		return "query"
	case IGMPv1MembershipReport:
		return "v1 report"
	case IGMPv2MembershipReport:
		return "v2 report"
	case IGMPv2LeaveGroup:
		return "leave"
	case IGMPv3MembershipReport:
		return "v3 report"
	}
	return "igmp-" + strconv.Itoa(int(t))
}

// IGMPRecordType is the type of a group record in an IGMPv3 report (RFC
// 3376 §4.2.12).
type IGMPRecordType uint8

// Group record types. The first two are current-state records, sent in
// answer to a query; the others report a change of the host's state.
const (
	IGMPModeIsInclude       IGMPRecordType = 1
	IGMPModeIsExclude       IGMPRecordType = 2
	IGMPChangeToIncludeMode IGMPRecordType = 3
	IGMPChangeToExcludeMode IGMPRecordType = 4
	IGMPAllowNewSources     IGMPRecordType = 5
	IGMPBlockOldSources     IGMPRecordType = 6
)

// String is the name tcpdump -v prints ("is_in", "is_ex", "to_in",
// "to_ex", "allow", "block"), or "type-N".
func (t IGMPRecordType) String() string {
	switch t {
	case IGMPModeIsInclude:
		return "is_in"
	case IGMPModeIsExclude:
		return "is_ex"
	case IGMPChangeToIncludeMode:
		return "to_in"
	case IGMPChangeToExcludeMode:
		return "to_ex"
	case IGMPAllowNewSources:
		return "allow"
	case IGMPBlockOldSources:
		return "block"
	}
	return "type-" + strconv.Itoa(int(t))
}

// Lengths of IGMP messages and their parts.
const (
	// IGMPHeaderLen is the length of an IGMPv1 or v2 message, and of the
	// fixed part of an IGMPv3 report.
	IGMPHeaderLen = 8
	// IGMPv3QueryMinLen is the length of an IGMPv3 query without sources.
	IGMPv3QueryMinLen = 12
	// IGMPv3RecordHeaderLen is the length of a group record without
	// sources or auxiliary data.
	IGMPv3RecordHeaderLen = 8
)

// IGMP is a view of an IGMP message, the whole payload of its IPv4
// datagram. Every message starts with
//
//	0      1               2          4               8
//	+------+---------------+----------+---------------+
//	| type | max resp code | checksum | group address |   v1/v2: all; v3 query: more follows
//	+------+---------------+----------+---------------+
//
// except the IGMPv3 report, whose bytes 4 to 8 are reserved (2 bytes) and
// the number of group records (2 bytes). An IGMPv3 query (RFC 3376 §4.1)
// continues with
//
//	8                   9      10                  12
//	+----+---+-----------+------+-------------------+--------------------
//	|resv| S |    QRV    | QQIC | number of sources | source addresses...
//	+----+---+-----------+------+-------------------+--------------------
//	 4 bits 1 bit  3 bits
//
// and an IGMPv3 report (§4.2) with that many group records (see
// IGMPGroupRecord). Obtain one from ParseIGMP.
//
// IGMP (RFC 1112 appendix I, RFC 2236, RFC 3376) is how a host tells the
// routers and snooping switches of its link which IPv4 multicast groups it
// wants. It rides directly on IPv4 (IPProtoIGMP) with TTL 1 and the Router
// Alert option (IPv4Fields.RouterAlert), to the group's MulticastMAC;
// version 3 messages also go with TOS 0xc0 (RFC 3376 §4). A host:
//   - joins a group with an IGMPv3 report holding IGMPJoinRecord(group),
//     sent to IGMPv3AllRouters (towards an IGMPv2 querier: IGMPFields with
//     IGMPv2MembershipReport, sent to the group itself);
//   - leaves with an IGMPv3 report holding IGMPLeaveRecord(group) (towards
//     an IGMPv2 querier: IGMPFields with IGMPv2LeaveGroup, sent to
//     IGMPAllRouters);
//   - answers a query with an IGMPv3 report holding an
//     IGMPCurrentStateRecord for each group joined
//     (IGMPv3GroupsReportFields builds it from the list of groups), after a
//     random delay of up to the query's MaxRespTime (RFC 3376 §5.2).
type IGMP []byte

// ParseIGMP validates an IGMP message, b being the whole IP payload of an
// unfragmented (or reassembled) datagram:
//
//   - at least 8 bytes (ErrTruncated);
//   - for a query, a length of exactly 8 bytes (version 1 or 2) or at least
//     12 (version 3): lengths 9 to 11 match no version and give
//     ErrMalformed, since RFC 3376 §7.1 says to ignore them; a version 3
//     query must hold the sources it counts (ErrTruncated);
//   - for a version 3 report, every group record it counts, each with its
//     sources and auxiliary data (ErrTruncated);
//   - the checksum over all of b (ErrBadChecksum).
//
// Bytes beyond what the message declares are allowed and covered by the
// checksum, then ignored (RFC 2236 §2.5, RFC 3376 §4.1.10 and §4.2.11).
// Messages of other types are accepted with only the first and last
// checks, so that a caller may count or print them.
func ParseIGMP(b []byte) (IGMP, error) {
	if len(b) < IGMPHeaderLen {
		return nil, ErrTruncated
	}
	switch IGMPType(b[0]) {
	case IGMPMembershipQuery:
		if len(b) > IGMPHeaderLen {
			if len(b) < IGMPv3QueryMinLen {
				return nil, ErrMalformed
			}
			n := int(binary.BigEndian.Uint16(b[10:]))
			if len(b) < IGMPv3QueryMinLen+4*n {
				return nil, ErrTruncated
			}
		}
	case IGMPv3MembershipReport:
		rest := b[IGMPHeaderLen:]
		for range binary.BigEndian.Uint16(b[6:]) {
			n := igmpRecordLen(rest)
			if n == 0 {
				return nil, ErrTruncated
			}
			rest = rest[n:]
		}
	}
	if Checksum(b) != 0 {
		return nil, ErrBadChecksum
	}
	return IGMP(b), nil
}

// igmpRecordLen is the length of the group record at the start of b, or 0
// if b does not hold all of it.
func igmpRecordLen(b []byte) int {
	if len(b) < IGMPv3RecordHeaderLen {
		return 0
	}
	n := IGMPv3RecordHeaderLen + 4*int(b[1]) + 4*int(binary.BigEndian.Uint16(b[2:]))
	if n > len(b) {
		return 0
	}
	return n
}

// Type is the message type.
func (m IGMP) Type() IGMPType { return IGMPType(m[0]) }

// MaxRespCode is byte 1: the Max Resp Code of a query, in tenths of a
// second for version 2 and in the form of RFC 3376 §4.1.1 for version 3;
// zero in version 1 queries, unused (normally zero) in reports. See
// MaxRespTime.
func (m IGMP) MaxRespCode() uint8 { return m[1] }

// Checksum is the checksum field as received.
func (m IGMP) Checksum() uint16 { return binary.BigEndian.Uint16(m[2:]) }

// Group is the group address of a query (0.0.0.0 in a general query), a
// version 1 or 2 report or a leave. Version 3 reports have no group here:
// see GroupRecords.
func (m IGMP) Group() netip.Addr { return getAddr4(m[4:8]) }

// Version is the IGMP version the message belongs to: for a query, 1 if
// it is 8 bytes long with a zero Max Resp Code, 2 if 8 bytes long with
// another code, 3 if at least 12 bytes long (RFC 3376 §7.1); for the
// reports and leave, the version that defines them; 0 for other types.
func (m IGMP) Version() int {
	switch m.Type() {
	case IGMPMembershipQuery:
		switch {
		case m.isV3Query():
			return 3
		case m.MaxRespCode() == 0:
			return 1
		}
		return 2
	case IGMPv1MembershipReport:
		return 1
	case IGMPv2MembershipReport, IGMPv2LeaveGroup:
		return 2
	case IGMPv3MembershipReport:
		return 3
	}
	return 0
}

// isV3Query reports whether m is a query long enough to be version 3.
func (m IGMP) isV3Query() bool {
	return m.Type() == IGMPMembershipQuery && len(m) >= IGMPv3QueryMinLen
}

// MaxRespTime is how long a host may wait before it answers a query: 10
// seconds for a version 1 query (RFC 2236 §4), MaxRespCode tenths of a
// second for version 2, and the decoded Max Resp Code for version 3
// (IGMPv3MaxRespTime). It is 0 for messages that are not queries.
func (m IGMP) MaxRespTime() time.Duration {
	switch m.Version() {
	case 1:
		if m.Type() == IGMPMembershipQuery {
			return 10 * time.Second
		}
	case 2:
		if m.Type() == IGMPMembershipQuery {
			return time.Duration(m.MaxRespCode()) * 100 * time.Millisecond
		}
	case 3:
		if m.Type() == IGMPMembershipQuery {
			return IGMPv3MaxRespTime(m.MaxRespCode())
		}
	}
	return 0
}

// SuppressRouterProcessing is the S flag of a version 3 query (RFC 3376
// §4.1.5); false for other messages.
func (m IGMP) SuppressRouterProcessing() bool { return m.isV3Query() && m[8]&0x08 != 0 }

// QRV is the Querier's Robustness Variable of a version 3 query, 0 to 7
// (RFC 3376 §4.1.6; 0 when the querier's exceeds 7); 0 for other
// messages.
func (m IGMP) QRV() uint8 {
	if !m.isV3Query() {
		return 0
	}
	return m[8] & 0x07
}

// QQIC is the Querier's Query Interval Code of a version 3 query (RFC 3376
// §4.1.7); 0 for other messages. See QueryInterval.
func (m IGMP) QQIC() uint8 {
	if !m.isV3Query() {
		return 0
	}
	return m[9]
}

// QueryInterval is the querier's query interval decoded from QQIC
// (IGMPv3QueryInterval); 0 for messages other than version 3 queries.
func (m IGMP) QueryInterval() time.Duration {
	if !m.isV3Query() {
		return 0
	}
	return IGMPv3QueryInterval(m.QQIC())
}

// NumSources is the number of source addresses of a version 3 query (0 in
// a general or group-specific query); 0 for other messages.
func (m IGMP) NumSources() int {
	if !m.isV3Query() {
		return 0
	}
	return int(binary.BigEndian.Uint16(m[10:]))
}

// Source is the i-th source address of a version 3 query, or the zero
// Addr if i is not below NumSources.
func (m IGMP) Source(i int) netip.Addr {
	if i < 0 || i >= m.NumSources() {
		return netip.Addr{}
	}
	return getAddr4(m[IGMPv3QueryMinLen+4*i:])
}

// NumGroupRecords is the number of group records of a version 3 report; 0
// for other messages.
func (m IGMP) NumGroupRecords() int {
	if m.Type() != IGMPv3MembershipReport {
		return 0
	}
	return int(binary.BigEndian.Uint16(m[6:]))
}

// GroupRecords returns an iterator over the group records of a version 3
// report (none for other messages). It allocates nothing:
//
//	for it := m.GroupRecords(); ; {
//		r, ok := it.Next()
//		if !ok {
//			break
//		}
//		... r.Type(), r.Group() ...
//	}
func (m IGMP) GroupRecords() IGMPGroupRecords {
	if len(m) < IGMPHeaderLen {
		return IGMPGroupRecords{}
	}
	n := m.NumGroupRecords()
	if n == 0 {
		return IGMPGroupRecords{}
	}
	return IGMPGroupRecords{rest: m[IGMPHeaderLen:], left: n}
}

// IGMPGroupRecords iterates over the group records of an IGMPv3 report.
// Obtain one from IGMP.GroupRecords.
type IGMPGroupRecords struct {
	rest []byte
	left int
}

// Next returns the next record, or false when there are no more. On a
// view that did not come from ParseIGMP the iteration stops early, at the
// first record that does not fit, rather than panic.
func (it *IGMPGroupRecords) Next() (IGMPGroupRecord, bool) {
	if it.left <= 0 {
		return nil, false
	}
	n := igmpRecordLen(it.rest)
	if n == 0 {
		it.left = 0
		return nil, false
	}
	r := IGMPGroupRecord(it.rest[:n:n])
	it.rest = it.rest[n:]
	it.left--
	return r, true
}

// IGMPGroupRecord is a view of one group record of an IGMPv3 report (RFC
// 3376 §4.2.4):
//
//	0             1              2                   4                 8
//	+-------------+--------------+-------------------+-----------------+
//	| record type | aux data len | number of sources | multicast addr  |
//	+-------------+--------------+-------------------+-----------------+
//	| source addresses (4 each) ...          | auxiliary data ...       |
//	+----------------------------------------+--------------------------+
//
// where the auxiliary data length counts 32-bit words. Records come from
// IGMPGroupRecords.Next, which cuts each to its length.
type IGMPGroupRecord []byte

// Type is the record type.
func (r IGMPGroupRecord) Type() IGMPRecordType { return IGMPRecordType(r[0]) }

// Group is the multicast address the record is about.
func (r IGMPGroupRecord) Group() netip.Addr { return getAddr4(r[4:8]) }

// NumSources is the number of source addresses.
func (r IGMPGroupRecord) NumSources() int { return int(binary.BigEndian.Uint16(r[2:])) }

// Source is the i-th source address, or the zero Addr if i is not below
// NumSources.
func (r IGMPGroupRecord) Source(i int) netip.Addr {
	if i < 0 || i >= r.NumSources() {
		return netip.Addr{}
	}
	return getAddr4(r[IGMPv3RecordHeaderLen+4*i:])
}

// AuxData is the auxiliary data after the sources: 4 bytes per unit of
// the aux data len field. IGMPv3 defines none and receivers ignore it
// (RFC 3376 §4.2.10).
func (r IGMPGroupRecord) AuxData() []byte {
	return r[IGMPv3RecordHeaderLen+4*r.NumSources():]
}

// IGMPv3MaxRespTime decodes the Max Resp Code of an IGMPv3 query (RFC 3376
// §4.1.1), which counts tenths of a second: codes below 128 are the value
// itself; from 128 up the code is a float, 1|exp (3 bits)|mant (4 bits),
// worth (mant|0x10) << (exp+3) tenths. The largest, 0xff, is 3174.4s.
func IGMPv3MaxRespTime(code uint8) time.Duration {
	return time.Duration(igmpDecodeCode(code)) * 100 * time.Millisecond
}

// IGMPv3QueryInterval decodes the QQIC of an IGMPv3 query (RFC 3376
// §4.1.7), which counts seconds, in the same form as the Max Resp Code.
// The largest, 0xff, is 31744s.
func IGMPv3QueryInterval(qqic uint8) time.Duration {
	return time.Duration(igmpDecodeCode(qqic)) * time.Second
}

// IGMPv3MaxRespCode encodes d as a Max Resp Code: the code of the largest
// value not above d, in tenths of a second, saturating at 0xff. Negative
// durations give 0.
func IGMPv3MaxRespCode(d time.Duration) uint8 {
	return igmpEncodeCode(d / (100 * time.Millisecond))
}

// IGMPv3QQIC encodes d as a Querier's Query Interval Code: the code of the
// largest value not above d, in whole seconds, saturating at 0xff.
// Negative durations give 0.
func IGMPv3QQIC(d time.Duration) uint8 {
	return igmpEncodeCode(d / time.Second)
}

// igmpDecodeCode expands the 8-bit float of RFC 3376 §4.1.1 and §4.1.7.
func igmpDecodeCode(c uint8) int {
	if c < 128 {
		return int(c)
	}
	exp := int(c>>4) & 0x07
	mant := int(c) & 0x0f
	return (mant | 0x10) << (exp + 3)
}

// igmpEncodeCode is the inverse of igmpDecodeCode, rounding down.
func igmpEncodeCode(v time.Duration) uint8 {
	switch {
	case v <= 0:
		return 0
	case v < 128:
		return uint8(v)
	case v >= 0x1f<<10:
		return 0xff
	}
	// v has 8 to 15 significant bits; keep the top five, whose leading
	// one is implied.
	shift := bits.Len64(uint64(v)) - 5
	return 0x80 | uint8(shift-3)<<4 | uint8(v>>shift)&0x0f
}
