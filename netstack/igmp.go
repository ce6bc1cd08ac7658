package netstack

import (
	"errors"
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/renet-go/renet/netstack/wire"
)

// IGMP, host side (RFC 3376 §5 with RFC 2236 compatibility, §7): the
// stack reports the groups its sockets joined, so that multicast routers
// and snooping switches forward them to it, and answers their queries.
// Every group is joined for all sources (EXCLUDE of nothing), as a plain
// IP_ADD_MEMBERSHIP does on Linux, so the reports need no source lists.
//
// A join or leave is reported at once and once more within
// unsolicitedInterval (the robustness variable is 2). A query is answered
// after a random delay up to its maximum response time. Once an IGMPv2
// querier is heard, the stack speaks IGMPv2 until olderQuerierTimeout has
// passed without one; after an IGMPv1 querier, IGMPv1: v1 reports and no
// leaves, which v1 routers do not know (RFC 3376 §7.2.1, RFC 2236 §5).
//
// The earliest report due is kept up to date whenever IGMP state changes
// (a join, a leave, a query, a report sent), which is rare, so arming the
// stack's timer costs nothing per packet.
const (
	unsolicitedInterval = time.Second                        // RFC 3376 §8.11
	olderQuerierTimeout = 2*125*time.Second + 10*time.Second // RFC 3376 §8.12: robustness × query interval + response interval
	maxPendingLeaves    = 2 * maxGroupsPerSocket * 16        // leave retransmissions remembered at once
)

// igmpGroup is a joined group's reporting state.
type igmpGroup struct {
	reportAt time.Time // a report of this group is due (zero: none)
	again    bool      // reportAt is the join's retransmission: a state change, not a current state
}

// igmpState is the stack's IGMP state.
type igmpState struct {
	v1Until   time.Time // speak IGMPv1 until then (a v1 querier was heard)
	v2Until   time.Time // speak IGMPv2 until then (a v2 querier was heard)
	generalAt time.Time // the answer to a general IGMPv3 query is due
	leaves    []igmpLeave
	next      time.Time // the earliest of all the above and the groups' reports
}

// igmpLeave is a leave still to be repeated.
type igmpLeave struct {
	group netip.Addr
	at    time.Time
}

// igmpVersion is the IGMP version the stack speaks now.
func (s *Stack) igmpVersion(now time.Time) int {
	switch st := &s.mcast.igmp; {
	case now.Before(st.v1Until):
		return 1
	case now.Before(st.v2Until):
		return 2
	}
	return 3
}

// igmpJoined reports a new membership (RFC 3376 §5.1). Called with s.mu
// held.
func (s *Stack) igmpJoined(g netip.Addr, m *mgroup) {
	if g == allHosts {
		return // every host is in it; never reported (RFC 2236 §6)
	}
	now := time.Now()
	s.sendIGMPChange(now, g, wire.IGMPChangeToExcludeMode)
	m.igmp = igmpGroup{reportAt: now.Add(randUpTo(unsolicitedInterval)), again: true}
	s.igmpReschedule()
}

// igmpLeft reports a membership ended (RFC 3376 §5.1, RFC 2236 §3).
// Called with s.mu held.
func (s *Stack) igmpLeft(g netip.Addr) {
	if g == allHosts {
		return
	}
	now := time.Now()
	s.sendIGMPChange(now, g, wire.IGMPChangeToIncludeMode)
	st := &s.mcast.igmp
	if len(st.leaves) < maxPendingLeaves && s.igmpVersion(now) != 1 {
		st.leaves = append(st.leaves, igmpLeave{group: g, at: now.Add(randUpTo(unsolicitedInterval))})
	}
	s.igmpReschedule()
}

// igmpInput handles an IGMP message (RFC 3376 §5.2, RFC 2236 §3): queries
// schedule reports; another host's IGMPv2 report of a group makes ours
// unnecessary (RFC 2236 §3's suppression). Called with s.mu held.
func (s *Stack) igmpInput(now time.Time, d *datagram) {
	m, err := wire.ParseIGMP(d.payload)
	if err != nil {
		if errors.Is(err, wire.ErrBadChecksum) {
			s.drop(DropIGMPChecksum)
		} else {
			s.drop(DropIGMPMalformed)
		}
		return
	}
	s.stats.IGMPIn++
	switch m.Type() {
	case wire.IGMPMembershipQuery:
		s.igmpQuery(now, m)
	case wire.IGMPv1MembershipReport, wire.IGMPv2MembershipReport:
		if g := s.mcast.groups[m.Group()]; g != nil && s.igmpVersion(now) < 3 && !g.igmp.again {
			g.igmp.reportAt = time.Time{}
			s.igmpReschedule()
		}
	}
}

// igmpQuery schedules the answer to a query.
func (s *Stack) igmpQuery(now time.Time, m wire.IGMP) {
	st := &s.mcast.igmp
	defer s.igmpReschedule()
	maxResp := m.MaxRespTime()
	switch m.Version() {
	case 1:
		st.v1Until = now.Add(olderQuerierTimeout)
	case 2:
		st.v2Until = now.Add(olderQuerierTimeout)
	}
	at := now.Add(randUpTo(maxResp))
	group := m.Group()
	if !group.IsUnspecified() {
		if g := s.mcast.groups[group]; g != nil {
			g.igmp.schedule(at)
		}
		return
	}
	if m.Version() == 3 {
		if st.generalAt.IsZero() || at.Before(st.generalAt) {
			st.generalAt = at // one report of every group (RFC 3376 §5.2, case 2)
		}
		return
	}
	for _, g := range s.mcast.groups {
		g.igmp.schedule(at)
	}
}

// schedule makes a report due at at, unless one is due sooner.
func (g *igmpGroup) schedule(at time.Time) {
	if g.reportAt.IsZero() || at.Before(g.reportAt) {
		g.reportAt, g.again = at, false
	}
}

// igmpDeadline is the earliest IGMP report due, or zero.
func (s *Stack) igmpDeadline() time.Time { return s.mcast.igmp.next }

// igmpReschedule recomputes the earliest report due, after a change of
// IGMP state; it looks at every group and pending leave.
func (s *Stack) igmpReschedule() {
	st := &s.mcast.igmp
	d := st.generalAt
	for _, g := range s.mcast.groups {
		d = earliest(d, g.igmp.reportAt)
	}
	for _, l := range st.leaves {
		d = earliest(d, l.at)
	}
	st.next = d
}

// igmpTick sends the reports that are due. Called with s.mu held.
func (s *Stack) igmpTick(now time.Time) {
	st := &s.mcast.igmp
	if st.next.IsZero() || now.Before(st.next) {
		return
	}
	defer s.igmpReschedule()
	if !st.generalAt.IsZero() && !now.Before(st.generalAt) {
		st.generalAt = time.Time{}
		s.sendIGMPGeneral(now)
	}
	for addr, g := range s.mcast.groups {
		if at := g.igmp.reportAt; !at.IsZero() && !now.Before(at) {
			kind := wire.IGMPModeIsExclude
			if g.igmp.again {
				kind = wire.IGMPChangeToExcludeMode
			}
			g.igmp = igmpGroup{}
			s.sendIGMPChange(now, addr, kind)
		}
	}
	kept := st.leaves[:0]
	for _, l := range st.leaves {
		if now.Before(l.at) {
			kept = append(kept, l)
			continue
		}
		if s.mcast.groups[l.group] == nil { // not joined again since
			s.sendIGMPChange(now, l.group, wire.IGMPChangeToIncludeMode)
		}
	}
	st.leaves = kept
}

// sendIGMPChange reports one group: a join or current state
// (EXCLUDE records) or a leave (TO_IN), as IGMPv3 or, in IGMPv2 or v1
// mode, as a report of that version (or a v2 leave).
func (s *Stack) sendIGMPChange(now time.Time, g netip.Addr, kind wire.IGMPRecordType) {
	leave := kind == wire.IGMPChangeToIncludeMode
	switch v := s.igmpVersion(now); {
	case v == 1 && leave:
		return // IGMPv1 has no leave: the router's membership times out
	case v < 3:
		f := wire.IGMPFields{Type: wire.IGMPv2MembershipReport, Group: g}
		dst := g
		switch {
		case v == 1:
			f.Type = wire.IGMPv1MembershipReport
		case leave:
			f.Type, dst = wire.IGMPv2LeaveGroup, wire.IGMPAllRouters
		}
		s.sendIGMP(now, dst, f.Len(), f.Encode)
		return
	}
	f := wire.IGMPv3GroupsReportFields{RecordType: kind, Groups: []netip.Addr{g}}
	s.sendIGMP(now, wire.IGMPv3AllRouters, f.Len(), f.Encode)
}

// sendIGMPGeneral answers a general IGMPv3 query with the current state of
// every group, in as many reports as the MTU needs (RFC 3376 §4.2.16).
func (s *Stack) sendIGMPGeneral(now time.Time) {
	perReport := (s.mtu - wire.IPv4RouterAlertHeaderLen - wire.IGMPHeaderLen) / wire.IGMPv3RecordHeaderLen
	var groups []netip.Addr
	for g := range s.mcast.groups {
		if g != allHosts {
			groups = append(groups, g)
		}
	}
	for len(groups) > 0 {
		n := min(len(groups), perReport)
		f := wire.IGMPv3GroupsReportFields{RecordType: wire.IGMPModeIsExclude, Groups: groups[:n]}
		s.sendIGMP(now, wire.IGMPv3AllRouters, f.Len(), f.Encode)
		groups = groups[n:]
	}
}

// sendIGMP sends an IGMP message of n bytes, written by encode, to dst:
// TTL 1 and the Router Alert option, as RFC 2236 §2 and RFC 3376 §4 ask.
func (s *Stack) sendIGMP(now time.Time, dst netip.Addr, n int, encode func([]byte)) {
	hl := s.packetHeadroom()
	f := wire.IPv4Fields{TOS: 0xc0, DontFragment: true, TTL: 1, Protocol: wire.IPProtoIGMP,
		Src: s.sourceFor(dst), Dst: dst, RouterAlert: true} // as Linux sends them
	ipLen := f.Len()
	p := s.getBuf(hl + ipLen + n)
	b := *p
	encode(b[hl+ipLen : hl+ipLen+n])
	s.ipID++
	f.ID = s.ipID
	f.Encode(b[hl:], n)
	*p = b[:hl+ipLen+n]
	s.stats.IPPacketsOut++
	s.stats.IGMPOut++
	s.sendFrame(now, p, dst)
}

// randUpTo is a random duration in [0, d] (RFC 3376 §5: reports are
// spread over the response interval so hosts do not answer at once).
func randUpTo(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return rand.N(d + 1)
}
