package filter

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/netstack/wire"
	"golang.org/x/net/bpf"
)

// matchCases lists expressions and the frames of testFrames each must
// match; every other frame must not match. tcpdump says whether the
// expression is also valid tcpdump syntax, for the differential test.
var matchCases = []struct {
	expr    string
	matches []string
	tcpdump bool
}{
	{"tcp", []string{"tcp80", "tcp80opts", "tcpReply", "tcpTen", "truncated", "tcp6", "tcp6Reply", "truncated6"}, true},
	{"udp", []string{"udp53", "udp53opts", "fragFirst", "fragLater", "udp6", "frag6First", "frag6Later"}, true},
	{"icmp", []string{"icmpReq", "icmpRep"}, true},
	{"arp", []string{"arpReq"}, true},
	{"ip", []string{"tcp80", "tcp80opts", "tcpReply", "tcpTen", "udp53", "udp53opts", "icmpReq", "icmpRep", "fragFirst", "fragLater", "truncated"}, true},
	{"not ip", []string{"arpReq", "vlanTCP80", "tcp6", "tcp6Reply", "tcp6Opts", "udp6", "icmp6Req", "icmp6Rep", "ns6", "mld6", "frag6First", "frag6Later", "truncated6"}, true},

	// Ports: read past the IPv4 header whatever its length; never in a
	// later fragment; not past the end of a truncated frame.
	{"tcp port 80", []string{"tcp80", "tcp80opts", "tcpReply", "tcp6", "tcp6Reply"}, true},
	{"port 80", []string{"tcp80", "tcp80opts", "tcpReply", "tcp6", "tcp6Reply"}, true},
	{"udp port 80", nil, true},
	{"tcp dst port 80", []string{"tcp80", "tcp80opts", "tcp6"}, true},
	{"tcp src port 80", []string{"tcpReply", "tcp6Reply"}, true},
	{"src port 5555", []string{"tcp80opts"}, true},
	{"port 53", []string{"udp53", "udp53opts", "fragFirst", "udp6"}, true},
	{"udp port 53", []string{"udp53", "udp53opts", "fragFirst", "udp6"}, true},
	{"dst port 53", []string{"udp53", "fragFirst", "udp6"}, true},
	{"port 4000", []string{"fragFirst"}, true},
	{"src port 41234", []string{"tcp80", "truncated", "tcp6", "truncated6"}, true},
	{"dst port 41234", []string{"tcpReply", "tcp6Reply"}, true},
	{"port 53 or 80", []string{"udp53", "udp53opts", "fragFirst", "tcp80", "tcp80opts", "tcpReply", "udp6", "tcp6", "tcp6Reply"}, true},
	{"tcp portrange 1-100", []string{"tcp80", "tcp80opts", "tcpReply", "tcpTen", "tcp6", "tcp6Reply"}, true},
	{"portrange 0-22", []string{"tcpTen"}, true},
	{"portrange 100-1", []string{"tcp80", "tcp80opts", "tcpReply", "tcpTen", "udp53", "udp53opts", "fragFirst", "tcp6", "tcp6Reply", "udp6"}, true},
	{"dst portrange 5000-6000", []string{"udp53opts"}, true},

	// Hosts and nets: IPv4 source or destination, or ARP addresses.
	{"host 192.168.69.1", []string{"tcp80", "tcp80opts", "tcpReply", "tcpTen", "icmpReq", "icmpRep", "arpReq", "fragFirst", "fragLater", "truncated"}, true},
	{"ip host 192.168.69.1", []string{"tcp80", "tcp80opts", "tcpReply", "tcpTen", "icmpReq", "icmpRep", "fragFirst", "fragLater", "truncated"}, true},
	{"arp host 192.168.69.1", []string{"arpReq"}, true},
	{"src host 192.168.69.100", []string{"tcp80", "tcp80opts", "udp53", "icmpReq", "arpReq", "fragFirst", "fragLater", "truncated"}, true},
	{"dst host 192.168.69.100", []string{"tcpReply", "udp53opts", "icmpRep"}, true},
	{"src 192.168.69.1", []string{"tcpReply", "icmpRep"}, true},
	{"host 10.1.2.3 or 8.8.8.8", []string{"tcpTen", "udp53", "udp53opts"}, true},
	{"host 192.168.69.1 and not arp", []string{"tcp80", "tcp80opts", "tcpReply", "tcpTen", "icmpReq", "icmpRep", "fragFirst", "fragLater", "truncated"}, true},
	{"host 8.8.8.8", []string{"udp53", "udp53opts"}, true},
	{"net 10.0.0.0/8", []string{"tcpTen"}, true},
	{"src net 10.0.0.0/8", []string{"tcpTen"}, true},
	{"dst net 10.0.0.0/8", nil, true},
	{"net 192.168.69.0/24 and udp", []string{"udp53", "udp53opts", "fragFirst", "fragLater"}, true},
	{"net 0.0.0.0/0", []string{"tcp80", "tcp80opts", "tcpReply", "tcpTen", "udp53", "udp53opts", "icmpReq", "icmpRep", "arpReq", "fragFirst", "fragLater", "truncated"}, true},
	{"dst net 8.0.0.0/7", []string{"udp53"}, true},
	{"net 10.1.2.3", []string{"tcpTen"}, true},
	{"ether src 02:00:00:00:00:64", []string{"tcp80", "tcp80opts", "tcpReply", "tcpTen", "udp53", "udp53opts", "icmpReq", "icmpRep", "arpReq", "fragFirst", "fragLater", "vlanTCP80", "truncated", "tcp6", "tcp6Reply", "tcp6Opts", "udp6", "icmp6Req", "icmp6Rep", "ns6", "mld6", "frag6First", "frag6Later", "truncated6"}, true},
	{"ether dst 02:00:00:00:00:64", nil, true},
	{"ether host ff:ff:ff:ff:ff:ff", []string{"arpReq"}, true},
	{"ether proto 0x86dd", []string{"tcp6", "tcp6Reply", "tcp6Opts", "udp6", "icmp6Req", "icmp6Rep", "ns6", "mld6", "frag6First", "frag6Later", "truncated6"}, true},
	{"ether proto arp", []string{"arpReq"}, false}, // tcpdump wants \arp
	{"ip proto 1", []string{"icmpReq", "icmpRep"}, true},
	{"ip proto tcp", []string{"tcp80", "tcp80opts", "tcpReply", "tcpTen", "truncated"}, false},

	// IPv6, as libpcap compiles it: "ip" is IPv4 only; "tcp", "udp",
	// "proto" and ports cover both families. The upper-layer protocol is
	// the fixed header's next header, or the one a fragment header right
	// after it names; ports are read only straight after the fixed
	// header. No other extension header is walked.
	{"ip6", []string{"tcp6", "tcp6Reply", "tcp6Opts", "udp6", "icmp6Req", "icmp6Rep", "ns6", "mld6", "frag6First", "frag6Later", "truncated6"}, true},
	{"icmp6", []string{"icmp6Req", "icmp6Rep", "ns6"}, true},
	{"ip6 proto 58", []string{"icmp6Req", "icmp6Rep", "ns6"}, true},
	{"ip6 proto icmp6", []string{"icmp6Req", "icmp6Rep", "ns6"}, false}, // tcpdump has no such name
	{"ip proto 58", nil, true},
	{"ip6 proto 0", []string{"mld6"}, true},
	{"ip6 proto 60", []string{"tcp6Opts"}, true},
	{"ip6 proto 44", []string{"frag6First", "frag6Later"}, true},
	{"ip6 proto 17", []string{"udp6", "frag6First", "frag6Later"}, true},
	{"proto 6", []string{"tcp80", "tcp80opts", "tcpReply", "tcpTen", "truncated", "tcp6", "tcp6Reply", "truncated6"}, true},
	{"ip6 and tcp", []string{"tcp6", "tcp6Reply", "truncated6"}, true},
	{"ip and tcp", []string{"tcp80", "tcp80opts", "tcpReply", "tcpTen", "truncated"}, true},
	{"ip6 and not icmp6", []string{"tcp6", "tcp6Reply", "tcp6Opts", "udp6", "mld6", "frag6First", "frag6Later", "truncated6"}, true},
	{"ip6 port 80", []string{"tcp6", "tcp6Reply"}, false},             // tcpdump: illegal qualifier
	{"ip port 80", []string{"tcp80", "tcp80opts", "tcpReply"}, false}, // tcpdump: illegal qualifier
	{"udp and port 4000", []string{"fragFirst"}, true},
	{"ip6 and portrange 50-60", []string{"udp6"}, true},
	{"host fdaa::1", []string{"tcp6", "tcp6Reply", "tcp6Opts", "icmp6Req", "icmp6Rep", "frag6First", "frag6Later", "truncated6"}, true},
	{"ip6 host fdaa::1", []string{"tcp6", "tcp6Reply", "tcp6Opts", "icmp6Req", "icmp6Rep", "frag6First", "frag6Later", "truncated6"}, true},
	{"src host fdaa::1", []string{"tcp6Reply", "icmp6Rep"}, true},
	{"dst host fdaa::1", []string{"tcp6", "tcp6Opts", "icmp6Req", "frag6First", "frag6Later", "truncated6"}, true},
	{"dst fdaa::100", []string{"tcp6Reply", "icmp6Rep"}, true},
	{"host 2001:4860:4860::8888 or 8.8.8.8", []string{"udp6", "udp53", "udp53opts"}, true},
	{"host fdaa::1 or 192.168.69.100", []string{"tcp6", "tcp6Reply", "tcp6Opts", "icmp6Req", "icmp6Rep", "frag6First", "frag6Later", "truncated6",
		"tcp80", "tcp80opts", "tcpReply", "udp53", "udp53opts", "icmpReq", "icmpRep", "arpReq", "fragFirst", "fragLater", "truncated"}, true},
	{"host ::ffff:192.168.69.1", nil, true}, // an IPv6 address: never an IPv4 packet's
	{"net fdaa::/64", []string{"tcp6", "tcp6Reply", "tcp6Opts", "udp6", "icmp6Req", "icmp6Rep", "ns6", "frag6First", "frag6Later", "truncated6"}, true},
	{"src net fdaa::/64", []string{"tcp6", "tcp6Reply", "tcp6Opts", "udp6", "icmp6Req", "icmp6Rep", "ns6", "frag6First", "frag6Later", "truncated6"}, true},
	{"dst net fdaa::/127", []string{"tcp6", "tcp6Opts", "icmp6Req", "frag6First", "frag6Later", "truncated6"}, true},
	{"dst net fdaa::100/120", []string{"tcp6Reply", "icmp6Rep"}, true},
	{"net fdaa::/15", []string{"tcp6", "tcp6Reply", "tcp6Opts", "udp6", "icmp6Req", "icmp6Rep", "ns6", "frag6First", "frag6Later", "truncated6"}, true},
	{"net fdab::/16", nil, true},
	{"net ff02::/16", []string{"ns6", "mld6"}, true},
	{"src net fe80::/10", []string{"mld6"}, true},
	{"dst net ff02::1:ff00:0/104", []string{"ns6"}, true},
	{"net ::/0", []string{"tcp6", "tcp6Reply", "tcp6Opts", "udp6", "icmp6Req", "icmp6Rep", "ns6", "mld6", "frag6First", "frag6Later", "truncated6"}, false}, // tcpdump refuses /0 for IPv6
	{"net fdaa::", []string{}, true},
	{"net 192.168.69.0/24 and ip6", nil, true},
	{"icmp6 or arp", []string{"icmp6Req", "icmp6Rep", "ns6", "arpReq"}, true},
	{"not icmp6 and ip6 and not tcp and not udp", []string{"tcp6Opts", "mld6"}, true},
	{"ip6 and (src port 41234 or dst host 2001:4860:4860::8888)", []string{"tcp6", "udp6", "truncated6"}, true},
	{"ether dst 33:33:00:00:00:16", []string{"mld6"}, true},

	// Operators and precedence, tcpdump's: not binds tightest; and and
	// or bind equally, from the left.
	{"icmp or arp", []string{"icmpReq", "icmpRep", "arpReq"}, true},
	// A load past the end of the frame rejects it, even under "not".
	{"tcp and not port 80", []string{"tcpTen"}, true},
	{"!tcp && !udp && ip", []string{"icmpReq", "icmpRep"}, true},
	{"arp or icmp and src host 192.168.69.1", []string{"icmpRep"}, true},
	{"src host 192.168.69.1 and icmp or arp", []string{"icmpRep", "arpReq"}, true},
	{"arp or (icmp and src host 192.168.69.1)", []string{"arpReq", "icmpRep"}, true},
	{"not arp and not icmp and udp or tcp and dst port 80", []string{"tcp80", "tcp80opts", "tcp6"}, true},
	{"(arp or icmp) and src host 192.168.69.1", []string{"icmpRep"}, true},
	{"not arp and not ip", []string{"vlanTCP80", "tcp6", "tcp6Reply", "tcp6Opts", "udp6", "icmp6Req", "icmp6Rep", "ns6", "mld6", "frag6First", "frag6Later", "truncated6"}, true},
	{"not (arp or ip)", []string{"vlanTCP80", "tcp6", "tcp6Reply", "tcp6Opts", "udp6", "icmp6Req", "icmp6Rep", "ns6", "mld6", "frag6First", "frag6Later", "truncated6"}, true},
	{"not not icmp", []string{"icmpReq", "icmpRep"}, true},
	{"host 192.168.69.100 and (port 80 or port 53) and not src port 41234", []string{"tcp80opts", "tcpReply", "udp53", "udp53opts", "fragFirst"}, true},
	{"tcp or udp or icmp or arp", []string{"tcp80", "tcp80opts", "tcpReply", "tcpTen", "udp53", "udp53opts", "icmpReq", "icmpRep", "arpReq", "fragFirst", "fragLater", "truncated", "tcp6", "tcp6Reply", "truncated6", "udp6", "frag6First", "frag6Later"}, true},
}

func matcher(t testing.TB, expr string, m link.Medium) *Matcher {
	t.Helper()
	prog, err := CompileFor(expr, m)
	if err != nil {
		t.Fatalf("Compile(%q): %v", expr, err)
	}
	mt, err := NewMatcher(prog)
	if err != nil {
		t.Fatalf("Compile(%q) gave a program the VM refuses: %v\n%s", expr, err, listing(prog))
	}
	return mt
}

// listing disassembles a program for failure messages.
func listing(prog []bpf.RawInstruction) string {
	var b strings.Builder
	insns, _ := bpf.Disassemble(prog)
	for i, in := range insns {
		fmt.Fprintf(&b, "\t%3d  %v\n", i, in)
	}
	return b.String()
}

func TestMatch(t *testing.T) {
	frames := testFrames()
	for _, c := range matchCases {
		mt := matcher(t, c.expr, link.Ethernet)
		for _, f := range frames {
			want := slices.Contains(c.matches, f.name)
			if got := mt.Match(f.b); got != want {
				prog, _ := Compile(c.expr)
				t.Errorf("%q on %s (%s): match %t, want %t\n%s", c.expr, f.name, wire.FormatFrame(f.b), got, want, listing(prog))
			}
		}
	}
}

// TestMatchIPMedium runs the same expressions, minus the Ethernet ones,
// over the IPv4 frames stripped of their Ethernet header, as a TUN device
// delivers them: the verdicts must be the same.
func TestMatchIPMedium(t *testing.T) {
	for _, c := range matchCases {
		if strings.Contains(c.expr, "arp") || strings.Contains(c.expr, "ether") || c.expr == "not ip" {
			continue
		}
		mt := matcher(t, c.expr, link.IP)
		for _, f := range testFrames() {
			if f.name == "arpReq" || f.name == "vlanTCP80" {
				continue
			}
			want := slices.Contains(c.matches, f.name)
			if got := mt.Match(f.b[14:]); got != want {
				prog, _ := CompileFor(c.expr, link.IP)
				t.Errorf("%q on bare %s: match %t, want %t\n%s", c.expr, f.name, got, want, listing(prog))
			}
		}
	}
	// The version nibble decides the family: an IPv6 packet whose byte 9
	// (the IPv4 protocol field) is 6 is not "ip", nor "ip proto 6".
	f := tcp6Frame(ip6Host, 1, ip6Stack, 2)[14:]
	f[9] = 6
	if matcher(t, "ip or ip proto 6", link.IP).Match(f) || !matcher(t, "ip6", link.IP).Match(f) {
		t.Error(`bare IPv6 packet taken for IPv4`)
	}
}

func TestEmptyAcceptsEverything(t *testing.T) {
	for _, expr := range []string{"", "  ", "\t\n"} {
		prog, err := Compile(expr)
		if err != nil {
			t.Fatalf("Compile(%q): %v", expr, err)
		}
		want := []bpf.RawInstruction{{Op: 0x06, K: AcceptLen}} // ret #262144
		if !slices.Equal(prog, want) {
			t.Errorf("Compile(%q) = %v, want %v", expr, prog, want)
		}
		mt := matcher(t, expr, link.Ethernet)
		for _, f := range append(testFrames(), testFrame{"empty", nil}) {
			if !mt.Match(f.b) {
				t.Errorf("Compile(%q) rejected %s", expr, f.name)
			}
		}
	}
}

// TestIHLIdiom checks that ports are read through ldxb 4*([14]&0xf) and
// the non-first-fragment test, as tcpdump compiles them.
func TestIHLIdiom(t *testing.T) {
	prog, err := Compile("dst port 80")
	if err != nil {
		t.Fatal(err)
	}
	insns, _ := bpf.Disassemble(prog)
	var msh, frag, ind bool
	for _, in := range insns {
		switch in := in.(type) {
		case bpf.LoadMemShift:
			msh = msh || in.Off == 14
		case bpf.JumpIf:
			frag = frag || in.Cond == bpf.JumpBitsSet && in.Val == 0x1fff
		case bpf.LoadIndirect:
			ind = ind || in.Off == 16 && in.Size == 2
		}
	}
	if !msh || !frag || !ind {
		t.Errorf("ldxb 4*([14]&0xf) %t, jset #0x1fff %t, ldh [x+16] %t:\n%s", msh, frag, ind, listing(prog))
	}
}

// TestLongJumps compiles expressions whose jumps reach further than the
// 255 instructions a conditional jump can skip, so they need trampolines,
// and checks the verdicts for frames matching the first, a middle and
// the last alternative.
func TestLongJumps(t *testing.T) {
	var alts []string
	for i := 1; i <= 60; i++ {
		alts = append(alts, "host 10.0.0."+strconv.Itoa(i))
	}
	alts = append(alts, "host 192.168.69.1")
	for _, expr := range []string{
		strings.Join(alts, " or "),
		"not (" + strings.Join(alts, " or ") + ")",
		"tcp and (" + strings.Join(alts, " or ") + ") and port 80",
	} {
		prog, err := Compile(expr)
		if err != nil {
			t.Fatal(err)
		}
		insns, _ := bpf.Disassemble(prog)
		if !slices.ContainsFunc(insns, func(in bpf.Instruction) bool { _, ok := in.(bpf.Jump); return ok }) {
			t.Fatalf("program of %d instructions has no trampoline (ja): the test does not exercise long jumps", len(prog))
		}
		mt := matcher(t, expr, link.Ethernet)
		neg := strings.HasPrefix(expr, "not")
		port := strings.HasPrefix(expr, "tcp")
		for _, c := range []struct {
			f    []byte
			want bool
		}{
			{tcpFrame(ipStack, 9, ipHost, 80, 0), true},
			{tcpFrame(ipHost, 9, ipStack, 81, 0), !port},
			{tcpFrame(netip.MustParseAddr("10.0.0.1"), 9, ipHost, 80, 0), true},
			{tcpFrame(ipHost, 80, netip.MustParseAddr("10.0.0.30"), 9, 0), true},
			{tcpFrame(netip.MustParseAddr("10.0.0.61"), 9, ipHost, 80, 0), false},
			{tcpFrame(ipDNS, 9, ipHost, 80, 0), false},
		} {
			want := c.want != neg
			if got := mt.Match(c.f); got != want {
				t.Errorf("%.40s... on %s: %t, want %t", expr, wire.FormatFrame(c.f), got, want)
			}
		}
	}
}

func TestTooLong(t *testing.T) {
	alts := make([]string, 600)
	for i := range alts {
		alts[i] = "port " + strconv.Itoa(i)
	}
	_, err := Compile(strings.Join(alts, " or "))
	if err == nil || !strings.Contains(err.Error(), "at most 4096") {
		t.Fatalf("600 port primitives: %v, want an error naming the 4096 limit", err)
	}
	var se *SyntaxError
	if errors.As(err, &se) {
		t.Errorf("size limit reported as a syntax error: %v", err)
	}
}

func TestMediumErrors(t *testing.T) {
	for _, expr := range []string{"arp", "ether host 02:00:00:00:00:01", "icmp or arp host 1.2.3.4", "ether proto 0x800"} {
		_, err := CompileFor(expr, link.IP)
		var se *SyntaxError
		if !errors.As(err, &se) || !strings.Contains(se.Msg, "needs an Ethernet link") {
			t.Errorf("CompileFor(%q, IP): %v, want a syntax error about Ethernet", expr, err)
		}
	}
	if _, err := CompileFor("ip", link.Medium(0)); err == nil {
		t.Error("CompileFor with an unknown medium succeeded")
	}
}
