package fdio

import (
	"errors"
	"net"
	"testing"

	"golang.org/x/sys/unix"
)

func TestReadBatchHeaderSplitsEachPacket(t *testing.T) {
	f, peer := pair(t)
	send(t, peer, "HDRone", "HDRtwo!", "HD")
	hdrs, _ := makeBufs(4, 3)
	bufs, sizes := makeBufs(4, 64)
	n, err := f.ReadBatchHeader(hdrs, bufs, sizes)
	if err != nil || n != 2 {
		t.Fatalf("ReadBatchHeader = %d, %v; want 2 (the 2-byte read holds no whole header and is dropped)", n, err)
	}
	for i, want := range []string{"one", "two!"} {
		if string(hdrs[i]) != "HDR" || string(bufs[i][:sizes[i]]) != want {
			t.Errorf("packet %d: header %q body %q, want HDR %q", i, hdrs[i], bufs[i][:sizes[i]], want)
		}
	}
}

func TestWriteHeader(t *testing.T) {
	f, peer := pair(t)
	if err := f.WriteHeader([]byte("HDR"), []byte("body")); err != nil {
		t.Fatal(err)
	}
	if err := f.WriteHeader([]byte("HDR"), nil); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 16)
	for _, want := range []string{"HDRbody", "HDR"} {
		if m := readPeer(t, peer, buf); string(buf[:m]) != want {
			t.Errorf("peer read %q, want %q", buf[:m], want)
		}
	}
	big := make([]byte, 1<<20)
	if err := f.WriteHeader([]byte("HDR"), big); !errors.Is(err, unix.EMSGSIZE) {
		t.Errorf("oversized WriteHeader = %v, want EMSGSIZE", err)
	}
	if err := f.WriteHeader(make([]byte, 33), nil); err == nil {
		t.Error("WriteHeader took a 33-byte header")
	}
	f.Close()
	if err := f.WriteHeader([]byte("HDR"), []byte("x")); !errors.Is(err, net.ErrClosed) {
		t.Errorf("WriteHeader after Close = %v, want net.ErrClosed", err)
	}
	hdrs, _ := makeBufs(1, 3)
	bufs, sizes := makeBufs(1, 8)
	if _, err := f.ReadBatchHeader(hdrs, bufs, sizes); !errors.Is(err, net.ErrClosed) {
		t.Errorf("ReadBatchHeader after Close = %v, want net.ErrClosed", err)
	}
}

func TestWriteHeaderPieces(t *testing.T) {
	f, peer := pair(t)
	if err := f.WriteHeader([]byte("H"), []byte("head|"), []byte("tail"), []byte("wrapped")); err != nil {
		t.Fatal(err)
	}
	if err := f.WriteHeader([]byte("H"), []byte("head|"), nil, []byte("second")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 32)
	for _, want := range []string{"Hhead|tailwrapped", "Hhead|second"} {
		if m := readPeer(t, peer, buf); string(buf[:m]) != want {
			t.Errorf("peer read %q, want %q", buf[:m], want)
		}
	}
	if err := f.WriteHeader([]byte("H"), []byte("a"), []byte("b"), []byte("c"), []byte("d")); err == nil {
		t.Error("WriteHeader took four pieces")
	}
}

func TestReadBatchHeaderSeesTruncation(t *testing.T) {
	f, peer := pair(t)
	send(t, peer, "HDR0123", "HDR01234")
	hdrs, _ := makeBufs(2, 3)
	bufs, sizes := makeBufs(2, 4)
	n, err := f.ReadBatchHeader(hdrs, bufs, sizes)
	if err != nil || n != 2 || sizes[0] != 4 || sizes[1] != 5 || string(bufs[1]) != "0123" {
		t.Fatalf("ReadBatchHeader = %d, %v, sizes %v; want 4 for the packet that fits, 5 (len+1) for the one cut short", n, err, sizes)
	}
}
