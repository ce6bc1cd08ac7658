package wire

import (
	"bufio"
	"bytes"
	"net"
	"os"
	"strings"
	"testing"
)

// TestLinuxCapture parses every frame Linux sent in testdata/linux.pcap
// (ARP, ping with and without fragmentation, UDP, an ICMP port
// unreachable, a whole TCP connection and a RST), checks that every
// checksum verifies, and rebuilds each header from its decoded fields,
// which must give Linux's bytes back exactly.
func TestLinuxCapture(t *testing.T) {
	frames := readPcap(t, "testdata/linux.pcap")
	if len(frames) != 26 {
		t.Fatalf("%d frames, want 26", len(frames))
	}
	var kinds []string
	for i, f := range frames {
		e := must(ParseEthernet(f))
		if e.Src() != macA && e.Src() != macB {
			t.Errorf("frame %d: src %v", i, e.Src())
		}
		ef := EthernetFields{Dst: e.Dst(), Src: e.Src(), Type: e.EtherType()}
		var hdr [EthernetHeaderLen]byte
		ef.Encode(hdr[:])
		if !bytes.Equal(hdr[:], f[:EthernetHeaderLen]) {
			t.Errorf("frame %d: rebuilt Ethernet header % x, want % x", i, hdr, f[:EthernetHeaderLen])
		}
		switch e.EtherType() {
		case EtherTypeARP:
			a := must(ParseARP(e.Payload()))
			kinds = append(kinds, "arp "+a.Op().String())
			checkARPRebuild(t, i, a)
		case EtherTypeIPv4:
			p := must(ParseIPv4(e.Payload()))
			checkIPv4Rebuild(t, i, p)
			if p.IsFragment() {
				kinds = append(kinds, "frag")
				continue
			}
			switch p.Protocol() {
			case IPProtoICMP:
				m := must(ParseICMPv4(p.Payload()))
				kinds = append(kinds, "icmp "+m.Type().String())
				checkICMPRebuild(t, i, m)
			case IPProtoUDP:
				u := must(ParseUDP(p.Payload()))
				if !u.VerifyChecksum(p.Src(), p.Dst()) {
					t.Errorf("frame %d: UDP checksum does not verify", i)
				}
				kinds = append(kinds, "udp")
				checkUDPRebuild(t, i, p, u)
			case IPProtoTCP:
				s := must(ParseTCP(p.Payload()))
				if !s.VerifyChecksum(p.Src(), p.Dst()) {
					t.Errorf("frame %d: TCP checksum does not verify", i)
				}
				kinds = append(kinds, "tcp "+s.Flags().String())
				checkTCPRebuild(t, i, p, s)
			}
		default:
			t.Errorf("frame %d: unexpected type %v", i, e.EtherType())
		}
	}
	want := "arp Request,arp Reply,icmp echo request,icmp echo reply,icmp echo request,icmp echo reply," +
		"frag,frag,frag,frag,udp,udp,udp,icmp unreachable," +
		"tcp [S],tcp [S.],tcp [.],tcp [P.],tcp [.],tcp [P.],tcp [.],tcp [F.],tcp [F.],tcp [.],tcp [S],tcp [R.]"
	if got := strings.Join(kinds, ","); got != want {
		t.Errorf("frame kinds:\n got %s\nwant %s", got, want)
	}
}

func checkARPRebuild(t *testing.T, i int, a ARP) {
	t.Helper()
	f := ARPFields{Op: a.Op(), SenderMAC: a.SenderMAC(), SenderIP: a.SenderIP(), TargetMAC: a.TargetMAC(), TargetIP: a.TargetIP()}
	b := make([]byte, f.Len())
	f.Encode(b)
	if !bytes.Equal(b, a) {
		t.Errorf("frame %d: rebuilt ARP\n% x\nwant\n% x", i, b, []byte(a))
	}
}

func checkIPv4Rebuild(t *testing.T, i int, p IPv4) {
	t.Helper()
	f := IPv4Fields{TOS: p.TOS(), ID: p.ID(), DontFragment: p.DontFragment(), MoreFragments: p.MoreFragments(),
		FragmentOffset: p.FragmentOffset(), TTL: p.TTL(), Protocol: p.Protocol(), Src: p.Src(), Dst: p.Dst()}
	b := make([]byte, f.Len())
	f.Encode(b, len(p.Payload()))
	if !bytes.Equal(b, p[:IPv4MinHeaderLen]) {
		t.Errorf("frame %d: rebuilt IPv4 header\n% x\nwant\n% x", i, b, []byte(p[:IPv4MinHeaderLen]))
	}
}

func checkICMPRebuild(t *testing.T, i int, m ICMPv4) {
	t.Helper()
	f := ICMPv4Fields{Type: m.Type(), Code: m.Code(), Rest: m.Rest()}
	b := append([]byte(nil), m...)
	clear(b[:ICMPv4HeaderLen])
	f.Encode(b)
	if !bytes.Equal(b, m) {
		t.Errorf("frame %d: rebuilt ICMP\n% x\nwant\n% x", i, b, []byte(m))
	}
}

func checkUDPRebuild(t *testing.T, i int, p IPv4, u UDP) {
	t.Helper()
	f := UDPFields{SrcPort: u.SrcPort(), DstPort: u.DstPort()}
	b := append([]byte(nil), u...)
	clear(b[:UDPHeaderLen])
	f.Encode(b, p.Src(), p.Dst())
	if !bytes.Equal(b, u) {
		t.Errorf("frame %d: rebuilt UDP\n% x\nwant\n% x", i, b, []byte(u))
	}
}

func checkTCPRebuild(t *testing.T, i int, p IPv4, s TCP) {
	t.Helper()
	var o TCPOptions
	if err := ParseTCPOptions(s.Options(), &o); err != nil {
		t.Fatalf("frame %d: options: %v", i, err)
	}
	f := TCPFields{SrcPort: s.SrcPort(), DstPort: s.DstPort(), Seq: s.Seq(), Ack: s.Ack(), Flags: s.Flags(),
		Window: s.Window(), Urgent: s.Urgent(), Options: o}
	if f.Len() != s.HeaderLen() {
		t.Fatalf("frame %d: rebuilt header length %d, want %d", i, f.Len(), s.HeaderLen())
	}
	b := make([]byte, len(s))
	copy(b[f.Len():], s.Payload())
	f.Encode(b, p.Src(), p.Dst())
	if !bytes.Equal(b, s) {
		t.Errorf("frame %d: rebuilt TCP\n% x\nwant\n% x", i, b, []byte(s))
	}
}

// TestLinuxCaptureFields checks values known from how the capture was
// made (testdata/capture): addresses, ports, payloads, Linux's SYN options.
func TestLinuxCaptureFields(t *testing.T) {
	frames := readPcap(t, "testdata/linux.pcap")
	ip := func(i int) IPv4 {
		return must(ParseIPv4(must(ParseEthernet(frames[i])).Payload()))
	}

	// Frames 6 and 7: the first ping with 2000 bytes of data, cut by a
	// 1500-byte MTU into 1480 + 528 bytes of ICMP message.
	f1, f2 := ip(6), ip(7)
	if !f1.MoreFragments() || f1.FragmentOffset() != 0 || len(f1.Payload()) != 1480 {
		t.Errorf("first fragment: MF %v offset %d len %d", f1.MoreFragments(), f1.FragmentOffset(), len(f1.Payload()))
	}
	if f2.MoreFragments() || f2.FragmentOffset() != 1480 || len(f2.Payload()) != 2008-1480 || f2.ID() != f1.ID() {
		t.Errorf("second fragment: MF %v offset %d len %d id %d/%d", f2.MoreFragments(), f2.FragmentOffset(), len(f2.Payload()), f2.ID(), f1.ID())
	}
	whole := append(append([]byte(nil), f1.Payload()...), f2.Payload()...)
	m := must(ParseICMPv4(whole))
	if m.Type() != ICMPEchoRequest || len(m.Payload()) != 2000 {
		t.Errorf("reassembled echo: type %v, %d bytes of data", m.Type(), len(m.Payload()))
	}

	// Frame 10: "hello udp\n" from 41000 to 6969; frame 11 the reply.
	u := must(ParseUDP(ip(10).Payload()))
	if u.SrcPort() != 41000 || u.DstPort() != 6969 || string(u.Payload()) != "hello udp\n" || u.Length() != 18 {
		t.Errorf("udp: %d > %d len %d %q", u.SrcPort(), u.DstPort(), u.Length(), u.Payload())
	}
	if r := must(ParseUDP(ip(11).Payload())); string(r.Payload()) != "yo dawg\n" {
		t.Errorf("udp reply %q", r.Payload())
	}

	// Frame 13: port unreachable for the datagram of frame 12.
	p := ip(13)
	if p.TOS() != 0xc0 || p.Src() != ipB || p.Dst() != ipA {
		t.Errorf("icmp error IP: tos %#x %v > %v", p.TOS(), p.Src(), p.Dst())
	}
	m = must(ParseICMPv4(p.Payload()))
	in, err := m.Inner()
	want := IPv4Inner{Src: ipA, Dst: ipB, Protocol: IPProtoUDP, SrcPort: 41000, DstPort: 9}
	if err != nil || in != want || m.Code() != ICMPPortUnreachable {
		t.Errorf("Inner() = %+v, %v (code %d), want %+v", in, err, m.Code(), want)
	}

	// Frame 14: Linux's SYN.
	s := must(ParseTCP(ip(14).Payload()))
	var o TCPOptions
	if err := ParseTCPOptions(s.Options(), &o); err != nil {
		t.Fatal(err)
	}
	wantOpts := TCPOptions{MSS: 1460, SACKPermitted: true, HasTimestamps: true, TSVal: 477046104, TSEcr: 0,
		WindowScale: 10, HasWindowScale: true}
	if o != wantOpts || s.Flags() != TCPFlagSYN || s.Window() != 64240 || s.SrcPort() != 41234 || s.DstPort() != 6969 {
		t.Errorf("SYN: %v win %d options %+v", s, s.Window(), o)
	}
	// Frame 17: the data segment.
	d := must(ParseTCP(ip(17).Payload()))
	if string(d.Payload()) != "hello renet\n" || d.Flags() != TCPFlagPSH|TCPFlagACK || d.Seq() != s.Seq()+1 {
		t.Errorf("data: %v %q", d, d.Payload())
	}
	// Frame 25: the RST for a closed port.
	r := must(ParseTCP(ip(25).Payload()))
	if r.Flags() != TCPFlagRST|TCPFlagACK || r.Window() != 0 || len(r.Options()) != 0 {
		t.Errorf("rst: %v", r)
	}
}

// TestPrintersMatchTcpdump prints every frame of the two captures and
// compares with what tcpdump -nn -t -S printed for it (testdata/*.txt),
// after the "src > dst, " MAC prefix FormatFrame adds.
func TestPrintersMatchTcpdump(t *testing.T) {
	for _, name := range []string{"linux", "crafted", "igmp", "linux6", "crafted6"} {
		frames := readPcap(t, "testdata/"+name+".pcap")
		lines := readLines(t, "testdata/"+name+".txt")
		if len(lines) != len(frames) {
			t.Fatalf("%s: %d lines for %d frames", name, len(lines), len(frames))
		}
		for i, f := range frames {
			prefix := net.HardwareAddr(f[6:12]).String() + " > " + net.HardwareAddr(f[0:6]).String() + ", "
			if f[12] == 0x81 && f[13] == 0x00 {
				prefix += "vlan 5, "
			}
			if got, want := FormatFrame(f), prefix+lines[i]; got != want {
				t.Errorf("%s frame %d:\n got %s\nwant %s", name, i, got, want)
			}
		}
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var lines []string
	for sc := bufio.NewScanner(fh); sc.Scan(); {
		lines = append(lines, sc.Text())
	}
	return lines
}
