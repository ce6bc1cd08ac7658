package netstack

import (
	"errors"
	"net/netip"
	"syscall"
	"testing"
	"time"

	"github.com/renet-go/renet/netstack/tcp"
	"github.com/renet-go/renet/netstack/wire"
)

// icmpAbout builds an ICMP error from the peer quoting the frame our stack
// sent (RFC 792: the IP header and the first 8 bytes of the datagram).
func icmpAbout(t *testing.T, sent []byte, typ wire.ICMPType, code uint8) []byte {
	p := mustParseIP(t, sent)
	quote := p.ip[:p.ip.HeaderLen()+8]
	b := make([]byte, wire.ICMPv4HeaderLen+len(quote))
	copy(b[wire.ICMPv4HeaderLen:], quote)
	(&wire.ICMPv4Fields{Type: typ, Code: code}).Encode(b)
	return fromPeer(ipPacket(wire.IPv4Fields{Protocol: wire.IPProtoICMP, Src: peerIP, Dst: ourIP}, b))
}

// Any ICMP error about our SYN ends the connect at once with the errno
// Linux gives (tcp_v4_err, icmp_err_convert): a dial to a host a router
// calls unreachable fails in a millisecond, not after every SYN retry.
func TestTCPICMPErrorsDuringSynSent(t *testing.T) {
	for _, tc := range []struct {
		typ  wire.ICMPType
		code uint8
		want syscall.Errno
	}{
		{wire.ICMPDestUnreachable, wire.ICMPNetUnreachable, syscall.ENETUNREACH},
		{wire.ICMPDestUnreachable, wire.ICMPHostUnreachable, syscall.EHOSTUNREACH},
		{wire.ICMPDestUnreachable, wire.ICMPProtoUnreachable, syscall.ENOPROTOOPT},
		{wire.ICMPDestUnreachable, wire.ICMPPortUnreachable, syscall.ECONNREFUSED},
		{wire.ICMPDestUnreachable, 9, syscall.ENETUNREACH},   // network administratively prohibited
		{wire.ICMPDestUnreachable, 10, syscall.EHOSTUNREACH}, // host administratively prohibited
		{wire.ICMPDestUnreachable, 13, syscall.EHOSTUNREACH}, // communication administratively prohibited
		{wire.ICMPTimeExceeded, wire.ICMPTTLExceeded, syscall.EHOSTUNREACH},
	} {
		s, l := newTestStack(t)
		resolvePeer(t, s, l)
		sk, err := s.DialTCP(netip.AddrPort{}, netip.AddrPortFrom(peerIP, 80), nil)
		if err != nil {
			t.Fatal(err)
		}
		w := l.take()
		if len(w) != 1 {
			t.Fatalf("%d frames after dial, want one SYN", len(w))
		}
		s.inject(t0, icmpAbout(t, w[0], tc.typ, tc.code))
		if !errors.Is(sk.Err(), tc.want) || !sk.Closed() {
			t.Errorf("ICMP %d/%d in SYN-SENT: err %v closed %v; want %v", tc.typ, tc.code, sk.Err(), sk.Closed(), tc.want)
		}
	}
}

// RFC 1122 §4.2.3.9: on an established connection the same errors are
// soft: the connection goes on, and the error is what a later timeout
// reports.
func TestTCPICMPErrorsSoftWhenEstablished(t *testing.T) {
	s, l := newTestStack(t)
	sk := establishedToPeer(t, s, l)
	if _, err := sk.TryWrite([]byte("data")); err != nil {
		t.Fatal(err)
	}
	data := l.take()
	if len(data) != 1 || !sk.Connected() {
		t.Fatalf("%d frames after a write; connected %v", len(data), sk.Connected())
	}
	s.inject(time.Now(), icmpAbout(t, data[0], wire.ICMPDestUnreachable, wire.ICMPHostUnreachable))
	if sk.Err() != nil || sk.Closed() {
		t.Fatalf("host unreachable on an established connection: err %v", sk.Err())
	}
}

// RFC 9293 §3.10.7.1: a segment to a port nobody listens on draws a RST.
func TestTCPClosedPortGetsReset(t *testing.T) {
	s, l := newTestStack(t)
	resolvePeer(t, s, l)
	syn := make([]byte, 20)
	(&wire.TCPFields{SrcPort: 40000, DstPort: 81, Seq: 1000, Flags: wire.TCPFlagSYN, Window: 65535}).Encode(syn, peerIP, ourIP)
	s.inject(t0, fromPeer(ipPacket(wire.IPv4Fields{Protocol: wire.IPProtoTCP, Src: peerIP, Dst: ourIP}, syn)))
	w := l.take()
	if len(w) != 1 {
		t.Fatalf("%d frames, want one RST", len(w))
	}
	th, err := wire.ParseTCP(mustParseIP(t, w[0]).ip.Payload())
	if err != nil {
		t.Fatal(err)
	}
	if th.Flags() != wire.TCPFlagRST|wire.TCPFlagACK || th.Seq() != 0 || th.Ack() != 1001 || th.DstPort() != 40000 {
		t.Errorf("got %v", th)
	}
	if s.Stats().Dropped(DropTCPNoSocket) != 1 || s.Stats().TCPResetsOut != 1 {
		t.Error("not counted")
	}
}

// RFC 5927 §4.1: an ICMP error whose quoted sequence number is not one we
// have outstanding is ignored, so an off-path attacker cannot guess its
// way to killing a connection.
func TestTCPForgedICMPIgnored(t *testing.T) {
	s, l := newTestStack(t)
	resolvePeer(t, s, l)
	sk, err := s.DialTCP(netip.AddrPort{}, netip.AddrPortFrom(peerIP, 80), nil)
	if err != nil {
		t.Fatal(err)
	}
	syn := l.take()[0]
	forged := append([]byte(nil), syn...)
	seq := forged[14+20+4:]
	seq[0] ^= 0x40 // the SYN's sequence number plus 2^30
	s.inject(t0, icmpAbout(t, forged, wire.ICMPDestUnreachable, wire.ICMPPortUnreachable))
	if sk.State() != tcp.SynSent || sk.Err() != nil {
		t.Fatalf("forged port unreachable: state %v, err %v", sk.State(), sk.Err())
	}
}

// A dial to an on-link host that never answers ARP fails with EHOSTUNREACH
// once ARP gives up, as connect(2) does on Linux, rather than after every
// SYN retry.
func TestTCPDialToSilentNeighbourFailsFast(t *testing.T) {
	s, l := newTestStack(t)
	sk, err := s.DialTCP(netip.AddrPort{}, netip.AddrPortFrom(peerIP, 80), nil)
	if err != nil {
		t.Fatal(err)
	}
	l.take()
	for i := 1; i <= 3; i++ {
		s.runTimers(time.Now().Add(time.Duration(i) * 2 * time.Second)) // DialTCP runs on the real clock
	}
	if !errors.Is(sk.Err(), syscall.EHOSTUNREACH) {
		t.Fatalf("err %v, state %v; want EHOSTUNREACH", sk.Err(), sk.State())
	}
}

// establishedToPeer dials the peer's port 80 and completes the handshake
// with a crafted SYN-ACK.
func establishedToPeer(t *testing.T, s *Stack, l *captureLink) *TCPSocket {
	t.Helper()
	resolvePeer(t, s, l)
	sk, err := s.DialTCP(netip.AddrPort{}, netip.AddrPortFrom(peerIP, 80), nil)
	if err != nil {
		t.Fatal(err)
	}
	syn := mustParseIP(t, l.take()[0])
	th, _ := wire.ParseTCP(syn.ip.Payload())
	synAck := wire.TCPFields{SrcPort: 80, DstPort: th.SrcPort(), Seq: 5000, Ack: th.Seq() + 1,
		Flags: wire.TCPFlagSYN | wire.TCPFlagACK, Window: 65535, Options: wire.TCPOptions{MSS: 1460}}
	b := make([]byte, synAck.Len())
	synAck.Encode(b, peerIP, ourIP)
	s.inject(time.Now(), fromPeer(ipPacket(wire.IPv4Fields{Protocol: wire.IPProtoTCP, Src: peerIP, Dst: ourIP}, b)))
	l.take()
	return sk
}

// Linux's IP_PMTUDISC_DONT: with path MTU discovery off a connection's
// segments leave without DF, each datagram with its own identification,
// and "fragmentation needed" no longer lowers its MSS.
func TestTCPPathMTUDiscoveryOff(t *testing.T) {
	s, l := newTestStack(t)
	sk := establishedToPeer(t, s, l)
	sk.SetPathMTUDiscovery(false)
	sk.TryWrite(make([]byte, 3000))
	w := l.take()
	if len(w) < 2 {
		t.Fatalf("%d segments for 3000 bytes", len(w))
	}
	ids := map[uint16]bool{}
	for _, f := range w {
		ip := mustParseIP(t, f).ip
		if ip.DontFragment() {
			t.Fatal("a segment left with DF set")
		}
		ids[ip.ID()] = true
	}
	if len(ids) != len(w) {
		t.Fatalf("%d IP identifications for %d datagrams", len(ids), len(w))
	}
	b := make([]byte, wire.ICMPv4HeaderLen+28)
	copy(b[wire.ICMPv4HeaderLen:], mustParseIP(t, w[0]).ip[:28])
	(&wire.ICMPv4Fields{Type: wire.ICMPDestUnreachable, Code: wire.ICMPFragNeeded, Rest: wire.MTURest(1000)}).Encode(b)
	s.inject(time.Now(), fromPeer(ipPacket(wire.IPv4Fields{Protocol: wire.IPProtoICMP, Src: peerIP, Dst: ourIP}, b)))
	if mss := sk.Info().PathMSS; mss != 1460 {
		t.Fatalf("path MSS %d after fragmentation needed with discovery off", mss)
	}
}
