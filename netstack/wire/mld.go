package wire

import (
	"encoding/binary"
	"net/netip"
)

// Multicast Listener Discovery: MLDv1 (RFC 2710) and MLDv2 (RFC 3810),
// IGMP's counterpart for IPv6, carried in ICMPv6 with a hop-by-hop Router
// Alert (IPv6RouterAlertFields), hop limit 1, from a link-local source.

// MLDRecordType is the type of a multicast address record in an MLDv2
// report (RFC 3810 §5.2.12); the values are IGMPv3's.
type MLDRecordType uint8

// Record types: two current-state records, sent in answer to a query,
// and four state changes.
const (
	MLDModeIsInclude       MLDRecordType = 1
	MLDModeIsExclude       MLDRecordType = 2
	MLDChangeToIncludeMode MLDRecordType = 3
	MLDChangeToExcludeMode MLDRecordType = 4
	MLDAllowNewSources     MLDRecordType = 5
	MLDBlockOldSources     MLDRecordType = 6
)

// Lengths of MLD messages, ICMPv6 header included: MLDv1 messages
// (RFC 2710 §3), the fixed part of an MLDv2 query (RFC 3810 §5.1), an
// MLDv2 report header and a record without sources (§5.2).
const (
	MLDv1Len             = 24
	MLDv2QueryMinLen     = 28
	MLDv2ReportHeaderLen = 8
	MLDv2RecordMinLen    = 20
)

// MLD is a view of an MLD message: a query of either version, an MLDv1
// report or done, or an MLDv2 report.
type MLD []byte

// ParseMLD checks an ICMPv6 message of an MLD type (else ErrUnsupported):
// MLDv1 messages and queries must hold 24 bytes, a query of more than 24
// bytes is MLDv2 and must hold 28 bytes and its sources, and a report
// must hold the records and sources it counts (ErrTruncated).
func ParseMLD(m ICMPv6) (MLD, error) {
	switch m.Type() {
	case ICMPv6MLDQuery, ICMPv6MLDReport, ICMPv6MLDDone:
		if len(m) < MLDv1Len {
			return nil, ErrTruncated
		}
		if m.Type() == ICMPv6MLDQuery && len(m) > MLDv1Len {
			if len(m) < MLDv2QueryMinLen || len(m) < MLDv2QueryMinLen+16*int(binary.BigEndian.Uint16(m[26:])) {
				return nil, ErrTruncated
			}
		}
	case ICMPv6MLDv2Report:
		off := MLDv2ReportHeaderLen
		for range binary.BigEndian.Uint16(m[6:]) {
			r := m[off:]
			if len(r) < MLDv2RecordMinLen {
				return nil, ErrTruncated
			}
			n := MLDv2RecordMinLen + 16*int(binary.BigEndian.Uint16(r[2:])) + 4*int(r[1])
			if len(r) < n {
				return nil, ErrTruncated
			}
			off += n
		}
	default:
		return nil, ErrUnsupported
	}
	return MLD(m), nil
}

// Type is the message type.
func (m MLD) Type() ICMPv6Type { return ICMPv6Type(m[0]) }

// Version is 2 for an MLDv2 query or report, 1 otherwise.
func (m MLD) Version() int {
	if m.Type() == ICMPv6MLDv2Report || m.Type() == ICMPv6MLDQuery && len(m) > MLDv1Len {
		return 2
	}
	return 1
}

// MaxRespCode is the Maximum Response Code of a query (Delay in MLDv1), in
// milliseconds below 32768; MLDv2 codes from 32768 up are a floating-point
// form (RFC 3810 §5.1.3) that MaxRespDelay decodes.
func (m MLD) MaxRespCode() uint16 {
	if m.Type() == ICMPv6MLDv2Report {
		return 0
	}
	return binary.BigEndian.Uint16(m[4:])
}

// MaxRespDelay is the maximum response delay of a query in milliseconds.
func (m MLD) MaxRespDelay() uint32 {
	c := uint32(m.MaxRespCode())
	if c < 32768 || m.Version() == 1 {
		return c
	}
	return (c&0xfff | 0x1000) << ((c>>12)&7 + 3)
}

// Group is the multicast address of an MLDv1 message or an MLDv2 query
// (:: for a general query); :: for an MLDv2 report.
func (m MLD) Group() netip.Addr {
	if m.Type() == ICMPv6MLDv2Report {
		return netip.IPv6Unspecified()
	}
	return getAddr16(m[8:24])
}

// NumSources is the number of sources of an MLDv2 query, 0 otherwise.
func (m MLD) NumSources() int {
	if m.Version() != 2 || m.Type() != ICMPv6MLDQuery {
		return 0
	}
	return int(binary.BigEndian.Uint16(m[26:]))
}

// Source is source i of an MLDv2 query, or the zero Addr if i is out of
// range.
func (m MLD) Source(i int) netip.Addr {
	if i < 0 || i >= m.NumSources() {
		return netip.Addr{}
	}
	return getAddr16(m[MLDv2QueryMinLen+16*i:])
}

// NumRecords is the record count of an MLDv2 report, 0 otherwise.
func (m MLD) NumRecords() int {
	if m.Type() != ICMPv6MLDv2Report {
		return 0
	}
	return int(binary.BigEndian.Uint16(m[6:]))
}

// Records iterates over the multicast address records of an MLDv2
// report; there are none in other messages.
func (m MLD) Records() MLDRecordIter {
	if m.Type() != ICMPv6MLDv2Report {
		return MLDRecordIter{}
	}
	return MLDRecordIter{b: m[MLDv2ReportHeaderLen:], n: m.NumRecords()}
}

// MLDRecordIter iterates over the records of an MLDv2 report. It
// allocates nothing.
type MLDRecordIter struct {
	b []byte
	n int
}

// Next returns the next record, and false after the last.
func (it *MLDRecordIter) Next() (MLDRecord, bool) {
	if it.n == 0 || len(it.b) < MLDv2RecordMinLen {
		return nil, false
	}
	n := MLDv2RecordMinLen + 16*int(binary.BigEndian.Uint16(it.b[2:])) + 4*int(it.b[1])
	if len(it.b) < n {
		return nil, false
	}
	r := MLDRecord(it.b[:n])
	it.b, it.n = it.b[n:], it.n-1
	return r, true
}

// MLDRecord is a view of one multicast address record (RFC 3810 §5.2.4).
type MLDRecord []byte

// Type is the record type.
func (r MLDRecord) Type() MLDRecordType { return MLDRecordType(r[0]) }

// Group is the multicast address.
func (r MLDRecord) Group() netip.Addr { return getAddr16(r[4:20]) }

// NumSources is the number of sources.
func (r MLDRecord) NumSources() int { return int(binary.BigEndian.Uint16(r[2:])) }

// Source is source i, or the zero Addr if i is out of range.
func (r MLDRecord) Source(i int) netip.Addr {
	if i < 0 || i >= r.NumSources() {
		return netip.Addr{}
	}
	return getAddr16(r[MLDv2RecordMinLen+16*i:])
}

// MLDv2GroupsReportFields builds the MLDv2 report a host sends (RFC 3810
// §5.2) to MLDv2AllRouters: one record of type RecordType, without
// sources, for each of Groups. A host that joins whole groups sends
// MLDChangeToExcludeMode to join, MLDChangeToIncludeMode to leave, and
// MLDModeIsExclude in answer to a query. It allocates nothing.
type MLDv2GroupsReportFields struct {
	RecordType MLDRecordType
	// Groups, at most 65535; a 1500-byte MTU with the 48 bytes of IPv6
	// and hop-by-hop headers holds (1500-48-8)/20 = 72 of them.
	Groups []netip.Addr
}

// Len is the encoded length: 8 bytes and 20 per group.
func (f *MLDv2GroupsReportFields) Len() int {
	return MLDv2ReportHeaderLen + MLDv2RecordMinLen*len(f.Groups)
}

// Encode writes the report to b[0:f.Len()], with its checksum over the
// pseudo-header of src (link-local, or :: during address configuration,
// RFC 3810 §5.2.13) and dst.
func (f *MLDv2GroupsReportFields) Encode(b []byte, src, dst netip.Addr) {
	b = b[:f.Len()]
	b[0], b[1] = uint8(ICMPv6MLDv2Report), 0
	b[4], b[5] = 0, 0
	binary.BigEndian.PutUint16(b[6:], uint16(len(f.Groups)))
	for i, g := range f.Groups {
		r := b[MLDv2ReportHeaderLen+MLDv2RecordMinLen*i:]
		r[0], r[1], r[2], r[3] = uint8(f.RecordType), 0, 0, 0
		putAddr16(r[4:20], g)
	}
	icmpv6Checksum(b, src, dst)
}
