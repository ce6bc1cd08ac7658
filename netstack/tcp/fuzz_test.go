package tcp

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/renet-go/renet/netstack/wire"
)

// fuzzConn brings a Conn into state s (by index) against a scripted peer.
func fuzzConn(t *testing.T, s byte, cfg Config) *Conn {
	peer := wire.TCPOptions{MSS: 536, HasWindowScale: true, WindowScale: 2, SACKPermitted: true, HasTimestamps: true, TSVal: 100}
	ts := func(c *Conn) wire.TCPOptions {
		return wire.TCPOptions{HasTimestamps: true, TSVal: 101, TSEcr: c.tsClock(t0)}
	}
	c := NewConn(cfg)
	switch s % 11 {
	case 0:
		return c
	case 1:
		c.Listen()
		c.SetISS(ourISS)
		return c
	case 2:
		c.Connect(t0, ourISS)
		drain(t, c, t0)
		return c
	case 3:
		c.Listen()
		c.SetISS(ourISS)
		c.Input(t0, &Segment{Seq: peerISS, Flags: SYN, Window: 1000, Options: peer})
		drain(t, c, t0)
		return c
	}
	c.Connect(t0, ourISS)
	drain(t, c, t0)
	c.Input(t0, &Segment{Seq: peerISS, Ack: ourISS + 1, Flags: SYN | ACK, Window: 1000, Options: peer})
	c.Write(pattern(3000, 0))
	drain(t, c, t0)
	ack := func(a Seq, fl wire.TCPFlags) {
		c.Input(t0, &Segment{Seq: peerISS + 1, Ack: a, Flags: ACK | fl, Window: 1000, Options: ts(c)})
		drain(t, c, t0)
	}
	switch s % 11 {
	case 5: // FIN-WAIT-1
		c.CloseWrite()
		drain(t, c, t0)
	case 6: // FIN-WAIT-2
		c.CloseWrite()
		drain(t, c, t0)
		ack(c.sndMax, 0)
	case 7: // CLOSE-WAIT
		ack(ourISS+1, FIN)
	case 8: // CLOSING
		c.CloseWrite()
		drain(t, c, t0)
		ack(ourISS+1, FIN)
	case 9: // LAST-ACK
		ack(ourISS+1, FIN)
		c.CloseWrite()
		drain(t, c, t0)
	case 10: // TIME-WAIT
		c.CloseWrite()
		drain(t, c, t0)
		ack(c.sndMax, FIN)
	}
	return c
}

// FuzzConnInput feeds arbitrary segments, timer runs and user calls to a
// Conn in each state and checks that it never panics and keeps its
// invariants: SND.UNA <= SND.NXT <= SND.MAX, buffers within bounds, output
// segments within the sender MSS.
func FuzzConnInput(f *testing.F) {
	f.Add(byte(4), []byte{0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add(byte(3), []byte{0x10, 0, 1, 0, 0, 0, 1, 0xff, 0xff, 0x20, 0, 0, 0, 0, 10, 0})
	f.Add(byte(2), []byte{0x12, 0, 0, 0, 0, 0, 1, 0, 1, 0x0f, 0, 0, 0, 0, 0, 0})
	f.Add(byte(10), []byte{0x11, 0, 0, 0, 0, 0, 0, 0, 1, 0x04, 0, 0, 0, 0, 0, 0})
	// SACK blocks: a D-SACK below SND.UNA, then overlapping ones.
	f.Add(byte(4), []byte{0x10, 0, 0, 0, 0, 0, 1, 0, 0, 0x30, 0xff, 0x02, 0x01, 0x04, 0, 0,
		0x10, 0, 0, 0, 0, 0, 1, 0, 0, 0x70, 0x01, 0x10, 0x01, 0x20, 0, 50})
	f.Add(byte(5), []byte{0x14, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 200})
	payload := pattern(2048, 7)
	f.Fuzz(func(t *testing.T, state byte, script []byte) {
		cfg := Config{RecvBufSize: 4096, SendBufSize: 4096}
		if state&0x80 != 0 {
			cfg = Config{DisableTimestamps: true, DisableSACK: true, DisableWindowScale: true, RecvBufSize: 4096, Nagle: true}
		}
		c := fuzzConn(t, state&0x7f, cfg)
		now := t0
		buf := make([]byte, 1500)
		rd := make([]byte, 768)
		for len(script) >= 16 {
			r := script[:16]
			script = script[16:]
			now = now.Add(time.Duration(r[15]) * time.Millisecond)
			switch r[14] % 8 {
			case 0, 1, 2, 3: // a segment
				seg := Segment{
					Flags:  wire.TCPFlags(r[0]),
					Seq:    c.rcvNxt.Add(int(int16(binary.BigEndian.Uint16(r[1:])))),
					Ack:    c.sndUna.Add(int(int16(binary.BigEndian.Uint16(r[3:])))),
					Window: binary.BigEndian.Uint16(r[5:]),
				}
				if r[14]&0x80 != 0 {
					seg.Seq = Seq(binary.BigEndian.Uint32(r[1:]))
				}
				o := r[9]
				if o&1 != 0 {
					seg.Options.MSS = uint16(r[10]) << 4
				}
				if o&2 != 0 {
					seg.Options.HasWindowScale, seg.Options.WindowScale = true, r[11]
				}
				seg.Options.SACKPermitted = o&4 != 0
				if o&8 != 0 {
					seg.Options.HasTimestamps = true
					seg.Options.TSVal = c.tsRecent + uint32(int8(r[12]))
					seg.Options.TSEcr = c.tsClock(now) - uint32(r[13])
				}
				if o&0x70 != 0 {
					// Hostile SACK blocks: overlapping, reversed, below
					// SND.UNA (D-SACK), beyond SND.MAX, absurdly far, and
					// a count larger than the blocks that fit.
					seg.Options.NumSACK = int(o>>4) & 7
					for i := 0; i < min(seg.Options.NumSACK, len(seg.Options.SACK)); i++ {
						s := c.sndUna.Add(int(int8(r[10+i])) * 64)
						e := s.Add(int(int8(r[11+i])) * 32)
						if o&0x80 != 0 && i == 0 {
							s, e = Seq(binary.BigEndian.Uint32(r[1:])), Seq(binary.BigEndian.Uint32(r[5:]))
						}
						seg.Options.SACK[i] = wire.SACKBlock{Start: uint32(s), End: uint32(e)}
					}
				}
				seg.Payload = payload[:int(r[8])*8]
				c.Input(now, &seg)
			case 4:
				c.Tick(now)
			case 5:
				c.Write(payload[:int(r[8])*8])
			case 6:
				c.Read(rd[:max(int(r[8])*3, 1)])
			case 7:
				switch r[8] % 7 {
				case 0:
					c.CloseWrite()
				case 1:
					c.Close()
				case 2:
					c.SetRecvBufSize(int(r[9]) * 100)
				case 3:
					c.LowerMSS(now, int(r[9])*8) // ICMP fragmentation needed
				case 4:
					c.SetCongestionControl([]string{"cubic", "reno", "bogus"}[r[9]%3])
				case 5:
					c.SetSendBufSize(int(r[9]) * 100)
				default:
					c.Tick(c.Deadline())
				}
			}
			if err := c.checkInvariants(); err != nil {
				t.Fatalf("after record %x: %v", r, err)
			}
			var seg Segment
			for i := 0; c.Output(now, &seg, buf); i++ {
				if i > 100 {
					t.Fatal("Output never returns false")
				}
				if len(seg.Payload) > 0 && len(seg.Payload) > int(min(c.sndMSS, c.cfg.MSS)) {
					t.Fatalf("segment of %d bytes exceeds the MSS %d", len(seg.Payload), c.sndMSS)
				}
				if err := c.checkInvariants(); err != nil {
					t.Fatalf("after output %v: %v", seg, err)
				}
			}
		}
	})
}
