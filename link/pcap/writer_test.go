package pcap

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/link/pipe"
)

// udpFrame returns an Ethernet II frame carrying an IPv4/UDP datagram from
// 192.168.69.1:port to 192.168.69.2:7 with payload bytes, so that tcpdump
// prints one line for it. With ip set it returns the bare IPv4 packet.
func udpFrame(port uint16, payload []byte, ip bool) []byte {
	udpLen := 8 + len(payload)
	pkt := make([]byte, 20+udpLen)
	pkt[0] = 0x45
	binary.BigEndian.PutUint16(pkt[2:], uint16(len(pkt)))
	pkt[8] = 64 // TTL
	pkt[9] = 17 // UDP
	copy(pkt[12:], []byte{192, 168, 69, 1, 192, 168, 69, 2})
	var sum uint32
	for i := 0; i < 20; i += 2 {
		sum += uint32(binary.BigEndian.Uint16(pkt[i:]))
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	binary.BigEndian.PutUint16(pkt[10:], ^uint16(sum))
	binary.BigEndian.PutUint16(pkt[20:], port)
	binary.BigEndian.PutUint16(pkt[22:], 7)
	binary.BigEndian.PutUint16(pkt[24:], uint16(udpLen))
	copy(pkt[28:], payload)
	if ip {
		return pkt
	}
	eth := []byte{2, 0, 0, 0, 0, 0x0b, 2, 0, 0, 0, 0, 0x0a, 0x08, 0x00}
	return append(eth, pkt...)
}

// exchange wraps end a of a fresh pipe, writes na frames from a and nb
// frames from b, reads the latter through the wrapper, closes it and
// returns the frames in the order the wrapper saw them.
func exchange(t *testing.T, medium link.Medium, na, nb int, w io.Writer) []([]byte) {
	t.Helper()
	a, b := pipe.New(pipe.Config{Medium: medium})
	defer b.Close()
	ep, err := Wrap(a, w)
	if err != nil {
		t.Fatalf("Wrap: %v", err)
	}
	ip := medium == link.IP
	var want [][]byte
	var out [][]byte
	for i := range na {
		out = append(out, udpFrame(uint16(1000+i), bytes.Repeat([]byte{byte(i)}, 10+i*13), ip))
	}
	if n, err := ep.WriteBatch(out); n != na || err != nil {
		t.Fatalf("WriteBatch = %d, %v", n, err)
	}
	want = append(want, out...)
	var in [][]byte
	for i := range nb {
		in = append(in, udpFrame(uint16(2000+i), bytes.Repeat([]byte{byte(100 + i)}, 1+i*29), ip))
	}
	if n, err := b.WriteBatch(in); n != nb || err != nil {
		t.Fatalf("peer WriteBatch = %d, %v", n, err)
	}
	bufs := [][]byte{make([]byte, 1518), make([]byte, 1518), make([]byte, 1518)}
	sizes := make([]int, len(bufs))
	for got := 0; got < nb; {
		n, err := ep.ReadBatch(bufs, sizes)
		if err != nil {
			t.Fatalf("ReadBatch: %v", err)
		}
		for i := range n {
			if !bytes.Equal(bufs[i][:sizes[i]], in[got+i]) {
				t.Fatalf("frame %d read through the wrapper differs from the one sent", got+i)
			}
		}
		got += n
	}
	want = append(want, in...)
	if err := ep.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return want
}

func TestWrapRecordsBothDirections(t *testing.T) {
	for _, tc := range []struct {
		medium link.Medium
		lt     uint32
	}{{link.Ethernet, LinkTypeEthernet}, {link.IP, LinkTypeRaw}} {
		t.Run(tc.medium.String(), func(t *testing.T) {
			var file bytes.Buffer
			before := time.Now().Truncate(time.Microsecond)
			want := exchange(t, tc.medium, 7, 11, &file)
			after := time.Now()

			r, err := NewReader(&file)
			if err != nil {
				t.Fatalf("NewReader: %v", err)
			}
			if r.LinkType() != tc.lt || r.SnapLen() != SnapLen {
				t.Errorf("link type %d, snaplen %d; want %d, %d", r.LinkType(), r.SnapLen(), tc.lt, SnapLen)
			}
			var written, read int
			var last time.Time
			for i := 0; ; i++ {
				data, ts, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("record %d: %v", i, err)
				}
				if i >= len(want) || !bytes.Equal(data, want[i]) {
					t.Fatalf("record %d does not match frame %d", i, i)
				}
				if ts.Before(before) || ts.After(after) || ts.Before(last) {
					t.Errorf("record %d: timestamp %v outside [%v, %v] or before the previous", i, ts, before, after)
				}
				last = ts
				if port := binary.BigEndian.Uint16(data[tc.medium.HeaderLen()+20:]); port < 2000 {
					written++
				} else {
					read++
				}
			}
			if written != 7 || read != 11 {
				t.Errorf("%d written and %d read records; want 7 and 11", written, read)
			}
		})
	}
}

func TestFileHeaderBytes(t *testing.T) {
	a, b := pipe.New(pipe.Config{})
	defer b.Close()
	var file bytes.Buffer
	ep, err := Wrap(a, &file)
	if err != nil {
		t.Fatal(err)
	}
	defer ep.Close()
	want := []byte{
		0xd4, 0xc3, 0xb2, 0xa1, // magic, little endian, microseconds
		2, 0, 4, 0, // version 2.4
		0, 0, 0, 0, 0, 0, 0, 0, // thiszone, sigfigs
		0, 0, 4, 0, // snaplen 262144
		1, 0, 0, 0, // LINKTYPE_ETHERNET
	}
	if !bytes.Equal(file.Bytes(), want) {
		t.Errorf("file header\n% x\nwant\n% x", file.Bytes(), want)
	}
}

func TestWrapForwards(t *testing.T) {
	a, b := pipe.New(pipe.Config{MTU: 9000})
	defer b.Close()
	ep, err := Wrap(a, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if ep.MTU() != 9000 || ep.Medium() != link.Ethernet || ep.Offload() != a.Offload() ||
		ep.HardwareAddr().String() != a.HardwareAddr().String() {
		t.Errorf("wrapper reports MTU %d, %v, %s; want the wrapped endpoint's", ep.MTU(), ep.Medium(), ep.HardwareAddr())
	}
	ep.Close()
	if _, err := a.WriteBatch([][]byte{make([]byte, 60)}); !errors.Is(err, net.ErrClosed) {
		t.Errorf("wrapped endpoint after the wrapper's Close: WriteBatch error %v, want net.ErrClosed", err)
	}
}

// failingWriter accepts limit bytes, then fails every write.
type failingWriter struct {
	limit int
	err   error
}

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.limit {
		return 0, w.err
	}
	w.limit -= len(p)
	return len(p), nil
}

func TestWriteErrorReportedByClose(t *testing.T) {
	boom := errors.New("disk full")
	a, b := pipe.New(pipe.Config{})
	defer b.Close()
	ep, err := Wrap(a, &failingWriter{limit: fileHeaderLen + 100, err: boom})
	if err != nil {
		t.Fatal(err)
	}
	// The capture fails on the second frame; the link must not notice.
	for i := range 5 {
		f := udpFrame(uint16(i), make([]byte, 30), false)
		if n, err := ep.WriteBatch([][]byte{f}); n != 1 || err != nil {
			t.Fatalf("WriteBatch %d = %d, %v; want 1, nil despite the capture failing", i, n, err)
		}
	}
	if s := b.Stats().Rx; s.Delivered != 0 || s.Sent != 5 {
		t.Errorf("peer stats %+v; want 5 frames sent", s)
	}
	if err := ep.Close(); !errors.Is(err, boom) {
		t.Errorf("Close = %v, want an error wrapping %v", err, boom)
	}
}

func TestWrapHeaderError(t *testing.T) {
	boom := errors.New("read-only")
	a, b := pipe.New(pipe.Config{})
	defer a.Close()
	defer b.Close()
	if _, err := Wrap(a, &failingWriter{err: boom}); !errors.Is(err, boom) {
		t.Errorf("Wrap on a failing writer = %v, want an error wrapping %v", err, boom)
	}
}

func TestCloseFlushes(t *testing.T) {
	var file bytes.Buffer
	bw := bufio.NewWriter(&file)
	exchange(t, link.Ethernet, 2, 3, bw)
	r, err := NewReader(&file)
	if err != nil {
		t.Fatalf("NewReader after Close flushed: %v", err)
	}
	n := 0
	for {
		if _, _, err := r.Next(); err != nil {
			if err != io.EOF {
				t.Fatal(err)
			}
			break
		}
		n++
	}
	if n != 5 {
		t.Errorf("%d records after Close, want 5", n)
	}
}

func TestSnapLenTruncates(t *testing.T) {
	var file bytes.Buffer
	a, b := pipe.New(pipe.Config{MTU: SnapLen + 1000})
	defer b.Close()
	ep, err := Wrap(a, &file)
	if err != nil {
		t.Fatal(err)
	}
	big := make([]byte, SnapLen+100)
	for i := range big {
		big[i] = byte(i)
	}
	ep.WriteBatch([][]byte{big})
	ep.Close()
	raw := file.Bytes()[fileHeaderLen:]
	if incl, orig := binary.LittleEndian.Uint32(raw[8:]), binary.LittleEndian.Uint32(raw[12:]); incl != SnapLen || orig != SnapLen+100 {
		t.Errorf("record lengths %d captured, %d original; want %d, %d", incl, orig, SnapLen, SnapLen+100)
	}
	r, err := NewReader(&file)
	if err != nil {
		t.Fatal(err)
	}
	data, _, err := r.Next()
	if err != nil || !bytes.Equal(data, big[:SnapLen]) {
		t.Errorf("Next = %d bytes, %v; want the first %d bytes", len(data), err, SnapLen)
	}
}

// TestConcurrentReadWrite is meant for -race: one goroutine writes
// through the wrapper while another reads through it.
func TestConcurrentReadWrite(t *testing.T) {
	const n = 2000
	var file bytes.Buffer
	a, b := pipe.New(pipe.Config{QueueLen: n})
	defer b.Close()
	ep, err := Wrap(a, &file)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		f := [][]byte{udpFrame(1, make([]byte, 100), false)}
		for range n {
			ep.WriteBatch(f)
		}
	})
	wg.Go(func() {
		f := [][]byte{udpFrame(2, make([]byte, 200), false)}
		for range n {
			b.WriteBatch(f)
		}
	})
	bufs := [][]byte{make([]byte, 1518), make([]byte, 1518)}
	sizes := make([]int, 2)
	for got := 0; got < n; {
		k, err := ep.ReadBatch(bufs, sizes)
		if err != nil {
			t.Fatal(err)
		}
		got += k
	}
	wg.Wait()
	if err := ep.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := NewReader(&file)
	if err != nil {
		t.Fatal(err)
	}
	count := map[int]int{}
	for {
		data, _, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		count[len(data)]++
	}
	if count[14+28+100] != n || count[14+28+200] != n || len(count) != 2 {
		t.Errorf("records by length %v; want %d of each of 142 and 242 bytes", count, n)
	}
}

// Wrapping an offloading link keeps its offload calls and records what
// crosses it as it is, as tcpdump does on an offloading interface: a
// 40,000-byte GSO packet whole, its partial checksum untouched.
func TestWrapOffloadingLink(t *testing.T) {
	a, b := pipe.New(pipe.Config{Offload: true})
	defer b.Close()
	var file bytes.Buffer
	ep, err := Wrap(a, &file)
	if err != nil {
		t.Fatal(err)
	}
	oep, ok := ep.(link.OffloadEndpoint)
	if !ok || !ep.Offload().TSO {
		t.Fatal("the wrapper hides the link's offloads")
	}
	big := udpFrame(1000, make([]byte, 40000), false)
	big[14+26], big[14+27] = 0x12, 0x34 // a partial checksum
	info := link.PacketInfo{GSO: link.GSOUDPL4, GSOSize: 1472, HdrLen: 42,
		NeedsCsum: true, CsumStart: 34, CsumOffset: 6}
	if n, err := oep.WriteBatchInfo([][]byte{big}, []link.PacketInfo{info}); n != 1 || err != nil {
		t.Fatalf("write: %d, %v", n, err)
	}
	buf := make([]byte, 1<<17)
	sizes := make([]int, 1)
	infos := make([]link.PacketInfo, 1)
	if n, err := b.ReadBatchInfo([][]byte{buf}, sizes, infos); n != 1 || err != nil || sizes[0] != len(big) || infos[0] != info {
		t.Fatalf("peer read %d packets of %d bytes with %+v: %v", n, sizes[0], infos[0], err)
	}
	ep.Close()
	r, err := NewReader(&file)
	if err != nil {
		t.Fatal(err)
	}
	data, _, err := r.Next()
	if err != nil || !bytes.Equal(data, big) {
		t.Fatalf("recorded %d bytes (want the %d that crossed): %v", len(data), len(big), err)
	}
}

// Wrapping a link that writes packets in pieces keeps that call, and the
// capture holds each such packet whole.
func TestWrapGatheringLink(t *testing.T) {
	a, b := pipe.New(pipe.Config{Offload: true})
	defer b.Close()
	var file bytes.Buffer
	ep, err := Wrap(a, &file)
	if err != nil {
		t.Fatal(err)
	}
	gep, ok := ep.(link.GatherEndpoint)
	if !ok {
		t.Fatal("the wrapper hides the link's gather writes")
	}
	frame := udpFrame(1000, bytes.Repeat([]byte("pieces "), 100), false)
	tail := [2][]byte{frame[100:300], frame[300:]}
	if n, err := gep.WriteBatchGather([][]byte{frame[:100]}, [][2][]byte{tail}, nil); n != 1 || err != nil {
		t.Fatalf("write: %d, %v", n, err)
	}
	buf := make([]byte, 2048)
	sizes := make([]int, 1)
	if n, err := b.ReadBatch([][]byte{buf}, sizes); n != 1 || err != nil || !bytes.Equal(buf[:sizes[0]], frame) {
		t.Fatalf("peer read %d packets of %d bytes (want %d): %v", n, sizes[0], len(frame), err)
	}
	ep.Close()
	r, err := NewReader(&file)
	if err != nil {
		t.Fatal(err)
	}
	data, _, err := r.Next()
	if err != nil || !bytes.Equal(data, frame) {
		t.Fatalf("recorded %d bytes (want the %d that crossed): %v", len(data), len(frame), err)
	}
}
