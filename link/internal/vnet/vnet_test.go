package vnet

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/renet-go/renet/link"
)

// A header as Linux sends it for a TCP/IPv4 segment of 3 x 1448 bytes
// coalesced on a tap: Ethernet (14) + IPv4 (20) + TCP with timestamps (32).
var tcpGSOHeader = []byte{
	0x01,       // flags: NEEDS_CSUM
	0x01,       // gso_type: TCPV4
	0x80, 0x00, // hdr_len 128: the skb's linear part, a hint
	0xa8, 0x05, // gso_size 1448
	0x22, 0x00, // csum_start 34: the TCP header
	0x10, 0x00, // csum_offset 16: th->check
}

func TestDecodeEncode(t *testing.T) {
	h, ok := Decode(tcpGSOHeader)
	want := Header{Flags: FlagNeedsCsum, GSOType: GSOTCPv4, HdrLen: 128, GSOSize: 1448, CsumStart: 34, CsumOffset: 16}
	if !ok || h != want {
		t.Fatalf("Decode = %+v, %t; want %+v", h, ok, want)
	}
	b := make([]byte, Len)
	h.Encode(b)
	if !bytes.Equal(b, tcpGSOHeader) {
		t.Fatalf("Encode = % x, want % x", b, tcpGSOHeader)
	}
	if _, ok := Decode(tcpGSOHeader[:Len-1]); ok {
		t.Fatal("Decode accepted 9 bytes")
	}
}

// tcpFrame returns an Ethernet+IPv4+TCP frame with a 32-byte TCP header
// and payload bytes of payload; cwr sets the CWR flag.
func tcpFrame(payload int, cwr bool) []byte {
	f := make([]byte, 14+20+32+payload)
	f[12], f[13] = 0x08, 0x00
	f[14] = 0x45
	binary.BigEndian.PutUint16(f[16:], uint16(20+32+payload))
	f[14+9] = 6
	f[34+12] = 8 << 4 // data offset: 8 words
	if cwr {
		f[34+13] = 0x80
	}
	return f
}

func TestInfo(t *testing.T) {
	frame := tcpFrame(3*1448, false)
	for _, tc := range []struct {
		desc      string
		h         Header
		pkt       []byte
		truncated bool
		want      link.PacketInfo
		fault     Fault
	}{
		{"ordinary packet", Header{}, frame, false, link.PacketInfo{}, 0},
		{"data valid", Header{Flags: FlagDataValid}, frame, false, link.PacketInfo{CsumValid: true}, 0},
		{"partial checksum", Header{Flags: FlagNeedsCsum, CsumStart: 34, CsumOffset: 16}, frame, false,
			link.PacketInfo{NeedsCsum: true, CsumStart: 34, CsumOffset: 16}, 0},
		{"GSO: HdrLen from the TCP header, not the hint", Header{Flags: FlagNeedsCsum, GSOType: GSOTCPv4, HdrLen: 128, GSOSize: 1448, CsumStart: 34, CsumOffset: 16}, frame, false,
			link.PacketInfo{GSO: link.GSOTCPv4, GSOSize: 1448, HdrLen: 66, NeedsCsum: true, CsumStart: 34, CsumOffset: 16}, 0},
		{"GSO with ECN bit", Header{Flags: FlagNeedsCsum, GSOType: GSOTCPv6 | GSOECN, GSOSize: 1448, CsumStart: 34, CsumOffset: 16}, frame, false,
			link.PacketInfo{GSO: link.GSOTCPv6, GSOSize: 1448, HdrLen: 66, NeedsCsum: true, CsumStart: 34, CsumOffset: 16}, 0},
		{"UDP L4", Header{Flags: FlagNeedsCsum, GSOType: GSOUDPL4, GSOSize: 1000, CsumStart: 34, CsumOffset: 6}, frame, false,
			link.PacketInfo{GSO: link.GSOUDPL4, GSOSize: 1000, HdrLen: 42, NeedsCsum: true, CsumStart: 34, CsumOffset: 6}, 0},
		{"one segment is an ordinary packet", Header{Flags: FlagNeedsCsum, GSOType: GSOTCPv4, GSOSize: 3 * 1448, CsumStart: 34, CsumOffset: 16}, frame, false,
			link.PacketInfo{NeedsCsum: true, CsumStart: 34, CsumOffset: 16}, 0},
		{"truncated: nothing", Header{Flags: FlagNeedsCsum, GSOType: GSOTCPv4, GSOSize: 1448, CsumStart: 34, CsumOffset: 16}, frame[:100], true,
			link.PacketInfo{}, 0},
		{"checksum field beyond the packet", Header{Flags: FlagNeedsCsum | FlagDataValid, CsumStart: 34, CsumOffset: 0xffff}, frame, false,
			link.PacketInfo{CsumValid: true}, FaultCsum},
		{"csum_start beyond the packet", Header{Flags: FlagNeedsCsum, CsumStart: 0xffff, CsumOffset: 16}, frame[:60], false,
			link.PacketInfo{}, FaultCsum},
		{"GSO size zero", Header{Flags: FlagNeedsCsum, GSOType: GSOTCPv4, CsumStart: 34, CsumOffset: 16}, frame, false,
			link.PacketInfo{NeedsCsum: true, CsumStart: 34, CsumOffset: 16}, FaultGSO},
		{"GSO without checksum offsets", Header{GSOType: GSOTCPv4, GSOSize: 1448}, frame, false,
			link.PacketInfo{}, FaultGSO},
		{"UFO is not ours", Header{Flags: FlagNeedsCsum, GSOType: GSOUDP, GSOSize: 1448, CsumStart: 34, CsumOffset: 6}, frame, false,
			link.PacketInfo{NeedsCsum: true, CsumStart: 34, CsumOffset: 6}, FaultGSO},
		{"unknown GSO type", Header{GSOType: 0x42, GSOSize: 1448}, frame, false, link.PacketInfo{}, FaultGSO},
		{"TCP header cut short", Header{Flags: FlagNeedsCsum, GSOType: GSOTCPv4, GSOSize: 8, CsumStart: 34, CsumOffset: 16}, frame[:54], false,
			link.PacketInfo{NeedsCsum: true, CsumStart: 34, CsumOffset: 16}, FaultGSO},
		{"TCP data offset lies", Header{Flags: FlagNeedsCsum, GSOType: GSOTCPv4, GSOSize: 8, CsumStart: 34, CsumOffset: 16},
			append(frame[:46:46], 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0), false,
			link.PacketInfo{NeedsCsum: true, CsumStart: 34, CsumOffset: 16}, FaultGSO},
	} {
		got, fault := tc.h.Info(tc.pkt, tc.truncated)
		if got != tc.want || fault != tc.fault {
			t.Errorf("%s:\n got %+v fault %d\nwant %+v fault %d", tc.desc, got, fault, tc.want, tc.fault)
		}
	}
}

func TestFromInfo(t *testing.T) {
	for _, tc := range []struct {
		desc string
		pi   link.PacketInfo
		cwr  bool
		want Header
	}{
		{"ordinary", link.PacketInfo{}, false, Header{}},
		{"partial checksum", link.PacketInfo{NeedsCsum: true, CsumStart: 34, CsumOffset: 16}, false,
			Header{Flags: FlagNeedsCsum, CsumStart: 34, CsumOffset: 16}},
		{"TSO", link.PacketInfo{GSO: link.GSOTCPv4, GSOSize: 1448, HdrLen: 66, NeedsCsum: true, CsumStart: 34, CsumOffset: 16}, false,
			Header{Flags: FlagNeedsCsum, GSOType: GSOTCPv4, GSOSize: 1448, HdrLen: 66, CsumStart: 34, CsumOffset: 16}},
		{"TSO with CWR", link.PacketInfo{GSO: link.GSOTCPv6, GSOSize: 1448, HdrLen: 66, NeedsCsum: true, CsumStart: 34, CsumOffset: 16}, true,
			Header{Flags: FlagNeedsCsum, GSOType: GSOTCPv6 | GSOECN, GSOSize: 1448, HdrLen: 66, CsumStart: 34, CsumOffset: 16}},
		{"USO", link.PacketInfo{GSO: link.GSOUDPL4, GSOSize: 1000, HdrLen: 42, NeedsCsum: true, CsumStart: 34, CsumOffset: 6}, false,
			Header{Flags: FlagNeedsCsum, GSOType: GSOUDPL4, GSOSize: 1000, HdrLen: 42, CsumStart: 34, CsumOffset: 6}},
	} {
		if got := FromInfo(&tc.pi, tcpFrame(3000, tc.cwr)); got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.desc, got, tc.want)
		}
	}
	// Round trip: what we would send reads back as the same PacketInfo.
	pi := link.PacketInfo{GSO: link.GSOTCPv4, GSOSize: 1448, HdrLen: 66, NeedsCsum: true, CsumStart: 34, CsumOffset: 16}
	frame := tcpFrame(3000, false)
	b := make([]byte, Len)
	FromInfo(&pi, frame).Encode(b)
	h, _ := Decode(b)
	if got, f := h.Info(frame, false); got != pi || f != 0 {
		t.Errorf("round trip: %+v (fault %d), want %+v", got, f, pi)
	}
}

// FuzzInfo feeds arbitrary headers and packets through every path that
// takes them from the kernel; none may panic, and what Info keeps must lie
// inside the packet.
func FuzzInfo(f *testing.F) {
	f.Add(tcpGSOHeader, tcpFrame(3*1448, false), false)
	f.Add([]byte{1, 5, 0, 0, 8, 0, 34, 0, 6, 0}, tcpFrame(100, false), false)
	f.Add([]byte{3, 0x84, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, []byte{1, 2, 3}, false)
	f.Add(make([]byte, 9), []byte{}, true)
	f.Fuzz(func(t *testing.T, hdr, pkt []byte, truncated bool) {
		h, ok := Decode(hdr)
		if !ok {
			return
		}
		pi, _ := h.Info(pkt, truncated)
		if pi.NeedsCsum {
			if int(pi.CsumStart)+int(pi.CsumOffset)+2 > len(pkt) {
				t.Fatalf("kept a checksum field outside the packet: %+v, %d bytes", pi, len(pkt))
			}
			c := pi
			c.CompleteChecksum(pkt)
		}
		if pi.GSO != link.GSONone && (pi.GSOSize == 0 || int(pi.HdrLen) >= len(pkt)) {
			t.Fatalf("kept a GSO description that cannot hold: %+v, %d bytes", pi, len(pkt))
		}
		raw := link.PacketInfo{NeedsCsum: true, CsumStart: h.CsumStart, CsumOffset: h.CsumOffset}
		raw.CompleteChecksum(pkt) // whatever the kernel claims: must not panic
		b := make([]byte, Len)
		FromInfo(&pi, pkt).Encode(b)
	})
}
