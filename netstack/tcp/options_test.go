package tcp

import (
	"testing"

	"github.com/renet-go/renet/netstack/wire"
)

// RFC 7323 §2.2-§2.3: window scaling is used only if both SYNs carry the
// option; the shift we offer fits RecvBufMax; shifts above 14 are taken
// as 14.
func TestWindowScale_RFC7323_2(t *testing.T) {
	cfg := Config{DisableSACK: true, DisableTimestamps: true, RecvBufSize: 1 << 20, RecvBufMax: 1 << 20}
	// The peer does not scale: nor do we, and our window is capped at 65535.
	c := connectEstablished(t, cfg, wire.TCPOptions{MSS: 1460})
	send(t, c, t0, Segment{Seq: peerISS + 1, Ack: ourISS + 1, Flags: ACK, Window: 1000, Payload: []byte("x")})
	c.Tick(t0.Add(ms(50))) // the delayed ACK
	s := recv(t, c, t0.Add(ms(50)))
	if s.Window != 65534 || c.Info().SndWnd != 1000 { // capped at 65535, less the byte received
		t.Fatalf("unscaled: advertised %d, peer window %d", s.Window, c.Info().SndWnd)
	}
	// Both scale; the peer asks for 20, which counts as 14.
	c = connectEstablished(t, cfg, wire.TCPOptions{MSS: 1460, HasWindowScale: true, WindowScale: 20})
	send(t, c, t0, Segment{Seq: peerISS + 1, Ack: ourISS + 1, Flags: ACK, Window: 3, Payload: []byte("x")})
	c.Tick(t0.Add(ms(50)))
	s = recv(t, c, t0.Add(ms(50)))
	if c.Info().SndWnd != 3<<14 {
		t.Fatalf("peer window %d, want 3<<14", c.Info().SndWnd)
	}
	if wscaleFor(1<<20) != 5 || s.Window != uint16((1<<20-1)>>5) {
		t.Fatalf("advertised %d with shift %d", s.Window, wscaleFor(1<<20))
	}
}

// RFC 7323 §3-§4: with timestamps negotiated every segment carries TSval
// and echoes TS.Recent; TS.Recent follows the rule of §4.3 (only segments
// covering Last.ACK.sent update it); the RTT comes from TSecr (§4.1).
func TestTimestamps_RFC7323_4(t *testing.T) {
	cfg := Config{DisableSACK: true, DisableWindowScale: true, RecvBufSize: 65535}
	c := NewConn(cfg)
	c.Connect(t0, ourISS)
	syn := recv(t, c, t0)
	base := syn.Options.TSVal
	send(t, c, t0.Add(ms(20)), Segment{Seq: peerISS, Ack: ourISS + 1, Flags: SYN | ACK, Window: 65535,
		Options: wire.TCPOptions{MSS: 1460, HasTimestamps: true, TSVal: 5000, TSEcr: base}})
	ack := recv(t, c, t0.Add(ms(20)))
	if !ack.Options.HasTimestamps || ack.Options.TSEcr != 5000 || ack.Options.TSVal != base+20 {
		t.Fatalf("ACK timestamps %v", ack)
	}
	c.Write(pattern(100, 0))
	d := recv(t, c, t0.Add(ms(30)))
	if len(d.Payload) != 100 || d.Options.TSVal != base+30 || d.Options.TSEcr != 5000 {
		t.Fatalf("data segment %v", d)
	}
	// The ACK echoes TSval base+30 at t0+110: an 80ms sample.
	send(t, c, t0.Add(ms(110)), Segment{Seq: peerISS + 1, Ack: ourISS + 101, Flags: ACK, Window: 65535,
		Options: wire.TCPOptions{HasTimestamps: true, TSVal: 5010, TSEcr: base + 30}})
	if st := c.Info(); st.SRTT != (7*ms(20)+ms(80))/8 {
		t.Fatalf("SRTT %v after samples of 20ms and 80ms", st.SRTT)
	}
	// Out-of-order data (beyond Last.ACK.sent) must not update TS.Recent.
	send(t, c, t0.Add(ms(120)), Segment{Seq: peerISS + 11, Ack: ourISS + 101, Flags: ACK, Window: 65535,
		Options: wire.TCPOptions{HasTimestamps: true, TSVal: 6000, TSEcr: base + 30}, Payload: []byte("later")})
	if o := recv(t, c, t0.Add(ms(120))); o.Options.TSEcr != 5010 {
		t.Fatalf("TS.Recent updated by an out-of-order segment: echo %d", o.Options.TSEcr)
	}
	// In-order data does.
	send(t, c, t0.Add(ms(130)), Segment{Seq: peerISS + 1, Ack: ourISS + 101, Flags: ACK, Window: 65535,
		Options: wire.TCPOptions{HasTimestamps: true, TSVal: 6001, TSEcr: base + 30}, Payload: []byte("0123456789")})
	if o := recv(t, c, t0.Add(ms(130))); o.Options.TSEcr != 6001 {
		t.Fatalf("echo %d, want 6001", o.Options.TSEcr)
	}
	// RFC 7323 §3.2: a non-RST segment without timestamps is dropped.
	send(t, c, t0.Add(ms(140)), Segment{Seq: peerISS + 16, Ack: ourISS + 101, Flags: ACK, Window: 65535, Payload: []byte("z")})
	recvNothing(t, c, t0.Add(ms(140)))
	if got := string(readAll(t, c)); got != "0123456789later" {
		t.Fatalf("read %q", got)
	}
}

// RFC 7323 §5.3: PAWS drops a segment whose TSval is older than TS.Recent
// and answers with an ACK.
func TestPAWS_RFC7323_5_3(t *testing.T) {
	cfg := Config{DisableSACK: true, DisableWindowScale: true, RecvBufSize: 65535}
	c := connectEstablished(t, cfg, wire.TCPOptions{MSS: 1460, HasTimestamps: true, TSVal: 1000})
	send(t, c, t0, Segment{Seq: peerISS + 1, Ack: ourISS + 1, Flags: ACK, Window: 65535,
		Options: wire.TCPOptions{HasTimestamps: true, TSVal: 999}, Payload: []byte("stale")})
	a := recv(t, c, t0)
	if a.Ack != peerISS+1 || a.Options.TSEcr != 1000 {
		t.Fatalf("PAWS reply %v", a)
	}
	if c.Readable() || c.Info().PAWSRejected != 1 {
		t.Fatal("PAWS did not reject the old segment")
	}
	// A wrapped but newer TSval passes.
	send(t, c, t0, Segment{Seq: peerISS + 1, Ack: ourISS + 1, Flags: ACK, Window: 65535,
		Options: wire.TCPOptions{HasTimestamps: true, TSVal: 1000 + 1<<31 - 1}, Payload: []byte("fresh")})
	if got := string(readAll(t, c)); got != "fresh" {
		t.Fatalf("read %q", got)
	}
}

// RFC 2018 §4: out-of-order data is reported in SACK blocks, the first
// block holding the most recently received segment, at most 3 blocks
// beside timestamps and 4 without.
func TestSACKBlocks_RFC2018_4(t *testing.T) {
	for _, ts := range []bool{false, true} {
		cfg := Config{DisableWindowScale: true, DisableTimestamps: !ts, RecvBufSize: 65535}
		peer := wire.TCPOptions{MSS: 1460, SACKPermitted: true, HasTimestamps: ts, TSVal: 1}
		c := connectEstablished(t, cfg, peer)
		r := peerISS + 1
		seg := func(off, n int) Segment {
			return Segment{Seq: r.Add(off), Ack: ourISS + 1, Flags: ACK, Window: 65535,
				Options: wire.TCPOptions{HasTimestamps: ts, TSVal: 2}, Payload: pattern(n, byte(off))}
		}
		blocks := func(s Segment) []wire.SACKBlock { return s.Options.SACK[:s.Options.NumSACK] }
		// Holes at [0,100), [200,300), [400,500), [600,700), [800,900).
		order := []int{200, 600, 400, 800, 1000}
		var last Segment
		for _, off := range order {
			send(t, c, t0, seg(off, 100))
			last = recv(t, c, t0) // out of order: ACK at once
			if last.Ack != r {
				t.Fatalf("ACK %d, want RCV.NXT %d", last.Ack, r)
			}
			b := blocks(last)
			if len(b) == 0 || b[0] != (wire.SACKBlock{Start: uint32(r.Add(off)), End: uint32(r.Add(off + 100))}) {
				t.Fatalf("first block %v, want the segment at %d", b, off)
			}
		}
		want := []int{1000, 800, 400, 600}
		if ts {
			want = want[:3]
		}
		b := blocks(last)
		if len(b) != len(want) {
			t.Fatalf("ts=%v: %d blocks, want %d", ts, len(b), len(want))
		}
		for i, off := range want {
			if b[i].Start != uint32(r.Add(off)) {
				t.Fatalf("ts=%v: block %d = %v, want start at %d", ts, i, b[i], off)
			}
		}
		// Adjacent data merges blocks: [600,700) + [700,800) + [800,900).
		send(t, c, t0, seg(700, 100))
		b = blocks(recv(t, c, t0))
		if b[0] != (wire.SACKBlock{Start: uint32(r.Add(600)), End: uint32(r.Add(900))}) {
			t.Fatalf("merged block %v", b[0])
		}
	}
}

// SACK blocks received from the peer fill the scoreboard (RFC 2018 §3);
// blocks outside (SND.UNA, SND.MAX] are ignored; the scoreboard follows
// the cumulative ACK.
func TestSACKScoreboard_RFC2018_3(t *testing.T) {
	cfg := Config{DisableWindowScale: true, DisableTimestamps: true, RecvBufSize: 65535}
	c := connectEstablished(t, cfg, wire.TCPOptions{MSS: 1000, SACKPermitted: true})
	c.Write(pattern(5000, 0))
	for i := 0; i < 5; i++ {
		recv(t, c, t0)
	}
	u := ourISS + 1
	sack := func(ack Seq, blocks ...[2]int) Segment {
		s := Segment{Seq: peerISS + 1, Ack: ack, Flags: ACK, Window: 65535}
		for _, b := range blocks {
			s.Options.SACK[s.Options.NumSACK] = wire.SACKBlock{Start: uint32(u.Add(b[0])), End: uint32(u.Add(b[1]))}
			s.Options.NumSACK++
		}
		return s
	}
	send(t, c, t0, sack(u, [2]int{1000, 2000}, [2]int{3000, 4000}, [2]int{4000, 9000}, [2]int{-500, 0}))
	if got := c.Info().SACKedBytes; got != 2000 {
		t.Fatalf("SACKed %d bytes, want 2000 (the invalid blocks ignored)", got)
	}
	if !c.isSACKed(u.Add(1500)) || c.isSACKed(u.Add(2500)) {
		t.Fatal("scoreboard contents wrong")
	}
	send(t, c, t0, sack(u.Add(1500), [2]int{2000, 3000}))
	if got := c.Info().SACKedBytes; got != 2500 { // [1500,3000) merged... and [3000,4000)
		t.Fatalf("SACKed %d bytes after the ACK, want 2500", got)
	}
	if !c.isSACKed(u.Add(2500)) || c.isSACKed(u.Add(4500)) {
		t.Fatal("scoreboard contents wrong after the ACK")
	}
}

// isSACKed reports whether the byte with sequence number q was SACKed.
func (c *Conn) isSACKed(q Seq) bool {
	i := c.loss.recs.search(q)
	return i < c.loss.recs.n && c.loss.recs.at(i).start.LessEq(q) && c.loss.recs.at(i).has(recSACKed)
}
