package link

import (
	"encoding/binary"
	"testing"
)

// CompleteChecksum finishes a partial UDP checksum to one that verifies,
// as computed from scratch, for payloads of every parity.
func TestCompleteChecksum(t *testing.T) {
	for _, size := range []int{0, 1, 2, 7, 8, 9, 1472} {
		p := make([]byte, 20+8+size)
		p[0], p[9] = 0x45, 17
		copy(p[12:], []byte{192, 168, 69, 100, 192, 168, 69, 1})
		u := p[20:]
		binary.BigEndian.PutUint16(u[0:], 4242)
		binary.BigEndian.PutUint16(u[2:], 9)
		binary.BigEndian.PutUint16(u[4:], uint16(len(u)))
		for i := range size {
			u[8+i] = byte(i*7 + 3)
		}
		pseudo := sum(p[12:20], 17+uint64(len(u)))
		binary.BigEndian.PutUint16(u[6:], fold(pseudo)) // what the kernel leaves
		pi := PacketInfo{NeedsCsum: true, CsumStart: 20, CsumOffset: 6}
		if !pi.CompleteChecksum(p) || pi.NeedsCsum {
			t.Fatalf("size %d: not completed", size)
		}
		if v := fold(sum(u, pseudo)); v != 0xffff {
			t.Errorf("size %d: completed checksum %#04x does not verify (sum %#04x)", size, binary.BigEndian.Uint16(u[6:]), v)
		}
	}
	pi := PacketInfo{NeedsCsum: true, CsumStart: 5, CsumOffset: 4}
	if pi.CompleteChecksum(make([]byte, 10)) || !pi.NeedsCsum {
		t.Error("completed a field past the end")
	}
}
