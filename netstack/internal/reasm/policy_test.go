package reasm

import (
	"bytes"
	"errors"
	"testing"
)

// add is Add at t0 returning only the error and whether it completed.
func add(r *Reassembler, k Key, off int, more bool, data []byte) (bool, error) {
	_, done, err := r.Add(t0, k, off, more, data)
	return done, err
}

func TestOverlapDropsDatagram(t *testing.T) {
	p := pattern(64, 3)
	other := pattern(64, 0xee)
	tests := []struct {
		name   string
		first  frag
		second frag
	}{
		// RFC 5722 §4 policy, as Linux applies it to IPv4 since
		// CVE-2018-5391: any overlap kills the datagram, even when
		// the overlapping bytes agree.
		{"partial overlap, same bytes", frag{0, true, p[0:24]}, frag{16, true, p[16:40]}},
		{"partial overlap, different bytes", frag{0, true, p[0:24]}, frag{16, true, other[16:40]}},
		{"contained, same bytes", frag{0, true, p[0:32]}, frag{8, true, p[8:16]}},
		{"containing, same bytes", frag{8, true, p[8:16]}, frag{0, true, p[0:32]}},
		{"same place, different bytes", frag{8, true, p[8:24]}, frag{8, true, other[8:24]}},
		{"final over non-final", frag{0, true, p[0:16]}, frag{8, false, p[8:16]}},
		{"one byte differs", frag{0, true, p[0:16]}, frag{0, true, append(bytes.Clone(p[0:15]), p[15]^1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := New(Config{})
			if _, err := add(r, key1, tt.first.off, tt.first.more, tt.first.data); err != nil {
				t.Fatalf("first fragment: %v", err)
			}
			if _, err := add(r, key1, tt.second.off, tt.second.more, tt.second.data); !errors.Is(err, ErrOverlap) {
				t.Fatalf("second fragment: err=%v, want ErrOverlap", err)
			}
			if r.Len() != 0 || r.Bytes() != 0 {
				t.Fatalf("datagram kept: Len=%d Bytes=%d", r.Len(), r.Bytes())
			}
			// What remains of the datagram starts afresh and cannot
			// complete it: the first fragment is gone.
			if done, err := add(r, key1, 40, false, p[40:64]); done || err != nil {
				t.Fatalf("after overlap: done=%v err=%v, want a new pending datagram", done, err)
			}
		})
	}
}

func TestRefragmentedResendIsOverlap(t *testing.T) {
	// Bytes already held, identical, but cut differently from the
	// fragments that brought them: not an exact duplicate of any one
	// fragment, so an overlap.
	p := pattern(64, 8)
	tests := []struct {
		name string
		f    frag
	}{
		{"spanning two held fragments", frag{8, true, p[8:32]}},
		{"head of a held fragment", frag{16, true, p[16:24]}},
		{"tail of a held fragment", frag{24, true, p[24:32]}},
		{"tail of the final fragment", frag{40, false, p[40:44]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := New(Config{})
			// Blocks 8..43 held as three fragments; 0..7 missing.
			for _, f := range []frag{{8, true, p[8:16]}, {16, true, p[16:32]}, {32, false, p[32:44]}} {
				if _, err := add(r, key1, f.off, f.more, f.data); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := add(r, key1, tt.f.off, tt.f.more, tt.f.data); !errors.Is(err, ErrOverlap) {
				t.Fatalf("err=%v, want ErrOverlap", err)
			}
			if r.Len() != 0 {
				t.Fatalf("datagram kept: Len=%d", r.Len())
			}
		})
	}
}

func TestDuplicateIgnored(t *testing.T) {
	p := pattern(48, 9)
	r := New(Config{})
	steps := []struct {
		f    frag
		want error
	}{
		{frag{16, true, p[16:32]}, nil},
		{frag{16, true, p[16:32]}, ErrDuplicate},
		{frag{32, false, p[32:48]}, nil},
		{frag{32, false, p[32:48]}, ErrDuplicate}, // final fragment resent
	}
	for i, s := range steps {
		if done, err := add(r, key1, s.f.off, s.f.more, s.f.data); done || !errors.Is(err, s.want) {
			t.Fatalf("step %d: done=%v err=%v, want %v", i, done, err, s.want)
		}
	}
	got, done, err := r.Add(t0, key1, 0, true, p[0:16])
	if err != nil || !done || !bytes.Equal(got, p) {
		t.Fatalf("completing fragment: done=%v err=%v equal=%v", done, err, bytes.Equal(got, p))
	}
}

func TestInconsistentLengthDropsDatagram(t *testing.T) {
	p := pattern(64, 4)
	tests := []struct {
		name   string
		first  frag
		second frag
	}{
		{"fragment beyond the end", frag{16, false, p[16:24]}, frag{24, true, p[24:32]}},
		{"second final, different end", frag{16, false, p[16:24]}, frag{32, false, p[32:40]}},
		{"final before data held", frag{32, true, p[32:48]}, frag{8, false, p[8:16]}},
		{"non-final crossing the end", frag{8, false, p[8:20]}, frag{0, true, p[0:24]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := New(Config{})
			if _, err := add(r, key1, tt.first.off, tt.first.more, tt.first.data); err != nil {
				t.Fatalf("first fragment: %v", err)
			}
			if _, err := add(r, key1, tt.second.off, tt.second.more, tt.second.data); !errors.Is(err, ErrInconsistent) {
				t.Fatalf("second fragment: err=%v, want ErrInconsistent", err)
			}
			if r.Len() != 0 || r.Bytes() != 0 {
				t.Fatalf("datagram kept: Len=%d Bytes=%d", r.Len(), r.Bytes())
			}
		})
	}
}

func TestBadOffsetIgnored(t *testing.T) {
	p := pattern(64, 5)
	tests := []struct {
		name string
		f    frag
	}{
		{"non-final length not a multiple of 8", frag{8, true, p[8:20]}},
		{"offset not a multiple of 8", frag{4, true, p[4:12]}},
		{"negative offset", frag{-8, true, p[0:8]}},
		{"empty final fragment", frag{16, false, nil}},
		{"empty non-final fragment", frag{16, true, nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := New(Config{})
			if _, err := add(r, key1, 0, true, p[0:8]); err != nil {
				t.Fatal(err)
			}
			if _, err := add(r, key1, tt.f.off, tt.f.more, tt.f.data); !errors.Is(err, ErrBadOffset) {
				t.Fatalf("err=%v, want ErrBadOffset", err)
			}
			// The datagram is untouched and still completes.
			got, done, err := r.Add(t0, key1, 8, false, p[8:64])
			if err != nil || !done || !bytes.Equal(got, p) {
				t.Fatalf("completion after a bad fragment: done=%v err=%v", done, err)
			}
		})
	}
}

func TestTooBig(t *testing.T) {
	r := New(Config{})
	// Offset field 8189 (65512 bytes) plus 8 bytes ends at 65520, beyond
	// 65535-20: the "ping of death".
	if _, err := add(r, key1, 0, true, make([]byte, 8)); err != nil {
		t.Fatal(err)
	}
	if _, err := add(r, key1, 65512, false, make([]byte, 8)); !errors.Is(err, ErrTooBig) {
		t.Fatalf("err=%v, want ErrTooBig", err)
	}
	if r.Len() != 0 {
		t.Fatalf("datagram kept after an oversized fragment: Len=%d", r.Len())
	}
	// The largest offset the 13-bit field can express, with a payload
	// that alone exceeds 64 KiB: rejected, no panic, nothing held.
	if _, err := add(r, key1, 8191*8, false, make([]byte, 70000)); !errors.Is(err, ErrTooBig) {
		t.Fatalf("err=%v, want ErrTooBig", err)
	}
	// Ending exactly at the limit is fine.
	if _, err := add(r, key1, 65512, false, make([]byte, 3)); err != nil {
		t.Fatalf("fragment ending at 65515: %v", err)
	}
	if r.Len() != 1 {
		t.Fatalf("Len=%d, want 1", r.Len())
	}

	small := New(Config{MaxDatagramSize: 1500})
	if _, err := add(small, key1, 1496, false, make([]byte, 5)); !errors.Is(err, ErrTooBig) {
		t.Fatalf("MaxDatagramSize 1500, fragment ending at 1501: err=%v, want ErrTooBig", err)
	}
}
