package tcp

import (
	"net/netip"
	"testing"
	"time"

	"github.com/renet-go/renet/netstack/wire"
)

var (
	cookieLocal  = netip.MustParseAddrPort("192.168.69.1:80")
	cookieRemote = netip.MustParseAddrPort("192.168.69.100:40000")
)

func cookieGen() *ISNGenerator { return NewISNGenerator([16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9}) }

// cookieHandshake answers a SYN with peer's options by a cookie SYN-ACK at
// t0 and completes it with the ACK a peer would send at ackAt, carrying
// payload. It returns the SYN-ACK and the rebuilt Conn (nil if rejected).
func cookieHandshake(t *testing.T, cfg Config, peer wire.TCPOptions, ackAt time.Time, payload []byte) (Segment, *Conn) {
	t.Helper()
	g := cookieGen()
	var synAck Segment
	g.CookieSYNACK(cfg, cookieLocal, cookieRemote, &Segment{Seq: peerISS, Flags: SYN, Window: 65535, Options: peer}, t0, &synAck)
	ack := Segment{Seq: peerISS + 1, Ack: synAck.Seq + 1, Flags: ACK, Window: 1000, Payload: payload}
	if synAck.Options.HasTimestamps {
		ack.Options = wire.TCPOptions{HasTimestamps: true, TSVal: peer.TSVal + 1, TSEcr: synAck.Options.TSVal}
	}
	c := g.CookieConn(cfg, cookieLocal, cookieRemote, &ack, ackAt)
	if c != nil {
		send(t, c, ackAt, ack)
	}
	return synAck, c
}

// RFC 4987 §3.6: a connection rebuilt from a cookie has what the SYNs
// negotiated. The MSS is rounded down to one the cookie can name; window
// scale and SACK travel in the timestamp, so without timestamps the
// SYN-ACK offers neither (as Linux does).
func TestCookieRestoresOptions_RFC4987_3_6(t *testing.T) {
	full := wire.TCPOptions{MSS: 1460, HasWindowScale: true, WindowScale: 9, SACKPermitted: true, HasTimestamps: true, TSVal: 5000}
	for _, tc := range []struct {
		name          string
		peer          wire.TCPOptions
		mss           int
		ts, sack, ws  bool
		sndWscale     uint8
		synAckOptions wire.TCPOptions
	}{
		{"all", full, 1460, true, true, true, 9, wire.TCPOptions{MSS: 1460, HasWindowScale: true, WindowScale: 7, SACKPermitted: true, HasTimestamps: true}},
		{"no-sack", wire.TCPOptions{MSS: 1400, HasWindowScale: true, WindowScale: 2, HasTimestamps: true, TSVal: 9}, 1300, true, false, true, 2,
			wire.TCPOptions{MSS: 1460, HasWindowScale: true, WindowScale: 7, HasTimestamps: true}},
		{"ts-only", wire.TCPOptions{MSS: 9000, HasTimestamps: true, TSVal: 1}, 1460, true, false, false, 0,
			wire.TCPOptions{MSS: 1460, HasTimestamps: true}},
		{"no-ts", wire.TCPOptions{MSS: 1440, HasWindowScale: true, WindowScale: 7, SACKPermitted: true}, 1440, false, false, false, 0,
			wire.TCPOptions{MSS: 1460}},
		{"no-mss", wire.TCPOptions{}, 536, false, false, false, 0, wire.TCPOptions{MSS: 1460}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synAck, c := cookieHandshake(t, Config{}, tc.peer, t0.Add(ms(20)), []byte("hello"))
			got := synAck.Options
			got.TSVal, got.TSEcr = 0, 0
			if got != tc.synAckOptions {
				t.Fatalf("SYN-ACK options %+v, want %+v", got, tc.synAckOptions)
			}
			if synAck.Options.HasTimestamps && synAck.Options.TSEcr != tc.peer.TSVal {
				t.Fatalf("SYN-ACK TSecr %d, want the SYN's TSval %d", synAck.Options.TSEcr, tc.peer.TSVal)
			}
			if c == nil {
				t.Fatal("a valid cookie was rejected")
			}
			expectState(t, c, Established)
			in := c.Info()
			if in.SndMSS != tc.mss || in.Timestamps != tc.ts || in.SACK != tc.sack || in.WindowScale != tc.ws || in.SndWscale != tc.sndWscale {
				t.Fatalf("negotiated mss %d ts %v sack %v ws %v/%d; want %d %v %v %v/%d",
					in.SndMSS, in.Timestamps, in.SACK, in.WindowScale, in.SndWscale, tc.mss, tc.ts, tc.sack, tc.ws, tc.sndWscale)
			}
			if !in.SYNCookie || in.SndWnd != 1000<<tc.sndWscale {
				t.Fatalf("cookie %v, send window %d", in.SYNCookie, in.SndWnd)
			}
			if in.SRTT != 0 {
				t.Fatalf("SRTT %v from a cookie handshake; its timestamp is not ours to time", in.SRTT)
			}
			// The data on the ACK was taken.
			if got := readAll(t, c); string(got) != "hello" {
				t.Fatalf("read %q", got)
			}
		})
	}
}

// A cookie's timestamp bits never put our clock ahead of itself: the next
// segment's TSval is not below the SYN-ACK's (RFC 7323 §5.4 monotonicity).
func TestCookieTimestampNotAhead(t *testing.T) {
	peer := wire.TCPOptions{MSS: 1460, HasWindowScale: true, WindowScale: 14, SACKPermitted: true, HasTimestamps: true, TSVal: 5}
	synAck, c := cookieHandshake(t, Config{}, peer, t0, nil)
	if c == nil {
		t.Fatal("rejected")
	}
	c.Write([]byte("x"))
	seg := recv(t, c, t0)
	if int32(seg.Options.TSVal-synAck.Options.TSVal) < 0 {
		t.Fatalf("TSval went back from %d to %d", synAck.Options.TSVal, seg.Options.TSVal)
	}
}

// Cookies expire after two periods of the cookie clock, and any change to
// the cookie, the peer's ISN or the 4-tuple fails the check.
func TestCookieRejects(t *testing.T) {
	g := cookieGen()
	var synAck Segment
	syn := Segment{Seq: peerISS, Flags: SYN, Options: wire.TCPOptions{MSS: 1460}}
	g.CookieSYNACK(Config{}, cookieLocal, cookieRemote, &syn, t0, &synAck)
	good := Segment{Seq: peerISS + 1, Ack: synAck.Seq + 1, Flags: ACK}
	if g.CookieConn(Config{}, cookieLocal, cookieRemote, &good, t0.Add(cookiePeriod)) == nil {
		t.Fatal("a cookie one period old was rejected")
	}
	other := netip.MustParseAddrPort("192.168.69.100:40001")
	for _, tc := range []struct {
		name   string
		ack    Segment
		remote netip.AddrPort
		at     time.Time
	}{
		{"expired", good, cookieRemote, t0.Add(3 * cookiePeriod)},
		{"from the future", good, cookieRemote, t0.Add(-2 * cookiePeriod)},
		{"cookie+1", Segment{Seq: good.Seq, Ack: good.Ack + 1, Flags: ACK}, cookieRemote, t0},
		{"cookie+1<<24", Segment{Seq: good.Seq, Ack: good.Ack + 1<<24, Flags: ACK}, cookieRemote, t0},
		// The peer's ISN enters the cookie linearly (a neighbouring ISN
		// may name a neighbouring MSS, as in Linux): only an off-path
		// guess must fail.
		{"other ISN", Segment{Seq: good.Seq + 1<<20, Ack: good.Ack, Flags: ACK}, cookieRemote, t0},
		{"other port", good, other, t0},
		{"RST", Segment{Seq: good.Seq, Ack: good.Ack, Flags: ACK | RST}, cookieRemote, t0},
		{"SYN", Segment{Seq: good.Seq, Ack: good.Ack, Flags: ACK | SYN}, cookieRemote, t0},
	} {
		if g.CookieConn(Config{}, cookieLocal, tc.remote, &tc.ack, tc.at) != nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
	// A blind guess succeeds with probability len(cookieMSS)/2^24 per try.
	accepted := 0
	for i := range 1 << 16 {
		ack := Segment{Seq: good.Seq, Ack: good.Ack + Seq(i*977+1), Flags: ACK}
		if g.CookieConn(Config{}, cookieLocal, cookieRemote, &ack, t0) != nil {
			accepted++
		}
	}
	if accepted > 2 {
		t.Errorf("%d of 65536 guessed cookies accepted", accepted)
	}
}

// Building a cookie SYN-ACK keeps no state and allocates nothing: a flood
// costs only CPU.
func TestCookieSYNACKAllocs(t *testing.T) {
	g := cookieGen()
	syn := Segment{Seq: peerISS, Flags: SYN, Options: wire.TCPOptions{MSS: 1460, HasTimestamps: true, SACKPermitted: true}}
	var out Segment
	cfg := Config{}
	if n := testing.AllocsPerRun(100, func() { g.CookieSYNACK(cfg, cookieLocal, cookieRemote, &syn, t0, &out) }); n != 0 {
		t.Fatalf("%v allocations per cookie", n)
	}
}
