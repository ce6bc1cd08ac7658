package tcp

import (
	"testing"
	"time"

	"github.com/renet-go/renet/netstack/wire"
)

// RFC 1191 §6.5: after a smaller path MTU is learned, segments in flight
// that no longer fit are resent at once, cut to the new size; later ones
// are sent at the new size; a larger value or one below 536 changes
// nothing (the floor holds).
func TestLowerMSS_RFC1191(t *testing.T) {
	c := connectRTT(t, sackConfig(), wire.TCPOptions{MSS: 1460, SACKPermitted: true})
	c.Write(pattern(10000, 0))
	if segs := drain(t, c, t0); len(segs) != 7 || len(segs[0].Payload) != 1460 {
		t.Fatalf("%d segments of %d bytes", len(segs), len(segs[0].Payload))
	}
	c.LowerMSS(t0, 2000)
	if c.Info().PathMSS != 1460 {
		t.Fatal("a larger MSS was taken")
	}
	c.LowerMSS(t0, 1000)
	resent := drain(t, c, t0)
	if len(resent) == 0 || resent[0].Seq != ourISS+1 {
		t.Fatalf("after LowerMSS: %v, want a retransmission from SND.UNA", resent)
	}
	for _, s := range resent {
		if len(s.Payload) > 1000 {
			t.Fatalf("a %d-byte segment after the MSS fell to 1000", len(s.Payload))
		}
	}
	c.LowerMSS(t0, 100)
	if got := c.Info().PathMSS; got != minPathMSS {
		t.Fatalf("path MSS %d, want the %d floor", got, minPathMSS)
	}
}

// timeoutsUntil ticks c's timers, resending nothing the peer would get,
// until n retransmission timeouts have happened.
func timeoutsUntil(t *testing.T, c *Conn, now time.Time, n uint64) (time.Time, []Segment) {
	t.Helper()
	var sent []Segment
	for c.Info().Timeouts < n {
		now = c.Deadline()
		c.Tick(now)
		sent = append(sent, drain(t, c, now)...)
	}
	return now, sent
}

// RFC 4821 §7.7 / RFC 8899 in spirit: on a path that silently drops large
// packets (an ICMP black hole), full-sized segments time out again and
// again; after the second timeout the MSS is halved and the smaller
// retransmission goes out instead of the connection timing out. Once the
// small segments get through, the full size is tried again (the two
// timeouts may have been an outage); if it fails at once, the path is a
// black hole and the MSS stays down.
func TestBlackholeLowersMSS_RFC4821(t *testing.T) {
	c := connectRTT(t, sackConfig(), wire.TCPOptions{MSS: 1460, SACKPermitted: true})
	c.Write(pattern(50000, 0))
	drain(t, c, t0)
	now, sent := timeoutsUntil(t, c, t0, blackholeTimeouts)
	last := sent[len(sent)-1]
	if len(last.Payload) > 730 || last.Seq != ourISS+1 {
		t.Fatalf("after %d timeouts resent %v, want at most 730 bytes from SND.UNA", blackholeTimeouts, last)
	}
	if st := c.Info(); st.PMTUChanges != 1 || st.PathMSS != 730 {
		t.Fatalf("path MSS %d after %d changes, want 730 after one", st.PathMSS, st.PMTUChanges)
	}
	// The small segment gets through: the full size is tried again.
	now = now.Add(ms(50))
	send(t, c, now, ackSeg((ourISS+1).Add(len(last.Payload)), 65535))
	if got := c.Info().PathMSS; got != 1460 {
		t.Fatalf("path MSS %d after the small segment got through, want 1460 again (on trial)", got)
	}
	drain(t, c, now)
	// Full-sized segments vanish again: a black hole, the MSS stays down.
	now, _ = timeoutsUntil(t, c, now, c.Info().Timeouts+blackholeTimeouts)
	una := c.sndUna
	for i := 0; i < 20; i++ {
		var top Seq
		for _, s := range drain(t, c, now) {
			if len(s.Payload) > 730 {
				t.Fatalf("a %d-byte segment after the black hole was confirmed", len(s.Payload))
			}
			top = seqMax(top, s.Seq.Add(len(s.Payload)))
		}
		if top != 0 {
			una = top
		}
		now = now.Add(ms(50))
		send(t, c, now, ackSeg(una, 65535))
	}
}

// Two timeouts in a row from an outage, not a black hole: once the path
// is back, the full MSS returns for good.
func TestOutageDoesNotShrinkMSS(t *testing.T) {
	c, now := sendTen(t)
	now, _ = timeoutsUntil(t, c, now, blackholeTimeouts)
	for i := 0; i < 100; i++ { // the path comes back; a long healthy transfer
		now = now.Add(ms(50))
		send(t, c, now, ackSeg(c.sndMax, 65535))
		c.Write(pattern(5000, 0))
		drain(t, c, now)
	}
	if st := c.Info(); st.PathMSS != 1000 {
		t.Fatalf("after an outage and a long clean transfer the path MSS is %d, want the peer's 1000", st.PathMSS)
	}
}

// IP_PMTUDISC_DONT: with path MTU discovery off, "fragmentation needed"
// (LowerMSS) changes nothing and repeated timeouts of full-sized segments
// are not taken for a black hole: the segments go without DF, so the path
// fragments them.
func TestPathMTUDiscoveryOff(t *testing.T) {
	c := connectRTT(t, sackConfig(), wire.TCPOptions{MSS: 1460, SACKPermitted: true})
	if !c.PathMTUDiscovery() {
		t.Fatal("path MTU discovery off by default")
	}
	c.SetPathMTUDiscovery(false)
	if c.PathMTUDiscovery() {
		t.Fatal("PathMTUDiscovery still reports on")
	}
	c.Write(pattern(50000, 0))
	drain(t, c, t0)
	c.LowerMSS(t0, 1000)
	if st := c.Info(); st.PathMSS != 1460 || st.PMTUChanges != 0 {
		t.Fatalf("LowerMSS with discovery off: path MSS %d, %d changes", st.PathMSS, st.PMTUChanges)
	}
	recvNothing(t, c, t0)
	_, sent := timeoutsUntil(t, c, t0, blackholeTimeouts+2)
	if last := sent[len(sent)-1]; len(last.Payload) != 1460-tsOptLenIf(c.tsOK) || c.Info().PMTUChanges != 0 {
		t.Fatalf("after %d timeouts resent %d bytes, %d MSS changes", c.Info().Timeouts, len(last.Payload), c.Info().PMTUChanges)
	}
	c.SetPathMTUDiscovery(true)
	c.LowerMSS(t0, 1000)
	if c.Info().PathMSS != 1000 {
		t.Fatalf("discovery back on: path MSS %d, want 1000", c.Info().PathMSS)
	}
}
