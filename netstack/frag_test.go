package netstack

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/renet-go/renet/netstack/wire"
)

// bigPing is an echo request too large for one 1500-byte frame, like
// `ping -s 4000`.
func bigPing(id uint16) (wire.IPv4Fields, []byte) {
	data := make([]byte, 4000)
	for i := range data {
		data[i] = byte(i * 7)
	}
	return wire.IPv4Fields{Protocol: wire.IPProtoICMP, Src: peerIP, Dst: ourIP, ID: id}, echoRequest(id, 1, data)
}

// reassembleReply puts the stack's fragmented reply back together, checking
// every fragment fits the MTU.
func reassembleReply(t *testing.T, frames [][]byte) []byte {
	t.Helper()
	var whole []byte
	for _, f := range frames {
		p := mustParseIP(t, f)
		if p.ip.TotalLen() > 1500 {
			t.Fatalf("fragment of %d bytes exceeds the MTU", p.ip.TotalLen())
		}
		off := p.ip.FragmentOffset()
		if len(whole) < off+len(p.ip.Payload()) {
			whole = append(whole, make([]byte, off+len(p.ip.Payload())-len(whole))...)
		}
		copy(whole[off:], p.ip.Payload())
	}
	return whole
}

// RFC 791 §3.2: fragments reassemble whatever order they arrive in, and
// duplicates are harmless; the reply is fragmented to fit the link.
func TestFragmentedPing(t *testing.T) {
	orders := map[string]func([][]byte) [][]byte{
		"in order": func(f [][]byte) [][]byte { return f },
		"reversed": func(f [][]byte) [][]byte {
			r := make([][]byte, len(f))
			for i := range f {
				r[len(f)-1-i] = f[i]
			}
			return r
		},
		"duplicated": func(f [][]byte) [][]byte { return append(append([][]byte{}, f...), f[1], f[0]) },
		"shuffled": func(f [][]byte) [][]byte {
			r := append([][]byte{}, f...)
			rng := rand.New(rand.NewPCG(1, 2))
			rng.Shuffle(len(r), func(i, j int) { r[i], r[j] = r[j], r[i] })
			return r
		},
	}
	for name, order := range orders {
		t.Run(name, func(t *testing.T) {
			s, l := newTestStack(t)
			resolvePeer(t, s, l)
			f, req := bigPing(77)
			frags := fragments(f, req, 1480)
			if len(frags) != 3 {
				t.Fatalf("%d fragments", len(frags))
			}
			for _, fr := range order(frags) {
				s.inject(t0, fromPeer(fr))
			}
			w := l.take()
			if len(w) != 3 {
				t.Fatalf("reply came in %d frames, want 3 fragments", len(w))
			}
			reply, err := wire.ParseICMPv4(reassembleReply(t, w))
			if err != nil {
				t.Fatal(err)
			}
			if reply.Type() != wire.ICMPEchoReply || !bytes.Equal(reply.Payload(), req[8:]) {
				t.Errorf("bad reply")
			}
			st := s.Stats()
			if st.Reassembled != 1 || st.FragmentsOut != 3 || st.EchoRepliesOut != 1 {
				t.Errorf("stats: reassembled %d, fragments out %d, replies %d", st.Reassembled, st.FragmentsOut, st.EchoRepliesOut)
			}
		})
	}
}

// RFC 791 §3.2: an incomplete datagram is discarded when its timer runs out.
func TestPartialFragmentsExpire(t *testing.T) {
	s, l := newTestStack(t)
	resolvePeer(t, s, l)
	f, req := bigPing(9)
	frags := fragments(f, req, 1480)
	s.inject(t0, fromPeer(frags[0]))
	s.inject(t0, fromPeer(frags[2]))
	if n := len(l.take()); n != 0 {
		t.Fatalf("answered an incomplete datagram with %d frames", n)
	}
	if st := s.Stats(); st.ReassemblyPending != 1 {
		t.Fatalf("pending %d", st.ReassemblyPending)
	}
	s.runTimers(t0.Add(29 * time.Second))
	if st := s.Stats(); st.ReassemblyPending != 1 {
		t.Fatal("expired early")
	}
	s.runTimers(t0.Add(31 * time.Second))
	st := s.Stats()
	if st.ReassemblyPending != 0 || st.Dropped(DropFragTimeout) != 1 {
		t.Fatalf("pending %d, timeouts %d", st.ReassemblyPending, st.Dropped(DropFragTimeout))
	}
	// The late fragment now starts a new datagram instead of completing one.
	s.inject(t0.Add(32*time.Second), fromPeer(frags[1]))
	if n := len(l.take()); n != 0 {
		t.Fatalf("late fragment produced %d frames", n)
	}
}

// Overlapping fragments are an attack or a bug: the whole datagram is
// dropped (as Linux does since CVE-2018-5391).
func TestOverlappingFragmentsDropped(t *testing.T) {
	s, l := newTestStack(t)
	resolvePeer(t, s, l)
	f, req := bigPing(10)
	frags := fragments(f, req, 1480)
	ff := f
	ff.FragmentOffset, ff.MoreFragments = 8, true
	overlap := ipPacket(ff, req[8:800])
	for _, fr := range [][]byte{frags[0], overlap, frags[1], frags[2]} {
		s.inject(t0, fromPeer(fr))
	}
	if n := len(l.take()); n != 0 {
		t.Fatalf("answered overlapping fragments with %d frames", n)
	}
	if s.Stats().Dropped(DropFragOverlap) == 0 {
		t.Error("overlap not counted")
	}
}
