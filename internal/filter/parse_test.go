package filter

import (
	"errors"
	"strings"
	"testing"
)

func TestSyntaxErrors(t *testing.T) {
	for _, c := range []struct {
		expr string
		pos  int    // byte offset of the error
		msg  string // substring of SyntaxError.Msg
	}{
		{"tcp port", 8, "expected a port number, found end of expression"},
		{"port http", 5, `expected a port number, found "http"`},
		{"port 65536", 5, `expected a port number, found "65536"`},
		{"port -1", 5, `expected a port number`},
		{"host", 4, "expected an IP address, found end of expression"},
		{"host example.com", 5, `expected an IP address, found "example.com"`},
		{"ip host ::1", 8, `"ip" does not apply to IPv6 address "::1"`},
		{"arp host fdaa::1", 9, `"arp" does not apply to IPv6 address "fdaa::1"`},
		{"ip net fdaa::/64", 7, `"ip" does not apply to IPv6 address "fdaa::/64"`},
		{"ip6 host 10.0.0.1", 9, `"ip6" does not apply to IPv4 address "10.0.0.1"`},
		{"ip6 net 10.0.0.0/8", 8, `"ip6" does not apply to IPv4 address "10.0.0.0/8"`},
		{"ip6 host bogus", 9, `expected an IPv6 address, found "bogus"`},
		{"ip host fdaa::/64", 8, `expected an IPv4 address, found prefix "fdaa::/64" (use "net")`},
		{"ip6 src 10.0.0.1", 8, `"ip6" does not apply to IPv4 address`},
		{"host fdaa::1 or 10.0.0.1 or ip6 host 10.0.0.2", 37, `"ip6" does not apply to IPv4 address "10.0.0.2"`},
		{"net fdaa::1/64", 4, `non-network bits set in "fdaa::1/64"`},
		{"net fdaa::/129", 4, "expected an IP prefix such as 10.0.0.0/8 or fdaa::/64"},
		{"ip6 net fdaa::/129", 8, "expected an IPv6 prefix"},
		{"icmp6 host fdaa::1", 0, `"icmp6" does not apply to "host"`},
		{"icmp6 port 7", 0, `"icmp6" does not apply to "port"`},
		{"ip6 src port", 12, "expected a port number"},
		{"tcp host fdaa::1", 0, `"tcp" does not apply to "host"`},
		{"fdaa::1", 0, `"fdaa::1" needs a qualifier before it`},
		{"host fe80::1%eth0", 12, `unexpected character "%"`},
		{"host 10.0.0.0/8", 5, `found prefix "10.0.0.0/8" (use "net")`},
		{"net 10.1.0.0/8", 4, `non-network bits set in "10.1.0.0/8"`},
		{"net 10.0.0.0/33", 4, "expected an IP prefix"},
		{"ether host 1.2.3.4", 11, "expected a MAC address"},
		{"portrange 10", 10, "expected a port range"},
		{"ip proto 256", 9, "expected a protocol name or number"},
		{"tcp host 1.2.3.4", 0, `"tcp" does not apply to "host"`},
		{"icmp port 7", 0, `"icmp" does not apply to "port"`},
		{"arp port 7", 0, `"arp" does not apply to "port"`},
		{"udp net 10.0.0.0/8", 0, `"udp" does not apply to "net"`},
		{"src proto 6", 0, `"src" and "dst" do not apply to "proto"`},
		{"ether", 5, `expected "host", "src", "dst" or "proto" after "ether", found end of expression`},
		{"(tcp", 4, `expected "and", "or" or ")", found end of expression`},
		{"tcp)", 3, `unmatched ")"`},
		{"()", 1, `expected a primitive such as "host", "port", "tcp", or "not" or "(", found ")"`},
		{"tcp and", 7, "expected a primitive such as"},
		{"and tcp", 0, `found "and"`},
		{"not", 3, "found end of expression"},
		{"tcp udp", 4, `expected "and", "or" or end of expression, found "udp"`},
		{"tcp port 80 80", 12, `found "80"`},
		{"tcp & udp", 4, `expected "&&", found "&"`},
		{"tcp | udp", 4, `expected "||", found "|"`},
		{"tcp and $x", 8, `unexpected character "$"`},
		{"tcp and é", 8, `unexpected character "\xc3"`},
		{"192.168.69.1", 0, `"192.168.69.1" needs a qualifier before it, such as "host"`},
		{"bogus", 0, `unknown primitive "bogus"`},
		{"tcp or bogus", 7, `unknown primitive "bogus"`},
		{"vlan and tcp", 0, `"vlan" is not supported`},
		{"protochain 6", 0, `"protochain" is not supported`},
		{"host src 1.2.3.4", 5, "expected an IP address, found \"src\""},
		{"src", 3, "expected an IP address or prefix, found end of expression"},
		{strings.Repeat("(", 101) + "tcp" + strings.Repeat(")", 101), 100, "nested deeper than 100"},
		{strings.Repeat("not ", 101) + "tcp", 400, "nested deeper than 100"},
	} {
		_, err := Compile(c.expr)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Compile(%q) = %v, want a *SyntaxError", c.expr, err)
			continue
		}
		if se.Pos != c.pos || !strings.Contains(se.Msg, c.msg) || se.Expr != c.expr {
			t.Errorf("Compile(%q):\n%v\n%s\nwant offset %d and %q", c.expr, err, se.Caret(), c.pos, c.msg)
		}
	}
}

func TestSyntaxErrorText(t *testing.T) {
	_, err := Compile("tcp port http")
	if got, want := err.Error(), `filter: column 10: expected a port number, found "http"`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	var se *SyntaxError
	errors.As(err, &se)
	if got, want := se.Caret(), "tcp port http\n         ^"; got != want {
		t.Errorf("Caret() = %q, want %q", got, want)
	}
}

// TestAccepted lists spellings that must compile: the operators' symbol
// forms, the shorthand, odd spacing, names for protocols.
func TestAccepted(t *testing.T) {
	for _, expr := range []string{
		"tcp&&port 80||!udp",
		"(tcp)and(port 80)",
		"  icmp  ",
		"host 192.168.69.1 or 192.168.69.2 and not 10.0.0.1",
		"tcp dst port 80 or 443 or 8080",
		"net 10.0.0.0/8 or 172.16.0.0/12",
		"ether src 02:00:00:00:00:01 or 02:00:00:00:00:02",
		"dst 10.0.0.0/8",
		"proto 47",
		"ip proto 0x11",
		"ether proto 0x0800",
		"ether proto ip6",
		"portrange 1024-65535",
		"ip",
		"arp or not arp",
		"ip6",
		"icmp6 or ip6 proto 58",
		"host ::1",
		"host fdaa::1 or fdaa::2 or 10.0.0.1",
		"src fdaa::/64 or fe80::/10",
		"net ::ffff:0:0/96",
		"ip6 proto tcp",
		"proto icmp6",
		"ip6 dst port 547",
	} {
		if _, err := Compile(expr); err != nil {
			t.Errorf("Compile(%q): %v", expr, err)
		}
	}
}
