package wire

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"
)

// icmp6 parses the ICMPv6 message of an IPv6 frame without extension
// headers.
func icmp6(frame []byte) ICMPv6 {
	p := must(ParseIPv6(frame[EthernetHeaderLen:]))
	return must(ParseICMPv6(p.Payload(), p.Src(), p.Dst()))
}

func TestNDPLinux(t *testing.T) {
	ns := must(ParseNDPNeighborSolicit(icmp6(ns6Frame)))
	if mac, ok := ns.SourceLinkAddr(); ns.Target() != ip6B || !ok || mac != macA {
		t.Errorf("NS: target %v slla %v %v", ns.Target(), mac, ok)
	}
	nsf := NDPNeighborSolicitFields{Target: ip6B, SourceLinkAddr: macA}
	b := make([]byte, nsf.Len())
	nsf.Encode(b, ip6A, SolicitedNodeAddr(ip6B))
	if !bytes.Equal(b, ns) {
		t.Errorf("rebuilt NS\n% x\nwant\n% x", b, []byte(ns))
	}

	na := must(ParseNDPNeighborAdvert(icmp6(na6Frame)))
	if mac, ok := na.TargetLinkAddr(); na.Target() != ip6B || !ok || mac != macB || !na.Router() || !na.Solicited() || !na.Override() {
		t.Errorf("NA: target %v tlla %v %v flags %v %v %v", na.Target(), mac, ok, na.Router(), na.Solicited(), na.Override())
	}
	naf := NDPNeighborAdvertFields{Router: true, Solicited: true, Override: true, Target: ip6B, TargetLinkAddr: macB}
	b = make([]byte, naf.Len())
	naf.Encode(b, ip6B, ip6A)
	if !bytes.Equal(b, na) {
		t.Errorf("rebuilt NA\n% x\nwant\n% x", b, []byte(na))
	}

	ra := must(ParseNDPRouterAdvert(icmp6(ra6Frame)))
	if ra.CurHopLimit() != 64 || ra.Managed() || ra.Other() || ra.RouterLifetime() != 1800 || ra.ReachableTime() != 0 || ra.RetransTimer() != 0 {
		t.Errorf("RA: %d %v %v %d %d %d", ra.CurHopLimit(), ra.Managed(), ra.Other(), ra.RouterLifetime(), ra.ReachableTime(), ra.RetransTimer())
	}
	var kinds []NDPOptionType
	for it := ra.Options(); ; {
		o, ok := it.Next()
		if !ok {
			break
		}
		kinds = append(kinds, o.Type())
		switch o.Type() {
		case NDPOptSourceLinkAddr:
			if m, ok := o.LinkAddr(); !ok || m != macB {
				t.Errorf("slla %v", m)
			}
		case NDPOptMTU:
			if m, ok := o.MTU(); !ok || m != 1500 {
				t.Errorf("mtu %d", m)
			}
		case NDPOptPrefixInfo:
			want := NDPPrefixInfo{Prefix: netip.MustParsePrefix("fdbb::/64"), OnLink: true, Autonomous: true, ValidLifetime: 86400, PreferredLifetime: 14400}
			if p, ok := o.PrefixInfo(); !ok || p != want {
				t.Errorf("prefix %+v", p)
			}
		}
	}
	if len(kinds) != 3 || kinds[0] != 1 || kinds[1] != 5 || kinds[2] != 3 {
		t.Errorf("options %v", kinds)
	}
}

func TestParseNDPErrors(t *testing.T) {
	ns := icmp6(ns6Frame)
	fix := func(edit func([]byte)) ICMPv6 {
		b := append([]byte(nil), ns...)
		edit(b)
		icmpv6Checksum(b, ip6A, ip6B)
		return ICMPv6(b)
	}
	tests := []struct {
		desc string
		m    ICMPv6
		err  error
	}{
		{"zero-length option", fix(func(b []byte) { b[25] = 0 }), ErrMalformed},
		{"option past the end", fix(func(b []byte) { b[25] = 2 }), ErrMalformed},
		{"code 1", fix(func(b []byte) { b[1] = 1 }), ErrMalformed},
		{"23 bytes", fix(func(b []byte) {})[:23], ErrTruncated},
		{"odd byte of options", ICMPv6(append(append([]byte(nil), ns...), 1)), ErrMalformed},
		{"unknown option is kept", fix(func(b []byte) { b[24] = 99 }), nil},
	}
	for _, tt := range tests {
		if _, err := ParseNDPNeighborSolicit(tt.m); !errors.Is(err, tt.err) {
			t.Errorf("%s: %v, want %v", tt.desc, err, tt.err)
		}
	}
	for _, p := range []func(ICMPv6) error{
		func(m ICMPv6) error { _, err := ParseNDPNeighborAdvert(m); return err },
		func(m ICMPv6) error { _, err := ParseNDPRouterSolicit(m); return err },
		func(m ICMPv6) error { _, err := ParseNDPRouterAdvert(m); return err },
		func(m ICMPv6) error { _, err := ParseNDPRedirect(m); return err },
	} {
		if err := p(ns); err != ErrUnsupported {
			t.Errorf("NS parsed as another type: %v", err)
		}
	}
}

func TestNDPRouterSolicitBuild(t *testing.T) {
	f := NDPRouterSolicitFields{SourceLinkAddr: macA}
	b := make([]byte, f.Len())
	f.Encode(b, ip6LLA, IPv6AllRouters)
	r := must(ParseNDPRouterSolicit(must(ParseICMPv6(b, ip6LLA, IPv6AllRouters))))
	if m, ok := r.SourceLinkAddr(); !ok || m != macA || len(r) != 16 {
		t.Errorf("RS % x", []byte(r))
	}
	// Linux's RS (testdata/linux6.pcap frame 9).
	if want := unhex(`85 00 7a 66 00 00 00 00  01 01 02 00 00 00 00 64`); !bytes.Equal(b, want) {
		t.Errorf("RS % x, want % x", b, want)
	}
	f = NDPRouterSolicitFields{}
	if f.Len() != NDPRouterSolicitLen {
		t.Errorf("RS without option: %d bytes", f.Len())
	}
}

func TestSolicitedNodeAndMulticastMAC(t *testing.T) {
	if got := SolicitedNodeAddr(netip.MustParseAddr("fdaa::1:2345:6789")); got != netip.MustParseAddr("ff02::1:ff45:6789") {
		t.Errorf("solicited-node %v", got)
	}
	for a, want := range map[string]MAC{
		"ff02::1:ff00:1": {0x33, 0x33, 0xff, 0, 0, 1},
		"ff02::16":       {0x33, 0x33, 0, 0, 0, 0x16},
		"224.0.0.251":    {1, 0, 0x5e, 0, 0, 0xfb},
		"fdaa::1":        {},
		"10.0.0.1":       {},
	} {
		if got := MulticastMAC(netip.MustParseAddr(a)); got != want {
			t.Errorf("MulticastMAC(%s) = %v, want %v", a, got, want)
		}
	}
	// Linux's NS to ff02::1:ff00:1 went to 33:33:ff:00:00:01.
	if e := must(ParseEthernet(ns6Frame)); e.Dst() != MulticastMAC(SolicitedNodeAddr(ip6B)) {
		t.Errorf("NS sent to %v", e.Dst())
	}
}

func TestMLD(t *testing.T) {
	p := must(ParseIPv6(mldReport6Frame[EthernetHeaderLen:]))
	h := must(WalkIPv6(p))
	m := must(ParseMLD(must(ParseICMPv6(p[h.Offset:], p.Src(), p.Dst()))))
	var groups []netip.Addr
	for it := m.Records(); ; {
		r, ok := it.Next()
		if !ok {
			break
		}
		if r.Type() != MLDChangeToExcludeMode || r.NumSources() != 0 || r.Source(0).IsValid() {
			t.Errorf("record %v", r)
		}
		groups = append(groups, r.Group())
	}
	want := []netip.Addr{SolicitedNodeAddr(ip6LLA), SolicitedNodeAddr(ip6A)}
	if m.Version() != 2 || m.NumRecords() != 2 || len(groups) != 2 || groups[0] != want[0] || groups[1] != want[1] {
		t.Errorf("report: version %d records %v", m.Version(), groups)
	}
	f := MLDv2GroupsReportFields{RecordType: MLDChangeToExcludeMode, Groups: want}
	b := make([]byte, f.Len())
	f.Encode(b, p.Src(), p.Dst())
	if !bytes.Equal(b, m) {
		t.Errorf("rebuilt report\n% x\nwant\n% x", b, []byte(m))
	}
	// An MLDv2 query for ff12::1234 from fdaa::1, max resp code 0x8400
	// (exponent 0, mantissa 0x400: 0x1400<<3 ms), one source.
	q := unhex(`82 00 0000  84 00 0000  ff120000000000000000000000001234  02 7d 0001  fdaa0000000000000000000000000001`)
	icmpv6Checksum(q, ip6LLB, IPv6AllNodes)
	qm := must(ParseMLD(must(ParseICMPv6(q, ip6LLB, IPv6AllNodes))))
	if qm.Version() != 2 || qm.MaxRespDelay() != 0x1400<<3 || qm.Group() != netip.MustParseAddr("ff12::1234") || qm.NumSources() != 1 || qm.Source(0) != ip6B {
		t.Errorf("query: v%d delay %d group %v sources %d", qm.Version(), qm.MaxRespDelay(), qm.Group(), qm.NumSources())
	}
	for _, bad := range [][]byte{q[:27], q[:40], b[:27]} {
		c := append([]byte(nil), bad...)
		icmpv6Checksum(c, ip6A, ip6B)
		if _, err := ParseMLD(must(ParseICMPv6(c, ip6A, ip6B))); err != ErrTruncated {
			t.Errorf("% x: %v", c, err)
		}
	}
}
