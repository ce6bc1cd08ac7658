package netstack

import (
	"bytes"
	"encoding/binary"
	"net/netip"

	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/netstack/wire"
)

// Software GRO, as Linux's generic receive offload, for links that do not
// coalesce themselves: within one read batch, consecutive in-order TCP
// segments of one flow (IPv4 or IPv6) are merged into one large segment before TCP sees
// it, so a bulk transfer costs TCP one input, and one ACK decision, per
// batch run instead of per segment. A run ends at anything Linux's
// tcp_gro_receive would flush on: another flow, a gap, a flag other than
// ACK (PSH is kept, on the last), a change of ACK number, window,
// options, TTL or TOS, a segment shorter than the first (it may join as
// the last), or 64 KiB. Every segment's checksums are verified before it
// is merged; the merged segment is then trusted, its own TCP checksum not
// being recomputed. The merge copies each payload once more, which the
// saved per-segment work repays.

// maxGROPacket bounds a merged IP packet.
const maxGROPacket = 65535

// groSegment is what the merge needs to know of one TCP segment.
type groSegment struct {
	pkt     []byte // the whole link packet
	ipOff   int    // where the IP header starts in pkt
	tcpOff  int    // where the TCP header starts
	payOff  int    // where the TCP payload starts
	v6      bool
	seq     uint32
	payload int
	flags   wire.TCPFlags
}

// gro is the driver's merge state: parsed segments, output slices and
// merge buffers, owned by the driver goroutine and reused from batch to
// batch.
type gro struct {
	segs    []groSegment
	ok      []bool
	out     [][]byte
	trusted []bool
	bufs    [][]byte // merge buffers, made on first need
}

// parseGRO reports whether pkt is a TCP segment that may take part in a
// merge, and what the merge needs from it: IPv4 without options or
// fragmentation, or IPv6 with TCP right after the fixed header.
func parseGRO(pkt []byte, medium link.Medium) (groSegment, bool) {
	off, v6 := 0, false
	if medium == link.Ethernet {
		if len(pkt) < wire.EthernetHeaderLen {
			return groSegment{}, false
		}
		switch wire.EtherType(binary.BigEndian.Uint16(pkt[12:])) {
		case wire.EtherTypeIPv4:
		case wire.EtherTypeIPv6:
			v6 = true
		default:
			return groSegment{}, false
		}
		off = wire.EthernetHeaderLen
	} else {
		v6 = len(pkt) > 0 && pkt[0]>>4 == 6
	}
	var ipLen, tcpOff int
	var tcp []byte
	if v6 {
		ip, err := wire.ParseIPv6(pkt[off:])
		if err != nil || ip.NextHeader() != wire.IPProtoTCP {
			return groSegment{}, false
		}
		ipLen, tcpOff, tcp = len(ip), off+wire.IPv6HeaderLen, ip.Payload()
	} else {
		ip, err := wire.ParseIPv4(pkt[off:])
		if err != nil || ip.HeaderLen() != wire.IPv4MinHeaderLen || ip.Protocol() != wire.IPProtoTCP ||
			ip.MoreFragments() || ip.FragmentOffset() != 0 {
			return groSegment{}, false
		}
		ipLen, tcpOff, tcp = len(ip), off+wire.IPv4MinHeaderLen, ip.Payload()
	}
	th, err := wire.ParseTCP(tcp)
	if err != nil || th.Flags()&^(wire.TCPFlagPSH) != wire.TCPFlagACK || len(th.Payload()) == 0 {
		return groSegment{}, false
	}
	return groSegment{
		pkt: pkt[:off+ipLen], ipOff: off, tcpOff: tcpOff, payOff: tcpOff + th.HeaderLen(), v6: v6,
		seq: th.Seq(), payload: len(th.Payload()), flags: th.Flags(),
	}, true
}

// follows reports whether b may be merged behind a run that starts with a
// and holds total payload bytes ending with last: same flow and headers
// but for what changes from segment to segment, and contiguous.
func (a *groSegment) follows(last, b *groSegment, total int) bool {
	if last.flags&wire.TCPFlagPSH != 0 || last.payload != a.payload || b.seq != a.seq+uint32(total) ||
		b.v6 != a.v6 || b.payOff != a.payOff || a.payOff+total+b.payload-a.ipOff > maxGROPacket {
		return false
	}
	ipa, ipb := a.pkt[a.ipOff:a.tcpOff], b.pkt[b.ipOff:b.tcpOff]
	sameIP := false
	if a.v6 {
		sameIP = bytes.Equal(ipa[0:4], ipb[0:4]) && ipa[7] == ipb[7] && // class, flow, hop limit
			bytes.Equal(ipa[8:40], ipb[8:40]) // addresses
	} else {
		sameIP = ipa[1] == ipb[1] && ipa[8] == ipb[8] && ipa[6] == ipb[6] && // TOS, TTL, flags
			bytes.Equal(ipa[12:20], ipb[12:20]) // addresses
	}
	ta, tb := a.pkt[a.tcpOff:a.payOff], b.pkt[b.tcpOff:b.payOff]
	return sameIP && bytes.Equal(a.pkt[:a.ipOff], b.pkt[:b.ipOff]) && // link header
		bytes.Equal(ta[0:4], tb[0:4]) && // ports
		bytes.Equal(ta[8:12], tb[8:12]) && // acknowledgement number
		bytes.Equal(ta[14:16], tb[14:16]) && // window
		bytes.Equal(ta[20:], tb[20:]) // options
}

// coalesce merges the runs of pkts and returns the packets to process,
// each with whether its transport checksum is already verified.
func (g *gro) coalesce(pkts [][]byte, medium link.Medium) ([][]byte, []bool) {
	g.segs, g.ok = g.segs[:0], g.ok[:0]
	for _, p := range pkts {
		seg, ok := parseGRO(p, medium)
		g.segs, g.ok = append(g.segs, seg), append(g.ok, ok)
	}
	g.out, g.trusted = g.out[:0], g.trusted[:0]
	merged := 0
	for i := 0; i < len(pkts); {
		j, total := i+1, g.segs[i].payload
		for g.ok[i] && j < len(pkts) && g.ok[j] && g.segs[i].follows(&g.segs[j-1], &g.segs[j], total) {
			total += g.segs[j].payload
			j++
		}
		if j-i < 2 || !checksumsValid(g.segs[i:j]) {
			for ; i < j; i++ {
				g.out, g.trusted = append(g.out, pkts[i]), append(g.trusted, false)
			}
			continue
		}
		g.out = append(g.out, g.merge(merged, g.segs[i:j]))
		g.trusted = append(g.trusted, true)
		merged++
		i = j
	}
	clear(g.segs) // drop references to this batch's packets
	return g.out, g.trusted
}

// checksumsValid verifies the TCP checksum of every segment of a run.
func checksumsValid(run []groSegment) bool {
	for i := range run {
		seg := &run[i]
		ip := seg.pkt[seg.ipOff:seg.tcpOff]
		var src, dst netip.Addr
		if seg.v6 {
			src, dst = wire.IPv6(ip).Src(), wire.IPv6(ip).Dst()
		} else {
			src, dst = wire.IPv4(ip).Src(), wire.IPv4(ip).Dst()
		}
		if !wire.TCP(seg.pkt[seg.tcpOff:]).VerifyChecksum(src, dst) {
			return false
		}
	}
	return true
}

// merge writes the run's merged segment into merge buffer k: the first
// segment's headers, every payload, the IP length and checksum fixed up,
// and the last segment's PSH.
func (g *gro) merge(k int, run []groSegment) []byte {
	for len(g.bufs) <= k {
		g.bufs = append(g.bufs, make([]byte, maxGROPacket+wire.EthernetHeaderLen))
	}
	first, last := &run[0], &run[len(run)-1]
	b := g.bufs[k]
	n := copy(b, first.pkt[:first.payOff])
	for i := range run {
		n += copy(b[n:], run[i].pkt[run[i].payOff:])
	}
	ip := b[first.ipOff:n]
	if first.v6 {
		binary.BigEndian.PutUint16(ip[4:], uint16(len(ip)-wire.IPv6HeaderLen))
	} else {
		binary.BigEndian.PutUint16(ip[2:], uint16(len(ip)))
		ip[10], ip[11] = 0, 0
		binary.BigEndian.PutUint16(ip[10:], wire.Checksum(ip[:wire.IPv4MinHeaderLen]))
	}
	b[first.tcpOff+13] = uint8(first.flags | last.flags&wire.TCPFlagPSH)
	return b[:n]
}
