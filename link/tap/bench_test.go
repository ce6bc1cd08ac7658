package tap_test

import (
	"testing"

	"github.com/renet-go/renet/internal/netnstest"
	"github.com/renet-go/renet/link/afpacket"
	"github.com/renet-go/renet/link/internal/framestest"
)

const benchBatch = 32

func benchFrames() [][]byte {
	frames := make([][]byte, benchBatch)
	for i := range frames {
		frames[i] = framestest.Ethernet(framestest.Broadcast, stackMAC, framestest.EtherTypeLocal, make([]byte, 1500))
	}
	return frames
}

// BenchmarkWriteBatch writes batches of full-size frames into the kernel,
// which drops them (unassigned EtherType) after its receive path.
func BenchmarkWriteBatch(b *testing.B) {
	ns := netnstest.New(b)
	dev := ns.Tap(b, "tap0", kernelNet)
	frames := benchFrames()
	b.SetBytes(benchBatch * 1514)
	b.ReportAllocs()
	for b.Loop() {
		if n, err := dev.WriteBatch(frames); n != benchBatch || err != nil {
			b.Fatal(n, err)
		}
	}
	b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "frames/s")
}

// BenchmarkReadBatch reads full-size frames that an AF_PACKET socket on the
// kernel side sends out of tap0 as fast as it can.
func BenchmarkReadBatch(b *testing.B) {
	ns := netnstest.New(b)
	dev := ns.Tap(b, "tap0", kernelNet)
	var s *afpacket.Socket
	if err := ns.Do(func() (err error) { s, err = afpacket.Open("tap0"); return err }); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	frames := benchFrames()
	go func() {
		for {
			if _, err := s.WriteBatch(frames); err != nil {
				return
			}
		}
	}()
	bufs := make([][]byte, benchBatch)
	for i := range bufs {
		bufs[i] = make([]byte, 2048)
	}
	sizes := make([]int, len(bufs))
	b.SetBytes(1514)
	b.ReportAllocs()
	got, calls := 0, 0
	for b.Loop() {
		// One iteration is one frame, so ns/op is the cost per frame.
		if got == 0 {
			n, err := dev.ReadBatch(bufs, sizes)
			if err != nil {
				b.Fatal(err)
			}
			got = n
			calls++
		}
		got--
	}
	b.ReportMetric(float64(b.N)/float64(calls), "frames/call")
}
