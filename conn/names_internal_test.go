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

func TestPartitionAddrs(t *testing.T) {
	v4 := netip.MustParseAddr("192.0.2.1")
	mapped := netip.MustParseAddr("::ffff:192.0.2.2")
	v6 := netip.MustParseAddr("2001:db8::1")
	ips := []netip.Addr{v6, v4, mapped}
	p, f := partitionAddrs("tcp", ips)
	if !slices.Equal(p, []netip.Addr{v4, mapped.Unmap()}) || !slices.Equal(f, []netip.Addr{v6}) {
		t.Errorf("tcp: %v, %v", p, f)
	}
	p, f = partitionAddrs("udp4", ips)
	if !slices.Equal(p, []netip.Addr{v4, mapped.Unmap()}) || f != nil {
		t.Errorf("udp4: %v, %v", p, f)
	}
}
