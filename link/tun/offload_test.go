package tun_test

import (
	"bytes"
	"encoding/binary"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/renet-go/renet/internal/netnstest"
	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/link/internal/framestest"
	"github.com/renet-go/renet/link/tun"
)

// TestOffloadUDP runs both directions of offload on a TUN device, where
// offsets count from the IP header: the kernel's datagram arrives with a
// partial checksum at 20+6 that completes to valid, and one GSOUDPL4
// write reaches the kernel socket as separate datagrams.
func TestOffloadUDP(t *testing.T) {
	ns := netnstest.New(t)
	dev := openTun(t, ns, tun.Options{}, "tun0", kernelNet)
	conn := ns.ListenUDP(t, "10.9.0.1:0")
	kernel := conn.LocalAddr().(*net.UDPAddr).AddrPort()
	peer := netip.AddrPortFrom(peerIP, 7777)
	payload := bytes.Repeat([]byte("tun "), 200)

	type found struct {
		pkt []byte
		pi  link.PacketInfo
	}
	ch := make(chan found, 1)
	go func() {
		bufs, sizes, infos := [][]byte{make([]byte, 2048)}, []int{0}, []link.PacketInfo{{}}
		for {
			n, err := dev.ReadBatchInfo(bufs, sizes, infos)
			if err != nil {
				return
			}
			if u, ok := framestest.ParseIPv4UDP(bufs[0][:sizes[0]]); n == 1 && ok && u.Dst == peer && infos[0].NeedsCsum {
				ch <- found{bytes.Clone(bufs[0][:sizes[0]]), infos[0]}
				return
			}
		}
	}()
	// The first read turns partial checksums on; send until one comes so.
	var f found
	timeout := time.After(waitTimeout)
wait:
	for {
		if _, err := conn.WriteToUDPAddrPort(payload, peer); err != nil {
			t.Fatal(err)
		}
		select {
		case f = <-ch:
			break wait
		case <-time.After(50 * time.Millisecond):
		case <-timeout:
			t.Fatal("no datagram with a partial checksum")
		}
	}
	if want := (link.PacketInfo{NeedsCsum: true, CsumStart: 20, CsumOffset: 6}); f.pi != want {
		t.Fatalf("PacketInfo %+v, want %+v", f.pi, want)
	}
	binary.BigEndian.PutUint16(f.pkt[26:], framestest.Checksum(f.pkt[20:], 0))
	if u, _ := framestest.ParseIPv4UDP(f.pkt); !u.UDPChecksumOK || !bytes.Equal(u.Payload, payload) {
		t.Error("completed datagram does not verify")
	}

	const count, size = 4, 500
	data := make([]byte, count*size)
	for i := range data {
		data[i] = byte(i / size)
	}
	ip := framestest.IPv4UDP(peer, kernel, data)
	pseudo := uint32(17 + len(ip) - 20)
	for i := 12; i < 20; i += 2 {
		pseudo += uint32(binary.BigEndian.Uint16(ip[i:]))
	}
	binary.BigEndian.PutUint16(ip[26:], ^framestest.Checksum(nil, pseudo))
	pi := link.PacketInfo{GSO: link.GSOUDPL4, GSOSize: size, HdrLen: 28, NeedsCsum: true, CsumStart: 20, CsumOffset: 6}
	if n, err := dev.WriteBatchInfo([][]byte{ip}, []link.PacketInfo{pi}); n != 1 || err != nil {
		t.Fatalf("WriteBatchInfo = %d, %v", n, err)
	}
	conn.SetReadDeadline(time.Now().Add(waitTimeout))
	buf := make([]byte, 2*size)
	for i := range count {
		n, from, err := conn.ReadFromUDPAddrPort(buf)
		if err != nil || from != peer || !bytes.Equal(buf[:n], data[i*size:(i+1)*size]) {
			t.Fatalf("datagram %d: %d bytes from %v, %v; want %d bytes of %d from %v", i, n, from, err, size, i, peer)
		}
	}
	// The same burst written in pieces (link.GatherEndpoint): the headers,
	// and the payload in two slices of other arrays.
	tail := [2][]byte{bytes.Clone(ip[28 : 28+700]), bytes.Clone(ip[28+700:])}
	if n, err := dev.WriteBatchGather([][]byte{ip[:28]}, [][2][]byte{tail}, []link.PacketInfo{pi}); n != 1 || err != nil {
		t.Fatalf("WriteBatchGather = %d, %v", n, err)
	}
	for i := range count {
		n, from, err := conn.ReadFromUDPAddrPort(buf)
		if err != nil || from != peer || !bytes.Equal(buf[:n], data[i*size:(i+1)*size]) {
			t.Fatalf("datagram %d written in pieces: %d bytes from %v, %v; want %d bytes of %d from %v", i, n, from, err, size, i, peer)
		}
	}
}
