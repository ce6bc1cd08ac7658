package netstack

import (
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/renet-go/renet/netstack/wire"
)

// The whole-ingress fuzzers again, with a forwarder taking flows to other
// addresses and a user deciding them at random: arbitrary frames must
// still never panic, leak, or grow memory without bound.

var fuzzFar = netip.MustParseAddr("203.0.113.7")

// forwardSeeds are frames from the peer to an address the stack does not
// own.
func forwardSeeds() [][]byte {
	to := func(proto wire.IPProto, payload []byte) []byte {
		return fromPeer(ipPacket(wire.IPv4Fields{Protocol: proto, Src: peerIP, Dst: fuzzFar}, payload))
	}
	syn := wire.TCPFields{SrcPort: 40000, DstPort: 443, Seq: 1000, Flags: wire.TCPFlagSYN, Window: 65535,
		Options: wire.TCPOptions{MSS: 1460, HasWindowScale: true, WindowScale: 7, SACKPermitted: true}}
	b := make([]byte, syn.Len())
	syn.Encode(b, peerIP, fuzzFar)
	return [][]byte{
		to(wire.IPProtoTCP, b),
		to(wire.IPProtoUDP, udpPacket(netip.AddrPortFrom(peerIP, 5000), netip.AddrPortFrom(fuzzFar, 53), []byte("query"))),
		to(wire.IPProtoICMP, echoRequest(1, 1, []byte("ping"))),
	}
}

// forwardingFuzzStack is the fuzzed stack with a small forwarder.
func forwardingFuzzStack(t testing.TB) (*Stack, *captureLink, *Forwarder) {
	s, l := newTestStack(t, func(c *Config) { c.ICMPBurst, c.SYNBacklog = 1<<30, 16 })
	resolvePeer(t, s, l)
	f, err := s.Forward(ForwarderConfig{MaxPendingTCP: 32, MaxUDPFlows: 32, MaxPendingEcho: 8, DecisionTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return s, l, f
}

// decideAtRandom plays the user: takes what waits and accepts, refuses,
// answers, reads or closes it.
func decideAtRandom(f *Forwarder, rng *rand.Rand) {
	if r, err := f.TryAcceptTCP(); err == nil {
		if rng.IntN(2) == 0 {
			if sk, err := r.Accept(nil); err == nil && rng.IntN(2) == 0 {
				sk.Abort()
			}
		} else {
			r.Refuse(Refusal(rng.IntN(5)))
		}
	}
	if u, err := f.TryAcceptUDP(); err == nil {
		var buf [64]byte
		if _, dst, err := u.TryReadFrom(buf[:]); err == nil {
			u.WriteTo(buf[:8], dst)
			u.Refuse(dst, Refusal(rng.IntN(5)))
		}
		if rng.IntN(2) == 0 {
			u.Close()
		}
	}
	if e, err := f.TryAcceptEcho(); err == nil && rng.IntN(2) == 0 {
		e.Reply()
	}
}

func FuzzIngressForwarding(f *testing.F) {
	for _, s := range append(ingressSeeds(), forwardSeeds()...) {
		f.Add(s)
	}
	s, l, fwd := forwardingFuzzStack(f)
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Now()
	f.Fuzz(func(t *testing.T, b []byte) {
		now = now.Add(time.Millisecond)
		s.inject(now, b)
		s.inject(now, fromPeer(b))
		decideAtRandom(fwd, rng)
		s.runTimers(now)
		l.take()
	})
}

// TestIngressRandomFramesForwarding is the forwarding fuzzer's
// deterministic cousin for every test run.
func TestIngressRandomFramesForwarding(t *testing.T) {
	s, l, fwd := forwardingFuzzStack(t)
	seeds := append(ingressSeeds(), forwardSeeds()...)
	rng := rand.New(rand.NewPCG(7, 7))
	now := time.Now()
	for i := range 20000 {
		b := append([]byte(nil), seeds[rng.IntN(len(seeds))]...)
		if i%3 != 0 && len(b) > 0 {
			b[rng.IntN(min(len(b), 60))] ^= 1 << rng.IntN(8)
		}
		if i%5 == 0 && len(b) > 0 {
			b = b[:rng.IntN(len(b))]
		}
		now = now.Add(time.Millisecond)
		s.inject(now, b)
		decideAtRandom(fwd, rng)
		if i%500 == 0 {
			s.runTimers(now)
			l.take()
		}
	}
	s.runTimers(now.Add(2 * time.Minute)) // every decision and flow times out
	st := fwd.Stats()
	if st.PendingTCP != 0 || st.UDPFlows != 0 {
		t.Fatalf("after every timeout: %d requests and %d flows left", st.PendingTCP, st.UDPFlows)
	}
	if st.TCPRequests == 0 || st.UDPFlowsOpened == 0 || st.EchoRequests == 0 {
		t.Fatalf("the forwarder saw nothing: %+v", st)
	}
	checkAlive(t, s, l, now.Add(2*time.Minute))
}
