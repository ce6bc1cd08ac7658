package wire

import (
	"net/netip"
	"testing"
	"time"
)

// allocGroups are the groups of the "IGMPv3 groups report" encoder.
var allocGroups = []netip.Addr{group1, group2, group3}

// sink keeps results alive so the compiler cannot drop the work measured.
var sink struct {
	n    int
	ok   bool
	opts TCPOptions
}

// parseTCPFrame is what the stack does with every TCP frame it receives:
// parse each layer, read the fields demultiplexing needs, decode options,
// verify the checksum.
func parseTCPFrame(f []byte) {
	e, err := ParseEthernet(f)
	if err != nil || e.EtherType() != EtherTypeIPv4 {
		panic("not IPv4")
	}
	p, err := ParseIPv4(e.Payload())
	if err != nil {
		panic(err)
	}
	s, err := ParseTCP(p.Payload())
	if err != nil {
		panic(err)
	}
	if err := ParseTCPOptions(s.Options(), &sink.opts); err != nil {
		panic(err)
	}
	src, dst := p.Src(), p.Dst()
	sink.ok = s.VerifyChecksum(src, dst) && e.Dst() == macB && src.Is4() && dst.Is4()
	sink.n = int(s.SrcPort()) + int(s.DstPort()) + int(s.Seq()) + int(s.Ack()) + int(s.Flags()) +
		int(s.Window()) + len(s.Payload()) + int(p.TTL()) + p.FragmentOffset()
}

// encoders builds one packet of each kind into a fixed buffer.
var encoders = []struct {
	name string
	fn   func(b []byte)
}{
	{"Ethernet", func(b []byte) {
		f := EthernetFields{Dst: macB, Src: macA, Type: EtherTypeIPv4}
		f.Encode(b)
	}},
	{"ARP", func(b []byte) {
		f := ARPFields{Op: ARPReply, SenderMAC: macB, SenderIP: ipB, TargetMAC: macA, TargetIP: ipA}
		f.Encode(b)
	}},
	{"IPv4", func(b []byte) {
		f := IPv4Fields{ID: 1, DontFragment: true, TTL: 64, Protocol: IPProtoTCP, Src: ipA, Dst: ipB}
		f.Encode(b, 1480)
	}},
	{"ICMPv4", func(b []byte) {
		f := ICMPv4Fields{Type: ICMPEchoReply, Rest: EchoRest(1, 2)}
		f.Encode(b[:64])
	}},
	{"UDP", func(b []byte) {
		f := UDPFields{SrcPort: 6969, DstPort: 41000}
		f.Encode(b[:1480], ipB, ipA)
	}},
	{"IPv4 with Router Alert", func(b []byte) {
		f := IPv4Fields{TOS: 0xc0, DontFragment: true, TTL: 1, Protocol: IPProtoIGMP, Src: ipA, Dst: IGMPv3AllRouters, RouterAlert: true}
		f.Encode(b, 16)
	}},
	{"IGMPv2", func(b []byte) {
		f := IGMPFields{Type: IGMPv2MembershipReport, Group: group1}
		f.Encode(b)
	}},
	{"IGMPv3 join", func(b []byte) {
		recs := [1]IGMPGroupRecordFields{IGMPJoinRecord(group1)}
		f := IGMPv3ReportFields{Records: recs[:]}
		f.Encode(b)
	}},
	{"IGMPv3 groups report", func(b []byte) {
		f := IGMPv3GroupsReportFields{RecordType: IGMPModeIsExclude, Groups: allocGroups}
		f.Encode(b)
	}},
	{"IGMPv3 query", func(b []byte) {
		f := IGMPv3QueryFields{MaxRespCode: IGMPv3MaxRespCode(10 * time.Second), QRV: 2, QQIC: IGMPv3QQIC(125 * time.Second)}
		f.Encode(b)
	}},
	{"TCP", func(b []byte) {
		f := TCPFields{SrcPort: 6969, DstPort: 41234, Seq: 1, Ack: 2, Flags: TCPFlagACK, Window: 512,
			Options: TCPOptions{HasTimestamps: true, TSVal: 3, TSEcr: 4, NumSACK: 1, SACK: [MaxSACKBlocks]SACKBlock{{5, 6}}}}
		f.Encode(b[:1480], ipB, ipA)
	}},
}

// TestZeroAllocs asserts the hot-path promise of the package comment:
// parsing, accessors and every Encode allocate nothing.
func TestZeroAllocs(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { parseTCPFrame(synFrame) }); n != 0 {
		t.Errorf("parsing a TCP frame: %v allocs, want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() {
		a := must(ParseARP(arpRequestFrame[14:]))
		m := must(ParseICMPv4(portUnreachableFrame[34:]))
		in, _ := m.Inner()
		u := must(ParseUDP(vlanFrame[38:48]))
		sink.ok = a.SenderIP() == in.Src && u.VerifyChecksum(vlanSrc, vlanDst)
	}); n != 0 {
		t.Errorf("parsing ARP, ICMP, UDP: %v allocs, want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() {
		q := must(ParseIGMP(igmpV3Query))
		m := must(ParseIGMP(igmpV3Report))
		n := q.NumSources() + int(q.MaxRespTime()) + int(q.QueryInterval())
		for it := m.GroupRecords(); ; {
			r, ok := it.Next()
			if !ok {
				break
			}
			n += int(r.Type()) + r.NumSources() + len(r.AuxData())
			sink.ok = r.Group().IsMulticast() && r.Source(0).IsValid()
		}
		sink.n = n
	}); n != 0 {
		t.Errorf("parsing IGMP and iterating records: %v allocs, want 0", n)
	}
	buf := make([]byte, 1500)
	for _, e := range encoders {
		if n := testing.AllocsPerRun(100, func() { e.fn(buf) }); n != 0 {
			t.Errorf("%s Encode: %v allocs, want 0", e.name, n)
		}
	}
}

func BenchmarkParseTCPFrame(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(synFrame)))
	for b.Loop() {
		parseTCPFrame(synFrame)
	}
}

func BenchmarkEncode(b *testing.B) {
	buf := make([]byte, 1500)
	for _, e := range encoders {
		b.Run(e.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				e.fn(buf)
			}
		})
	}
}

func BenchmarkFormatFrame(b *testing.B) {
	b.ReportAllocs()
	buf := make([]byte, 0, 512)
	for b.Loop() {
		buf = AppendFrame(buf[:0], synFrame)
	}
}
