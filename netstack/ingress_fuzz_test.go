package netstack

import (
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/renet-go/renet/netstack/wire"
)

// ingressSeeds are valid frames of every kind the stack handles; the
// fuzzers mutate them.
func ingressSeeds() [][]byte {
	f, big := bigPing(5)
	frags := fragments(f, big, 1480)
	return [][]byte{
		frame(wire.BroadcastMAC, peerMAC, wire.EtherTypeARP, arpPacket(wire.ARPRequest, peerMAC, peerIP, wire.MAC{}, ourIP)),
		frame(ourMAC, peerMAC, wire.EtherTypeARP, arpPacket(wire.ARPReply, peerMAC, peerIP, ourMAC, ourIP)),
		pingFrame(),
		udpFrame(10),
		fromPeer(ipPacket(wire.IPv4Fields{Protocol: wire.IPProtoUDP, Src: peerIP, Dst: ourIP},
			udpPacket(netip.AddrPortFrom(peerIP, 1), netip.AddrPortFrom(ourIP, 2), []byte("closed port")))),
		fromPeer(frags[0]), fromPeer(frags[1]), fromPeer(frags[2]),
		fromPeer(ipPacket(wire.IPv4Fields{Protocol: 99, Src: peerIP, Dst: ourIP}, []byte("?"))),
		tcpFrame(80, wire.TCPFlagSYN, wire.TCPOptions{MSS: 1460, HasWindowScale: true, WindowScale: 7, SACKPermitted: true, HasTimestamps: true, TSVal: 1}, nil),
		tcpFrame(80, wire.TCPFlagACK|wire.TCPFlagPSH, wire.TCPOptions{}, []byte("GET / HTTP/1.0\r\n\r\n")),
		tcpFrame(81, wire.TCPFlagSYN, wire.TCPOptions{}, nil),
		igmpQueryFrame(true), igmpQueryFrame(false),
		fromPeerTo(netip.MustParseAddr("239.1.2.3"), wire.IPProtoUDP,
			udpPacket(netip.AddrPortFrom(peerIP, 1), netip.AddrPortFrom(netip.MustParseAddr("239.1.2.3"), 6969), []byte("group"))),
	}
}

// tcpFrame is a TCP segment from the peer's port 40000 to one of ours.
func tcpFrame(port uint16, flags wire.TCPFlags, opts wire.TCPOptions, payload []byte) []byte {
	f := wire.TCPFields{SrcPort: 40000, DstPort: port, Seq: 1000, Ack: 1, Flags: flags, Window: 65535, Options: opts}
	b := make([]byte, f.Len()+len(payload))
	copy(b[f.Len():], payload)
	f.Encode(b, peerIP, ourIP)
	return fromPeer(ipPacket(wire.IPv4Fields{Protocol: wire.IPProtoTCP, Src: peerIP, Dst: ourIP}, b))
}

// listenForFuzz gives the fuzzed stack sockets to reach: a TCP listener on
// port 80 that never accepts (so its backlog fills) and a UDP socket on
// 6969 that is never read (so its queue fills).
func listenForFuzz(t testing.TB, s *Stack) {
	if _, err := s.ListenTCP(netip.AddrPortFrom(ourIP, 80), 16); err != nil {
		t.Fatal(err)
	}
	u, err := s.BindUDP(netip.AddrPortFrom(netip.Addr{}, 6969))
	if err != nil {
		t.Fatal(err)
	}
	if err := u.JoinGroup(netip.MustParseAddr("239.1.2.3")); err != nil {
		t.Fatal(err) // so fuzzed IGMP queries draw reports
	}
}

// sendingForFuzz opens a connection from the stack to the peer's port 9000
// and leaves 64 KiB of data in flight, so fuzzed ACKs reach loss recovery:
// SACK blocks, D-SACKs, RACK and PRR. It returns seeds aimed at it: ACKs
// with valid, overlapping, out-of-window and below-SND.UNA SACK blocks.
func sendingForFuzz(t testing.TB, s *Stack, l *captureLink, now time.Time) [][]byte {
	s.inject(now, frame(wire.BroadcastMAC, peerMAC, wire.EtherTypeARP,
		arpPacket(wire.ARPRequest, peerMAC, peerIP, wire.MAC{}, ourIP)))
	l.take()
	sk, err := s.DialTCP(netip.AddrPortFrom(ourIP, 5555), netip.AddrPortFrom(peerIP, 9000), nil)
	if err != nil {
		t.Fatal(err)
	}
	syn, err := wire.ParseTCP(mustParseIP(t, l.take()[0]).ip.Payload())
	if err != nil {
		t.Fatal(err)
	}
	una := syn.Seq() + 1
	seg := func(ack uint32, opts wire.TCPOptions) []byte {
		f := wire.TCPFields{SrcPort: 9000, DstPort: 5555, Seq: 7001, Ack: ack, Flags: wire.TCPFlagACK, Window: 65535, Options: opts}
		b := make([]byte, f.Len())
		f.Encode(b, peerIP, ourIP)
		return fromPeer(ipPacket(wire.IPv4Fields{Protocol: wire.IPProtoTCP, Src: peerIP, Dst: ourIP}, b))
	}
	f := wire.TCPFields{SrcPort: 9000, DstPort: 5555, Seq: 7000, Ack: una, Flags: wire.TCPFlagSYN | wire.TCPFlagACK,
		Window: 65535, Options: wire.TCPOptions{MSS: 1000, SACKPermitted: true}}
	b := make([]byte, f.Len())
	f.Encode(b, peerIP, ourIP)
	s.inject(now, fromPeer(ipPacket(wire.IPv4Fields{Protocol: wire.IPProtoTCP, Src: peerIP, Dst: ourIP}, b)))
	if !sk.Connected() {
		t.Fatal("the fuzz connection did not open")
	}
	if _, err := sk.TryWrite(make([]byte, 64<<10)); err != nil {
		t.Fatal(err)
	}
	l.take()
	sack := func(blocks ...[2]int) wire.TCPOptions {
		var o wire.TCPOptions
		for _, bl := range blocks {
			o.SACK[o.NumSACK] = wire.SACKBlock{Start: una + uint32(bl[0]), End: una + uint32(bl[1])}
			o.NumSACK++
		}
		return o
	}
	return [][]byte{
		seg(una+1000, sack([2]int{2000, 5000})),
		seg(una+1000, sack([2]int{2000, 3000}, [2]int{4000, 9000}, [2]int{2500, 60000})),
		seg(una+3000, sack([2]int{0, 1000}, [2]int{5000, 6000})),
		seg(una, sack([2]int{-5000, 1 << 20}, [2]int{9000, 8000})),
	}
}

// checkAlive asserts the stack still answers a ping and that its state is
// within its bounds.
func checkAlive(t *testing.T, s *Stack, l *captureLink, now time.Time) {
	t.Helper()
	l.take()
	s.inject(now, frame(wire.BroadcastMAC, peerMAC, wire.EtherTypeARP, arpPacket(wire.ARPRequest, peerMAC, peerIP, wire.MAC{}, ourIP)))
	s.inject(now, pingFrame())
	replied := false
	for _, w := range l.take() {
		if eth, err := wire.ParseEthernet(w); err == nil && eth.EtherType() == wire.EtherTypeIPv4 {
			if ip, err := wire.ParseIPv4(eth.Payload()); err == nil && ip.Protocol() == wire.IPProtoICMP {
				if m, err := wire.ParseICMPv4(ip.Payload()); err == nil && m.Type() == wire.ICMPEchoReply {
					replied = true
				}
			}
		}
	}
	if !replied {
		t.Fatal("stack stopped answering ping")
	}
	st := s.Stats()
	if st.NeighbourEntries > maxNeighbours || st.ReassemblyPending > 64 {
		t.Fatalf("state grew past its bounds: %d neighbours, %d reassemblies", st.NeighbourEntries, st.ReassemblyPending)
	}
	s.mu.Lock()
	conns := len(s.tcp.conns)
	s.mu.Unlock()
	if conns > 2*16+1 { // the listener's SYN and accept queues, and the dial
		t.Fatalf("%d TCP connections from a backlog of 16", conns)
	}
}

// FuzzIngress feeds arbitrary bytes to a stack, both as whole frames and as
// IPv4 packets inside a frame addressed to it. Nothing may panic, and the
// stack must keep answering.
func FuzzIngress(f *testing.F) {
	for _, s := range ingressSeeds() {
		f.Add(s)
	}
	s, l := newTestStack(f, func(c *Config) { c.ICMPBurst, c.SYNBacklog = 1<<30, 16 })
	listenForFuzz(f, s)
	now := time.Now() // the dial below runs on the stack's real clock
	for _, b := range sendingForFuzz(f, s, l, now) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		now = now.Add(time.Millisecond)
		s.inject(now, b)
		s.inject(now, fromPeer(b))
		if len(b) > 14 {
			s.inject(now, fromPeer(b[14:]))
			// As from an offloading tap whose kernel side lies: checksums
			// vouched for, packets of any size.
			s.injectTrusted(now, fromPeer(b[14:]))
		}
		s.runTimers(now)
		checkAlive(t, s, l, now)
	})
}

// TestIngressRandomFrames is the fuzzer's deterministic cousin for every
// test run: 50,000 random and mutated frames, then a ping.
func TestIngressRandomFrames(t *testing.T) {
	s, l := newTestStack(t, func(c *Config) { c.ICMPBurst, c.SYNBacklog = 1<<30, 16 })
	listenForFuzz(t, s)
	now := time.Now()
	seeds := append(ingressSeeds(), sendingForFuzz(t, s, l, now)...)
	rng := rand.New(rand.NewPCG(42, 42))
	for i := 0; i < 50000; i++ {
		var b []byte
		if i%4 == 0 {
			b = make([]byte, rng.IntN(200))
			for j := range b {
				b[j] = byte(rng.Uint32())
			}
		} else {
			b = append([]byte(nil), seeds[rng.IntN(len(seeds))]...)
			for k := rng.IntN(4) + 1; k > 0; k-- {
				if len(b) == 0 {
					break
				}
				switch rng.IntN(3) {
				case 0: // flip a byte
					b[rng.IntN(len(b))] = byte(rng.Uint32())
				case 1: // truncate
					b = b[:rng.IntN(len(b))]
				case 2: // mutate a header byte, where parsers look
					b[rng.IntN(min(len(b), 60))] ^= 1 << rng.IntN(8)
				}
			}
		}
		now = now.Add(time.Millisecond)
		s.inject(now, b)
		if i%1000 == 0 {
			s.runTimers(now)
			l.take()
		}
	}
	checkAlive(t, s, l, now)
}

// igmpQueryFrame is a general IGMPv3 (or v2) query to 224.0.0.1.
func igmpQueryFrame(v3 bool) []byte {
	var b []byte
	if v3 {
		q := wire.IGMPv3QueryFields{MaxRespCode: 100, QRV: 2, QQIC: 125}
		b = make([]byte, q.Len())
		q.Encode(b)
	} else {
		q := wire.IGMPFields{Type: wire.IGMPMembershipQuery, MaxRespCode: 100}
		b = make([]byte, q.Len())
		q.Encode(b)
	}
	return fromPeerTo(allHosts, wire.IPProtoIGMP, b)
}
