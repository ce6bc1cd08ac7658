package pcap

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"
	"time"
)

// file builds a pcap file by hand in the given byte order.
func file(order binary.ByteOrder, magic, snaplen, linktype uint32, records ...[]byte) []byte {
	h := make([]byte, fileHeaderLen)
	order.PutUint32(h[0:], magic)
	order.PutUint16(h[4:], 2)
	order.PutUint16(h[6:], 4)
	order.PutUint32(h[16:], snaplen)
	order.PutUint32(h[20:], linktype)
	for _, r := range records {
		h = append(h, r...)
	}
	return h
}

func record(order binary.ByteOrder, sec, frac uint32, data []byte) []byte {
	r := make([]byte, recordHeaderLen, recordHeaderLen+len(data))
	order.PutUint32(r[0:], sec)
	order.PutUint32(r[4:], frac)
	order.PutUint32(r[8:], uint32(len(data)))
	order.PutUint32(r[12:], uint32(len(data)))
	return append(r, data...)
}

func TestReaderFormats(t *testing.T) {
	for _, tc := range []struct {
		name  string
		order binary.ByteOrder
		magic uint32
		frac  uint32
		want  time.Time
	}{
		{"little endian µs", binary.LittleEndian, magicMicro, 123456, time.Unix(1700000000, 123456000)},
		{"big endian µs", binary.BigEndian, magicMicro, 123456, time.Unix(1700000000, 123456000)},
		{"little endian ns", binary.LittleEndian, magicNano, 123456789, time.Unix(1700000000, 123456789)},
		{"big endian ns", binary.BigEndian, magicNano, 123456789, time.Unix(1700000000, 123456789)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := file(tc.order, tc.magic, 65535, LinkTypeIPv4,
				record(tc.order, 1700000000, tc.frac, []byte("first")),
				record(tc.order, 1700000000, tc.frac, nil),
				record(tc.order, 1700000000, tc.frac, []byte("third")))
			r, err := NewReader(bytes.NewReader(in))
			if err != nil {
				t.Fatal(err)
			}
			if r.LinkType() != LinkTypeIPv4 || r.SnapLen() != 65535 {
				t.Errorf("LinkType %d, SnapLen %d; want 228, 65535", r.LinkType(), r.SnapLen())
			}
			for _, want := range []string{"first", "", "third"} {
				data, ts, err := r.Next()
				if err != nil || string(data) != want || !ts.Equal(tc.want) {
					t.Fatalf("Next = %q, %v, %v; want %q, %v, nil", data, ts, err, want, tc.want)
				}
			}
			if _, _, err := r.Next(); err != io.EOF {
				t.Errorf("Next at the end = %v, want io.EOF", err)
			}
		})
	}
}

func TestReaderErrors(t *testing.T) {
	le := binary.LittleEndian
	good := file(le, magicMicro, SnapLen, 1, record(le, 1, 2, []byte("abcdef")))
	for _, tc := range []struct {
		name   string
		in     []byte
		header error // from NewReader
		next   error // from the first Next
	}{
		{"empty", nil, ErrFormat, nil},
		{"short header", good[:10], ErrFormat, nil},
		{"bad magic", append([]byte{1, 2, 3, 4}, good[4:]...), ErrFormat, nil},
		{"version 1", append(append(append([]byte{}, good[:4]...), 1, 0), good[6:]...), ErrFormat, nil},
		{"short record header", good[:fileHeaderLen+5], nil, io.ErrUnexpectedEOF},
		{"short record", good[:len(good)-1], nil, io.ErrUnexpectedEOF},
		{"huge record", file(le, magicMicro, 0xffffffff, 1, func() []byte {
			r := record(le, 0, 0, nil)
			le.PutUint32(r[8:], 0xfffffff0)
			return r
		}()), nil, ErrFormat},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := NewReader(bytes.NewReader(tc.in))
			if !errors.Is(err, tc.header) || (err == nil) != (tc.header == nil) {
				t.Fatalf("NewReader = %v, want %v", err, tc.header)
			}
			if err != nil {
				return
			}
			if _, _, err := r.Next(); !errors.Is(err, tc.next) {
				t.Errorf("Next = %v, want %v", err, tc.next)
			}
		})
	}
}

func FuzzReader(f *testing.F) {
	le := binary.LittleEndian
	f.Add(file(le, magicMicro, SnapLen, 1, record(le, 1, 2, []byte("abcdef")), record(le, 3, 4, nil)))
	f.Add(file(binary.BigEndian, magicNano, 10, 228, record(binary.BigEndian, 1, 2, make([]byte, 20))))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, in []byte) {
		r, err := NewReader(bytes.NewReader(in))
		if err != nil {
			return
		}
		for range len(in) {
			data, _, err := r.Next()
			if err != nil {
				return
			}
			if len(data) > len(in) {
				t.Fatalf("record of %d bytes from %d bytes of input", len(data), len(in))
			}
		}
	})
}

// FuzzRoundTrip checks that whatever frames go through the recorder come
// back out of the Reader unchanged.
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte("hello"), []byte{}, []byte("world!"))
	f.Fuzz(func(t *testing.T, p1, p2, p3 []byte) {
		var buf bytes.Buffer
		e := &endpoint{w: &buf}
		now := time.Unix(1700000000, 987654321)
		for _, p := range [][]byte{p1, p2, p3} {
			e.record(now, p)
		}
		in := append(file(binary.LittleEndian, magicMicro, SnapLen, LinkTypeEthernet), buf.Bytes()...)
		r, err := NewReader(bytes.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range [][]byte{p1, p2, p3} {
			data, ts, err := r.Next()
			if err != nil || !bytes.Equal(data, p) || !ts.Equal(now.Truncate(time.Microsecond)) {
				t.Fatalf("Next = %x, %v, %v; want %x, %v", data, ts, err, p, now.Truncate(time.Microsecond))
			}
		}
	})
}
