package channel

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"testing"

	"github.com/renet-go/renet/link"
)

func TestDefaults(t *testing.T) {
	ep, port := New(Config{HardwareAddr: net.HardwareAddr{2, 0, 0, 0, 0, 1}})
	defer port.Close()
	if ep.MTU() != 1500 || ep.Medium() != link.IP || ep.Offload() != (link.Offload{}) || ep.HardwareAddr() != nil {
		t.Errorf("MTU %d, Medium %v, Offload %+v, HardwareAddr %v; want 1500, ip, none, nil",
			ep.MTU(), ep.Medium(), ep.Offload(), ep.HardwareAddr())
	}
	s := ep.Stats()
	if s.Inbound.Limit != 1024 || s.Outbound.Limit != 1024 {
		t.Errorf("queue limits %d, %d; want 1024, 1024", s.Inbound.Limit, s.Outbound.Limit)
	}

	mac := net.HardwareAddr{2, 0, 0, 0, 0, 1}
	eth, ethPort := New(Config{Medium: link.Ethernet, MTU: 9000, HardwareAddr: mac, InboundQueue: 3})
	defer ethPort.Close()
	mac[5] = 9 // the channel must have copied it
	if eth.MTU() != 9000 || eth.Medium() != link.Ethernet || eth.HardwareAddr().String() != "02:00:00:00:00:01" {
		t.Errorf("Ethernet: MTU %d, Medium %v, HardwareAddr %v; want 9000, ethernet, 02:00:00:00:00:01",
			eth.MTU(), eth.Medium(), eth.HardwareAddr())
	}
	if got := eth.Stats().Inbound.Limit; got != 3 {
		t.Errorf("inbound limit %d, want 3", got)
	}
}

// TestRoundTrip sends batches of varied sizes both ways, with and
// without headroom, scribbling on the senders' buffers after each write:
// the channel must have copied them.
func TestRoundTrip(t *testing.T) {
	for _, offset := range []int{0, 16} {
		ep, port := New(Config{InboundQueue: 64, OutboundQueue: 64})
		ctx := context.Background()
		for batch := 1; batch <= 64; batch *= 4 {
			sent := make([][]byte, batch)
			for i := range sent {
				sent[i] = packet(i, 20+(i*97+batch)%1481)
			}

			in := withOffset(sent, offset)
			if n, err := port.Write(ctx, in, offset); n != batch || err != nil {
				t.Fatalf("offset %d: Write = %d, %v; want %d, nil", offset, n, err, batch)
			}
			clear(in)
			for i, p := range readBatchN(t, ep, batch) {
				if !bytes.Equal(p, sent[i]) {
					t.Fatalf("offset %d, batch %d: inbound packet %d differs", offset, batch, i)
				}
			}

			out := withOffset(sent, 0)
			if n, err := ep.WriteBatch(out); n != batch || err != nil {
				t.Fatalf("offset %d: WriteBatch = %d, %v; want %d, nil", offset, n, err, batch)
			}
			clear(out)
			for i, p := range readN(t, port, batch, offset) {
				if !bytes.Equal(p, sent[i]) {
					t.Fatalf("offset %d, batch %d: outbound packet %d differs", offset, batch, i)
				}
			}
		}
		port.Close()
	}
}

// TestReadKeepsHeadroom checks that Read writes nothing before offset,
// where wireguard-go puts its own header.
func TestReadKeepsHeadroom(t *testing.T) {
	ep, port := New(Config{})
	defer port.Close()
	ep.WriteBatch([][]byte{packet(1, 100)})
	bufs, sizes := buffers(1, 16+1500)
	for i := range 16 {
		bufs[0][i] = 0xee
	}
	if n, err := port.Read(context.Background(), bufs, sizes, 16); n != 1 || err != nil || sizes[0] != 100 {
		t.Fatalf("Read = %d, %v, size %d; want 1, nil, 100", n, err, sizes[0])
	}
	if !bytes.Equal(bufs[0][:16], bytes.Repeat([]byte{0xee}, 16)) {
		t.Errorf("headroom overwritten: %x", bufs[0][:16])
	}
}

func TestWriteTooLarge(t *testing.T) {
	for _, medium := range []link.Medium{link.IP, link.Ethernet} {
		ep, port := New(Config{Medium: medium, MTU: 1000})
		longest := 1000 + medium.HeaderLen()
		pkts := withOffset([][]byte{packet(0, 60), packet(1, longest), packet(2, longest+1), packet(3, 60)}, 16)
		n, err := port.Write(context.Background(), pkts, 16)
		if n != 2 || !errors.Is(err, ErrTooLarge) {
			t.Errorf("%v: Write = %d, %v; want 2, ErrTooLarge", medium, n, err)
		}
		got := readBatchN(t, ep, 2)
		if index(got[0]) != 0 || index(got[1]) != 1 || len(got[1]) != longest {
			t.Errorf("%v: read packets %d and %d (%d bytes); want 0 and 1 (%d bytes)",
				medium, index(got[0]), index(got[1]), len(got[1]), longest)
		}
		if s := port.Stats().Inbound; s.Oversize != 1 || s.Depth != 0 {
			t.Errorf("%v: Oversize %d, Depth %d; want 1, 0", medium, s.Oversize, s.Depth)
		}
		port.Close()
	}
}

// TestVLANFrame checks that a tagged Ethernet frame may be 4 bytes longer.
func TestVLANFrame(t *testing.T) {
	ep, port := New(Config{Medium: link.Ethernet})
	defer port.Close()
	frame := packet(0, 1518)
	frame[12], frame[13] = 0x81, 0x00
	if n, err := port.Write(context.Background(), [][]byte{frame}, 0); n != 1 || err != nil {
		t.Fatalf("Write of a tagged 1518-byte frame = %d, %v; want 1, nil", n, err)
	}
	if got := readBatchN(t, ep, 1); !bytes.Equal(got[0], frame) {
		t.Errorf("tagged frame changed on the way")
	}
	frame[12] = 0x08 // untagged: too long
	if n, err := port.Write(context.Background(), [][]byte{frame}, 0); n != 0 || !errors.Is(err, ErrTooLarge) {
		t.Errorf("Write of an untagged 1518-byte frame = %d, %v; want 0, ErrTooLarge", n, err)
	}
}

// TestReadShortBuffer checks that a packet too long for its buffer is
// reported, not truncated, and not lost.
func TestReadShortBuffer(t *testing.T) {
	ep, port := New(Config{})
	defer port.Close()
	ep.WriteBatch([][]byte{packet(0, 100), packet(1, 1500), packet(2, 100)})
	ctx := context.Background()
	bufs, sizes := buffers(3, 16+200)
	if n, err := port.Read(ctx, bufs, sizes, 16); n != 1 || err != nil {
		t.Fatalf("first Read = %d, %v; want 1, nil (stopping before the long packet)", n, err)
	}
	if n, err := port.Read(ctx, bufs, sizes, 16); n != 0 || !errors.Is(err, io.ErrShortBuffer) {
		t.Fatalf("second Read = %d, %v; want 0, io.ErrShortBuffer", n, err)
	}
	got := readN(t, port, 2, 16)
	if index(got[0]) != 1 || len(got[0]) != 1500 || index(got[1]) != 2 {
		t.Errorf("after a bigger buffer: packets %d (%d bytes), %d; want 1 (1500 bytes), 2",
			index(got[0]), len(got[0]), index(got[1]))
	}
}

func TestBadOffset(t *testing.T) {
	_, port := New(Config{})
	defer port.Close()
	ctx := context.Background()
	if _, err := port.Write(ctx, [][]byte{make([]byte, 8)}, 16); err == nil {
		t.Error("Write of a packet shorter than the offset succeeded")
	}
	if _, err := port.Write(ctx, [][]byte{make([]byte, 8)}, -1); err == nil {
		t.Error("Write with a negative offset succeeded")
	}
	bufs, sizes := buffers(1, 1600)
	if _, err := port.Read(ctx, bufs, sizes, -1); err == nil {
		t.Error("Read with a negative offset succeeded")
	}
}

// TestWriteBatchOversize checks that the stack's side drops a packet
// too long for the link, counts it, and carries on.
func TestWriteBatchOversize(t *testing.T) {
	ep, port := New(Config{MTU: 576})
	defer port.Close()
	if n, err := ep.WriteBatch([][]byte{packet(0, 60), packet(1, 577), packet(2, 60)}); n != 3 || err != nil {
		t.Fatalf("WriteBatch = %d, %v; want 3, nil", n, err)
	}
	got := readN(t, port, 2, 0)
	if index(got[0]) != 0 || index(got[1]) != 2 {
		t.Errorf("read packets %d, %d; want 0, 2", index(got[0]), index(got[1]))
	}
	if s := ep.Stats().Outbound; s.Oversize != 1 {
		t.Errorf("Oversize = %d, want 1", s.Oversize)
	}
}

func TestEmptyCalls(t *testing.T) {
	ep, port := New(Config{})
	ctx := context.Background()
	if n, err := port.Read(ctx, nil, nil, 0); n != 0 || err != nil {
		t.Errorf("empty Read = %d, %v; want 0, nil", n, err)
	}
	if n, err := port.Write(ctx, nil, 0); n != 0 || err != nil {
		t.Errorf("empty Write = %d, %v; want 0, nil", n, err)
	}
	if n, err := ep.ReadBatch(nil, nil); n != 0 || err != nil {
		t.Errorf("empty ReadBatch = %d, %v; want 0, nil", n, err)
	}
	port.Close()
	if _, err := port.Read(ctx, nil, nil, 0); !errors.Is(err, net.ErrClosed) {
		t.Errorf("empty Read after Close: %v, want net.ErrClosed", err)
	}
}

func TestStats(t *testing.T) {
	ep, port := New(Config{InboundQueue: 8, OutboundQueue: 4})
	ctx := context.Background()
	port.Write(ctx, [][]byte{packet(0, 100), packet(1, 200), packet(2, 300)}, 0)
	readBatchN(t, ep, 1)
	ep.WriteBatch([][]byte{packet(0, 50), packet(1, 50), packet(2, 50), packet(3, 50), packet(4, 50)})
	readN(t, port, 1, 0)

	s := port.Stats()
	wantIn := QueueStats{Packets: 3, Bytes: 600, Delivered: 1, Depth: 2, Limit: 8}
	// No notify function is registered: the refusal episode ends
	// without a call, and Notified stays 0.
	wantOut := QueueStats{Packets: 4, Bytes: 200, Delivered: 1, Full: 1, Depth: 3, Limit: 4}
	if s.Inbound != wantIn {
		t.Errorf("Inbound = %+v\nwant %+v", s.Inbound, wantIn)
	}
	if s.Outbound != wantOut {
		t.Errorf("Outbound = %+v\nwant %+v", s.Outbound, wantOut)
	}

	port.Close()
	s = ep.Stats()
	if s.Inbound.Discarded != 2 || s.Outbound.Discarded != 3 || s.Inbound.Depth != 0 || s.Outbound.Depth != 0 {
		t.Errorf("after Close: Inbound %+v, Outbound %+v; want 2 and 3 discarded, nothing queued", s.Inbound, s.Outbound)
	}
}
