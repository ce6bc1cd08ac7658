package framestest

import (
	"bytes"
	"net"
	"net/netip"
	"testing"
)

func TestIPv4UDPRoundTrip(t *testing.T) {
	src := netip.MustParseAddrPort("10.9.0.2:7777")
	dst := netip.MustParseAddrPort("10.9.0.1:40000")
	for _, payload := range [][]byte{nil, []byte("odd"), []byte("even")} {
		p := IPv4UDP(src, dst, payload)
		u, ok := ParseIPv4UDP(p)
		if !ok || u.Src != src || u.Dst != dst || !bytes.Equal(u.Payload, payload) || !u.IPChecksumOK || !u.UDPChecksumOK || u.TTL != 64 {
			t.Fatalf("round trip of %q: %+v, %t", payload, u, ok)
		}
		p[len(p)-1] ^= 0xff
		if len(payload) > 0 {
			if u, _ := ParseIPv4UDP(p); u.UDPChecksumOK {
				t.Fatalf("corrupted payload %q still verifies", payload)
			}
		}
	}
}

// captured is a packet the Linux 6.18 kernel sent into a TUN device,
// read with link/tun: `echo hi | socat - udp4-sendto:10.9.0.2:7777,bind=10.9.0.1:46398`
// in a namespace where tun0 is 10.9.0.1/24.
var captured = []byte{
	0x45, 0x00, 0x00, 0x1f, 0xf2, 0xf7, 0x40, 0x00, 0x40, 0x11, 0x33, 0xc2, 0x0a, 0x09, 0x00, 0x01,
	0x0a, 0x09, 0x00, 0x02, 0xb5, 0x3e, 0x1e, 0x61, 0x00, 0x0b, 0xa5, 0xba, 0x68, 0x69, 0x0a,
}

func TestParseCaptured(t *testing.T) {
	u, ok := ParseIPv4UDP(captured)
	if !ok || u.Src.String() != "10.9.0.1:46398" || u.Dst.String() != "10.9.0.2:7777" || string(u.Payload) != "hi\n" || u.TTL != 64 {
		t.Fatalf("%+v, %t", u, ok)
	}
	if !u.IPChecksumOK || !u.UDPChecksumOK {
		t.Fatalf("checksums of a kernel packet do not verify: %+v", u)
	}
	// Building the same datagram gives the kernel's UDP checksum (the IP
	// header differs in its ID field, so only the UDP part is compared).
	if b := IPv4UDP(u.Src, u.Dst, u.Payload); !bytes.Equal(b[20:], captured[20:]) {
		t.Fatalf("built UDP part % x, kernel's % x", b[20:], captured[20:])
	}
}

func TestARPRoundTrip(t *testing.T) {
	a := ARP{
		Op:  2,
		SHA: net.HardwareAddr{2, 0, 0, 0, 0, 1},
		SPA: netip.MustParseAddr("192.168.69.1"),
		THA: net.HardwareAddr{2, 0, 0, 0, 0, 2},
		TPA: netip.MustParseAddr("192.168.69.100"),
	}
	f := Ethernet(a.THA, a.SHA, EtherTypeARP, a.Marshal())
	got, ok := ParseARP(f)
	if !ok || got.Op != a.Op || got.SPA != a.SPA || got.TPA != a.TPA ||
		!bytes.Equal(got.SHA, a.SHA) || !bytes.Equal(got.THA, a.THA) {
		t.Fatalf("ParseARP = %+v, %t; want %+v", got, ok, a)
	}
	if _, ok := ParseARP(f[:len(f)-1]); ok {
		t.Fatal("truncated ARP parsed")
	}
}

func FuzzParsers(f *testing.F) {
	f.Add(captured)
	f.Add(Ethernet(Broadcast, Broadcast, EtherTypeARP, ARP{SPA: netip.IPv4Unspecified(), TPA: netip.IPv4Unspecified()}.Marshal()))
	f.Fuzz(func(t *testing.T, b []byte) {
		ParseARP(b)
		ParseIPv4UDP(b)
		EtherType(b)
	})
}
