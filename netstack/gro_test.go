package netstack

import (
	"encoding/binary"
	"testing"

	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/netstack/wire"
)

// groSeg builds a TCP segment frame from the peer's port 40000 to port 80.
func groSeg(seq uint32, flags wire.TCPFlags, payload int, mutate ...func(*wire.TCPFields, *wire.IPv4Fields)) []byte {
	f := wire.TCPFields{SrcPort: 40000, DstPort: 80, Seq: seq, Ack: 1, Flags: flags, Window: 1000,
		Options: wire.TCPOptions{HasTimestamps: true, TSVal: 7, TSEcr: 9}}
	ipf := wire.IPv4Fields{Protocol: wire.IPProtoTCP, Src: peerIP, Dst: ourIP, TTL: 64}
	for _, m := range mutate {
		m(&f, &ipf)
	}
	b := make([]byte, f.Len()+payload)
	for i := range payload {
		b[f.Len()+i] = byte(seq) + byte(i)
	}
	f.Encode(b, ipf.Src, ipf.Dst)
	return fromPeer(ipPacket(ipf, b))
}

// runs returns, for each packet coalesce produced, how many payload bytes
// it carries and whether it is trusted (merged).
func runs(t *testing.T, pkts ...[]byte) (sizes []int, merged []bool) {
	t.Helper()
	var g gro
	out, trusted := g.coalesce(pkts, link.Ethernet)
	for i, p := range out {
		eth, _ := wire.ParseEthernet(p)
		ip, err := wire.ParseIPv4(eth.Payload())
		if err != nil {
			t.Fatalf("output %d: %v", i, err)
		}
		th, _ := wire.ParseTCP(ip.Payload())
		sizes = append(sizes, len(th.Payload()))
		merged = append(merged, trusted[i])
	}
	return sizes, merged
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Software GRO merges in-order segments of one flow and stops where Linux's
// tcp_gro_receive flushes: a gap, another flow, a flag other than ACK and
// PSH, PSH (kept on the last), an option change, a short segment (which
// may join as the last), a bad checksum.
func TestSoftwareGRO(t *testing.T) {
	A, AP := wire.TCPFlagACK, wire.TCPFlagACK|wire.TCPFlagPSH
	otherPort := func(f *wire.TCPFields, _ *wire.IPv4Fields) { f.SrcPort = 40001 }
	newTS := func(f *wire.TCPFields, _ *wire.IPv4Fields) { f.Options.TSVal = 8 }
	otherAck := func(f *wire.TCPFields, _ *wire.IPv4Fields) { f.Ack = 2 }
	for _, tc := range []struct {
		name   string
		pkts   [][]byte
		sizes  []int
		merged []bool
	}{
		{"run", [][]byte{groSeg(0, A, 100), groSeg(100, A, 100), groSeg(200, AP, 100)}, []int{300}, []bool{true}},
		{"PSH ends a run", [][]byte{groSeg(0, AP, 100), groSeg(100, A, 100), groSeg(200, A, 100)}, []int{100, 200}, []bool{false, true}},
		{"gap", [][]byte{groSeg(0, A, 100), groSeg(150, A, 100)}, []int{100, 100}, []bool{false, false}},
		{"other flow", [][]byte{groSeg(0, A, 100), groSeg(100, A, 100, otherPort)}, []int{100, 100}, []bool{false, false}},
		{"FIN", [][]byte{groSeg(0, A, 100), groSeg(100, A|wire.TCPFlagFIN, 100)}, []int{100, 100}, []bool{false, false}},
		{"option change", [][]byte{groSeg(0, A, 100), groSeg(100, A, 100, newTS)}, []int{100, 100}, []bool{false, false}},
		{"ack change", [][]byte{groSeg(0, A, 100), groSeg(100, A, 100, otherAck)}, []int{100, 100}, []bool{false, false}},
		{"short last", [][]byte{groSeg(0, A, 100), groSeg(100, A, 40), groSeg(140, A, 100)}, []int{140, 100}, []bool{true, false}},
		{"pure ACKs", [][]byte{groSeg(0, A, 0), groSeg(0, A, 0)}, []int{0, 0}, []bool{false, false}},
	} {
		sizes, merged := runs(t, tc.pkts...)
		if !equalInts(sizes, tc.sizes) || len(merged) != len(tc.merged) {
			t.Errorf("%s: payloads %v merged %v; want %v %v", tc.name, sizes, merged, tc.sizes, tc.merged)
			continue
		}
		for i := range merged {
			if merged[i] != tc.merged[i] {
				t.Errorf("%s: merged %v, want %v", tc.name, merged, tc.merged)
			}
		}
	}

	// A corrupted segment keeps its run from merging, so TCP drops it.
	bad := groSeg(100, A, 100)
	bad[len(bad)-1] ^= 1
	if _, merged := runs(t, groSeg(0, A, 100), bad); merged[0] || merged[1] {
		t.Error("a run with a bad checksum was merged")
	}

	// The merged segment: one IP packet with a valid header, the first
	// segment's headers, every payload in order, PSH from the last.
	var g gro
	out, _ := g.coalesce([][]byte{groSeg(0, A, 100), groSeg(100, A, 100), groSeg(200, AP, 50)}, link.Ethernet)
	eth, _ := wire.ParseEthernet(out[0])
	ip, err := wire.ParseIPv4(eth.Payload())
	if err != nil {
		t.Fatal(err)
	}
	th, _ := wire.ParseTCP(ip.Payload())
	if th.Seq() != 0 || th.Flags() != AP || len(th.Payload()) != 250 || binary.BigEndian.Uint16(ip[2:]) != uint16(len(ip)) {
		t.Fatalf("merged: seq %d flags %v payload %d", th.Seq(), th.Flags(), len(th.Payload()))
	}
	for i, b := range th.Payload() {
		if want := byte(i/100*100) + byte(i%100); b != want {
			t.Fatalf("payload byte %d is %d, want %d", i, b, want)
		}
	}
}

// Software GRO never panics on what a link hands up, and whatever it
// merges is a well-formed IPv4 packet.
func FuzzGRO(f *testing.F) {
	f.Add(groSeg(0, wire.TCPFlagACK, 100), groSeg(100, wire.TCPFlagACK, 100), []byte{3})
	f.Add(groSeg(0, wire.TCPFlagACK, 10), []byte{1, 2, 3}, []byte{})
	f.Fuzz(func(t *testing.T, a, b, c []byte) {
		var g gro
		for _, m := range []link.Medium{link.Ethernet, link.IP} {
			pkts := [][]byte{a, b, c, a, b}
			out, trusted := g.coalesce(pkts, m)
			for i, p := range out {
				if !trusted[i] {
					continue
				}
				off := 0
				if m == link.Ethernet {
					off = wire.EthernetHeaderLen
				}
				if _, err := wire.ParseIPv4(p[off:]); err != nil {
					t.Fatalf("merged packet does not parse: %v", err)
				}
			}
		}
	})
}

// groSeg6 is groSeg over IPv6.
func groSeg6(seq uint32, payload int, hop uint8) []byte {
	f := wire.TCPFields{SrcPort: 40000, DstPort: 80, Seq: seq, Ack: 1, Flags: wire.TCPFlagACK, Window: 1000}
	b := make([]byte, f.Len()+payload)
	for i := range payload {
		b[f.Len()+i] = byte(seq) + byte(i)
	}
	f.Encode(b, peerIP6, ourIP6)
	return packet6(ourMAC, peerIP6, ourIP6, hop, wire.IPProtoTCP, b)
}

// Software GRO merges IPv6 segments too, and the merged packet is a valid
// IPv6 packet whose payload length covers every payload.
func TestSoftwareGRO6(t *testing.T) {
	var g gro
	out, trusted := g.coalesce([][]byte{groSeg6(1000, 1000, 64), groSeg6(2000, 1000, 64), groSeg6(3000, 500, 64), groSeg6(3500, 100, 63)}, link.Ethernet)
	if len(out) != 2 || !trusted[0] || trusted[1] {
		t.Fatalf("%d packets (trusted %v), want the first three merged and the other hop limit apart", len(out), trusted)
	}
	eth, _ := wire.ParseEthernet(out[0])
	ip, err := wire.ParseIPv6(eth.Payload())
	if err != nil {
		t.Fatal(err)
	}
	th, _ := wire.ParseTCP(ip.Payload())
	if len(th.Payload()) != 2500 || th.Seq() != 1000 {
		t.Fatalf("merged %d bytes from %d, want 2500 from 1000", len(th.Payload()), th.Seq())
	}
	for i, c := range th.Payload() {
		if want := byte(1000+1000*(i/1000)) + byte(i%1000); i < 2000 && c != want {
			t.Fatalf("byte %d is %d, want %d", i, c, want)
		}
	}
}
