package netstack

import (
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/renet-go/renet/link/pipe"
	"github.com/renet-go/renet/netstack/wire"
)

// The IPv6 test network: the stack at fdaa::1 (and 192.168.69.1), a peer
// at fdaa::100 with peerMAC.
var (
	ourIP6  = netip.MustParseAddr("fdaa::1")
	peerIP6 = netip.MustParseAddr("fdaa::100")
	peerLL  = netip.MustParseAddr("fe80::64")
)

func newTestStack6(t *testing.T, mutate ...func(*Config)) (*Stack, *captureLink) {
	t.Helper()
	return newTestStack(t, append([]func(*Config){func(c *Config) {
		c.Addrs = append(c.Addrs, netip.MustParsePrefix("fdaa::1/64"))
	}}, mutate...)...)
}

// packet6 is an IPv6 packet from the peer in a frame to dstMAC.
func packet6(dstMAC wire.MAC, src, dst netip.Addr, hop uint8, proto wire.IPProto, payload []byte) []byte {
	b := make([]byte, wire.IPv6HeaderLen+len(payload))
	f := wire.IPv6Fields{NextHeader: proto, HopLimit: hop, Src: src, Dst: dst}
	f.Encode(b, len(payload))
	copy(b[wire.IPv6HeaderLen:], payload)
	return frame(dstMAC, peerMAC, wire.EtherTypeIPv6, b)
}

func icmp6(typ wire.ICMPv6Type, rest uint32, body []byte, src, dst netip.Addr) []byte {
	b := make([]byte, wire.ICMPv6HeaderLen+len(body))
	copy(b[wire.ICMPv6HeaderLen:], body)
	(&wire.ICMPv6Fields{Type: typ, Rest: rest}).Encode(b, src, dst)
	return b
}

// sent6 returns the IPv6 packets the stack wrote whose ICMPv6 type (or,
// for other protocols, protocol) is wanted, skipping the neighbour
// discovery and membership reports it sends on its own.
func sent6(t *testing.T, l *captureLink, want func(ip wire.IPv6, h wire.IPv6ExtHeaders) bool) []wire.IPv6 {
	t.Helper()
	var out []wire.IPv6
	for _, f := range l.take() {
		eth, err := wire.ParseEthernet(f)
		if err != nil || eth.EtherType() != wire.EtherTypeIPv6 {
			continue
		}
		ip, err := wire.ParseIPv6(eth.Payload())
		if err != nil {
			t.Fatalf("stack wrote a bad IPv6 packet: %v", err)
		}
		h, err := wire.WalkIPv6(ip)
		if err != nil {
			t.Fatalf("stack wrote bad extension headers: %v", err)
		}
		if want(ip, h) {
			out = append(out, ip)
		}
	}
	return out
}

func icmp6Type(typ wire.ICMPv6Type) func(wire.IPv6, wire.IPv6ExtHeaders) bool {
	return func(ip wire.IPv6, h wire.IPv6ExtHeaders) bool {
		return h.Proto == wire.IPProtoICMPv6 && len(ip) > h.Offset && wire.ICMPv6Type(ip[h.Offset]) == typ
	}
}

// teachPeer6 makes the stack learn the peer's MAC from a solicitation.
func teachPeer6(t *testing.T, s *Stack, l *captureLink) {
	t.Helper()
	ns := wire.NDPNeighborSolicitFields{Target: ourIP6, SourceLinkAddr: peerMAC}
	b := make([]byte, ns.Len())
	ns.Encode(b, peerIP6, wire.SolicitedNodeAddr(ourIP6))
	s.inject(t0, packet6(wire.MulticastMAC(wire.SolicitedNodeAddr(ourIP6)), peerIP6, wire.SolicitedNodeAddr(ourIP6), 255, wire.IPProtoICMPv6, b))
	l.take()
}

func TestNeighborSolicitationAnswered(t *testing.T) {
	s, l := newTestStack6(t)
	ns := wire.NDPNeighborSolicitFields{Target: ourIP6, SourceLinkAddr: peerMAC}
	b := make([]byte, ns.Len())
	ns.Encode(b, peerIP6, wire.SolicitedNodeAddr(ourIP6))
	s.inject(t0, packet6(wire.MulticastMAC(wire.SolicitedNodeAddr(ourIP6)), peerIP6, wire.SolicitedNodeAddr(ourIP6), 255, wire.IPProtoICMPv6, b))
	nas := sent6(t, l, icmp6Type(wire.ICMPv6NeighborAdvert))
	if len(nas) != 1 {
		t.Fatalf("%d advertisements, want 1", len(nas))
	}
	ip := nas[0]
	m, err := wire.ParseICMPv6(ip.Payload(), ip.Src(), ip.Dst())
	if err != nil {
		t.Fatal(err)
	}
	na, _ := wire.ParseNDPNeighborAdvert(m)
	mac, _ := na.TargetLinkAddr()
	if ip.Src() != ourIP6 || ip.Dst() != peerIP6 || ip.HopLimit() != 255 || !na.Solicited() || !na.Override() || na.Target() != ourIP6 || mac != ourMAC {
		t.Fatalf("advertisement %v: solicited %v override %v target %v mac %v", ip, na.Solicited(), na.Override(), na.Target(), mac)
	}

	// The same with a hop limit a router could have forwarded: ignored.
	s.inject(t0, packet6(wire.MulticastMAC(wire.SolicitedNodeAddr(ourIP6)), peerIP6, wire.SolicitedNodeAddr(ourIP6), 64, wire.IPProtoICMPv6, b))
	if n := len(sent6(t, l, icmp6Type(wire.ICMPv6NeighborAdvert))); n != 0 || s.Stats().Dropped(DropNDPInvalid) != 1 {
		t.Fatalf("a solicitation with hop limit 64 got %d answers", n)
	}
}

func TestEcho6AndErrors(t *testing.T) {
	s, l := newTestStack6(t)
	teachPeer6(t, s, l)
	echo := icmp6(wire.ICMPv6EchoRequest, 7<<16|1, []byte("ping6"), peerIP6, ourIP6)
	s.inject(t0, packet6(ourMAC, peerIP6, ourIP6, 64, wire.IPProtoICMPv6, echo))
	replies := sent6(t, l, icmp6Type(wire.ICMPv6EchoReply))
	if len(replies) != 1 {
		t.Fatalf("%d echo replies", len(replies))
	}
	m, err := wire.ParseICMPv6(replies[0].Payload(), replies[0].Src(), replies[0].Dst())
	if err != nil || m.ID() != 7 || m.Seq() != 1 || string(m.Payload()) != "ping6" || replies[0].Dst() != peerIP6 {
		t.Fatalf("reply %v (%v)", replies[0], err)
	}

	// A closed UDP port: ICMPv6 port unreachable quoting the datagram.
	u := udpPacket(netip.AddrPortFrom(peerIP6, 5000), netip.AddrPortFrom(ourIP6, 9), []byte("anyone?"))
	s.inject(t0, packet6(ourMAC, peerIP6, ourIP6, 64, wire.IPProtoUDP, u))
	errs := sent6(t, l, icmp6Type(wire.ICMPv6DestUnreachable))
	if len(errs) != 1 {
		t.Fatalf("%d unreachables for a closed port", len(errs))
	}
	m, _ = wire.ParseICMPv6(errs[0].Payload(), errs[0].Src(), errs[0].Dst())
	in, err := m.Inner()
	if m.Code() != wire.ICMPv6PortUnreachable || err != nil || in.DstPort != 9 || in.SrcPort != 5000 {
		t.Fatalf("unreachable code %d quoting %+v (%v)", m.Code(), in, err)
	}

	// An unknown next header: parameter problem pointing at it.
	s.inject(t0, packet6(ourMAC, peerIP6, ourIP6, 64, 253, []byte("?")))
	probs := sent6(t, l, icmp6Type(wire.ICMPv6ParamProblem))
	if len(probs) != 1 {
		t.Fatalf("%d parameter problems for an unknown next header", len(probs))
	}
	m, _ = wire.ParseICMPv6(probs[0].Payload(), probs[0].Src(), probs[0].Dst())
	if m.Code() != wire.ICMPv6UnrecognizedNextHdr || m.Pointer() != 6 {
		t.Fatalf("parameter problem code %d pointer %d, want 1 and 6", m.Code(), m.Pointer())
	}
	// A zero UDP checksum is not allowed over IPv6 (RFC 8200 §8.1).
	u[6], u[7] = 0, 0
	before := s.Stats().Dropped(DropUDPChecksum)
	s.inject(t0, packet6(ourMAC, peerIP6, ourIP6, 64, wire.IPProtoUDP, u))
	if s.Stats().Dropped(DropUDPChecksum) != before+1 {
		t.Fatal("a UDP datagram without checksum was taken over IPv6")
	}
}

func TestDuplicateAddressGivenUp(t *testing.T) {
	s, l := newTestStack6(t)
	l.take()
	// Another node says it holds fdaa::1.
	na := wire.NDPNeighborAdvertFields{Override: true, Target: ourIP6, TargetLinkAddr: peerMAC}
	b := make([]byte, na.Len())
	na.Encode(b, ourIP6, wire.IPv6AllNodes)
	// From the address itself, as Linux defends it (RFC 4862 §5.4.4).
	s.inject(t0, packet6(wire.MulticastMAC(wire.IPv6AllNodes), ourIP6, wire.IPv6AllNodes, 255, wire.IPProtoICMPv6, b))
	if s.isLocalLocked(ourIP6) || s.Stats().DADConflicts != 1 {
		t.Fatalf("fdaa::1 kept (conflicts %d): %v", s.Stats().DADConflicts, s.Addrs())
	}
	// The IPv4 address and the link-local one stay.
	if !s.isLocalLocked(ourIP) || !s.isLocalLocked(linkLocalFrom(ourMAC)) {
		t.Fatalf("addresses now %v", s.Addrs())
	}
}

func TestRouterAdvertisementGivesAddressAndRoute(t *testing.T) {
	s, l := newTestStack6(t)
	l.take()
	prefix := make([]byte, 32)
	prefix[0], prefix[1], prefix[2], prefix[3] = 3, 4, 64, 0xc0 // L and A
	copy(prefix[4:], []byte{0, 0, 0x0e, 0x10, 0, 0, 0x0e, 0x10})
	p := netip.MustParseAddr("2001:db8:1::").As16()
	copy(prefix[16:], p[:])
	slla := []byte{1, 1, peerMAC[0], peerMAC[1], peerMAC[2], peerMAC[3], peerMAC[4], peerMAC[5]}
	body := append(make([]byte, 8), append(slla, prefix...)...) // reachable and retrans timers 0
	ra := icmp6(wire.ICMPv6RouterAdvert, 64<<24|1800, body, peerLL, wire.IPv6AllNodes)
	// On the stack's own clock: its timers run on it too.
	s.inject(time.Now(), packet6(wire.MulticastMAC(wire.IPv6AllNodes), peerLL, wire.IPv6AllNodes, 255, wire.IPProtoICMPv6, ra))

	want := withIID(netip.MustParsePrefix("2001:db8:1::/64"), ourMAC)
	if !s.isLocalLocked(want) {
		t.Fatalf("no SLAAC address %v in %v", want, s.Addrs())
	}
	dad := sent6(t, l, icmp6Type(wire.ICMPv6NeighborSolicit))
	if len(dad) != 1 || !dad[0].Src().IsUnspecified() {
		t.Fatalf("want one DAD probe for the new address, got %d", len(dad))
	}
	// Off-link destinations now go to the router, whose MAC the
	// advertisement told.
	u, err := s.BindUDP(netip.AddrPortFrom(netip.IPv6Unspecified(), 0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.WriteTo([]byte("far"), netip.MustParseAddrPort("[2001:db8:99::1]:53")); err != nil {
		t.Fatal(err)
	}
	// Only the datagram: the stack's own timers may add a membership
	// report at any moment.
	var out [][]byte
	for _, f := range l.take() {
		if eth, err := wire.ParseEthernet(f); err == nil && eth.EtherType() == wire.EtherTypeIPv6 {
			if ip, err := wire.ParseIPv6(eth.Payload()); err == nil && ip.NextHeader() == wire.IPProtoUDP {
				out = append(out, f)
			}
		}
	}
	if len(out) != 1 {
		t.Fatalf("%d frames for one datagram", len(out))
	}
	eth, _ := wire.ParseEthernet(out[0])
	ip, _ := wire.ParseIPv6(eth.Payload())
	if eth.Dst() != peerMAC || ip.Src() != want {
		t.Fatalf("sent to MAC %v from %v; want the router's MAC and the SLAAC address", eth.Dst(), ip.Src())
	}
}

func TestFragments6BothWays(t *testing.T) {
	s, l := newTestStack6(t)
	teachPeer6(t, s, l)
	u, err := s.BindUDP(netip.AddrPortFrom(ourIP6, 7000))
	if err != nil {
		t.Fatal(err)
	}
	big := make([]byte, 3000)
	for i := range big {
		big[i] = byte(i)
	}
	if _, err := u.WriteTo(big, netip.AddrPortFrom(peerIP6, 7001)); err != nil {
		t.Fatal(err)
	}
	frags := sent6(t, l, func(ip wire.IPv6, h wire.IPv6ExtHeaders) bool { return h.Frag != nil })
	if len(frags) != 3 {
		t.Fatalf("%d fragments of a 3000-byte datagram, want 3", len(frags))
	}
	for _, f := range frags {
		if wire.IPv6HeaderLen+f.PayloadLen() > 1500 {
			t.Fatalf("fragment of %d bytes", wire.IPv6HeaderLen+f.PayloadLen())
		}
	}
	// Feed them back as if the peer had sent them to us (swapping the
	// addresses leaves the UDP checksum right): reassembled, and
	// delivered whole to the socket on port 7001.
	v, err := s.BindUDP(netip.AddrPortFrom(ourIP6, 7001))
	if err != nil {
		t.Fatal(err)
	}
	for i := len(frags) - 1; i >= 0; i-- { // out of order, too
		g := append([]byte(nil), frags[i]...)
		src, dst := peerIP6.As16(), ourIP6.As16()
		copy(g[8:24], src[:])
		copy(g[24:40], dst[:])
		s.inject(t0, frame(ourMAC, peerMAC, wire.EtherTypeIPv6, g))
	}
	buf := make([]byte, 4000)
	n, from, err := v.TryReadFrom(buf)
	if err != nil || n != len(big) || from != netip.AddrPortFrom(peerIP6, 7000) || string(buf[:n]) != string(big) {
		t.Fatalf("delivered %d bytes from %v (%v), want the 3000 sent", n, from, err)
	}
}

func TestPacketTooBigLowersPathMTU(t *testing.T) {
	s, l := newTestStack6(t)
	teachPeer6(t, s, l)
	u, _ := s.BindUDP(netip.AddrPortFrom(ourIP6, 7000))
	quote := make([]byte, wire.IPv6HeaderLen+8)
	(&wire.IPv6Fields{NextHeader: wire.IPProtoUDP, HopLimit: 64, Src: ourIP6, Dst: peerIP6}).Encode(quote, 8)
	ptb := icmp6(wire.ICMPv6PacketTooBig, 1280, quote, peerIP6, ourIP6)
	s.inject(time.Now(), packet6(ourMAC, peerIP6, ourIP6, 64, wire.IPProtoICMPv6, ptb)) // the clock WriteTo reads
	if _, err := u.WriteTo(make([]byte, 1400), netip.AddrPortFrom(peerIP6, 7001)); err != nil {
		t.Fatal(err)
	}
	frags := sent6(t, l, func(ip wire.IPv6, h wire.IPv6ExtHeaders) bool { return h.Frag != nil })
	if len(frags) != 2 || wire.IPv6HeaderLen+frags[0].PayloadLen() > 1280 {
		t.Fatalf("after a Packet Too Big of 1280: %d fragments", len(frags))
	}
}

// isLocalLocked is isLocal for tests, under the lock.
func (s *Stack) isLocalLocked(a netip.Addr) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.isLocal(a)
}

// TestTCPOverIPv6BetweenStacks connects two stacks over an Ethernet pipe
// by IPv6 only: neighbour discovery, the handshake with an MSS of MTU-60,
// 1 MB across, and a dual-stack listener taking an IPv4 client too.
func TestTCPOverIPv6BetweenStacks(t *testing.T) {
	ea, eb := pipe.New(pipe.Config{})
	a, err := New(ea, Config{Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.0.1/24"), netip.MustParsePrefix("fdaa::1/64")}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := New(eb, Config{Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.0.2/24"), netip.MustParsePrefix("fdaa::2/64")}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ln, err := b.ListenTCP(netip.AddrPortFrom(netip.IPv6Unspecified(), 80), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, remote := range []string{"[fdaa::2]:80", "10.0.0.2:80"} {
		c, err := a.DialTCP(netip.AddrPort{}, netip.MustParseAddrPort(remote), nil)
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, c.Writable(), c.Connected)
		var s *TCPSocket
		waitFor(t, ln.Readable(), func() bool { s, err = ln.TryAccept(); return err == nil })
		if s.RemoteAddr() != c.LocalAddr() {
			t.Fatalf("accepted %v, dialed from %v", s.RemoteAddr(), c.LocalAddr())
		}
		if remote[0] == '[' {
			if mss := c.Info().SndMSS; mss != 1500-60 {
				t.Fatalf("MSS %d over IPv6, want 1440", mss)
			}
		}
		data := make([]byte, 1<<20)
		for i := range data {
			data[i] = byte(i * 7)
		}
		go func() {
			for off := 0; off < len(data); {
				n, err := c.TryWrite(data[off:])
				off += n
				if err == ErrWouldBlock {
					<-c.Writable()
				} else if err != nil {
					return
				}
			}
		}()
		got := make([]byte, 0, len(data))
		buf := make([]byte, 64<<10)
		for len(got) < len(data) {
			n, err := s.TryRead(buf)
			got = append(got, buf[:n]...)
			if err == ErrWouldBlock {
				select {
				case <-s.Readable():
				case <-time.After(10 * time.Second):
					t.Fatalf("%s: stalled after %d bytes", remote, len(got))
				}
			} else if err != nil {
				t.Fatalf("%s: read: %v", remote, err)
			}
		}
		if string(got) != string(data) {
			t.Fatalf("%s: data differs", remote)
		}
		c.Abort()
		s.Abort()
	}
}

// waitFor waits on c until ok reports true, for at most 10 seconds.
func waitFor(t *testing.T, c <-chan struct{}, ok func() bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for !ok() {
		select {
		case <-c:
		case <-time.After(10 * time.Millisecond):
		case <-deadline:
			t.Fatal("timed out")
		}
	}
}

func TestPingSocket6(t *testing.T) {
	s, l := newTestStack6(t)
	teachPeer6(t, s, l)
	p, err := s.OpenPing(netip.IPv6Unspecified())
	if err != nil {
		t.Fatal(err)
	}
	req := make([]byte, 8+4)
	req[0] = byte(wire.ICMPv6EchoRequest)
	req[7] = 3
	copy(req[8:], "abcd")
	if _, err := p.WriteTo(req, peerIP6); err != nil {
		t.Fatal(err)
	}
	out := sent6(t, l, icmp6Type(wire.ICMPv6EchoRequest))
	if len(out) != 1 {
		t.Fatalf("%d echo requests", len(out))
	}
	m, err := wire.ParseICMPv6(out[0].Payload(), out[0].Src(), out[0].Dst())
	if err != nil || m.ID() != p.ID() || m.Seq() != 3 {
		t.Fatalf("request %v (%v)", out[0], err)
	}
	reply := icmp6(wire.ICMPv6EchoReply, uint32(p.ID())<<16|3, []byte("abcd"), peerIP6, ourIP6)
	s.inject(t0, packet6(ourMAC, peerIP6, ourIP6, 64, wire.IPProtoICMPv6, reply))
	buf := make([]byte, 64)
	n, from, err := p.TryReadFrom(buf)
	if err != nil || from != peerIP6 || wire.ICMPv6(buf[:n]).Type() != wire.ICMPv6EchoReply {
		t.Fatalf("read %x from %v: %v", buf[:n], from, err)
	}
	if _, err := p.WriteTo(req, peerIP); err == nil {
		t.Fatal("an ICMPv6 socket sent to an IPv4 address")
	}
}

// TestFloods6Bounded sends 50,000 neighbour solicitations from distinct
// sources and 50,000 first fragments of distinct datagrams, and reports
// the memory they leave: both tables stay at their bounds.
func TestFloods6Bounded(t *testing.T) {
	s, l := newTestStack6(t)
	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	sn := wire.SolicitedNodeAddr(ourIP6)
	before := heap()
	now := time.Now()
	for i := range 50000 {
		src := netip.AddrFrom16([16]byte{0: 0xfd, 1: 0xaa, 12: byte(i >> 24), 13: byte(i >> 16), 14: byte(i >> 8), 15: byte(i)})
		mac := wire.MAC{2, 9, byte(i >> 24), byte(i >> 16), byte(i >> 8), byte(i)}
		ns := wire.NDPNeighborSolicitFields{Target: ourIP6, SourceLinkAddr: mac}
		b := make([]byte, ns.Len())
		ns.Encode(b, src, sn)
		s.inject(now, packet6(wire.MulticastMAC(sn), src, sn, 255, wire.IPProtoICMPv6, b))
		if i%1000 == 0 {
			l.take()
		}
	}
	l.take()
	afterNDP := heap()
	frag := make([]byte, 8+1200)
	for i := range 50000 {
		(&wire.IPv6FragmentFields{NextHeader: wire.IPProtoUDP, More: true, ID: uint32(i)}).Encode(frag)
		s.inject(now, packet6(ourMAC, peerIP6, ourIP6, 64, wire.IPProtoIPv6Frag, frag))
	}
	l.take()
	afterFrags := heap()
	st := s.Stats()
	t.Logf("after 50,000 solicitations: %d neighbour entries, heap +%d KB; after 50,000 fragment IDs: %d reassemblies pending, heap +%d KB more",
		st.NeighbourEntries, (int64(afterNDP)-int64(before))/1024, st.ReassemblyPending, (int64(afterFrags)-int64(afterNDP))/1024)
	if st.NeighbourEntries > maxNeighbours || int64(afterFrags)-int64(before) > 16<<20 {
		t.Fatalf("floods grew the stack past its bounds: %d neighbours, heap +%d bytes", st.NeighbourEntries, int64(afterFrags)-int64(before))
	}
}

// TestV6Only binds :: for IPv6 only beside 0.0.0.0 on the same port, as a
// Go program listening on "tcp4" and "tcp6" ":80" does; a dual-stack ::
// would clash with 0.0.0.0.
func TestV6Only(t *testing.T) {
	s, l := newTestStack6(t)
	teachPeer6(t, s, l)
	v4, err := s.BindUDP(netip.AddrPortFrom(netip.IPv4Unspecified(), 53))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.BindUDP(netip.AddrPortFrom(netip.IPv6Unspecified(), 53)); err == nil {
		t.Fatal("a dual-stack :: bound beside 0.0.0.0")
	}
	v6, err := s.BindUDPWith(netip.AddrPortFrom(netip.IPv6Unspecified(), 53), BindOptions{V6Only: true})
	if err != nil {
		t.Fatal(err)
	}
	s.inject(t0, fromPeer(ipPacket(wire.IPv4Fields{Protocol: wire.IPProtoUDP, Src: peerIP, Dst: ourIP},
		udpPacket(netip.AddrPortFrom(peerIP, 9), netip.AddrPortFrom(ourIP, 53), []byte("four")))))
	s.inject(t0, packet6(ourMAC, peerIP6, ourIP6, 64, wire.IPProtoUDP,
		udpPacket(netip.AddrPortFrom(peerIP6, 9), netip.AddrPortFrom(ourIP6, 53), []byte("six"))))
	buf := make([]byte, 8)
	if n, _, err := v4.TryReadFrom(buf); err != nil || string(buf[:n]) != "four" {
		t.Fatalf("0.0.0.0 socket read %q, %v", buf[:n], err)
	}
	if n, _, err := v6.TryReadFrom(buf); err != nil || string(buf[:n]) != "six" {
		t.Fatalf(":: IPv6-only socket read %q, %v", buf[:n], err)
	}
	if _, _, err := v6.TryReadFrom(buf); err != ErrWouldBlock {
		t.Fatal("the IPv6-only socket got the IPv4 datagram too")
	}
	if _, err := v6.WriteTo([]byte("x"), netip.AddrPortFrom(peerIP, 9)); err == nil {
		t.Fatal("the IPv6-only socket sent to an IPv4 address")
	}
	if _, err := s.ListenTCP(netip.AddrPortFrom(netip.IPv4Unspecified(), 80), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ListenTCPWith(netip.AddrPortFrom(netip.IPv6Unspecified(), 80), 0, BindOptions{V6Only: true}); err != nil {
		t.Fatalf("tcp6 beside tcp4 on :80: %v", err)
	}
}
