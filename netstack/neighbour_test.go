package netstack

import (
	"net/netip"
	"testing"
	"time"

	"github.com/renet-go/renet/netstack/wire"
)

// neighbourState returns the state of the entry for ip, or "absent".
func (s *Stack) neighbourState(ip netip.Addr) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := s.neigh.m[ip]; n != nil {
		return n.state.String()
	}
	return "absent"
}

// arpFrames splits frames into ARP requests (with their Ethernet
// destination) and the rest.
func arpFrames(t *testing.T, frames [][]byte) (requests []wire.MAC, others int) {
	t.Helper()
	for _, f := range frames {
		eth, err := wire.ParseEthernet(f)
		if err != nil {
			t.Fatal(err)
		}
		if eth.EtherType() == wire.EtherTypeARP {
			requests = append(requests, eth.Dst())
		} else {
			others++
		}
	}
	return requests, others
}

// RFC 4861 §7.3.3 for ARP, as Linux runs it: a neighbour learned from its
// request is STALE; sending to it goes at once and starts DELAY; with no
// confirmation within 5s the entry is probed by unicast, and a reply makes
// it REACHABLE. Packets are never held back for a neighbour already known.
func TestNeighbourStates_RFC4861_7_3_3(t *testing.T) {
	s, l := newTestStack(t)
	resolvePeer(t, s, l) // the peer's who-has: we learn its MAC
	if st := s.neighbourState(peerIP); st != "STALE" {
		t.Fatalf("after the peer's request: %s, want STALE", st)
	}
	ping := fromPeer(ipPacket(wire.IPv4Fields{Protocol: wire.IPProtoICMP, Src: peerIP, Dst: ourIP}, echoRequest(1, 1, nil)))
	s.inject(t0, ping)
	if reqs, others := arpFrames(t, l.take()); len(reqs) != 0 || others != 1 {
		t.Fatalf("reply on a STALE entry: %d ARP requests, %d other frames; want the reply alone", len(reqs), others)
	}
	if st := s.neighbourState(peerIP); st != "DELAY" {
		t.Fatalf("after sending: %s, want DELAY", st)
	}
	s.runTimers(t0.Add(5 * time.Second))
	if reqs, _ := arpFrames(t, l.take()); len(reqs) != 1 || reqs[0] != peerMAC {
		t.Fatalf("DELAY expiry sent %v, want one request unicast to the peer", reqs)
	}
	if st := s.neighbourState(peerIP); st != "PROBE" {
		t.Fatalf("after DELAY: %s, want PROBE", st)
	}
	at := t0.Add(5500 * time.Millisecond)
	s.inject(at, frame(ourMAC, peerMAC, wire.EtherTypeARP, arpPacket(wire.ARPReply, peerMAC, peerIP, ourMAC, ourIP)))
	if st := s.neighbourState(peerIP); st != "REACHABLE" {
		t.Fatalf("after the reply: %s, want REACHABLE", st)
	}
	s.runTimers(at.Add(29 * time.Second))
	if reqs, _ := arpFrames(t, l.take()); len(reqs) != 0 || s.neighbourState(peerIP) != "REACHABLE" {
		t.Fatalf("REACHABLE entry probed (%d requests) or aged early (%s)", len(reqs), s.neighbourState(peerIP))
	}
	s.runTimers(at.Add(30 * time.Second))
	if st := s.neighbourState(peerIP); st != "STALE" {
		t.Fatalf("30s after confirmation: %s, want STALE", st)
	}
}

// A neighbour that stops answering unicast probes is forgotten after three
// of them; one that is never used while STALE is forgotten after a minute.
func TestNeighbourProbeFailsAndStaleExpires(t *testing.T) {
	s, l := newTestStack(t)
	resolvePeer(t, s, l)
	ping := fromPeer(ipPacket(wire.IPv4Fields{Protocol: wire.IPProtoICMP, Src: peerIP, Dst: ourIP}, echoRequest(1, 1, nil)))
	s.inject(t0, ping)
	l.take()
	var unicast int
	for i := 5; i <= 8; i++ {
		s.runTimers(t0.Add(time.Duration(i) * time.Second))
		reqs, _ := arpFrames(t, l.take())
		unicast += len(reqs)
	}
	if unicast != maxUnicastProbes || s.neighbourState(peerIP) != "absent" {
		t.Fatalf("%d unicast probes, entry %s; want %d and absent", unicast, s.neighbourState(peerIP), maxUnicastProbes)
	}

	resolvePeer(t, s, l)
	s.runTimers(t0.Add(59 * time.Second))
	if s.neighbourState(peerIP) != "STALE" {
		t.Fatal("unused STALE entry forgotten early")
	}
	s.runTimers(t0.Add(60 * time.Second))
	if st := s.neighbourState(peerIP); st != "absent" {
		t.Fatalf("unused STALE entry after a minute: %s", st)
	}
}
