package cc

import (
	"encoding/binary"
	"math"
	"testing"
	"time"
)

// fuzzReader hands out the fuzzer's bytes as numbers, zeros once they run
// out, so every input decodes to some sequence of events.
type fuzzReader []byte

func (r *fuzzReader) u8() uint8 {
	if len(*r) == 0 {
		return 0
	}
	v := (*r)[0]
	*r = (*r)[1:]
	return v
}

func (r *fuzzReader) u32() uint32 {
	var b [4]byte
	for i := range b {
		b[i] = r.u8()
	}
	return binary.LittleEndian.Uint32(b[:])
}

// size picks a byte count that is usually ordinary and sometimes extreme.
func (r *fuzzReader) size() int {
	switch v := r.u32(); v % 8 {
	case 0:
		return 0
	case 1:
		return math.MaxInt - int(v%16)
	case 2:
		return -int(v % 1000)
	default:
		return int(v % (1 << 22))
	}
}

// duration picks a time span, sometimes zero, negative or enormous.
func (r *fuzzReader) duration() time.Duration {
	switch v := r.u32(); v % 8 {
	case 0:
		return 0
	case 1:
		return math.MaxInt64 - time.Duration(v%16)
	case 2:
		return -time.Duration(v) * time.Millisecond
	default:
		return time.Duration(v%(1<<20)) * time.Microsecond
	}
}

// FuzzControllers feeds one random sequence of events to NewReno (with and
// without HyStart++) and CUBIC, and checks after every event that nothing
// panicked, cwnd stays in [SMSS, MaxWindow], ssthresh is at least 2*SMSS,
// and OnAck never shrinks cwnd.
func FuzzControllers(f *testing.F) {
	f.Add(uint16(1460), []byte{})
	f.Add(uint16(1000), []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
	f.Add(uint16(1), []byte{1, 0, 0, 0, 0, 0, 0, 0, 0, 4, 2, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0})
	f.Add(uint16(0), []byte{0, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255})
	f.Add(uint16(65535), []byte{7, 9, 0, 0, 0, 1, 0, 0, 0, 6, 5, 4, 3, 2, 1})
	f.Fuzz(func(t *testing.T, smss uint16, data []byte) {
		reno := NewNewReno(int(smss))
		renoHS := NewNewReno(int(smss))
		renoHS.SetHyStart(true)
		ctls := []Controller{reno, renoHS, NewCUBIC(int(smss))}
		mss := []func() int{
			func() int { return reno.w.smss },
			func() int { return renoHS.w.smss },
			func() int { return ctls[2].(*CUBIC).w.smss },
		}
		r := fuzzReader(data)
		now := base
		var delivered, sentHigh int64
		for len(r) > 0 {
			op := r.u8()
			now = now.Add(r.duration() / 16)
			switch op % 9 {
			case 0, 1, 2, 3: // ACKs are the common event
				a := Ack{
					Now: now, Acked: r.size(), RTT: r.duration(),
					SRTT: r.duration(), MinRTT: r.duration(),
					InFlight: r.size(), AppLimited: op&0x80 != 0,
				}
				delivered += int64(max(a.Acked%(1<<24), 0))
				sentHigh = max(sentHigh, delivered) + int64(r.u8())*1000
				a.Delivered, a.SentHigh = delivered, sentHigh
				for i, c := range ctls {
					before := c.Window()
					c.OnAck(a)
					if c.Window() < before {
						t.Fatalf("%s: OnAck(%+v) shrank cwnd %d -> %d", c.Name(), a, before, c.Window())
					}
					check(t, c, mss[i]())
				}
				continue
			}
			inFlight, repeat, n := r.size(), op&0x80 != 0, r.size()
			for i, c := range ctls {
				switch op % 9 {
				case 4:
					c.OnCongestion(now, inFlight)
				case 5:
					c.SetWindow(n)
				case 6:
					c.OnRTO(now, inFlight, repeat)
				case 7:
					c.Undo()
				case 8:
					if repeat {
						c.SetMSS(n % 70000)
					} else {
						c.OnIdle(now)
					}
				}
				check(t, c, mss[i]())
			}
		}
	})
}

func check(t *testing.T, c Controller, smss int) {
	t.Helper()
	if w := c.Window(); w < smss || w > MaxWindow {
		t.Fatalf("%s: cwnd %d outside [%d, %d]", c.Name(), w, smss, MaxWindow)
	}
	if ss := c.Threshold(); ss < 2*smss || ss > MaxWindow {
		t.Fatalf("%s: ssthresh %d outside [%d, %d]", c.Name(), ss, 2*smss, MaxWindow)
	}
	if cu, ok := c.(*CUBIC); ok {
		for _, v := range []float64{cu.c.wMax, cu.c.k, cu.c.wEst, cu.c.frac, cu.c.cwndPrior} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("cubic: curve %+v", cu.c)
			}
		}
	}
}
