package dhcp

import (
	"bytes"
	"errors"
	"net"
	"net/netip"
	"reflect"
	"testing"
	"time"
)

// fixed builds the 240-byte fixed part of a message: op, xid, flags,
// yiaddr, chaddr and the magic cookie; the rest zero.
func fixed(op byte, xid uint32, flags uint16, yiaddr [4]byte, chaddr []byte) []byte {
	b := make([]byte, 240)
	b[0], b[1], b[2] = op, 1, byte(len(chaddr)) // op, htype Ethernet, hlen
	b[4], b[5], b[6], b[7] = byte(xid>>24), byte(xid>>16), byte(xid>>8), byte(xid)
	b[10], b[11] = byte(flags>>8), byte(flags)
	copy(b[16:], yiaddr[:])
	copy(b[28:], chaddr)
	copy(b[236:], []byte{99, 130, 83, 99})
	return b
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

var (
	clientMAC = net.HardwareAddr{0x02, 0, 0, 0, 0, 0x0a}
	offerAddr = netip.MustParseAddr("192.168.69.50")
	serverIP  = netip.MustParseAddr("192.168.69.100")
)

// An offer as dnsmasq sends one: type, server id, lease times, mask,
// broadcast (skipped: option 28 is not kept), router, DNS, end, padding.
var offerBytes = cat(
	fixed(2, 0xdeadbeef, 0x8000, [4]byte{192, 168, 69, 50}, clientMAC),
	[]byte{53, 1, 2},                            // DHCPOFFER
	[]byte{54, 4, 192, 168, 69, 100},            // server identifier
	[]byte{51, 4, 0, 0, 0, 120},                 // lease 120 s
	[]byte{58, 4, 0, 0, 0, 60},                  // T1 60 s
	[]byte{59, 4, 0, 0, 0, 105},                 // T2 105 s
	[]byte{1, 4, 255, 255, 255, 0},              // subnet mask
	[]byte{28, 4, 192, 168, 69, 255},            // broadcast address: unknown here, skipped
	[]byte{3, 4, 192, 168, 69, 100},             // router
	[]byte{6, 8, 192, 168, 69, 100, 1, 1, 1, 1}, // two name servers
	[]byte{26, 2, 0x05, 0xdc},                   // MTU 1500
	[]byte{255, 0, 0, 0},                        // end, padding
)

var offerMessage = Message{
	Op: BootReply, HType: 1, XID: 0xdeadbeef, Broadcast: true,
	ClientAddr: netip.IPv4Unspecified(), YourAddr: offerAddr,
	ServerAddr: netip.IPv4Unspecified(), RelayAddr: netip.IPv4Unspecified(),
	HardwareAddr: clientMAC,
	Options: Options{
		Type: Offer, ServerID: serverIP, LeaseTime: 120 * time.Second,
		T1: 60 * time.Second, T2: 105 * time.Second,
		SubnetMask: netip.MustParseAddr("255.255.255.0"),
		Routers:    []netip.Addr{serverIP},
		DNS:        []netip.Addr{serverIP, netip.MustParseAddr("1.1.1.1")},
		MTU:        1500,
	},
}

func TestParseOffer(t *testing.T) {
	m, err := ParseMessage(offerBytes)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m, offerMessage) {
		t.Fatalf("parsed\n%+v\nwant\n%+v", m, offerMessage)
	}
}

// TestBuildDiscover checks a DISCOVER byte for byte: the fixed part, the
// options in the order sent, the end option, and zero padding to BOOTP's
// 300 bytes (RFC 1542 §2.1).
func TestBuildDiscover(t *testing.T) {
	m := Message{Op: BootRequest, HType: 1, XID: 0x01020304, Secs: 3, Broadcast: true, HardwareAddr: clientMAC}
	m.Type = Discover
	m.ClientID = []byte{1, 2, 0, 0, 0, 0, 0x0a}
	m.Hostname = "renet"
	m.ParamRequest = []byte{1, 3, 6, 26, 51, 58, 59}
	m.MaxSize = 1500
	want := cat(
		fixed(1, 0x01020304, 0x8000, [4]byte{}, clientMAC),
		[]byte{53, 1, 1}, // DHCPDISCOVER
		[]byte{61, 7, 1, 2, 0, 0, 0, 0, 0x0a},
		[]byte{12, 5, 'r', 'e', 'n', 'e', 't'},
		[]byte{55, 7, 1, 3, 6, 26, 51, 58, 59},
		[]byte{57, 2, 0x05, 0xdc},
		[]byte{255},
	)
	want[9] = 3 // secs
	want = append(want, make([]byte, 300-len(want))...)
	if m.Len() != 300 {
		t.Fatalf("Len %d, want 300", m.Len())
	}
	b := make([]byte, m.Len())
	if n := m.Encode(b); n != 300 || !bytes.Equal(b, want) {
		t.Fatalf("encoded\n% x\nwant\n% x", b, want)
	}
	back, err := ParseMessage(b)
	if err != nil || back.ClientAddr != netip.IPv4Unspecified() || back.Hostname != "renet" || back.Type != Discover {
		t.Fatalf("re-parsed %+v, %v", back, err)
	}
}

// TestLongOptionSplit: an option longer than 255 bytes goes out as
// several instances and comes back whole (RFC 3396).
func TestLongOptionSplit(t *testing.T) {
	m := Message{Op: BootReply, HType: 1, HardwareAddr: clientMAC}
	for i := range 100 {
		m.DNS = append(m.DNS, netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}))
	}
	b := make([]byte, m.Len())
	m.Encode(b)
	if b[240] != 6 || b[241] != 255 || b[240+2+255] != 6 || b[240+2+255+1] != 145 {
		t.Fatalf("not split at 255 bytes: % x", b[240:250])
	}
	back, err := ParseMessage(b)
	if err != nil || !reflect.DeepEqual(back.DNS, m.DNS) {
		t.Fatalf("%v, %v", back.DNS, err)
	}
}

// TestOverload: option 52 puts options in the file field, then sname
// (RFC 2131 §4.1), and an option split across them is concatenated.
func TestOverload(t *testing.T) {
	b := cat(fixed(2, 1, 0, [4]byte{10, 0, 0, 5}, clientMAC),
		[]byte{53, 1, 5, 52, 1, 3, 6, 4, 10, 0, 0, 1, 255})
	copy(b[108:], []byte{6, 4, 10, 0, 0, 2, 255})      // file: the second DNS server
	copy(b[44:], []byte{51, 4, 0, 0, 1, 0, 255})       // sname: lease time 256 s
	copy(b[44+20:], []byte{52, 1, 1, 12, 1, 'x', 255}) // after the end: never read
	m, err := ParseMessage(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.DNS) != 2 || m.DNS[1] != netip.MustParseAddr("10.0.0.2") || m.LeaseTime != 256*time.Second || m.Type != Ack || m.Hostname != "" {
		t.Fatalf("%+v", m.Options)
	}
}

func TestParseErrors(t *testing.T) {
	ok := fixed(2, 1, 0, [4]byte{}, clientMAC)
	with := func(opts ...byte) []byte { return cat(ok, opts) }
	for _, c := range []struct {
		desc string
		b    []byte
		want error
	}{
		{"empty", nil, ErrTruncated},
		{"239 bytes", ok[:239], ErrTruncated},
		{"no cookie", cat(ok[:236], []byte{1, 2, 3, 4}), ErrMalformed},
		{"op 3", func() []byte { b := with(); b[0] = 3; return b }(), ErrMalformed},
		{"hlen 17", func() []byte { b := with(); b[2] = 17; return b }(), ErrMalformed},
		{"option without length", with(53), ErrTruncated},
		{"option past the end", with(53, 2, 5), ErrTruncated},
		{"type of 2 bytes", with(53, 2, 5, 5), ErrMalformed},
		{"type 0", with(53, 1, 0), ErrMalformed},
		{"server id of 3 bytes", with(54, 3, 1, 2, 3), ErrMalformed},
		{"router list of 6 bytes", with(3, 6, 1, 2, 3, 4, 5, 6), ErrMalformed},
		{"empty DNS list", with(6, 0), ErrMalformed},
		{"lease time of 2 bytes", with(51, 2, 0, 1), ErrMalformed},
		{"MTU 67", with(26, 2, 0, 67), ErrMalformed},
		{"max size 575", with(57, 2, 2, 63), ErrMalformed},
		{"client id of 1 byte", with(61, 1, 1), ErrMalformed},
		{"empty hostname", with(12, 0), ErrMalformed},
		{"overload 4", with(52, 1, 4), ErrMalformed},
		{"bad option in file", func() []byte { b := with(52, 1, 1, 255); b[108], b[109] = 54, 9; return b }(), ErrMalformed},
	} {
		_, err := ParseMessage(c.b)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.desc, err, c.want)
		}
	}
	// Leniencies: no end option, and padding instead of options.
	if m, err := ParseMessage(with(53, 1, 6)); err != nil || m.Type != Nak {
		t.Errorf("no end option: %v %v", m.Type, err)
	}
	if _, err := ParseMessage(with(0, 0, 0)); err != nil {
		t.Errorf("only padding: %v", err)
	}
}

// TestParseDoesNotAlias: the message shares no memory with the datagram,
// which the client's buffer overwrites.
func TestParseDoesNotAlias(t *testing.T) {
	b := bytes.Clone(offerBytes)
	m, err := ParseMessage(b)
	if err != nil {
		t.Fatal(err)
	}
	clear(b)
	if !reflect.DeepEqual(m, offerMessage) {
		t.Fatal("the message changed with the bytes it came from")
	}
}

func TestMessageTypeString(t *testing.T) {
	if Ack.String() != "DHCPACK" || MessageType(0).String() != "DHCP(0)" || MessageType(42).String() != "DHCP(42)" {
		t.Fatal(Ack.String(), MessageType(42).String())
	}
}

// FuzzParseMessage: parsing never panics; what parses re-encodes into
// something that parses to the same message.
func FuzzParseMessage(f *testing.F) {
	f.Add(offerBytes)
	f.Add(cat(fixed(2, 1, 0, [4]byte{}, clientMAC), []byte{53, 1, 5, 52, 1, 3, 255}))
	f.Add(cat(fixed(1, 1, 0, [4]byte{}, nil), []byte{61, 2, 1, 2, 61, 1, 3, 0, 255}))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseMessage(b)
		if err != nil {
			return
		}
		out := make([]byte, m.Len())
		if n := m.Encode(out); n != len(out) {
			t.Fatalf("Encode wrote %d of %d bytes", n, len(out))
		}
		back, err := ParseMessage(out)
		if err != nil {
			t.Fatalf("re-parse: %v\n% x", err, out)
		}
		if !reflect.DeepEqual(back, m) {
			t.Fatalf("round trip changed the message:\n%+v\n%+v", m, back)
		}
	})
}
