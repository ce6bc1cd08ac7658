package wire

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"
)

func TestParseTCPOptions(t *testing.T) {
	sack := func(blocks ...SACKBlock) TCPOptions {
		var o TCPOptions
		o.NumSACK = copy(o.SACK[:], blocks)
		return o
	}
	tests := []struct {
		desc string
		b    string // annotated hex
		want TCPOptions
		err  error
	}{
		{"none", ``, TCPOptions{}, nil},
		{"Linux SYN", `0204 05b4  0402  080a 1c6f2558 00000000  01  03030a`,
			TCPOptions{MSS: 1460, SACKPermitted: true, HasTimestamps: true, TSVal: 477046104, HasWindowScale: true, WindowScale: 10}, nil},
		{"Linux ACK: NOP NOP TS", `0101 080a 00000001 00000002`, TCPOptions{HasTimestamps: true, TSVal: 1, TSEcr: 2}, nil},
		{"MSS", `0204 ffff`, TCPOptions{MSS: 65535}, nil},
		{"window scale 0 is present", `030300 00`, TCPOptions{HasWindowScale: true}, nil},
		{"window scale 15 clamped to 14 (RFC 7323 §2.3)", `03030f`, TCPOptions{HasWindowScale: true, WindowScale: 14}, nil},
		{"window scale 255 clamped", `0303ff`, TCPOptions{HasWindowScale: true, WindowScale: 14}, nil},
		{"SACK-permitted", `0402`, TCPOptions{SACKPermitted: true}, nil},
		{"SACK, 1 block", `0101 050a 00000064 000000c8`, sack(SACKBlock{100, 200}), nil},
		{"SACK, 4 blocks", `0101 0522 00000001 00000002 00000003 00000004 00000005 00000006 00000007 00000008`,
			sack(SACKBlock{1, 2}, SACKBlock{3, 4}, SACKBlock{5, 6}, SACKBlock{7, 8}), nil},
		{"EOL ends the list, garbage after it ignored", `0204 0578 00 ff01 02`, TCPOptions{MSS: 1400}, nil},
		{"unknown kind 99 skipped", `6304 abcd 0204 0578`, TCPOptions{MSS: 1400}, nil},
		{"unknown kind with length 2 skipped", `fe02 0402`, TCPOptions{SACKPermitted: true}, nil},
		{"repeated option: the last wins", `0204 0578 0204 05b4`, TCPOptions{MSS: 1460}, nil},
		{"NOPs only", `01010101`, TCPOptions{}, nil},

		{"length 0", `0200`, TCPOptions{}, ErrMalformed},
		{"length 1", `6301 0000`, TCPOptions{}, ErrMalformed},
		{"length byte missing", `0101 02`, TCPOptions{}, ErrMalformed},
		{"runs past the end", `0204 05`, TCPOptions{}, ErrMalformed},
		{"unknown kind runs past the end", `6308 000000`, TCPOptions{}, ErrMalformed},
		{"MSS length 3", `0203 05 00`, TCPOptions{}, ErrMalformed},
		{"MSS length 6", `0206 0000 05b4`, TCPOptions{}, ErrMalformed},
		{"window scale length 4", `0304 0a00`, TCPOptions{}, ErrMalformed},
		{"SACK-permitted length 3", `0403 00 00`, TCPOptions{}, ErrMalformed},
		{"SACK with no blocks", `0502`, TCPOptions{}, ErrMalformed},
		{"SACK length 2+7", `0509 00000001 000002`, TCPOptions{}, ErrMalformed},
		{"SACK with 5 blocks", `052a` + "00000001000000020000000300000004000000050000000600000007000000080000000900000010", TCPOptions{}, ErrMalformed},
		{"timestamps length 8", `0808 00000001 0002`, TCPOptions{}, ErrMalformed},
		{"timestamps length 2", `0802`, TCPOptions{}, ErrMalformed},
	}
	for _, tt := range tests {
		o := TCPOptions{MSS: 1, NumSACK: 3} // must be overwritten
		err := ParseTCPOptions(unhex(tt.b), &o)
		if !errors.Is(err, tt.err) {
			t.Errorf("%s: err %v, want %v", tt.desc, err, tt.err)
			continue
		}
		if err == nil && o != tt.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.desc, o, tt.want)
		}
	}
}

func TestTCPOptionsEncode(t *testing.T) {
	blocks := [MaxSACKBlocks]SACKBlock{{1, 2}, {3, 4}, {5, 6}, {7, 8}}
	tests := []struct {
		desc string
		o    TCPOptions
		want string // annotated hex
	}{
		{"none", TCPOptions{}, ``},
		{"Linux SYN", TCPOptions{MSS: 1460, SACKPermitted: true, HasTimestamps: true, TSVal: 477046104, HasWindowScale: true, WindowScale: 10},
			`020405b4 0402 080a 1c6f2558 00000000 01 03030a`},
		{"Linux SYN without timestamps", TCPOptions{MSS: 1460, SACKPermitted: true, HasWindowScale: true, WindowScale: 7},
			`020405b4 0101 0402 01 030307`},
		{"timestamps alone", TCPOptions{HasTimestamps: true, TSVal: 0xdeadbeef, TSEcr: 1},
			`0101 080a deadbeef 00000001`},
		{"MSS alone", TCPOptions{MSS: 536}, `0204 0218`},
		{"window scale alone", TCPOptions{HasWindowScale: true}, `01 030300`},
		{"timestamps and 3 SACK blocks fill 40 bytes", TCPOptions{HasTimestamps: true, TSVal: 9, NumSACK: 3, SACK: blocks},
			`0101 080a 00000009 00000000  0101 051a 00000001 00000002 00000003 00000004 00000005 00000006`},
		{"4 SACK blocks with timestamps: the 4th is dropped", TCPOptions{HasTimestamps: true, TSVal: 9, NumSACK: 4, SACK: blocks},
			`0101 080a 00000009 00000000  0101 051a 00000001 00000002 00000003 00000004 00000005 00000006`},
		{"4 SACK blocks without timestamps", TCPOptions{NumSACK: 4, SACK: blocks},
			`0101 0522 00000001 00000002 00000003 00000004 00000005 00000006 00000007 00000008`},
		{"NumSACK beyond 4 is clamped", TCPOptions{NumSACK: 9, SACK: blocks},
			`0101 0522 00000001 00000002 00000003 00000004 00000005 00000006 00000007 00000008`},
		{"negative NumSACK writes none", TCPOptions{NumSACK: -1, SACK: blocks}, ``},
	}
	for _, tt := range tests {
		want := unhex(tt.want)
		if n := tt.o.Len(); n != len(want) {
			t.Errorf("%s: Len = %d, want %d", tt.desc, n, len(want))
			continue
		}
		b := make([]byte, 40)
		if n := tt.o.Encode(b); n != len(want) || !bytes.Equal(b[:n], want) {
			t.Errorf("%s: Encode = %d bytes\n% x\nwant\n% x", tt.desc, n, b[:n], want)
		}
	}
}

// TestTCPOptionsRoundTrip encodes random option sets and parses them back.
func TestTCPOptionsRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 5000 {
		var o TCPOptions
		if rng.IntN(2) == 0 {
			o.MSS = uint16(rng.IntN(65535) + 1)
		}
		if rng.IntN(2) == 0 {
			o.HasWindowScale, o.WindowScale = true, uint8(rng.IntN(MaxWindowScale+1))
		}
		o.SACKPermitted = rng.IntN(2) == 0
		if rng.IntN(2) == 0 {
			o.HasTimestamps, o.TSVal, o.TSEcr = true, rng.Uint32(), rng.Uint32()
		}
		o.NumSACK = rng.IntN(MaxSACKBlocks + 1)
		for i := range o.NumSACK {
			o.SACK[i] = SACKBlock{rng.Uint32(), rng.Uint32()}
		}
		n := o.Len()
		if n%4 != 0 || n > TCPMaxOptionsLen {
			t.Fatalf("%+v: Len %d", o, n)
		}
		b := make([]byte, n)
		if got := o.Encode(b); got != n {
			t.Fatalf("%+v: Encode wrote %d, Len %d", o, got, n)
		}
		var back TCPOptions
		if err := ParseTCPOptions(b, &back); err != nil {
			t.Fatalf("%+v: parse back: %v (% x)", o, err, b)
		}
		// Only the blocks that fit are sent.
		want := o
		want.NumSACK = o.sackBlocks()
		want.SACK = [MaxSACKBlocks]SACKBlock{}
		copy(want.SACK[:], o.SACK[:want.NumSACK])
		if back != want {
			t.Fatalf("round trip:\n got %+v\nwant %+v", back, want)
		}
	}
}
