package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/netip"
	"testing"
	"time"
)

// Groups the Linux capture testdata/igmp.pcap joins.
var (
	group1 = netip.MustParseAddr("239.1.2.3")
	group2 = netip.MustParseAddr("239.4.5.6")
	group3 = netip.MustParseAddr("239.7.8.9")
)

// igmpFrames returns the IGMP messages of testdata/igmp.pcap (see
// testdata/capture/igmp.sh) and the IPv4 packets that carry them.
func igmpFrames(t testing.TB) (msgs [][]byte, pkts []IPv4) {
	t.Helper()
	for _, f := range readPcap(t, "testdata/igmp.pcap") {
		p := must(ParseIPv4(must(ParseEthernet(f)).Payload()))
		msgs = append(msgs, p.Payload())
		pkts = append(pkts, p)
	}
	if len(msgs) != 18 {
		t.Fatalf("igmp.pcap: %d frames, want 18", len(msgs))
	}
	return msgs, pkts
}

// igmpWithFix returns a copy of the IGMP message in b with edit applied
// and its checksum recomputed.
func igmpWithFix(b []byte, edit func([]byte)) []byte {
	c := append([]byte(nil), b...)
	edit(c)
	c[2], c[3] = 0, 0
	binary.BigEndian.PutUint16(c[2:], Checksum(c))
	return c
}

// Hand-built messages, laid out as RFC 2236 §2 and RFC 3376 §4 draw them.
var (
	igmpV2Report = unhex(`16 00 f2ee  ef070809  # v2 report 239.7.8.9 (as Linux sent it)`)
	igmpV3Query  = unhex(`
		11          # membership query
		8a          # max resp code: exp 0, mant 10: 26<<3 = 208 tenths
		0000        # checksum
		ef010203    # group 239.1.2.3
		0a          # resv 0, S 1, QRV 2
		7d          # QQIC 125
		0002        # 2 sources
		c0a84564 0a000001
	`)
	igmpV3Report = unhex(`
		22 00 0000  # v3 report, reserved, checksum
		0000 0002   # reserved, 2 group records
		02 00 0000  ef010203                    # MODE_IS_EXCLUDE 239.1.2.3, no sources
		05 01 0001  ef040506  c0a84501 61757821 # ALLOW_NEW_SOURCES 239.4.5.6 {192.168.69.1}, aux "aux!"
	`)
)

func init() {
	igmpV3Query = igmpWithFix(igmpV3Query, func([]byte) {})
	igmpV3Report = igmpWithFix(igmpV3Report, func([]byte) {})
}

func TestParseIGMP(t *testing.T) {
	msgs, _ := igmpFrames(t)
	type want struct {
		typ              IGMPType
		version          int
		group            netip.Addr
		maxResp          time.Duration
		s                bool
		qrv, qqic        uint8
		interval         time.Duration
		sources, records int
	}
	tests := []struct {
		desc string
		b    []byte
		want want
		err  error
	}{
		{"Linux v3 report, join", msgs[0], want{IGMPv3MembershipReport, 3, ipZero4, 0, false, 0, 0, 0, 0, 1}, nil},
		{"v3 general query, 1s", msgs[1], want{IGMPMembershipQuery, 3, ipZero4, time.Second, false, 2, 125, 125 * time.Second, 0, 0}, nil},
		{"v3 group query, code 0x8a", msgs[3], want{IGMPMembershipQuery, 3, group1, 20800 * time.Millisecond, false, 2, 125, 125 * time.Second, 0, 0}, nil},
		{"v3 query with a source", msgs[4], want{IGMPMembershipQuery, 3, ipZero4, 10 * time.Second, true, 2, 125, 125 * time.Second, 1, 0}, nil},
		{"Linux v2 report", msgs[11], want{IGMPv2MembershipReport, 2, group3, 0, false, 0, 0, 0, 0, 0}, nil},
		{"v2 query", msgs[12], want{IGMPMembershipQuery, 2, ipZero4, time.Second, false, 0, 0, 0, 0, 0}, nil},
		{"Linux v2 leave", msgs[14], want{IGMPv2LeaveGroup, 2, group3, 0, false, 0, 0, 0, 0, 0}, nil},
		{"Linux v1 report", msgs[15], want{IGMPv1MembershipReport, 1, netip.MustParseAddr("239.9.9.9"), 0, false, 0, 0, 0, 0, 0}, nil},
		{"v1 query means 10s (RFC 2236 §4)", msgs[16], want{IGMPMembershipQuery, 1, ipZero4, 10 * time.Second, false, 0, 0, 0, 0, 0}, nil},
		{"v2 report fixture", igmpV2Report, want{IGMPv2MembershipReport, 2, group3, 0, false, 0, 0, 0, 0, 0}, nil},
		{"v3 query fixture", igmpV3Query, want{IGMPMembershipQuery, 3, group1, 20800 * time.Millisecond, true, 2, 125, 125 * time.Second, 2, 0}, nil},
		{"v3 report fixture", igmpV3Report, want{IGMPv3MembershipReport, 3, ipZero4, 0, false, 0, 0, 0, 0, 2}, nil},
		{"v2 report longer than 8 bytes (RFC 2236 §2.5)", igmpWithFix(append(append([]byte(nil), igmpV2Report...), 1, 2, 3, 4), func([]byte) {}),
			want{IGMPv2MembershipReport, 2, group3, 0, false, 0, 0, 0, 0, 0}, nil},
		{"v3 query with extra bytes (RFC 3376 §4.1.10)", igmpWithFix(append(append([]byte(nil), igmpV3Query...), 9, 9), func([]byte) {}),
			want{IGMPMembershipQuery, 3, group1, 20800 * time.Millisecond, true, 2, 125, 125 * time.Second, 2, 0}, nil},
		{"v3 report with extra bytes (RFC 3376 §4.2.11)", igmpWithFix(append(append([]byte(nil), igmpV3Report...), 9, 9, 9, 9), func([]byte) {}),
			want{IGMPv3MembershipReport, 3, ipZero4, 0, false, 0, 0, 0, 0, 2}, nil},
		{"v3 report with no records", igmpWithFix(igmpV3Report[:8], func(b []byte) { b[7] = 0 }),
			want{IGMPv3MembershipReport, 3, ipZero4, 0, false, 0, 0, 0, 0, 0}, nil},
		{"unknown type", igmpWithFix(igmpV2Report, func(b []byte) { b[0] = 0x30 }),
			want{0x30, 0, group3, 0, false, 0, 0, 0, 0, 0}, nil},

		{"empty", nil, want{}, ErrTruncated},
		{"7 bytes", igmpV2Report[:7], want{}, ErrTruncated},
		{"query of 9 bytes (RFC 3376 §7.1)", igmpWithFix(igmpV3Query[:9], func([]byte) {}), want{}, ErrMalformed},
		{"query of 11 bytes (RFC 3376 §7.1)", igmpWithFix(igmpV3Query[:11], func([]byte) {}), want{}, ErrMalformed},
		{"v3 query missing a source", igmpWithFix(igmpV3Query[:19], func([]byte) {}), want{}, ErrTruncated},
		{"v3 query counting 65535 sources", igmpWithFix(igmpV3Query, func(b []byte) { b[10], b[11] = 0xff, 0xff }), want{}, ErrTruncated},
		{"v3 report with fewer records than counted", igmpWithFix(igmpV3Report, func(b []byte) { b[7] = 3 }), want{}, ErrTruncated},
		{"v3 report with a record header cut", igmpWithFix(igmpV3Report[:8+8+4], func([]byte) {}), want{}, ErrTruncated},
		{"v3 report missing a source", igmpWithFix(igmpV3Report[:8+8+8], func([]byte) {}), want{}, ErrTruncated},
		{"v3 report missing aux data", igmpWithFix(igmpV3Report[:8+8+12], func([]byte) {}), want{}, ErrTruncated},
		{"v3 report counting 65535 sources", igmpWithFix(igmpV3Report, func(b []byte) { b[18], b[19] = 0xff, 0xff }), want{}, ErrTruncated},
		{"v3 report with aux len 255", igmpWithFix(igmpV3Report, func(b []byte) { b[17] = 0xff }), want{}, ErrTruncated},
		{"bad checksum", func() []byte { b := append([]byte(nil), igmpV2Report...); b[7]++; return b }(), want{}, ErrBadChecksum},
		{"checksum covers the bytes after the message", append(append([]byte(nil), igmpV2Report...), 0, 1), want{}, ErrBadChecksum},
	}
	for _, tt := range tests {
		m, err := ParseIGMP(tt.b)
		if !errors.Is(err, tt.err) {
			t.Errorf("%s: err %v, want %v", tt.desc, err, tt.err)
			continue
		}
		if err != nil {
			continue
		}
		group := m.Group()
		if tt.want.typ == IGMPv3MembershipReport {
			group = ipZero4 // bytes 4 to 8 are not a group
		}
		got := want{m.Type(), m.Version(), group, m.MaxRespTime(), m.SuppressRouterProcessing(), m.QRV(), m.QQIC(),
			m.QueryInterval(), m.NumSources(), m.NumGroupRecords()}
		if got != tt.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.desc, got, tt.want)
		}
		if m.Checksum() != binary.BigEndian.Uint16(tt.b[2:]) || len(m) != len(tt.b) {
			t.Errorf("%s: Checksum %#04x, view %d bytes", tt.desc, m.Checksum(), len(m))
		}
	}
}

var ipZero4 = netip.IPv4Unspecified()

func TestIGMPSourcesAndRecords(t *testing.T) {
	q := must(ParseIGMP(igmpV3Query))
	if q.Source(0) != ipA || q.Source(1) != netip.MustParseAddr("10.0.0.1") {
		t.Errorf("query sources %v %v", q.Source(0), q.Source(1))
	}
	for _, i := range []int{-1, 2, 1 << 20} {
		if s := q.Source(i); s.IsValid() {
			t.Errorf("Source(%d) = %v, want the zero Addr", i, s)
		}
	}

	type rec struct {
		typ     IGMPRecordType
		group   netip.Addr
		sources []netip.Addr
		aux     string
	}
	collect := func(m IGMP) []rec {
		var got []rec
		for it := m.GroupRecords(); ; {
			r, ok := it.Next()
			if !ok {
				break
			}
			x := rec{typ: r.Type(), group: r.Group(), aux: string(r.AuxData())}
			for i := range r.NumSources() {
				x.sources = append(x.sources, r.Source(i))
			}
			if r.Source(r.NumSources()).IsValid() || r.Source(-1).IsValid() {
				t.Errorf("record Source out of range is valid")
			}
			got = append(got, x)
		}
		return got
	}
	msgs, _ := igmpFrames(t)
	tests := []struct {
		desc string
		m    []byte
		want []rec
	}{
		{"fixture", igmpV3Report, []rec{{IGMPModeIsExclude, group1, nil, ""}, {IGMPAllowNewSources, group2, []netip.Addr{ipB}, "aux!"}}},
		{"Linux join", msgs[0], []rec{{IGMPChangeToExcludeMode, group1, nil, ""}}},
		{"Linux answer to a general query", msgs[2], []rec{{IGMPModeIsExclude, group1, nil, ""}}},
		{"Linux source-specific join", msgs[5], []rec{{IGMPAllowNewSources, group2, []netip.Addr{ipB}, ""}}},
		{"Linux source-specific leave", msgs[7], []rec{{IGMPBlockOldSources, group2, []netip.Addr{ipB}, ""}}},
		{"Linux leave", msgs[9], []rec{{IGMPChangeToIncludeMode, group1, nil, ""}}},
		{"a query has no records", igmpV3Query, nil},
		{"a v2 report has no records", igmpV2Report, nil},
	}
	for _, tt := range tests {
		got := collect(must(ParseIGMP(tt.m)))
		if len(got) != len(tt.want) {
			t.Errorf("%s: %d records %+v, want %d", tt.desc, len(got), got, len(tt.want))
			continue
		}
		for i := range got {
			g, w := got[i], tt.want[i]
			if g.typ != w.typ || g.group != w.group || g.aux != w.aux || len(g.sources) != len(w.sources) ||
				(len(w.sources) > 0 && g.sources[0] != w.sources[0]) {
				t.Errorf("%s: record %d %+v, want %+v", tt.desc, i, g, w)
			}
		}
	}
	// On a view made by conversion, records that do not fit end the
	// iteration instead of panicking.
	cut := IGMP(igmpV3Report[:8+8+6])
	if got := collect(cut); len(got) != 1 || got[0].group != group1 {
		t.Errorf("cut report: %+v", got)
	}
}

func TestIGMPFieldsEncode(t *testing.T) {
	msgs, _ := igmpFrames(t)
	// Linux's v2 report and leave, and the v1 and v2 queries, byte for byte.
	tests := []struct {
		desc string
		f    IGMPFields
		want []byte
	}{
		{"v2 report", IGMPFields{Type: IGMPv2MembershipReport, Group: group3}, msgs[11]},
		{"v2 leave", IGMPFields{Type: IGMPv2LeaveGroup, Group: group3}, msgs[14]},
		{"v1 report", IGMPFields{Type: IGMPv1MembershipReport, Group: netip.MustParseAddr("239.9.9.9")}, msgs[15]},
		{"v2 query", IGMPFields{Type: IGMPMembershipQuery, MaxRespCode: 10}, msgs[12]},
		{"v1 query", IGMPFields{Type: IGMPMembershipQuery}, msgs[16]},
	}
	for _, tt := range tests {
		b := bytes.Repeat([]byte{0xee}, 12)
		tt.f.Encode(b)
		if tt.f.Len() != 8 || !bytes.Equal(b[:8], tt.want) || !bytes.Equal(b[8:], []byte{0xee, 0xee, 0xee, 0xee}) {
			t.Errorf("%s: Encode\n% x\nwant\n% x", tt.desc, b, tt.want)
		}
	}
	// A group that is not IPv4 is written as 0.0.0.0.
	b := make([]byte, 8)
	f := IGMPFields{Type: IGMPv2MembershipReport, Group: netip.MustParseAddr("ff02::1")}
	f.Encode(b)
	if m := must(ParseIGMP(b)); m.Group() != ipZero4 {
		t.Errorf("IPv6 group written as %v", m.Group())
	}
}

func TestIGMPv3ReportEncode(t *testing.T) {
	msgs, _ := igmpFrames(t)
	one := func(r IGMPGroupRecordFields) IGMPv3ReportFields {
		return IGMPv3ReportFields{Records: []IGMPGroupRecordFields{r}}
	}
	tests := []struct {
		desc string
		f    IGMPv3ReportFields
		want []byte
	}{
		{"join (RFC 3376 §5.1)", one(IGMPJoinRecord(group1)), msgs[0]},
		{"answer to a general query (§5.2)", one(IGMPCurrentStateRecord(group1)), msgs[2]},
		{"leave (§5.1)", one(IGMPLeaveRecord(group1)), msgs[9]},
		{"source-specific join", one(IGMPGroupRecordFields{Type: IGMPAllowNewSources, Group: group2, Sources: []netip.Addr{ipB}}), msgs[5]},
		{"fixture: two records, sources, aux data", IGMPv3ReportFields{Records: []IGMPGroupRecordFields{
			{Type: IGMPModeIsExclude, Group: group1},
			{Type: IGMPAllowNewSources, Group: group2, Sources: []netip.Addr{ipB}, AuxData: []byte("aux!")},
		}}, igmpV3Report},
		{"aux data cut to whole words", IGMPv3ReportFields{Records: []IGMPGroupRecordFields{
			{Type: IGMPModeIsExclude, Group: group1},
			{Type: IGMPAllowNewSources, Group: group2, Sources: []netip.Addr{ipB}, AuxData: []byte("aux!?!")},
		}}, igmpV3Report},
	}
	for _, tt := range tests {
		b := bytes.Repeat([]byte{0xee}, tt.f.Len())
		tt.f.Encode(b)
		if tt.f.Len() != len(tt.want) || !bytes.Equal(b, tt.want) {
			t.Errorf("%s: Encode (Len %d)\n% x\nwant\n% x", tt.desc, tt.f.Len(), b, tt.want)
		}
	}
	// IGMPv3GroupsReportFields builds the same bytes as IGMPv3ReportFields
	// with the same source-less records.
	groups := []netip.Addr{group1, group2, group3}
	for _, typ := range []IGMPRecordType{IGMPModeIsExclude, IGMPChangeToExcludeMode, IGMPChangeToIncludeMode} {
		g := IGMPv3GroupsReportFields{RecordType: typ, Groups: groups}
		var r IGMPv3ReportFields
		for _, a := range groups {
			r.Records = append(r.Records, IGMPGroupRecordFields{Type: typ, Group: a})
		}
		b1, b2 := bytes.Repeat([]byte{0xee}, g.Len()), make([]byte, r.Len())
		g.Encode(b1)
		r.Encode(b2)
		if g.Len() != 8+3*8 || !bytes.Equal(b1, b2) {
			t.Errorf("%v: groups report\n% x\nwant\n% x", typ, b1, b2)
		}
		m := must(ParseIGMP(b1))
		it := m.GroupRecords()
		for i := range groups {
			if rec, ok := it.Next(); !ok || rec.Type() != typ || rec.Group() != groups[i] || rec.NumSources() != 0 {
				t.Errorf("%v: record %d: %v %v", typ, i, rec, ok)
			}
		}
	}
	// An empty report is 8 bytes and still parses.
	var empty IGMPv3GroupsReportFields
	b := make([]byte, empty.Len())
	empty.Encode(b)
	if m := must(ParseIGMP(b)); m.NumGroupRecords() != 0 || len(b) != 8 {
		t.Errorf("empty report % x", b)
	}
}

func TestIGMPv3QueryEncode(t *testing.T) {
	msgs, _ := igmpFrames(t)
	tests := []struct {
		desc string
		f    IGMPv3QueryFields
		want []byte
	}{
		{"general query", IGMPv3QueryFields{MaxRespCode: 10, QRV: 2, QQIC: 125}, msgs[1]},
		{"group-specific query", IGMPv3QueryFields{MaxRespCode: 0x8a, Group: group1, QRV: 2, QQIC: IGMPv3QQIC(125 * time.Second)}, msgs[3]},
		{"sources and S flag", IGMPv3QueryFields{MaxRespCode: IGMPv3MaxRespCode(20800 * time.Millisecond), Group: group1,
			SuppressRouterProcessing: true, QRV: 2 | 8, QQIC: 125, Sources: []netip.Addr{ipA, netip.MustParseAddr("10.0.0.1")}}, igmpV3Query},
	}
	for _, tt := range tests {
		b := bytes.Repeat([]byte{0xee}, tt.f.Len())
		tt.f.Encode(b)
		if tt.f.Len() != len(tt.want) || !bytes.Equal(b, tt.want) {
			t.Errorf("%s: Encode\n% x\nwant\n% x", tt.desc, b, tt.want)
		}
	}
}

func TestIGMPv3Codes(t *testing.T) {
	// RFC 3376 §4.1.1 and §4.1.7: below 128 linear, then
	// (mant|0x10) << (exp+3).
	tests := []struct {
		code     uint8
		maxResp  time.Duration
		interval time.Duration
	}{
		{0, 0, 0},
		{1, 100 * time.Millisecond, time.Second},
		{100, 10 * time.Second, 100 * time.Second},
		{127, 12700 * time.Millisecond, 127 * time.Second},
		{0x80, 12800 * time.Millisecond, 128 * time.Second},     // 16<<3
		{0x8a, 20800 * time.Millisecond, 208 * time.Second},     // 26<<3
		{0x9f, 49600 * time.Millisecond, 496 * time.Second},     // 31<<4
		{0xf0, 1638400 * time.Millisecond, 16384 * time.Second}, // 16<<10
		{0xff, 3174400 * time.Millisecond, 31744 * time.Second}, // 31<<10
	}
	for _, tt := range tests {
		if got := IGMPv3MaxRespTime(tt.code); got != tt.maxResp {
			t.Errorf("IGMPv3MaxRespTime(%#x) = %v, want %v", tt.code, got, tt.maxResp)
		}
		if got := IGMPv3QueryInterval(tt.code); got != tt.interval {
			t.Errorf("IGMPv3QueryInterval(%#x) = %v, want %v", tt.code, got, tt.interval)
		}
	}
	// Every code encodes back to itself, and the encoders round down: the
	// code of d decodes to at most d, and the next code to more than d.
	for c := range 256 {
		code := uint8(c)
		if got := IGMPv3MaxRespCode(IGMPv3MaxRespTime(code)); got != code {
			t.Errorf("IGMPv3MaxRespCode(%v) = %#x, want %#x", IGMPv3MaxRespTime(code), got, code)
		}
		if got := IGMPv3QQIC(IGMPv3QueryInterval(code)); got != code {
			t.Errorf("IGMPv3QQIC(%v) = %#x, want %#x", IGMPv3QueryInterval(code), got, code)
		}
	}
	for _, d := range []time.Duration{150 * time.Millisecond, 13 * time.Second, 20900 * time.Millisecond, 1000 * time.Second, time.Hour} {
		c := IGMPv3MaxRespCode(d)
		if IGMPv3MaxRespTime(c) > d || (c < 0xff && IGMPv3MaxRespTime(c+1) <= d) {
			t.Errorf("IGMPv3MaxRespCode(%v) = %#x (%v)", d, c, IGMPv3MaxRespTime(c))
		}
		q := IGMPv3QQIC(d)
		if IGMPv3QueryInterval(q) > d || (q < 0xff && IGMPv3QueryInterval(q+1) <= d) {
			t.Errorf("IGMPv3QQIC(%v) = %#x (%v)", d, q, IGMPv3QueryInterval(q))
		}
	}
	if IGMPv3MaxRespCode(-time.Second) != 0 || IGMPv3QQIC(100*time.Hour) != 0xff {
		t.Error("no clamping at the ends")
	}
}

// TestIGMPPacketRebuild builds Linux's IGMP frames whole, Ethernet and IP
// headers included, as the stack will: multicast MAC, TOS 0xc0 (v3), TTL
// 1, DF, Router Alert.
func TestIGMPPacketRebuild(t *testing.T) {
	frames := readPcap(t, "testdata/igmp.pcap")
	build := func(dst netip.Addr, tos uint8, m interface {
		Len() int
		Encode([]byte)
	}) []byte {
		ip := IPv4Fields{TOS: tos, DontFragment: true, TTL: 1, Protocol: IPProtoIGMP, Src: ipA, Dst: dst, RouterAlert: true}
		b := make([]byte, EthernetHeaderLen+ip.Len()+m.Len())
		e := EthernetFields{Dst: MulticastMAC(dst), Src: macA, Type: EtherTypeIPv4}
		e.Encode(b)
		ip.Encode(b[EthernetHeaderLen:], m.Len())
		m.Encode(b[EthernetHeaderLen+ip.Len():])
		return b
	}
	tests := []struct {
		desc string
		got  []byte
		want []byte
	}{
		{"v3 join", build(IGMPv3AllRouters, 0xc0, &IGMPv3ReportFields{Records: []IGMPGroupRecordFields{IGMPJoinRecord(group1)}}), frames[0]},
		{"v3 leave", build(IGMPv3AllRouters, 0xc0, &IGMPv3GroupsReportFields{RecordType: IGMPChangeToIncludeMode, Groups: []netip.Addr{group1}}), frames[9]},
		// Linux sends v2 messages with TOS 0xc0 too.
		{"v2 report", build(group3, 0xc0, &IGMPFields{Type: IGMPv2MembershipReport, Group: group3}), frames[11]},
		{"v2 leave", build(IGMPAllRouters, 0xc0, &IGMPFields{Type: IGMPv2LeaveGroup, Group: group3}), frames[14]},
	}
	for _, tt := range tests {
		if !bytes.Equal(tt.got, tt.want) {
			t.Errorf("%s:\n% x\nwant\n% x", tt.desc, tt.got, tt.want)
		}
	}
}

func TestIPv4RouterAlert(t *testing.T) {
	_, pkts := igmpFrames(t)
	for i, p := range pkts {
		if !p.RouterAlert() || p.HeaderLen() != IPv4RouterAlertHeaderLen {
			t.Errorf("Linux frame %d: RouterAlert %v, header %d", i, p.RouterAlert(), p.HeaderLen())
		}
	}
	withOpts := func(opts string) IPv4 {
		o := unhex(opts)
		if len(o)%4 != 0 {
			t.Fatalf("options %q: not whole words", opts)
		}
		b := make([]byte, 20+len(o))
		f := IPv4Fields{TTL: 1, Protocol: IPProtoIGMP, Src: ipA, Dst: IGMPAllSystems}
		f.Encode(b, len(o))
		b[0] = 0x40 | uint8(len(b)/4)
		copy(b[20:], o)
		return must(ParseIPv4(ipWithFix(b, func([]byte) {})))
	}
	tests := []struct {
		opts string
		want bool
	}{
		{"", false},
		{"94040000", true},
		{"94040001", true}, // a reserved value still alerts
		{"01 01 94040000 0000", true},
		{"00 000000 94040000", false},            // after End of Option List
		{"9403 0000", false},                     // wrong length
		{"07 07 04 00000000 94040000 00", true},  // after record route (length 7)
		{"07 0d 04 00000000 00000000 00", false}, // length beyond the options
		{"07 01 00 00", false},                   // length below 2
		{"01 01 01 07", false},                   // type without a length byte
		{"44 04 0500 94040000", true},            // after a short timestamp option
	}
	for _, tt := range tests {
		if got := withOpts(tt.opts).RouterAlert(); got != tt.want {
			t.Errorf("options %q: RouterAlert %v, want %v", tt.opts, got, tt.want)
		}
	}
	// Encode with RouterAlert: 24-byte header, IHL 6, the option, and a
	// round trip through ParseIPv4. Without it nothing changes.
	f := IPv4Fields{TOS: 0xc0, TTL: 1, Protocol: IPProtoIGMP, Src: ipA, Dst: IGMPv3AllRouters, RouterAlert: true}
	b := make([]byte, f.Len()+8)
	f.Encode(b, 8)
	p := must(ParseIPv4(b))
	if f.Len() != 24 || p.HeaderLen() != 24 || p.TotalLen() != 32 || !bytes.Equal(p.Options(), []byte{0x94, 4, 0, 0}) || !p.RouterAlert() {
		t.Errorf("router alert header % x", b[:24])
	}
	f.RouterAlert = false
	if f.Len() != 20 {
		t.Errorf("Len without RouterAlert %d", f.Len())
	}
}

func TestMulticastMAC(t *testing.T) {
	frames := readPcap(t, "testdata/igmp.pcap")
	for i, f := range frames {
		e := must(ParseEthernet(f))
		p := must(ParseIPv4(e.Payload()))
		if got := MulticastMAC(p.Dst()); got != e.Dst() || !got.IsMulticast() {
			t.Errorf("frame %d: MulticastMAC(%v) = %v, Linux sent to %v", i, p.Dst(), got, e.Dst())
		}
	}
	for addr, want := range map[string]MAC{
		"224.0.0.1":          {0x01, 0x00, 0x5e, 0, 0, 1},
		"239.255.255.250":    {0x01, 0x00, 0x5e, 0x7f, 0xff, 0xfa},
		"224.128.0.1":        {0x01, 0x00, 0x5e, 0, 0, 1}, // the 24th bit is dropped
		"::ffff:224.0.0.251": {0x01, 0x00, 0x5e, 0, 0, 0xfb},
		"192.168.69.1":       {},
		"ff02::1":            {0x33, 0x33, 0, 0, 0, 1}, // RFC 2464 §7
		"fdaa::1":            {},
	} {
		if got := MulticastMAC(netip.MustParseAddr(addr)); got != want {
			t.Errorf("MulticastMAC(%s) = %v, want %v", addr, got, want)
		}
	}
	if got := MulticastMAC(netip.Addr{}); got != (MAC{}) {
		t.Errorf("MulticastMAC(zero) = %v", got)
	}
}

func TestIGMPTypeStrings(t *testing.T) {
	for typ, want := range map[IGMPType]string{
		IGMPMembershipQuery: "query", IGMPv1MembershipReport: "v1 report", IGMPv2MembershipReport: "v2 report",
		IGMPv2LeaveGroup: "leave", IGMPv3MembershipReport: "v3 report", 0x13: "igmp-19",
	} {
		if got := typ.String(); got != want {
			t.Errorf("%#x: %q, want %q", uint8(typ), got, want)
		}
	}
	for typ, want := range map[IGMPRecordType]string{
		IGMPModeIsInclude: "is_in", IGMPModeIsExclude: "is_ex", IGMPChangeToIncludeMode: "to_in",
		IGMPChangeToExcludeMode: "to_ex", IGMPAllowNewSources: "allow", IGMPBlockOldSources: "block", 9: "type-9",
	} {
		if got := typ.String(); got != want {
			t.Errorf("%d: %q, want %q", uint8(typ), got, want)
		}
	}
}
