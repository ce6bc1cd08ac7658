package reasm

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"
)

// honest[ki] holds the bytes every honest fragment of the datagram from
// key index ki carries at their offsets: all honest fragments agree on
// content, so whatever completes from them must read back exactly this.
// It reaches beyond 64 KiB because a fragment may (and is then refused).
var honest = func() (h [8][]byte) {
	for ki := range h {
		h[ki] = make([]byte, 2<<16)
		for pos := range h[ki] {
			h[ki][pos] = byte(pos*31+pos>>8) ^ byte(ki*0x35)
		}
	}
	return h
}()

// FuzzAdd feeds arbitrary fragment sequences, 6 bytes per fragment, to a
// small Reassembler: it must never panic, its bounds and bookkeeping must
// hold after every call, and a datagram completed from honest fragments
// must hold exactly their bytes.
//
//	byte 0: bits 0-1 ID, bit 2 source, bit 3 MF, bit 4 corrupt the
//	        bytes, bits 5-7 seconds to advance the clock
//	byte 1-2: offset in 8-byte blocks (13 bits); with bit 15 set, only
//	        the low 5 bits, to make fragments meet
//	byte 3-4: payload length
//	byte 5: bit 0 calls Expire, bit 1 calls Release
func FuzzAdd(f *testing.F) {
	f.Add([]byte{})
	// Three honest fragments, out of order.
	f.Add([]byte{
		0x08, 0x80, 0x02, 0x00, 0x10, 0,
		0x00, 0x80, 0x04, 0x00, 0x05, 0,
		0x08, 0x80, 0x00, 0x00, 0x10, 0,
	})
	// Overlap, corruption, oversize, expiry.
	f.Add([]byte{
		0x08, 0x80, 0x00, 0x00, 0x20, 0,
		0x18, 0x80, 0x02, 0x00, 0x10, 0,
		0x00, 0x1f, 0xff, 0x00, 0x10, 1,
		0xe1, 0x80, 0x01, 0xff, 0xff, 3,
	})
	f.Fuzz(fuzzAdd)
}

// fuzzAdd is FuzzAdd's body.
func fuzzAdd(t *testing.T, data []byte) {
	r := New(Config{MaxDatagrams: 4, MaxBytes: 150000, Timeout: 4 * time.Second})
	payload := make([]byte, 1<<16)
	var corrupted [8]bool // per key index: some fragment lied
	now := t0
	// A cap on fragments per input keeps executions fast: the table
	// holds 4 datagrams, so longer runs add little.
	for ops := 0; len(data) >= 6 && ops < 256; ops++ {
		op := data[:6]
		data = data[6:]
		ki := int(op[0] & 7)
		k := Key{
			Src:   netip.AddrFrom4([4]byte{10, 0, 0, byte(ki >> 2)}),
			Dst:   netip.AddrFrom4([4]byte{10, 0, 0, 99}),
			ID:    uint32(ki & 3),
			Proto: 17,
		}
		more := op[0]&8 != 0
		corrupt := op[0]&16 != 0
		now = now.Add(time.Duration(op[0]>>5) * time.Second)
		blk := int(binary.BigEndian.Uint16(op[1:3]))
		if blk&0x8000 != 0 {
			blk &= 0x1f
		} else {
			blk &= 0x1fff
		}
		off := blk * 8
		n := int(binary.BigEndian.Uint16(op[3:5]))
		p := payload[:n]
		copy(p, honest[ki][off:])
		if corrupt && n > 0 {
			p[n/2] ^= 0xa5 // a byte no honest fragment carries
			corrupted[ki] = true
		}
		got, done, err := r.Add(now, k, off, more, p)
		if done {
			if err != nil {
				t.Fatalf("done with error %v", err)
			}
			if len(got) == 0 || len(got) > DefaultMaxDatagramSize {
				t.Fatalf("completed datagram of %d bytes", len(got))
			}
			if !corrupted[ki] && !bytes.Equal(got, honest[ki][:len(got)]) {
				t.Fatalf("key %d: %d reassembled bytes differ from those sent", ki, len(got))
			}
		} else if got != nil {
			t.Fatalf("datagram returned without done")
		}
		if op[5]&1 != 0 {
			r.Expire(now)
		}
		if op[5]&2 != 0 {
			r.Release()
		}
		checkInvariants(t, r)
	}
}

// FuzzPermutation sends one datagram as consistent fragments in an
// arbitrary order with arbitrary exact resends: every fragment must be
// accepted (resends as ErrDuplicate), and the datagram must complete on
// the last new fragment with exactly the bytes sent. The inputs are the
// datagram length less one (capped at 65515), the fragment size in 8-byte
// blocks less one, and a seed for the bytes, the order and the resends.
func FuzzPermutation(f *testing.F) {
	f.Add(uint16(3999), uint8(184), uint64(1))
	f.Add(uint16(65514), uint8(184), uint64(2))
	f.Add(uint16(7), uint8(0), uint64(3))
	f.Add(uint16(1002), uint8(0), uint64(4))
	f.Fuzz(func(t *testing.T, lenMinus1 uint16, blocksMinus1 uint8, seed uint64) {
		n := min(int(lenMinus1)+1, DefaultMaxDatagramSize)
		size := 8 * (int(blocksMinus1) + 1)
		rng := rand.New(rand.NewPCG(seed, seed>>32))
		payload := make([]byte, n)
		for i := range payload {
			payload[i] = byte(rng.Uint32())
		}
		frags := fragment(payload, size)
		order := rng.Perm(len(frags))
		r := New(Config{})
		k := Key{Src: netip.MustParseAddr("10.1.1.1"), Dst: netip.MustParseAddr("10.1.1.2"), ID: uint32(seed), Proto: 1}
		for pos, i := range order {
			last := pos == len(order)-1
			f := frags[i]
			got, done, err := r.Add(t0, k, f.off, f.more, f.data)
			if err != nil {
				t.Fatalf("fragment %d of %d (off %d len %d): %v", pos, len(order), f.off, len(f.data), err)
			}
			if done != last {
				t.Fatalf("fragment %d of %d: done=%v", pos, len(order), done)
			}
			if done && !bytes.Equal(got, payload) {
				t.Fatalf("reassembled %d bytes differ from the %d sent", len(got), len(payload))
			}
			if !last && rng.IntN(4) == 0 {
				// Resend one fragment already delivered.
				d := frags[order[rng.IntN(pos+1)]]
				if _, done, err := r.Add(t0, k, d.off, d.more, d.data); done || !errors.Is(err, ErrDuplicate) {
					t.Fatalf("resend of off %d: done=%v err=%v, want ErrDuplicate", d.off, done, err)
				}
			}
		}
		checkInvariants(t, r)
		if r.Len() != 0 || r.Bytes() != 0 {
			t.Fatalf("after completion Len=%d Bytes=%d", r.Len(), r.Bytes())
		}
	})
}
