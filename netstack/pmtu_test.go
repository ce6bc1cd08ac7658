package netstack

import (
	"net/netip"
	"testing"
	"time"

	"github.com/renet-go/renet/netstack/wire"
)

// RFC 1191: an ICMP "fragmentation needed" quoting a segment in flight
// lowers the connection's MSS to fit the next hop, and the data is resent
// at once in packets that fit; RFC 5927 checks still apply (the quote must
// be of data in flight).
func TestTCPPathMTUFromICMP_RFC1191(t *testing.T) {
	s, l := newTestStack(t)
	resolvePeer(t, s, l)
	sk, err := s.DialTCP(netip.AddrPort{}, netip.AddrPortFrom(peerIP, 80), nil)
	if err != nil {
		t.Fatal(err)
	}
	syn := mustParseIP(t, l.take()[0])
	st, _ := wire.ParseTCP(syn.ip.Payload())
	synAck := make([]byte, 24)
	(&wire.TCPFields{SrcPort: 80, DstPort: st.SrcPort(), Seq: 5000, Ack: st.Seq() + 1,
		Flags: wire.TCPFlagSYN | wire.TCPFlagACK, Window: 65535, Options: wire.TCPOptions{MSS: 1460}}).Encode(synAck, peerIP, ourIP)
	now := time.Now()
	s.inject(now, fromPeer(ipPacket(wire.IPv4Fields{Protocol: wire.IPProtoTCP, Src: peerIP, Dst: ourIP}, synAck)))
	if !sk.Connected() {
		t.Fatal("handshake did not complete")
	}
	l.take()
	if _, err := sk.TryWrite(make([]byte, 4000)); err != nil {
		t.Fatal(err)
	}
	sent := l.take()
	if len(sent) != 3 || len(mustParseIP(t, sent[0]).ip) != 1500 {
		t.Fatalf("%d frames, first of %d bytes; want full-sized segments", len(sent), len(mustParseIP(t, sent[0]).ip))
	}
	frag := func(mtu uint16) []byte {
		p := mustParseIP(t, sent[0])
		quote := p.ip[:p.ip.HeaderLen()+8]
		b := make([]byte, wire.ICMPv4HeaderLen+len(quote))
		copy(b[wire.ICMPv4HeaderLen:], quote)
		(&wire.ICMPv4Fields{Type: wire.ICMPDestUnreachable, Code: wire.ICMPFragNeeded, Rest: wire.MTURest(mtu)}).Encode(b)
		return fromPeer(ipPacket(wire.IPv4Fields{Protocol: wire.IPProtoICMP, Src: peerIP, Dst: ourIP}, b))
	}
	s.inject(now, frag(40)) // below IPv4's minimum: bogus
	if got := sk.Info().PathMSS; got != 1460 {
		t.Fatalf("a bogus MTU moved the MSS to %d", got)
	}
	s.inject(now, frag(1000))
	resent := l.take()
	if len(resent) == 0 {
		t.Fatal("nothing resent after fragmentation needed")
	}
	for _, f := range resent {
		if n := len(mustParseIP(t, f).ip); n > 1000 {
			t.Fatalf("resent a %d-byte packet past a 1000-byte MTU", n)
		}
	}
	if got := sk.Info().PathMSS; got != 960 || s.Stats().TCPPathMTUUpdates != 1 {
		t.Fatalf("path MSS %d, updates %d; want 960 and 1", got, s.Stats().TCPPathMTUUpdates)
	}
	if sk.Err() != nil {
		t.Fatalf("fragmentation needed is not an error: %v", sk.Err())
	}
}
