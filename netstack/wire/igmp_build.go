package wire

import (
	"encoding/binary"
	"net/netip"
)

// Building IGMP messages: what a host sends (reports and leaves of every
// version) and, for tests and queriers, queries.

// IGMPFields is the decoded form of an IGMPv1 or IGMPv2 message (RFC 2236
// §2): a version 2 report or leave, which a host sends, or a version 1 or
// 2 query.
type IGMPFields struct {
	Type IGMPType
	// MaxRespCode is the maximum response time of a version 2 query in
	// tenths of a second; 0 for reports, leaves and version 1 queries.
	MaxRespCode uint8
	// Group is the group reported or left, or queried (0.0.0.0 in a
	// general query). It is written as 0.0.0.0 if it is not IPv4.
	Group netip.Addr
}

// Len is the encoded length, IGMPHeaderLen.
func (f *IGMPFields) Len() int { return IGMPHeaderLen }

// Encode writes the message, with its checksum, to b[0:8].
func (f *IGMPFields) Encode(b []byte) {
	b = b[:IGMPHeaderLen]
	b[0] = uint8(f.Type)
	b[1] = f.MaxRespCode
	b[2], b[3] = 0, 0
	putAddr4(b[4:8], f.Group)
	binary.BigEndian.PutUint16(b[2:], Checksum(b))
}

// IGMPv3QueryFields is the decoded form of an IGMPv3 membership query (RFC
// 3376 §4.1). Hosts do not send queries; this is for tests and queriers.
type IGMPv3QueryFields struct {
	// MaxRespCode is in the form of RFC 3376 §4.1.1: see IGMPv3MaxRespCode.
	MaxRespCode uint8
	// Group is 0.0.0.0 for a general query. It is written as 0.0.0.0 if
	// it is not IPv4, as are Sources.
	Group                    netip.Addr
	SuppressRouterProcessing bool
	// QRV is the querier's robustness variable; only its low 3 bits are
	// sent.
	QRV uint8
	// QQIC is in the form of RFC 3376 §4.1.7: see IGMPv3QQIC.
	QQIC uint8
	// Sources makes a group-and-source-specific query; at most 65535.
	Sources []netip.Addr
}

// Len is the encoded length: 12 bytes and 4 per source.
func (f *IGMPv3QueryFields) Len() int { return IGMPv3QueryMinLen + 4*len(f.Sources) }

// Encode writes the query, with its checksum, to b[0:f.Len()].
func (f *IGMPv3QueryFields) Encode(b []byte) {
	b = b[:f.Len()]
	b[0] = uint8(IGMPMembershipQuery)
	b[1] = f.MaxRespCode
	b[2], b[3] = 0, 0
	putAddr4(b[4:8], f.Group)
	b[8] = f.QRV & 0x07
	if f.SuppressRouterProcessing {
		b[8] |= 0x08
	}
	b[9] = f.QQIC
	binary.BigEndian.PutUint16(b[10:], uint16(len(f.Sources)))
	for i, s := range f.Sources {
		putAddr4(b[IGMPv3QueryMinLen+4*i:], s)
	}
	binary.BigEndian.PutUint16(b[2:], Checksum(b))
}

// IGMPGroupRecordFields is the decoded form of one group record of an
// IGMPv3 report. A host that joins and leaves whole groups needs only the
// three records IGMPJoinRecord, IGMPLeaveRecord and
// IGMPCurrentStateRecord build.
type IGMPGroupRecordFields struct {
	Type IGMPRecordType
	// Group is written as 0.0.0.0 if it is not IPv4, as are Sources.
	Group netip.Addr
	// Sources are at most 65535.
	Sources []netip.Addr
	// AuxData is sent after the sources, cut to a multiple of 4 bytes and
	// at most 1020. RFC 3376 §4.2.6 forbids hosts to send any: it is here
	// so that any parsed record can be rebuilt.
	AuxData []byte
}

// IGMPJoinRecord is the record a host sends to join group for every
// source (RFC 3376 §5.1): CHANGE_TO_EXCLUDE_MODE with no sources.
func IGMPJoinRecord(group netip.Addr) IGMPGroupRecordFields {
	return IGMPGroupRecordFields{Type: IGMPChangeToExcludeMode, Group: group}
}

// IGMPLeaveRecord is the record a host sends to leave group (RFC 3376
// §5.1): CHANGE_TO_INCLUDE_MODE with no sources.
func IGMPLeaveRecord(group netip.Addr) IGMPGroupRecordFields {
	return IGMPGroupRecordFields{Type: IGMPChangeToIncludeMode, Group: group}
}

// IGMPCurrentStateRecord is the record that answers a general or
// group-specific query for a group joined for every source (RFC 3376
// §5.2): MODE_IS_EXCLUDE with no sources.
func IGMPCurrentStateRecord(group netip.Addr) IGMPGroupRecordFields {
	return IGMPGroupRecordFields{Type: IGMPModeIsExclude, Group: group}
}

// auxLen is the length of AuxData as sent.
func (r *IGMPGroupRecordFields) auxLen() int { return min(len(r.AuxData), 255*4) &^ 3 }

// Len is the encoded length of the record: 8 bytes, 4 per source and the
// auxiliary data.
func (r *IGMPGroupRecordFields) Len() int {
	return IGMPv3RecordHeaderLen + 4*len(r.Sources) + r.auxLen()
}

// encode writes the record to b[0:r.Len()].
func (r *IGMPGroupRecordFields) encode(b []byte) {
	aux := r.auxLen()
	b[0] = uint8(r.Type)
	b[1] = uint8(aux / 4)
	binary.BigEndian.PutUint16(b[2:], uint16(len(r.Sources)))
	putAddr4(b[4:8], r.Group)
	off := IGMPv3RecordHeaderLen
	for _, s := range r.Sources {
		putAddr4(b[off:], s)
		off += 4
	}
	copy(b[off:off+aux], r.AuxData)
}

// IGMPv3ReportFields is the decoded form of an IGMPv3 membership report
// (RFC 3376 §4.2), sent to IGMPv3AllRouters.
type IGMPv3ReportFields struct {
	// Records are at most 65535 and must fit the link's MTU with the IP
	// header: the stack splits larger reports (RFC 3376 §4.2.16).
	Records []IGMPGroupRecordFields
}

// Len is the encoded length: 8 bytes and the records.
func (f *IGMPv3ReportFields) Len() int {
	n := IGMPHeaderLen
	for i := range f.Records {
		n += f.Records[i].Len()
	}
	return n
}

// Encode writes the report, with its checksum, to b[0:f.Len()].
func (f *IGMPv3ReportFields) Encode(b []byte) {
	b = b[:f.Len()]
	igmpV3ReportHeader(b, len(f.Records))
	off := IGMPHeaderLen
	for i := range f.Records {
		r := &f.Records[i]
		r.encode(b[off:])
		off += r.Len()
	}
	binary.BigEndian.PutUint16(b[2:], Checksum(b))
}

// igmpV3ReportHeader writes the first 8 bytes of a report with a zero
// checksum.
func igmpV3ReportHeader(b []byte, records int) {
	b[0] = uint8(IGMPv3MembershipReport)
	b[1], b[2], b[3], b[4], b[5] = 0, 0, 0, 0, 0
	binary.BigEndian.PutUint16(b[6:], uint16(records))
}

// IGMPv3GroupsReportFields builds the report a host answering a general
// query sends, or a state change for several groups at once: one record
// of type RecordType, without sources, for each of Groups. Unlike
// IGMPv3ReportFields it needs no slice of records, so a caller holding its
// joined groups as addresses builds the report without allocating.
type IGMPv3GroupsReportFields struct {
	RecordType IGMPRecordType
	// Groups are written as 0.0.0.0 if they are not IPv4. A 1500-byte MTU
	// holds (1500-24-8)/8 = 183 of them.
	Groups []netip.Addr
}

// Len is the encoded length: 8 bytes and 8 per group.
func (f *IGMPv3GroupsReportFields) Len() int {
	return IGMPHeaderLen + IGMPv3RecordHeaderLen*len(f.Groups)
}

// Encode writes the report, with its checksum, to b[0:f.Len()].
func (f *IGMPv3GroupsReportFields) Encode(b []byte) {
	b = b[:f.Len()]
	igmpV3ReportHeader(b, len(f.Groups))
	for i, g := range f.Groups {
		r := b[IGMPHeaderLen+IGMPv3RecordHeaderLen*i:]
		r[0], r[1], r[2], r[3] = uint8(f.RecordType), 0, 0, 0
		putAddr4(r[4:8], g)
	}
	binary.BigEndian.PutUint16(b[2:], Checksum(b))
}
