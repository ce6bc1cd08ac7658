package tcp

import (
	"testing"

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

// RFC 4821 §7.7 / RFC 8899 in spirit: on a path that silently drops large
// packets (an ICMP black hole), full-sized segments time out again and
// again; after the second timeout the MSS is halved, and the smaller
// retransmission gets through instead of the connection timing out.
func TestBlackholeLowersMSS_RFC4821(t *testing.T) {
	c := connectRTT(t, sackConfig(), wire.TCPOptions{MSS: 1460, SACKPermitted: true})
	c.Write(pattern(5000, 0))
	drain(t, c, t0)
	now := t0
	var small []Segment
	for i := 0; i < 4 && small == nil; i++ {
		now = c.Deadline()
		c.Tick(now)
		for _, s := range drain(t, c, now) {
			if len(s.Payload) > 0 && len(s.Payload) < 1460 && s.Seq == ourISS+1 {
				small = append(small, s)
			}
		}
	}
	if small == nil || len(small[0].Payload) > 730 {
		t.Fatalf("no smaller retransmission after repeated timeouts (%d timeouts)", c.Info().Timeouts)
	}
	if st := c.Info(); st.Timeouts != blackholeTimeouts || st.PMTUChanges != 1 {
		t.Fatalf("MSS lowered after %d timeouts (%d changes), want after %d", st.Timeouts, st.PMTUChanges, blackholeTimeouts)
	}
	// The small segment is acknowledged: the rest follows at the new size.
	now = now.Add(ms(50))
	send(t, c, now, ackSeg((ourISS+1).Add(len(small[0].Payload)), 65535))
	for _, s := range drain(t, c, now) {
		if len(s.Payload) > 730 {
			t.Fatalf("a %d-byte segment after the MSS was halved", len(s.Payload))
		}
	}
}
