package conn

import (
	"net/netip"
	"slices"
	"testing"
	"time"
)

func TestPartialDeadline(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		desc      string
		deadline  time.Duration // from now; 0: none
		remaining int
		want      time.Duration // from now; 0 with ok: none
		ok        bool
	}{
		{"no deadline", 0, 3, 0, true},
		{"equal shares", 30 * time.Second, 3, 10 * time.Second, true},
		{"share under 2 s: 2 s", 3 * time.Second, 3, 2 * time.Second, true},
		{"less than 2 s left: all of it", time.Second, 3, time.Second, true},
		{"last address: all of it", 5 * time.Second, 1, 5 * time.Second, true},
		{"past", -time.Second, 2, 0, false},
	} {
		var deadline time.Time
		if tc.deadline != 0 {
			deadline = now.Add(tc.deadline)
		}
		got, err := partialDeadline(now, deadline, tc.remaining)
		if (err == nil) != tc.ok {
			t.Errorf("%s: err %v", tc.desc, err)
			continue
		}
		var want time.Time
		if tc.want != 0 {
			want = now.Add(tc.want)
		}
		if !got.Equal(want) {
			t.Errorf("%s: got %v, want %v", tc.desc, got.Sub(now), tc.want)
		}
	}
}

// RFC 8305 §4 as net.Dialer applies it: the first address's family is
// tried first, the other is the fallback; each keeps the resolver's order.
func TestPartitionAddrs(t *testing.T) {
	v4a := netip.MustParseAddrPort("192.0.2.1:80")
	v4b := netip.MustParseAddrPort("192.0.2.2:80")
	v6a := netip.MustParseAddrPort("[2001:db8::1]:80")
	v6b := netip.MustParseAddrPort("[2001:db8::2]:80")
	p, f := partitionAddrs([]netip.AddrPort{v6a, v4a, v6b, v4b})
	if !slices.Equal(p, []netip.AddrPort{v6a, v6b}) || !slices.Equal(f, []netip.AddrPort{v4a, v4b}) {
		t.Errorf("IPv6 first: %v, %v", p, f)
	}
	p, f = partitionAddrs([]netip.AddrPort{v4b, v6a, v4a})
	if !slices.Equal(p, []netip.AddrPort{v4b, v4a}) || !slices.Equal(f, []netip.AddrPort{v6a}) {
		t.Errorf("IPv4 first: %v, %v", p, f)
	}
	p, f = partitionAddrs([]netip.AddrPort{v4a})
	if !slices.Equal(p, []netip.AddrPort{v4a}) || f != nil {
		t.Errorf("one family: %v, %v", p, f)
	}
}

// Family checks as net's: "tcp4" refuses an IPv6 literal, "tcp6" an IPv4
// one (IPv4-mapped included), and zones are dropped.
func TestLiteralAddrFamilies(t *testing.T) {
	for _, tc := range []struct {
		network, host string
		want          string // "" for an error
	}{
		{"tcp", "10.0.0.1", "10.0.0.1:80"},
		{"tcp", "fdaa::1", "[fdaa::1]:80"},
		{"tcp", "fe80::1%eth0", "[fe80::1]:80"},
		{"tcp", "::ffff:10.0.0.1", "10.0.0.1:80"},
		{"tcp4", "10.0.0.1", "10.0.0.1:80"},
		{"tcp4", "::ffff:10.0.0.1", "10.0.0.1:80"},
		{"tcp4", "fdaa::1", ""},
		{"udp4", "::", ""},
		{"tcp6", "fdaa::1", "[fdaa::1]:80"},
		{"tcp6", "10.0.0.1", ""},
		{"udp6", "::ffff:10.0.0.1", ""},
		{"udp6", "0.0.0.0", ""},
	} {
		got, err := literalAddr(tc.network, netip.MustParseAddr(tc.host), tc.host, 80)
		switch {
		case tc.want == "" && err == nil:
			t.Errorf("%s %s: %v, want an error", tc.network, tc.host, got)
		case tc.want == "":
			if err.Error() != "address "+tc.host+": no suitable address found" {
				t.Errorf("%s %s: error %q, not net's", tc.network, tc.host, err)
			}
		case err != nil || got.String() != tc.want:
			t.Errorf("%s %s: %v, %v; want %s", tc.network, tc.host, got, err, tc.want)
		}
	}
}
