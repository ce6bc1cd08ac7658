package tap_test

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/link/internal/framestest"
	"github.com/renet-go/renet/link/tap"
)

// segFrame is one frame read with its offload state.
type segFrame struct {
	b  []byte
	pi link.PacketInfo
}

// pumpInfo is pump for ReadBatchInfo, with buffers of size bytes.
func pumpInfo(t *testing.T, dev *tap.Device, size int) <-chan segFrame {
	ch := make(chan segFrame, 1024)
	done := make(chan struct{})
	t.Cleanup(func() { close(done) })
	go func() {
		bufs := make([][]byte, 8)
		for i := range bufs {
			bufs[i] = make([]byte, size)
		}
		sizes := make([]int, len(bufs))
		infos := make([]link.PacketInfo, len(bufs))
		for {
			n, err := dev.ReadBatchInfo(bufs, sizes, infos)
			if err != nil {
				return
			}
			for i := range n {
				select {
				case ch <- segFrame{bytes.Clone(bufs[i][:sizes[i]]), infos[i]}:
				case <-done:
					return
				}
			}
		}
	}()
	return ch
}

func waitSeg(t *testing.T, ch <-chan segFrame, what string, match func(segFrame) bool) segFrame {
	t.Helper()
	timeout := time.After(waitTimeout)
	for {
		select {
		case f := <-ch:
			if match(f) {
				return f
			}
		case <-timeout:
			t.Fatalf("no %s within %v", what, waitTimeout)
		}
	}
}

// completeChecksum finishes a partial transport checksum the way a NIC
// would, using framestest's checksum rather than the device's own code.
func completeChecksum(f []byte, pi link.PacketInfo) {
	field := int(pi.CsumStart) + int(pi.CsumOffset)
	binary.BigEndian.PutUint16(f[field:], framestest.Checksum(f[pi.CsumStart:], 0))
}

// readMatch reads with read, on its own goroutine so that a missing
// frame fails the test instead of hanging it, until a frame matches.
func readMatch(t *testing.T, what string, read func() ([]segFrame, error), match func(segFrame) bool) segFrame {
	t.Helper()
	ch := make(chan segFrame, 1)
	errc := make(chan error, 1)
	go func() {
		for {
			fs, err := read()
			if err != nil {
				errc <- err
				return
			}
			for _, f := range fs {
				if match(f) {
					ch <- f
					return
				}
			}
		}
	}()
	select {
	case f := <-ch:
		return f
	case err := <-errc:
		t.Fatalf("reading %s: %v", what, err)
	case <-time.After(waitTimeout):
		t.Fatalf("no %s within %v", what, waitTimeout)
	}
	panic("unreachable")
}

// TestUDPArrivesWithPartialChecksum: with TUN_F_CSUM the kernel hands up
// its own datagrams with NeedsCsum and the pseudo-header sum in the
// checksum field; finishing the sum makes them verify. Then ReadBatch on
// the same device gets whole datagrams with complete checksums again.
func TestUDPArrivesWithPartialChecksum(t *testing.T) {
	ns := quietNS(t)
	dev := openTap(t, ns, tap.Options{}, "tap0", kernelNet)
	run(t, ns, "ip", "neigh", "replace", stackIP.String(), "lladdr", stackMAC.String(), "dev", "tap0", "nud", "permanent")
	conn := ns.ListenUDP(t, "192.168.69.100:0")
	dst := netip.AddrPortFrom(stackIP, 9)
	payload := bytes.Repeat([]byte("partial "), 100)
	bufs := [][]byte{make([]byte, 2048), make([]byte, 2048)}
	sizes := make([]int, 2)
	infos := make([]link.PacketInfo, 2)
	readInfo := func() ([]segFrame, error) {
		n, err := dev.ReadBatchInfo(bufs, sizes, infos)
		var fs []segFrame
		for i := range n {
			fs = append(fs, segFrame{bytes.Clone(bufs[i][:sizes[i]]), infos[i]})
		}
		return fs, err
	}
	readPlain := func() ([]segFrame, error) {
		n, err := dev.ReadBatch(bufs, sizes)
		var fs []segFrame
		for i := range n {
			fs = append(fs, segFrame{b: bytes.Clone(bufs[i][:sizes[i]])})
		}
		return fs, err
	}
	isOurs := func(f segFrame) bool { return isUDPTo(dst)(f.b) }

	// A first read switches the kernel to partial checksums; datagrams
	// sent before that may still come complete, so send until one does
	// not.
	var f segFrame
	for range 5 {
		if _, err := conn.WriteToUDPAddrPort(payload, dst); err != nil {
			t.Fatal(err)
		}
		if f = readMatch(t, "UDP datagram", readInfo, isOurs); f.pi.NeedsCsum {
			break
		}
	}
	want := link.PacketInfo{NeedsCsum: true, CsumStart: 14 + 20, CsumOffset: 6}
	if f.pi != want {
		t.Fatalf("PacketInfo %+v, want %+v", f.pi, want)
	}
	if u, _ := framestest.ParseIPv4UDP(f.b[14:]); u.UDPChecksumOK {
		t.Logf("the partial checksum verifies as it is (possible, unlikely)")
	}
	completeChecksum(f.b, f.pi)
	if u, _ := framestest.ParseIPv4UDP(f.b[14:]); !u.UDPChecksumOK || !u.IPChecksumOK || !bytes.Equal(u.Payload, payload) {
		t.Errorf("completed datagram does not verify (IP %t, UDP %t) or lost its payload", u.IPChecksumOK, u.UDPChecksumOK)
	}

	// Queue one datagram while the kernel still gives partial checksums,
	// then switch to ReadBatch: that one is completed in software, the
	// next by the kernel. Both must verify.
	for range 2 {
		if _, err := conn.WriteToUDPAddrPort(payload, dst); err != nil {
			t.Fatal(err)
		}
		f = readMatch(t, "UDP datagram by ReadBatch", readPlain, isOurs)
		if u, _ := framestest.ParseIPv4UDP(f.b[14:]); !u.UDPChecksumOK || !u.IPChecksumOK || !bytes.Equal(u.Payload, payload) {
			t.Errorf("ReadBatch datagram does not verify (IP %t, UDP %t)", u.IPChecksumOK, u.UDPChecksumOK)
		}
	}
	if s := dev.Stats(); s != (tap.Stats{}) {
		t.Errorf("Stats %+v, want zero", s)
	}
}

// TCP flags.
const (
	tcpSYN = 0x02
	tcpPSH = 0x08
	tcpACK = 0x10
)

// tcpSeg builds an Ethernet+IPv4+TCP frame from the stack to the kernel
// with the TCP checksum left partial (the pseudo-header sum, for the
// device to complete) and returns it with the PacketInfo saying so.
func tcpSeg(kernelMAC net.HardwareAddr, src, dst netip.AddrPort, seq, ack uint32, flags byte, opts, payload []byte) ([]byte, link.PacketInfo) {
	thl := 20 + len(opts)
	ip := make([]byte, 20+thl+len(payload))
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], uint16(len(ip)))
	ip[6], ip[8], ip[9] = 0x40, 64, 6
	s, d := src.Addr().As4(), dst.Addr().As4()
	copy(ip[12:], s[:])
	copy(ip[16:], d[:])
	binary.BigEndian.PutUint16(ip[10:], framestest.Checksum(ip[:20], 0))
	th := ip[20:]
	binary.BigEndian.PutUint16(th[0:], src.Port())
	binary.BigEndian.PutUint16(th[2:], dst.Port())
	binary.BigEndian.PutUint32(th[4:], seq)
	binary.BigEndian.PutUint32(th[8:], ack)
	th[12] = byte(thl/4) << 4
	th[13] = flags
	binary.BigEndian.PutUint16(th[14:], 65535)
	copy(th[20:], opts)
	copy(th[thl:], payload)
	pseudo := uint32(6 + len(th))
	for i := 12; i < 20; i += 2 {
		pseudo += uint32(binary.BigEndian.Uint16(ip[i:]))
	}
	binary.BigEndian.PutUint16(th[16:], ^framestest.Checksum(nil, pseudo))
	return framestest.Ethernet(kernelMAC, stackMAC, framestest.EtherTypeIPv4, ip),
		link.PacketInfo{NeedsCsum: true, CsumStart: 34, CsumOffset: 16}
}

// tcpIn is what parseTCP found in a frame from the kernel.
type tcpIn struct {
	src, dst netip.AddrPort
	seq, ack uint32
	flags    byte
	payload  []byte
	hdrLen   int // Ethernet + IP + TCP
}

func parseTCP(f []byte) (tcpIn, bool) {
	if len(f) < 14+40 || f[12] != 0x08 || f[13] != 0 || f[14] != 0x45 || f[14+9] != 6 {
		return tcpIn{}, false
	}
	ip := f[14:]
	total := int(binary.BigEndian.Uint16(ip[2:]))
	if total > len(ip) || total < 40 {
		return tcpIn{}, false
	}
	th := ip[20:total]
	thl := int(th[12]>>4) * 4
	if thl < 20 || thl > len(th) {
		return tcpIn{}, false
	}
	return tcpIn{
		src:     netip.AddrPortFrom(netip.AddrFrom4([4]byte(ip[12:16])), binary.BigEndian.Uint16(th[0:])),
		dst:     netip.AddrPortFrom(netip.AddrFrom4([4]byte(ip[16:20])), binary.BigEndian.Uint16(th[2:])),
		seq:     binary.BigEndian.Uint32(th[4:]),
		ack:     binary.BigEndian.Uint32(th[8:]),
		flags:   th[13],
		payload: th[thl:],
		hdrLen:  14 + 20 + thl,
	}, true
}

// TestTCPSegmentationBothWays drives a kernel TCP connection from raw
// frames: a handshake whose every frame leaves its checksum to the kernel,
// one 10 000-byte GSO write that the kernel socket must read as a stream,
// and 40 000 bytes back from the kernel, which must arrive at least partly
// as segments larger than the MTU (GRO) that the test ACKs as it goes.
//
// With buffers smaller than MaxSegment the kernel is not told it may send
// large segments, and every frame fits the MTU.
func TestTCPSegmentationBothWays(t *testing.T) {
	t.Run("large buffers", func(t *testing.T) { testTCPSegmentation(t, tap.MaxSegment+14) })
	t.Run("small buffers", func(t *testing.T) { testTCPSegmentation(t, 2048) })
}

func testTCPSegmentation(t *testing.T, bufSize int) {
	ns := quietNS(t)
	dev := openTap(t, ns, tap.Options{}, "tap0", kernelNet)
	run(t, ns, "ip", "neigh", "replace", stackIP.String(), "lladdr", stackMAC.String(), "dev", "tap0", "nud", "permanent")
	kmac := dev.KernelHardwareAddr()
	ln := ns.Listen(t, "tcp4", "192.168.69.100:0")
	kernel := ln.Addr().(*net.TCPAddr).AddrPort()
	stack := netip.AddrPortFrom(stackIP, 40000)
	frames := pumpInfo(t, dev, bufSize)
	write := func(f []byte, pi link.PacketInfo) {
		t.Helper()
		if n, err := dev.WriteBatchInfo([][]byte{f}, []link.PacketInfo{pi}); n != 1 || err != nil {
			t.Fatalf("WriteBatchInfo = %d, %v", n, err)
		}
	}
	fromKernel := func(f segFrame) (tcpIn, bool) {
		s, ok := parseTCP(f.b)
		return s, ok && s.src == kernel && s.dst == stack
	}

	const iss = 1000
	mss1460 := []byte{2, 4, 0x05, 0xb4}
	write(tcpSeg(kmac, stack, kernel, iss, 0, tcpSYN, mss1460, nil))
	f := waitSeg(t, frames, "SYN-ACK", func(f segFrame) bool { s, ok := fromKernel(f); return ok && s.flags&tcpSYN != 0 })
	synack, _ := parseTCP(f.b)
	if synack.ack != iss+1 || synack.flags&tcpACK == 0 {
		t.Fatalf("SYN-ACK flags %#x ack %d, want ACK of %d", synack.flags, synack.ack, iss+1)
	}
	rcvNxt := synack.seq + 1
	write(tcpSeg(kmac, stack, kernel, iss+1, rcvNxt, tcpACK, nil, nil))
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			close(accepted)
			return
		}
		accepted <- c
	}()
	var conn net.Conn
	select {
	case conn = <-accepted:
	case <-time.After(waitTimeout):
		t.Fatal("the kernel did not accept the connection")
	}
	if conn == nil {
		t.Fatal("Accept failed")
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(waitTimeout))

	// TSO: one write, ten segments.
	data := make([]byte, 10*1000)
	for i := range data {
		data[i] = byte(i % 251)
	}
	big, pi := tcpSeg(kmac, stack, kernel, iss+1, rcvNxt, tcpACK|tcpPSH, nil, data)
	pi.GSO, pi.GSOSize, pi.HdrLen = link.GSOTCPv4, 1000, 14+20+20
	write(big, pi)
	got := make([]byte, len(data))
	if _, err := io.ReadFull(conn, got); err != nil {
		t.Fatalf("kernel socket read of the GSO write: %v", err)
	}
	if !bytes.Equal(got, data) {
		t.Fatal("kernel socket read other bytes than the GSO write carried")
	}
	sndNxt := uint32(iss + 1 + len(data))

	// The same written in pieces (link.GatherEndpoint): the headers, and
	// the payload in two slices of other arrays, as a wrapped send buffer.
	big, pi = tcpSeg(kmac, stack, kernel, sndNxt, rcvNxt, tcpACK|tcpPSH, nil, data)
	pi.GSO, pi.GSOSize, pi.HdrLen = link.GSOTCPv4, 1000, 14+20+20
	hl := int(pi.HdrLen)
	tail := [2][]byte{append([]byte{}, big[hl:hl+3333]...), append([]byte{}, big[hl+3333:]...)}
	if n, err := dev.WriteBatchGather([][]byte{big[:hl]}, [][2][]byte{tail}, []link.PacketInfo{pi}); n != 1 || err != nil {
		t.Fatalf("WriteBatchGather = %d, %v", n, err)
	}
	if _, err := io.ReadFull(conn, got); err != nil {
		t.Fatalf("kernel socket read of the GSO write in pieces: %v", err)
	}
	if !bytes.Equal(got, data) {
		t.Fatal("kernel socket read other bytes than the GSO write in pieces carried")
	}
	sndNxt += uint32(len(data))

	// GRO: the kernel's TCP sends large segments to a link with TSO.
	back := make([]byte, 40000)
	for i := range back {
		back[i] = byte(i % 239)
	}
	go conn.Write(back)
	var recv []byte
	large, segs := 0, 0
	for len(recv) < len(back) {
		f := waitSeg(t, frames, "data from the kernel", func(f segFrame) bool {
			s, ok := fromKernel(f)
			return ok && len(s.payload) > 0
		})
		s, _ := parseTCP(f.b)
		if !f.pi.NeedsCsum {
			t.Fatalf("kernel segment without a partial checksum: %+v", f.pi)
		}
		completeChecksum(f.b, f.pi)
		if framestest.Checksum(f.b[14+20:14+int(binary.BigEndian.Uint16(f.b[16:]))], pseudoTCP(f.b)) != 0 {
			t.Fatal("kernel segment's completed checksum does not verify")
		}
		segs++
		if f.pi.GSO != link.GSONone {
			large++
			if f.pi.GSO != link.GSOTCPv4 || f.pi.GSOSize != 1460 || int(f.pi.HdrLen) != s.hdrLen || len(s.payload) <= 1460 {
				t.Errorf("GSO segment %+v with %d payload bytes, want TCPv4 cut at 1460 after %d header bytes",
					f.pi, len(s.payload), s.hdrLen)
			}
		}
		if s.seq == rcvNxt {
			recv = append(recv, s.payload...)
			rcvNxt += uint32(len(s.payload))
		}
		write(tcpSeg(kmac, stack, kernel, sndNxt, rcvNxt, tcpACK, nil, nil))
	}
	if !bytes.Equal(recv, back) {
		t.Fatal("bytes from the kernel differ from what it wrote")
	}
	t.Logf("%d bytes from the kernel in %d segments, %d of them GSO", len(recv), segs, large)
	if bufSize >= tap.MaxSegment+14 && large == 0 {
		t.Error("no segment larger than the MTU arrived: GRO is not on")
	}
	if bufSize < tap.MaxSegment+14 && large != 0 {
		t.Error("segments larger than the MTU arrived in buffers too small for them")
	}
	if s := dev.Stats(); s != (tap.Stats{}) {
		t.Errorf("Stats %+v, want zero", s)
	}
}

// pseudoTCP is the IPv4 pseudo-header sum of the TCP segment in f.
func pseudoTCP(f []byte) uint32 {
	ip := f[14:]
	sum := uint32(6 + int(binary.BigEndian.Uint16(ip[2:])) - 20)
	for i := 12; i < 20; i += 2 {
		sum += uint32(binary.BigEndian.Uint16(ip[i:]))
	}
	return sum
}

// TestUDPSegmentationWrite writes one GSOUDPL4 frame; the kernel cuts it
// and its socket receives the datagrams one by one.
func TestUDPSegmentationWrite(t *testing.T) {
	ns := quietNS(t)
	dev := openTap(t, ns, tap.Options{}, "tap0", kernelNet)
	conn := ns.ListenUDP(t, "192.168.69.100:0")
	kernel := conn.LocalAddr().(*net.UDPAddr).AddrPort()
	stack := netip.AddrPortFrom(stackIP, 5555)
	const count, size = 5, 1000
	payload := make([]byte, count*size)
	for i := range payload {
		payload[i] = byte(i / size)
	}
	ip := framestest.IPv4UDP(stack, kernel, payload)
	// Leave the UDP checksum partial: the pseudo-header sum over the
	// whole datagram's length, which the kernel adjusts for each piece.
	pseudo := uint32(17 + len(ip) - 20)
	for i := 12; i < 20; i += 2 {
		pseudo += uint32(binary.BigEndian.Uint16(ip[i:]))
	}
	binary.BigEndian.PutUint16(ip[26:], ^framestest.Checksum(nil, pseudo))
	frame := framestest.Ethernet(dev.KernelHardwareAddr(), stackMAC, framestest.EtherTypeIPv4, ip)
	pi := link.PacketInfo{GSO: link.GSOUDPL4, GSOSize: size, HdrLen: 14 + 20 + 8, NeedsCsum: true, CsumStart: 34, CsumOffset: 6}
	if n, err := dev.WriteBatchInfo([][]byte{frame}, []link.PacketInfo{pi}); n != 1 || err != nil {
		t.Fatalf("WriteBatchInfo(GSOUDPL4) = %d, %v", n, err)
	}
	conn.SetReadDeadline(time.Now().Add(waitTimeout))
	buf := make([]byte, 2*size)
	for i := range count {
		n, from, err := conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			t.Fatalf("datagram %d: %v", i, err)
		}
		if from != stack || !bytes.Equal(buf[:n], payload[i*size:(i+1)*size]) {
			t.Fatalf("datagram %d: %d bytes from %v, want %d bytes of %d from %v", i, n, from, size, i, stack)
		}
	}
}

// TestTruncatedRead reads a datagram into a buffer too small for it: sizes
// stay within the buffer, and with offload the device notices the cut
// (Linux's read returns only what it copied) and drops the offload state,
// which describes bytes it did not read.
func TestTruncatedRead(t *testing.T) { forModes(t, testTruncatedRead) }

func testTruncatedRead(t *testing.T, o tap.Options) {
	ns := quietNS(t)
	dev := openTap(t, ns, o, "tap0", kernelNet)
	run(t, ns, "ip", "neigh", "replace", stackIP.String(), "lladdr", stackMAC.String(), "dev", "tap0", "nud", "permanent")
	conn := ns.ListenUDP(t, "192.168.69.100:0")
	dst := netip.AddrPortFrom(stackIP, 9)
	bufs, sizes, infos := [][]byte{make([]byte, 100)}, []int{0}, []link.PacketInfo{{}}
	read := func() ([]segFrame, error) {
		n, err := dev.ReadBatchInfo(bufs, sizes, infos)
		if n == 1 && sizes[0] > len(bufs[0]) {
			t.Errorf("size %d for a %d-byte buffer", sizes[0], len(bufs[0]))
			sizes[0] = len(bufs[0])
		}
		var fs []segFrame
		if n == 1 {
			fs = append(fs, segFrame{bytes.Clone(bufs[0][:sizes[0]]), infos[0]})
		}
		return fs, err
	}
	for range 2 { // the second with the kernel sending partial checksums
		if _, err := conn.WriteToUDPAddrPort(make([]byte, 1000), dst); err != nil {
			t.Fatal(err)
		}
		f := readMatch(t, "the long datagram, cut short", read, func(f segFrame) bool {
			return len(f.b) == 100 && f.b[12] == 0x08 && f.b[14+9] == 17
		})
		if f.pi != (link.PacketInfo{}) {
			t.Errorf("truncated frame came with offload state %+v", f.pi)
		}
	}
	if s := dev.Stats(); o.NoOffload && s != (tap.Stats{}) || !o.NoOffload && s.Truncated != 2 {
		t.Errorf("Stats %+v; want Truncated 2 with offload, none without", s)
	}
}

// TestWriteInfoWithoutOffload: a device opened plain refuses a frame that
// asks for offload instead of sending it with a broken checksum.
func TestWriteInfoWithoutOffload(t *testing.T) {
	ns := quietNS(t)
	dev := openTap(t, ns, tap.Options{NoOffload: true}, "tap0", kernelNet)
	f := framestest.Ethernet(framestest.Broadcast, stackMAC, framestest.EtherTypeLocal, make([]byte, 46))
	infos := []link.PacketInfo{{}, {NeedsCsum: true, CsumStart: 34, CsumOffset: 6}}
	if n, err := dev.WriteBatchInfo([][]byte{f, f}, infos); n != 1 || err == nil {
		t.Errorf("WriteBatchInfo = %d, %v; want 1 and an error", n, err)
	}
}
