package wire

import (
	"bytes"
	"errors"
	"testing"
)

func TestParseTCP(t *testing.T) {
	syn := synFrame[34:] // 40 bytes: 20 header + 20 options
	withByte := func(i int, v byte) []byte {
		b := append([]byte(nil), syn...)
		b[i] = v
		return b
	}
	type want struct {
		src, dst       uint16
		seq, ack       uint32
		hl             int
		flags          TCPFlags
		win, csum, urg uint16
		optLen, payLen int
	}
	tests := []struct {
		desc string
		b    []byte
		want want
		err  error
	}{
		{"Linux SYN", syn, want{41234, 6969, 2823571706, 0, 40, TCPFlagSYN, 64240, 0x51fc, 0, 20, 0}, nil},
		{"with data", append(append([]byte(nil), syn...), "data"...),
			want{41234, 6969, 2823571706, 0, 40, TCPFlagSYN, 64240, 0x51fc, 0, 20, 4}, nil},
		{"data offset 5: options become payload", withByte(12, 0x50),
			want{41234, 6969, 2823571706, 0, 20, TCPFlagSYN, 64240, 0x51fc, 0, 0, 20}, nil},
		{"all flags, NS bit ignored", withByte(13, 0xff),
			want{41234, 6969, 2823571706, 0, 40, 0xff, 64240, 0x51fc, 0, 20, 0}, nil},
		{"19 bytes", syn[:19], want{}, ErrTruncated},
		{"data offset 4", withByte(12, 0x40), want{}, ErrMalformed},
		{"data offset 0", withByte(12, 0x00), want{}, ErrMalformed},
		{"options cut short", syn[:39], want{}, ErrTruncated},
		{"data offset 15 in 40 bytes", withByte(12, 0xf0), want{}, ErrTruncated},
	}
	for _, tt := range tests {
		s, err := ParseTCP(tt.b)
		if !errors.Is(err, tt.err) {
			t.Errorf("%s: err %v, want %v", tt.desc, err, tt.err)
			continue
		}
		if err != nil {
			continue
		}
		got := want{s.SrcPort(), s.DstPort(), s.Seq(), s.Ack(), s.HeaderLen(), s.Flags(), s.Window(), s.Checksum(),
			s.Urgent(), len(s.Options()), len(s.Payload())}
		if got != tt.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.desc, got, tt.want)
		}
	}
}

func TestTCPVerifyChecksum(t *testing.T) {
	s := must(ParseTCP(synFrame[34:]))
	if !s.VerifyChecksum(ipA, ipB) {
		t.Error("Linux SYN does not verify")
	}
	if s.VerifyChecksum(ipB, ipB) {
		t.Error("verifies with the wrong source address")
	}
	b := append([]byte(nil), s...)
	b[len(b)-1]++ // the window scale shift
	if TCP(b).VerifyChecksum(ipA, ipB) {
		t.Error("verifies after an option byte changed")
	}
}

func TestTCPFieldsEncode(t *testing.T) {
	f := TCPFields{SrcPort: 41234, DstPort: 6969, Seq: 2823571706, Flags: TCPFlagSYN, Window: 64240,
		Options: TCPOptions{MSS: 1460, SACKPermitted: true, HasTimestamps: true, TSVal: 477046104,
			HasWindowScale: true, WindowScale: 10}}
	if f.Len() != 40 {
		t.Fatalf("Len = %d, want 40", f.Len())
	}
	b := make([]byte, f.Len())
	f.Encode(b, ipA, ipB)
	if want := synFrame[34:]; !bytes.Equal(b, want) {
		t.Errorf("Encode (Linux SYN)\n% x\nwant\n% x", b, want)
	}

	// A data segment with the payload placed first, then a round trip.
	f = TCPFields{SrcPort: 1, DstPort: 65535, Seq: 0xffffffff, Ack: 7, Flags: TCPFlagPSH | TCPFlagACK | TCPFlagURG,
		Window: 512, Urgent: 3, Options: TCPOptions{HasTimestamps: true, TSVal: 1, TSEcr: 2,
			NumSACK: 2, SACK: [MaxSACKBlocks]SACKBlock{{10, 20}, {30, 40}}}}
	b = make([]byte, f.Len()+5)
	copy(b[f.Len():], "hello")
	f.Encode(b, ipB, ipA)
	s := must(ParseTCP(b))
	var o TCPOptions
	if err := ParseTCPOptions(s.Options(), &o); err != nil {
		t.Fatal(err)
	}
	got := TCPFields{s.SrcPort(), s.DstPort(), s.Seq(), s.Ack(), s.Flags(), s.Window(), s.Urgent(), o}
	if got != f || string(s.Payload()) != "hello" || !s.VerifyChecksum(ipB, ipA) {
		t.Errorf("round trip:\n got %+v %q\nwant %+v", got, s.Payload(), f)
	}

	// EncodeHeader leaves the checksum to the caller.
	clear(b)
	if n := f.EncodeHeader(b); n != f.Len() || s.Checksum() != 0 {
		t.Errorf("EncodeHeader = %d, checksum %#04x; want %d, 0", n, s.Checksum(), f.Len())
	}
}

func TestTCPFlagsString(t *testing.T) {
	// Expected strings are tcpdump 4.99's for the same flag bytes.
	for f, want := range map[TCPFlags]string{
		0: "[none]", TCPFlagSYN: "[S]", TCPFlagSYN | TCPFlagACK: "[S.]", TCPFlagACK: "[.]",
		TCPFlagPSH | TCPFlagACK: "[P.]", TCPFlagFIN | TCPFlagPSH | TCPFlagACK: "[FP.]",
		TCPFlagRST | TCPFlagACK: "[R.]", TCPFlagFIN | TCPFlagSYN: "[FS]",
		TCPFlagSYN | TCPFlagACK | TCPFlagECE | TCPFlagCWR: "[S.EW]", TCPFlagFIN | TCPFlagACK | TCPFlagURG: "[F.U]",
		0xff: "[FSRP.UEW]",
	} {
		if got := f.String(); got != want {
			t.Errorf("%#02x: %q, want %q", uint8(f), got, want)
		}
	}
	if !(TCPFlagSYN | TCPFlagACK).Has(TCPFlagACK) || TCPFlagSYN.Has(TCPFlagSYN|TCPFlagACK) {
		t.Error("Has")
	}
}
