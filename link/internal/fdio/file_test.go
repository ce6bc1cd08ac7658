package fdio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"

	"golang.org/x/sys/unix"
)

// pair returns a File over one end of an AF_UNIX datagram socket pair and
// the raw descriptor of the other end. Datagram sockets keep packet
// boundaries, as tap, TUN and AF_PACKET descriptors do, and a write to one
// end is readable at the other as soon as write returns, so the tests need
// no waiting.
func pair(t *testing.T) (*File, int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	f, err := New(fds[0], "test pair")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		f.Close()
		unix.Close(fds[1])
	})
	return f, fds[1]
}

func send(t *testing.T, fd int, pkts ...string) {
	t.Helper()
	for _, p := range pkts {
		if _, err := unix.Write(fd, []byte(p)); err != nil {
			t.Fatal(err)
		}
	}
}

func makeBufs(n, size int) ([][]byte, []int) {
	bufs := make([][]byte, n)
	for i := range bufs {
		bufs[i] = make([]byte, size)
	}
	return bufs, make([]int, n)
}

func got(bufs [][]byte, sizes []int, n int) []string {
	var out []string
	for i := range n {
		out = append(out, string(bufs[i][:sizes[i]]))
	}
	return out
}

func TestReadBatchDrainsReadyPackets(t *testing.T) {
	f, peer := pair(t)
	send(t, peer, "one", "two", "three")
	bufs, sizes := makeBufs(8, 64)
	n, err := f.ReadBatch(bufs, sizes)
	if err != nil {
		t.Fatal(err)
	}
	if g := fmt.Sprint(got(bufs, sizes, n)); g != "[one two three]" {
		t.Fatalf("ReadBatch returned %s, want all three ready packets in one batch", g)
	}
}

func TestReadBatchStopsAtBatchSize(t *testing.T) {
	f, peer := pair(t)
	send(t, peer, "a", "b", "c")
	bufs, sizes := makeBufs(2, 64)
	n, err := f.ReadBatch(bufs, sizes)
	if err != nil || n != 2 {
		t.Fatalf("first batch: n=%d err=%v, want 2 packets", n, err)
	}
	if g := fmt.Sprint(got(bufs, sizes, n)); g != "[a b]" {
		t.Fatalf("first batch = %s", g)
	}
	n, err = f.ReadBatch(bufs, sizes)
	if err != nil || n != 1 || string(bufs[0][:sizes[0]]) != "c" {
		t.Fatalf("second batch: n=%d err=%v, want the one remaining packet", n, err)
	}
}

func TestReadBatchUsesShorterOfBufsAndSizes(t *testing.T) {
	f, peer := pair(t)
	send(t, peer, "a", "b", "c")
	bufs, _ := makeBufs(3, 64)
	sizes := make([]int, 1)
	n, err := f.ReadBatch(bufs, sizes)
	if err != nil || n != 1 {
		t.Fatalf("n=%d err=%v, want 1 (len(sizes))", n, err)
	}
}

func TestReadBatchTruncates(t *testing.T) {
	f, peer := pair(t)
	send(t, peer, "0123456789")
	bufs, sizes := makeBufs(1, 4)
	n, err := f.ReadBatch(bufs, sizes)
	if err != nil || n != 1 || sizes[0] != 4 || string(bufs[0]) != "0123" {
		t.Fatalf("n=%d err=%v size=%d buf=%q, want the first 4 bytes", n, err, sizes[0], bufs[0])
	}
}

func TestReadBatchEmptyBuffer(t *testing.T) {
	f, peer := pair(t)
	send(t, peer, "x")
	n, err := f.ReadBatch([][]byte{{}}, []int{0})
	if n != 0 || !errors.Is(err, io.ErrShortBuffer) {
		t.Fatalf("n=%d err=%v, want io.ErrShortBuffer", n, err)
	}
	// The packet must still be there.
	bufs, sizes := makeBufs(1, 8)
	if n, err := f.ReadBatch(bufs, sizes); n != 1 || err != nil || string(bufs[0][:sizes[0]]) != "x" {
		t.Fatalf("after empty-buffer call: n=%d err=%v", n, err)
	}
}

func TestReadBatchEmpty(t *testing.T) {
	f, _ := pair(t)
	if n, err := f.ReadBatch(nil, nil); n != 0 || err != nil {
		t.Fatalf("ReadBatch(nil) = %d, %v; want 0, nil without blocking", n, err)
	}
}

func TestWriteBatch(t *testing.T) {
	f, peer := pair(t)
	n, err := f.WriteBatch([][]byte{[]byte("x"), []byte("yy"), []byte("zzz")})
	if err != nil || n != 3 {
		t.Fatalf("WriteBatch = %d, %v", n, err)
	}
	buf := make([]byte, 16)
	for _, want := range []string{"x", "yy", "zzz"} {
		m, err := unix.Read(peer, buf)
		if err != nil || string(buf[:m]) != want {
			t.Fatalf("peer read %q, %v; want %q", buf[:m], err, want)
		}
	}
}

func TestWriteBatchStopsAtFirstError(t *testing.T) {
	f, peer := pair(t)
	big := make([]byte, 1<<20) // larger than any AF_UNIX datagram may be
	n, err := f.WriteBatch([][]byte{[]byte("ok"), big, []byte("never")})
	if n != 1 || err == nil {
		t.Fatalf("WriteBatch = %d, %v; want 1 and an error", n, err)
	}
	if !errors.Is(err, unix.EMSGSIZE) {
		t.Errorf("error %v does not wrap EMSGSIZE", err)
	}
	if !bytes.Contains([]byte(err.Error()), []byte("test pair: write")) {
		t.Errorf("error %q does not name the file and operation", err)
	}
	buf := make([]byte, 16)
	if m, _ := unix.Read(peer, buf); string(buf[:m]) != "ok" {
		t.Fatalf("peer read %q, want ok", buf[:m])
	}
	unix.SetNonblock(peer, true)
	if _, err := unix.Read(peer, buf); err != unix.EAGAIN {
		t.Fatalf("a packet after the failed one was written (read err %v)", err)
	}
}

func TestCloseUnblocksReadBatch(t *testing.T) {
	f, _ := pair(t)
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		bufs, sizes := makeBufs(4, 64)
		close(started)
		_, err := f.ReadBatch(bufs, sizes)
		done <- err
	}()
	<-started
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, net.ErrClosed) {
		t.Fatalf("pending ReadBatch returned %v, want net.ErrClosed", err)
	}
}

func TestUseAfterClose(t *testing.T) {
	f, _ := pair(t)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatalf("second Close = %v, want nil", err)
	}
	bufs, sizes := makeBufs(1, 8)
	if _, err := f.ReadBatch(bufs, sizes); !errors.Is(err, net.ErrClosed) {
		t.Errorf("ReadBatch after Close = %v", err)
	}
	if _, err := f.WriteBatch([][]byte{[]byte("x")}); !errors.Is(err, net.ErrClosed) {
		t.Errorf("WriteBatch after Close = %v", err)
	}
	if err := f.Control(func(uintptr) {}); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Control after Close = %v", err)
	}
}

func readPeer(t *testing.T, fd int, buf []byte) int {
	n, err := unix.Read(fd, buf)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
