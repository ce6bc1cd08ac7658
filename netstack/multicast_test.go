package netstack

import (
	"net/netip"
	"testing"
	"time"

	"github.com/renet-go/renet/netstack/wire"
)

var group = netip.MustParseAddr("239.1.2.3")

// igmpSent decodes the IGMP messages among frames: the IP header must
// carry TTL 1 and Router Alert (RFC 2236 §2, RFC 3376 §4) and the frame go
// to the destination's multicast MAC.
func igmpSent(t *testing.T, frames [][]byte) []wire.IGMP {
	t.Helper()
	var out []wire.IGMP
	for _, f := range frames {
		p := mustParseIP(t, f)
		if p.ip.Protocol() != wire.IPProtoIGMP {
			continue
		}
		if p.ip.TTL() != 1 || !p.ip.RouterAlert() || p.eth.Dst() != wire.MulticastMAC(p.ip.Dst()) {
			t.Fatalf("IGMP sent as %v (TTL %d, router alert %v)", wire.FormatFrame(f), p.ip.TTL(), p.ip.RouterAlert())
		}
		m, err := wire.ParseIGMP(p.ip.Payload())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// recordTypes lists the record types and groups of an IGMPv3 report.
func recordTypes(m wire.IGMP) []string {
	var out []string
	it := m.GroupRecords()
	for r, ok := it.Next(); ok; r, ok = it.Next() {
		out = append(out, r.Type().String()+" "+r.Group().String())
	}
	return out
}

// fromPeerTo frames an IP packet from the peer to a multicast group.
func fromPeerTo(dst netip.Addr, proto wire.IPProto, payload []byte) []byte {
	return frame(wire.MulticastMAC(dst), peerMAC, wire.EtherTypeIPv4,
		ipPacket(wire.IPv4Fields{Protocol: proto, Src: peerIP, Dst: dst, TTL: 1}, payload))
}

// joinedStack is a test stack with a socket on port 5353 that joined
// group, past the join's reports.
func joinedStack(t *testing.T) (*Stack, *captureLink, *UDPSocket, time.Time) {
	t.Helper()
	s, l := newTestStack(t)
	u, err := s.BindUDP(netip.AddrPortFrom(netip.Addr{}, 5353))
	if err != nil {
		t.Fatal(err)
	}
	if err := u.JoinGroup(group); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	s.runTimers(now.Add(unsolicitedInterval))
	l.take()
	return s, l, u, now
}

// RFC 3376 §5.1: joining reports the group at once and again within a
// second (CHANGE_TO_EXCLUDE with no sources, to 224.0.0.22); datagrams to
// it then reach the socket, those to groups not joined stay out; leaving
// reports TO_IN. 224.0.0.1 reaches a wildcard socket without any join.
func TestMulticastJoinReceiveLeave(t *testing.T) {
	s, l := newTestStack(t)
	u, err := s.BindUDP(netip.AddrPortFrom(netip.Addr{}, 5353))
	if err != nil {
		t.Fatal(err)
	}
	dgram := func(dst netip.Addr, text string) []byte {
		return fromPeerTo(dst, wire.IPProtoUDP, udpPacket(netip.AddrPortFrom(peerIP, 5353), netip.AddrPortFrom(dst, 5353), []byte(text)))
	}
	s.inject(t0, dgram(group, "before"))
	s.inject(t0, dgram(allHosts, "all-hosts"))
	if got := readAllUDP(u); len(got) != 1 || got[0] != "all-hosts" {
		t.Fatalf("before joining read %q, want only the all-hosts datagram", got)
	}
	if s.Stats().Dropped(DropLinkMulticast) != 1 {
		t.Fatal("a datagram to a group not joined was not dropped at the link")
	}
	if err := u.JoinGroup(group); err != nil {
		t.Fatal(err)
	}
	reports := igmpSent(t, l.take())
	if len(reports) != 1 || reports[0].Type() != wire.IGMPv3MembershipReport || recordTypes(reports[0])[0] != "to_ex 239.1.2.3" {
		t.Fatalf("join sent %v", reports)
	}
	s.runTimers(time.Now().Add(unsolicitedInterval))
	if again := igmpSent(t, l.take()); len(again) != 1 {
		t.Fatalf("join repeated %d times, want once", len(again))
	}
	s.inject(t0, dgram(group, "joined"))
	if got := readAllUDP(u); len(got) != 1 || got[0] != "joined" {
		t.Fatalf("after joining read %q", got)
	}
	if err := u.JoinGroup(group); err == nil {
		t.Fatal("joined the same group twice")
	}
	if err := u.LeaveGroup(group); err != nil {
		t.Fatal(err)
	}
	if leave := igmpSent(t, l.take()); len(leave) != 1 || recordTypes(leave[0])[0] != "to_in 239.1.2.3" {
		t.Fatalf("leave sent %v", leave)
	}
	s.inject(t0, dgram(group, "after"))
	if got := readAllUDP(u); len(got) != 0 {
		t.Fatalf("after leaving read %q", got)
	}
}

// RFC 3376 §5.2: a general IGMPv3 query is answered, within its maximum
// response time, by the current state of every group (IS_EX); an IGMPv2
// query switches the stack to IGMPv2 (RFC 3376 §7.2.1), whose reports go
// to the group and whose leave goes to 224.0.0.2.
func TestIGMPQueries_RFC3376_5_2(t *testing.T) {
	s, l, u, now := joinedStack(t)

	q := wire.IGMPv3QueryFields{MaxRespCode: 20, QRV: 2, QQIC: 125} // 2 s
	b := make([]byte, q.Len())
	q.Encode(b)
	s.inject(now, fromPeerTo(allHosts, wire.IPProtoIGMP, b))
	if n := len(igmpSent(t, l.take())); n != 0 {
		t.Fatalf("%d reports before the random delay", n)
	}
	s.runTimers(now.Add(2 * time.Second))
	answer := igmpSent(t, l.take())
	if len(answer) != 1 || recordTypes(answer[0])[0] != "is_ex 239.1.2.3" {
		t.Fatalf("general query answered with %v", answer)
	}

	v2 := wire.IGMPFields{Type: wire.IGMPMembershipQuery, MaxRespCode: 10} // 1 s
	b = make([]byte, v2.Len())
	v2.Encode(b)
	s.inject(now, fromPeerTo(allHosts, wire.IPProtoIGMP, b))
	s.runTimers(now.Add(time.Second))
	answer = igmpSent(t, l.take())
	if len(answer) != 1 || answer[0].Type() != wire.IGMPv2MembershipReport || answer[0].Group() != group {
		t.Fatalf("v2 query answered with %v", answer)
	}
	u.Close() // leaves every group
	leave := igmpSent(t, l.take())
	if len(leave) != 1 || leave[0].Type() != wire.IGMPv2LeaveGroup || leave[0].Group() != group {
		t.Fatalf("close in IGMPv2 mode sent %v", leave)
	}
}

// RFC 1112 §6: a datagram to a group leaves with the socket's multicast
// TTL (default 1) to the group's MAC, and a copy reaches our own members
// unless loopback is off (IP_MULTICAST_LOOP); TTL 0 stays on this host.
func TestMulticastSend(t *testing.T) {
	s, l := newTestStack(t)
	member, err := s.BindUDP(netip.AddrPortFrom(netip.Addr{}, 6000))
	if err != nil {
		t.Fatal(err)
	}
	if err := member.JoinGroup(group); err != nil {
		t.Fatal(err)
	}
	l.take()
	sender, err := s.BindUDP(netip.AddrPort{})
	if err != nil {
		t.Fatal(err)
	}
	send := func(text string) (ttl uint8, frames int) {
		if _, err := sender.WriteTo([]byte(text), netip.AddrPortFrom(group, 6000)); err != nil {
			t.Fatal(err)
		}
		for _, f := range l.take() {
			p := mustParseIP(t, f)
			if p.ip.Protocol() == wire.IPProtoUDP {
				if p.eth.Dst() != wire.MulticastMAC(group) || p.ip.Src() != ourIP {
					t.Fatalf("sent as %v", wire.FormatFrame(f))
				}
				ttl, frames = p.ip.TTL(), frames+1
			}
		}
		return ttl, frames
	}
	if ttl, n := send("one"); ttl != 1 || n != 1 {
		t.Fatalf("default: TTL %d, %d frames", ttl, n)
	}
	sender.SetMulticastTTL(5)
	if ttl, _ := send("two"); ttl != 5 {
		t.Fatalf("TTL %d after SetMulticastTTL(5)", ttl)
	}
	sender.SetMulticastTTL(0)
	if _, n := send("three"); n != 0 {
		t.Fatalf("TTL 0 sent %d frames", n)
	}
	sender.SetMulticastLoopback(false)
	sender.SetMulticastTTL(1)
	send("four")
	if got := readAllUDP(member); len(got) != 3 || got[0] != "one" || got[2] != "three" {
		t.Fatalf("our member read %q; want one, two, three (not four: loopback off)", got)
	}
}

// RFC 3376 §7.2.1, RFC 2236 §5: behind an IGMPv1 querier the stack sends
// v1 reports and no leave, which a v1 router would not understand.
func TestIGMPv1Querier(t *testing.T) {
	s, l, u, now := joinedStack(t)
	v1 := wire.IGMPFields{Type: wire.IGMPMembershipQuery} // max resp code 0: version 1
	b := make([]byte, v1.Len())
	v1.Encode(b)
	s.inject(now, fromPeerTo(allHosts, wire.IPProtoIGMP, b))
	s.runTimers(now.Add(10 * time.Second))
	answer := igmpSent(t, l.take())
	if len(answer) != 1 || answer[0].Type() != wire.IGMPv1MembershipReport || answer[0].Group() != group {
		t.Fatalf("v1 query answered with %v", answer)
	}
	if err := u.LeaveGroup(group); err != nil {
		t.Fatal(err)
	}
	s.runTimers(now.Add(12 * time.Second))
	if sent := igmpSent(t, l.take()); len(sent) != 0 {
		t.Fatalf("leaving behind a v1 querier sent %v", sent)
	}
}
