package netstack

import (
	"errors"
	"net"
	"net/netip"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/netstack/tcp"
	"github.com/renet-go/renet/netstack/wire"
)

// The forwarding test network: a stack at 10.0.0.2 on an IP link, a
// client at 10.9.9.9 (off-link: only forwarding routes back to it)
// reaching for 203.0.113.7, which nobody here owns.
var (
	fwdStackNet = netip.MustParsePrefix("10.0.0.2/24")
	fwdClient   = netip.MustParseAddrPort("10.9.9.9:40000")
	fwdTarget   = netip.MustParseAddrPort("203.0.113.7:80")
)

func newForwardingStack(t *testing.T, cfg ForwarderConfig) (*Stack, *captureLink, *Forwarder) {
	t.Helper()
	l := newCaptureLink(link.IP, 1500)
	s, err := New(l, Config{Addrs: []netip.Prefix{fwdStackNet}})
	if err != nil {
		t.Fatal(err)
	}
	l.settle = s.flushWait
	t.Cleanup(func() { s.Close() })
	f, err := s.Forward(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Forward(cfg); !errors.Is(err, syscall.EBUSY) {
		t.Fatalf("second Forward: %v, want EBUSY", err)
	}
	return s, l, f
}

func clientTCP(src, dst netip.AddrPort, seq, ack uint32, flags wire.TCPFlags) []byte {
	f := wire.TCPFields{SrcPort: src.Port(), DstPort: dst.Port(), Seq: seq, Ack: ack, Flags: flags, Window: 65535}
	if flags&wire.TCPFlagSYN != 0 {
		f.Options.MSS = 1460
	}
	b := make([]byte, f.Len())
	f.Encode(b, src.Addr(), dst.Addr())
	return ipPacket(wire.IPv4Fields{Protocol: wire.IPProtoTCP, Src: src.Addr(), Dst: dst.Addr()}, b)
}

// onlyPacket returns the one IP packet the stack wrote, parsed.
func onlyPacket(t *testing.T, l *captureLink) wire.IPv4 {
	t.Helper()
	out := l.take()
	if len(out) != 1 {
		t.Fatalf("stack wrote %d packets, want 1", len(out))
	}
	ip, err := wire.ParseIPv4(out[0])
	if err != nil {
		t.Fatal(err)
	}
	return ip
}

func takeRequest(t *testing.T, f *Forwarder) *TCPRequest {
	t.Helper()
	r, err := f.TryAcceptTCP()
	if err != nil {
		t.Fatalf("TryAcceptTCP: %v", err)
	}
	return r
}

func TestForwardTCPAccept(t *testing.T) {
	s, l, f := newForwardingStack(t, ForwarderConfig{})
	now := time.Now()
	s.inject(now, clientTCP(fwdClient, fwdTarget, 1000, 0, wire.TCPFlagSYN))
	s.inject(now, clientTCP(fwdClient, fwdTarget, 1000, 0, wire.TCPFlagSYN)) // retransmitted
	if out := l.take(); len(out) != 0 {
		t.Fatalf("the stack answered %d packets before the decision", len(out))
	}
	r := takeRequest(t, f)
	if r.Src != fwdClient || r.Dst != fwdTarget {
		t.Fatalf("request %v -> %v, want %v -> %v", r.Src, r.Dst, fwdClient, fwdTarget)
	}
	if _, err := f.TryAcceptTCP(); err != ErrWouldBlock {
		t.Fatalf("retransmitted SYN made a second request (err %v)", err)
	}
	sk, err := r.Accept(nil)
	if err != nil {
		t.Fatal(err)
	}
	ip := onlyPacket(t, l)
	th, _ := wire.ParseTCP(ip.Payload())
	if ip.Src() != fwdTarget.Addr() || ip.Dst() != fwdClient.Addr() || th.SrcPort() != 80 ||
		th.Flags() != wire.TCPFlagSYN|wire.TCPFlagACK || th.Ack() != 1001 {
		t.Fatalf("answer %v %v, want a SYN-ACK from %v acking 1001", ip, th.Flags(), fwdTarget)
	}
	s.inject(now, clientTCP(fwdClient, fwdTarget, 1001, th.Seq()+1, wire.TCPFlagACK))
	if st := sk.tcb.State(); st != tcp.Established {
		t.Fatalf("state %v after the handshake, want ESTABLISHED", st)
	}
	if err := r.Refuse(RefuseReset); err != ErrDecided {
		t.Fatalf("Refuse after Accept: %v, want ErrDecided", err)
	}
	if st := f.Stats(); st.TCPRequests != 1 || st.TCPAccepted != 1 || st.PendingTCP != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestForwardTCPRefuse(t *testing.T) {
	cases := []struct {
		how  Refusal
		want func(t *testing.T, ip wire.IPv4)
	}{
		{RefuseReset, func(t *testing.T, ip wire.IPv4) {
			th, _ := wire.ParseTCP(ip.Payload())
			if ip.Protocol() != wire.IPProtoTCP || th.Flags()&wire.TCPFlagRST == 0 || th.Ack() != 1001 {
				t.Fatalf("got %v, want a RST acking the SYN", ip)
			}
		}},
		{RefuseHostUnreachable, wantUnreachable(1, wire.IPProtoTCP)},
		{RefuseNetUnreachable, wantUnreachable(0, wire.IPProtoTCP)},
		{RefuseProhibited, wantUnreachable(13, wire.IPProtoTCP)},
	}
	for _, c := range cases {
		s, l, f := newForwardingStack(t, ForwarderConfig{})
		s.inject(time.Now(), clientTCP(fwdClient, fwdTarget, 1000, 0, wire.TCPFlagSYN))
		if err := takeRequest(t, f).Refuse(c.how); err != nil {
			t.Fatal(err)
		}
		ip := onlyPacket(t, l)
		if ip.Src() != fwdTarget.Addr() || ip.Dst() != fwdClient.Addr() {
			t.Fatalf("refusal %v sent %v -> %v", c.how, ip.Src(), ip.Dst())
		}
		c.want(t, ip)
	}

	s, l, f := newForwardingStack(t, ForwarderConfig{})
	s.inject(time.Now(), clientTCP(fwdClient, fwdTarget, 1000, 0, wire.TCPFlagSYN))
	r := takeRequest(t, f)
	if err := r.Refuse(RefuseSilently); err != nil {
		t.Fatal(err)
	}
	if out := l.take(); len(out) != 0 {
		t.Fatalf("a silent refusal sent %d packets", len(out))
	}
	if _, err := r.Accept(nil); err != ErrDecided {
		t.Fatalf("Accept after Refuse: %v, want ErrDecided", err)
	}
}

// wantUnreachable checks an ICMP destination unreachable quoting the
// client's datagram to fwdTarget, as Linux needs to match it to a socket.
func wantUnreachable(code uint8, proto wire.IPProto) func(*testing.T, wire.IPv4) {
	return func(t *testing.T, ip wire.IPv4) {
		t.Helper()
		m, err := wire.ParseICMPv4(ip.Payload())
		if err != nil || m.Type() != wire.ICMPDestUnreachable || m.Code() != code {
			t.Fatalf("got %v, want ICMP unreachable code %d", ip, code)
		}
		in, err := m.Inner()
		if err != nil || in.Protocol != proto || in.Src != fwdClient.Addr() || in.Dst != fwdTarget.Addr() ||
			in.SrcPort != fwdClient.Port() || in.DstPort != fwdTarget.Port() {
			t.Fatalf("quoted %+v (%v)", in, err)
		}
		if proto == wire.IPProtoTCP && in.TCPSeq != 1000 {
			t.Fatalf("quoted sequence number %d, want the SYN's 1000", in.TCPSeq)
		}
	}
}

func TestForwardTCPLimitsAndExpiry(t *testing.T) {
	s, l, f := newForwardingStack(t, ForwarderConfig{MaxPendingTCPPerSource: 2, DecisionTimeout: time.Second})
	now := time.Now()
	for port := uint16(1); port <= 3; port++ {
		s.inject(now, clientTCP(netip.AddrPortFrom(fwdClient.Addr(), port), fwdTarget, 1000, 0, wire.TCPFlagSYN))
	}
	other := netip.MustParseAddrPort("10.9.9.10:1")
	s.inject(now, clientTCP(other, fwdTarget, 1000, 0, wire.TCPFlagSYN))
	if st := f.Stats(); st.PendingTCP != 3 || st.TCPOverLimit != 1 {
		t.Fatalf("pending %d over limit %d, want 3 and 1", st.PendingTCP, st.TCPOverLimit)
	}
	// The client gives up on one; nobody decides the others.
	s.inject(now, clientTCP(other, fwdTarget, 1001, 0, wire.TCPFlagRST))
	s.runTimers(now.Add(2 * time.Second))
	if st := f.Stats(); st.PendingTCP != 0 || st.TCPExpired != 2 || st.TCPCancelled != 1 {
		t.Fatalf("stats %+v, want 2 expired and 1 cancelled", st)
	}
	out := l.take()
	if len(out) != 2 {
		t.Fatalf("expiry sent %d packets, want a RST per forgotten request", len(out))
	}
	if _, err := f.TryAcceptTCP(); err != ErrWouldBlock {
		t.Fatalf("expired requests still handed out: %v", err)
	}
}

func TestForwardLocalKeepsPriority(t *testing.T) {
	s, l, f := newForwardingStack(t, ForwarderConfig{})
	own := netip.AddrPortFrom(fwdStackNet.Addr(), 80)
	now := time.Now()
	s.inject(now, clientTCP(fwdClient, own, 1000, 0, wire.TCPFlagSYN))
	th, _ := wire.ParseTCP(onlyPacket(t, l).Payload())
	if th.Flags()&wire.TCPFlagRST == 0 {
		t.Fatalf("SYN to our own closed port: got %v, want a RST", th.Flags())
	}
	s.inject(now, ipPacket(wire.IPv4Fields{Protocol: wire.IPProtoICMP, Src: fwdClient.Addr(), Dst: own.Addr()}, echoRequest(1, 1, []byte("hi"))))
	if m, _ := wire.ParseICMPv4(onlyPacket(t, l).Payload()); m.Type() != wire.ICMPEchoReply {
		t.Fatalf("ping to our own address: got %v, want a reply", m.Type())
	}
	if _, err := f.TryAcceptTCP(); err != ErrWouldBlock {
		t.Fatalf("a flow to our own address reached the forwarder")
	}
}

func TestForwardUDPFlow(t *testing.T) {
	s, l, f := newForwardingStack(t, ForwarderConfig{UDPIdleTimeout: 30 * time.Second, DNSIdleTimeout: 5 * time.Second})
	now := time.Now()
	dst2 := netip.MustParseAddrPort("198.51.100.1:9000")
	for _, dst := range []netip.AddrPort{fwdTarget, dst2} {
		s.inject(now, ipPacket(wire.IPv4Fields{Protocol: wire.IPProtoUDP, Src: fwdClient.Addr(), Dst: dst.Addr()},
			udpPacket(fwdClient, dst, []byte("to "+dst.String()))))
	}
	if out := l.take(); len(out) != 0 {
		t.Fatalf("the stack answered %d packets itself", len(out))
	}
	u, err := f.TryAcceptUDP()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.TryAcceptUDP(); err != ErrWouldBlock {
		t.Fatal("two destinations of one client made two flows; want one (endpoint-independent)")
	}
	buf := make([]byte, 100)
	for _, want := range []netip.AddrPort{fwdTarget, dst2} {
		n, dst, err := u.TryReadFrom(buf)
		if err != nil || dst != want || string(buf[:n]) != "to "+want.String() {
			t.Fatalf("read %q to %v (%v), want the datagram to %v", buf[:n], dst, err, want)
		}
	}
	// A reply from a third address reaches the client: full cone.
	third := netip.MustParseAddrPort("192.0.2.33:7")
	if _, err := u.WriteTo([]byte("hello"), third); err != nil {
		t.Fatal(err)
	}
	ip := onlyPacket(t, l)
	ud, _ := wire.ParseUDP(ip.Payload())
	if ip.Src() != third.Addr() || ip.Dst() != fwdClient.Addr() || ud.SrcPort() != 7 || ud.DstPort() != fwdClient.Port() ||
		string(ud.Payload()) != "hello" || !ud.VerifyChecksum(ip.Src(), ip.Dst()) {
		t.Fatalf("reply %v %q", ip, ud.Payload())
	}
	if err := u.Refuse(fwdTarget, RefuseReset); err != nil {
		t.Fatal(err)
	}
	wantUnreachable(wire.ICMPPortUnreachable, wire.IPProtoUDP)(t, onlyPacket(t, l))

	s.runTimers(time.Now().Add(31 * time.Second))
	if _, _, err := u.TryReadFrom(buf); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("read after the idle timeout: %v, want net.ErrClosed", err)
	}
	if st := f.Stats(); st.UDPFlows != 0 || st.UDPFlowsExpired != 1 || st.UDPFlowsOpened != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestForwardUDPDNSExpiresSooner(t *testing.T) {
	s, _, f := newForwardingStack(t, ForwarderConfig{UDPIdleTimeout: time.Minute, DNSIdleTimeout: 5 * time.Second})
	now := time.Now()
	dns := netip.MustParseAddrPort("198.51.100.53:53")
	s.inject(now, ipPacket(wire.IPv4Fields{Protocol: wire.IPProtoUDP, Src: fwdClient.Addr(), Dst: dns.Addr()},
		udpPacket(fwdClient, dns, []byte("query"))))
	s.runTimers(now.Add(6 * time.Second))
	if st := f.Stats(); st.UDPFlows != 0 {
		t.Fatalf("a DNS flow outlived DNSIdleTimeout: %+v", st)
	}
}

func TestForwardUDPFlowLimit(t *testing.T) {
	s, _, f := newForwardingStack(t, ForwarderConfig{MaxUDPFlows: 3})
	now := time.Now()
	for port := uint16(1); port <= 5; port++ {
		src := netip.AddrPortFrom(fwdClient.Addr(), port)
		s.inject(now, ipPacket(wire.IPv4Fields{Protocol: wire.IPProtoUDP, Src: src.Addr(), Dst: fwdTarget.Addr()},
			udpPacket(src, fwdTarget, []byte("x"))))
	}
	if st := f.Stats(); st.UDPFlows != 3 || st.UDPOverLimit != 2 {
		t.Fatalf("flows %d over limit %d, want 3 and 2", st.UDPFlows, st.UDPOverLimit)
	}
}

func TestForwardEcho(t *testing.T) {
	s, l, f := newForwardingStack(t, ForwarderConfig{MaxPendingEcho: 2})
	now := time.Now()
	for seq := uint16(1); seq <= 3; seq++ {
		s.inject(now, ipPacket(wire.IPv4Fields{Protocol: wire.IPProtoICMP, Src: fwdClient.Addr(), Dst: fwdTarget.Addr()},
			echoRequest(7, seq, []byte("ping"))))
	}
	if out := l.take(); len(out) != 0 {
		t.Fatalf("the stack answered a ping for an address it does not own (%d packets)", len(out))
	}
	e, err := f.TryAcceptEcho()
	if err != nil {
		t.Fatal(err)
	}
	if e.Src != fwdClient.Addr() || e.Dst != fwdTarget.Addr() || e.ID != 7 || e.Seq != 1 || string(e.Data) != "ping" {
		t.Fatalf("echo request %+v", e)
	}
	if err := e.Reply(); err != nil {
		t.Fatal(err)
	}
	ip := onlyPacket(t, l)
	m, _ := wire.ParseICMPv4(ip.Payload())
	if ip.Src() != fwdTarget.Addr() || m.Type() != wire.ICMPEchoReply || m.ID() != 7 || m.Seq() != 1 || string(m.Payload()) != "ping" {
		t.Fatalf("reply %v", ip)
	}
	if st := f.Stats(); st.EchoRequests != 2 || st.EchoDropped != 1 || st.EchoReplies != 1 || st.PendingEcho != 1 {
		t.Fatalf("stats %+v", st)
	}

	// The second one's destination turned out unreachable.
	e, err = f.TryAcceptEcho()
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Refuse(RefuseHostUnreachable); err != nil {
		t.Fatal(err)
	}
	ip = onlyPacket(t, l)
	m, _ = wire.ParseICMPv4(ip.Payload())
	in, err := m.Inner()
	if ip.Src() != fwdTarget.Addr() || m.Type() != wire.ICMPDestUnreachable || m.Code() != 1 || err != nil ||
		in.Protocol != wire.IPProtoICMP || in.Src != fwdClient.Addr() || in.Dst != fwdTarget.Addr() {
		t.Fatalf("refusal %v quoting %+v (%v)", ip, in, err)
	}
	if q := wire.ICMPv4(m.Payload()[wire.IPv4MinHeaderLen:]); q.Type() != wire.ICMPEchoRequest || q.ID() != 7 || q.Seq() != 2 {
		t.Fatalf("quoted %x, want the echo request id 7 seq 2", m.Payload())
	}
}

func TestForwarderClose(t *testing.T) {
	s, l, f := newForwardingStack(t, ForwarderConfig{})
	now := time.Now()
	s.inject(now, clientTCP(fwdClient, fwdTarget, 1000, 0, wire.TCPFlagSYN))
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	th, _ := wire.ParseTCP(onlyPacket(t, l).Payload())
	if th.Flags()&wire.TCPFlagRST == 0 {
		t.Fatal("a pending request was not refused when the forwarder closed")
	}
	if _, err := f.TryAcceptTCP(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("TryAcceptTCP after Close: %v", err)
	}
	s.inject(now, clientTCP(fwdClient, fwdTarget, 1000, 0, wire.TCPFlagSYN))
	if out := l.take(); len(out) != 0 || s.Stats().Dropped(DropIPNotForUs) != 1 {
		t.Fatal("packets to other addresses are still taken after Close")
	}
	if _, err := s.Forward(ForwarderConfig{}); err != nil {
		t.Fatalf("a new forwarder after Close: %v", err)
	}
}

func TestForwardUDPQueuedBytesBounded(t *testing.T) {
	s, _, f := newForwardingStack(t, ForwarderConfig{})
	f.cfg.MaxUDPQueued = 3 * s.frameSize // three datagrams' buffers, in all flows
	now := time.Now()
	for port := uint16(1); port <= 5; port++ {
		src := netip.AddrPortFrom(fwdClient.Addr(), port)
		s.inject(now, ipPacket(wire.IPv4Fields{Protocol: wire.IPProtoUDP, Src: src.Addr(), Dst: fwdTarget.Addr()},
			udpPacket(src, fwdTarget, []byte("unread"))))
	}
	if st := f.Stats(); st.UDPDatagramsIn != 3 || st.UDPQueueFull != 2 {
		t.Fatalf("queued %d, dropped %d; want 3 and 2", st.UDPDatagramsIn, st.UDPQueueFull)
	}
	u, _ := f.TryAcceptUDP()
	u.Close() // gives its bytes back
	src := netip.AddrPortFrom(fwdClient.Addr(), 9)
	s.inject(now, ipPacket(wire.IPv4Fields{Protocol: wire.IPProtoUDP, Src: src.Addr(), Dst: fwdTarget.Addr()},
		udpPacket(src, fwdTarget, []byte("fits again"))))
	if st := f.Stats(); st.UDPDatagramsIn != 4 {
		t.Fatalf("after a flow closed, a datagram was still refused: %+v", st)
	}
}

// TestForwardFlowCost reports what 10,000 flows cost the stack: pending
// TCP requests, and UDP flows holding one small datagram each; and checks
// that past the bounds nothing more is held.
func TestForwardFlowCost(t *testing.T) {
	const n = 10000
	s, l, f := newForwardingStack(t, ForwarderConfig{MaxPendingTCP: n, MaxPendingTCPPerSource: n, MaxUDPFlows: n})
	heap := func() uint64 {
		runtime.GC()
		runtime.GC() // and the packet buffer pools' victim caches
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	syns := make([][]byte, n+100)
	dgrams := make([][]byte, n+100)
	for i := range syns {
		src := netip.AddrPortFrom(fwdClient.Addr(), uint16(1024+i))
		syns[i] = clientTCP(src, fwdTarget, 1000, 0, wire.TCPFlagSYN)
		dgrams[i] = ipPacket(wire.IPv4Fields{Protocol: wire.IPProtoUDP, Src: src.Addr(), Dst: fwdTarget.Addr()},
			udpPacket(src, netip.AddrPortFrom(fwdTarget.Addr(), 53), []byte("query")))
	}
	now := time.Now()
	before := heap()
	for _, b := range syns {
		s.inject(now, b)
	}
	pending := heap()
	for _, b := range dgrams {
		s.inject(now, b)
	}
	flows := heap()
	l.take()
	st := f.Stats()
	if st.PendingTCP != n || st.TCPOverLimit != 100 || st.UDPFlows != n || st.UDPOverLimit != 100 {
		t.Fatalf("stats %+v: want %d of each and 100 over the limits", st, n)
	}
	t.Logf("%d bytes of heap per pending TCP request; %d per UDP flow with one datagram queued (its %d-byte buffer included)",
		int64(pending-before)/n, int64(flows-pending)/n, s.frameSize)
	s.runTimers(now.Add(time.Hour))
	if st := f.Stats(); st.PendingTCP != 0 || st.UDPFlows != 0 {
		t.Fatalf("after an hour: %+v", st)
	}
	// Memory goes back once the flows are gone: the tables, the queues
	// of untaken flows and the packet buffers (27 MB were kept before).
	if left := int64(heap()) - int64(before); left > 1<<20 {
		t.Fatalf("after the timeouts the heap is still %d bytes above where it started", left)
	}
}

// TestForwardIPv6 takes a TCP request, a UDP flow and a ping to an IPv6
// address the stack does not own, on a point-to-point link.
func TestForwardIPv6(t *testing.T) {
	l := newCaptureLink(link.IP, 1500)
	s, err := New(l, Config{Addrs: []netip.Prefix{netip.MustParsePrefix("fd00::2/64")}})
	if err != nil {
		t.Fatal(err)
	}
	l.settle = s.flushWait
	defer s.Close()
	f, err := s.Forward(ForwarderConfig{})
	if err != nil {
		t.Fatal(err)
	}
	client := netip.MustParseAddrPort("[fd00:9::9]:40000")
	target := netip.MustParseAddrPort("[2001:db8::7]:443")
	ip6 := func(proto wire.IPProto, payload []byte) []byte {
		b := make([]byte, wire.IPv6HeaderLen+len(payload))
		(&wire.IPv6Fields{NextHeader: proto, HopLimit: 64, Src: client.Addr(), Dst: target.Addr()}).Encode(b, len(payload))
		copy(b[wire.IPv6HeaderLen:], payload)
		return b
	}
	syn := wire.TCPFields{SrcPort: client.Port(), DstPort: target.Port(), Seq: 1000, Flags: wire.TCPFlagSYN, Window: 65535}
	b := make([]byte, syn.Len())
	syn.Encode(b, client.Addr(), target.Addr())
	now := time.Now()
	s.inject(now, ip6(wire.IPProtoTCP, b))
	r := takeRequest(t, f)
	if r.Src != client || r.Dst != target {
		t.Fatalf("request %v -> %v", r.Src, r.Dst)
	}
	r.Refuse(RefuseHostUnreachable)
	out := l.take()
	if len(out) != 1 {
		t.Fatalf("%d packets for a refusal", len(out))
	}
	ip, _ := wire.ParseIPv6(out[0])
	m, err := wire.ParseICMPv6(ip.Payload(), ip.Src(), ip.Dst())
	if err != nil || m.Type() != wire.ICMPv6DestUnreachable || m.Code() != wire.ICMPv6AddressUnreachable || ip.Src() != target.Addr() {
		t.Fatalf("refusal %v (%v)", ip, err)
	}
	if in, err := m.Inner(); err != nil || in.SrcPort != client.Port() || in.TCPSeq != 1000 {
		t.Fatalf("quoted %+v (%v)", in, err)
	}

	s.inject(now, ip6(wire.IPProtoUDP, udpPacket(client, target, []byte("q"))))
	u, err := f.TryAcceptUDP()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.WriteTo([]byte("a"), netip.MustParseAddrPort("[2001:db8::8]:53")); err != nil {
		t.Fatal(err)
	}
	if _, err := u.WriteTo([]byte("a"), netip.MustParseAddrPort("192.0.2.1:53")); err == nil {
		t.Fatal("an IPv4 reply to an IPv6 client")
	}
	l.take()

	s.inject(now, ip6(wire.IPProtoICMPv6, icmp6(wire.ICMPv6EchoRequest, 5<<16|1, []byte("hi"), client.Addr(), target.Addr())))
	if len(l.take()) != 0 {
		t.Fatal("the stack answered a ping for an address it does not own")
	}
	e, err := f.TryAcceptEcho()
	if err != nil {
		t.Fatal(err)
	}
	e.Reply()
	out = l.take()
	ip, _ = wire.ParseIPv6(out[0])
	if m, err := wire.ParseICMPv6(ip.Payload(), ip.Src(), ip.Dst()); err != nil || m.Type() != wire.ICMPv6EchoReply || ip.Src() != target.Addr() {
		t.Fatalf("echo reply %v (%v)", ip, err)
	}
}
