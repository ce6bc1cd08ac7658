package conn

import (
	"bytes"
	"crypto/sha256"
	"io"
	"sync/atomic"
	"testing"

	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/link/pipe"
	"github.com/renet-go/renet/netstack"
	"github.com/renet-go/renet/netstack/wire"
)

// countingLink counts the packets written with a partial checksum and
// those larger than the MTU (GSO), and checks that each partial checksum
// completes to a valid one.
type countingLink struct {
	link.OffloadEndpoint
	t        *testing.T
	partial  atomic.Int64
	complete atomic.Int64
	gso      atomic.Int64
}

func (c *countingLink) WriteBatchInfo(pkts [][]byte, infos []link.PacketInfo) (int, error) {
	for i, p := range pkts {
		if infos[i].GSO != link.GSONone {
			c.gso.Add(1)
			if len(p) <= 1514 || infos[i].GSOSize == 0 {
				c.t.Errorf("GSO packet of %d bytes cut at %d", len(p), infos[i].GSOSize)
			}
		}
		if infos[i].NeedsCsum {
			c.partial.Add(1)
			q := append([]byte(nil), p...)
			start, field := int(infos[i].CsumStart), int(infos[i].CsumStart+infos[i].CsumOffset)
			sum := wire.Finish(wire.Sum(q[start:], 0))
			q[field], q[field+1] = byte(sum>>8), byte(sum)
			eth, _ := wire.ParseEthernet(q)
			ip, err := wire.ParseIPv4(eth.Payload())
			if err != nil {
				c.t.Errorf("bad IP packet with a partial checksum: %v", err)
				continue
			}
			if th, err := wire.ParseTCP(ip.Payload()); err != nil || !th.VerifyChecksum(ip.Src(), ip.Dst()) {
				c.t.Errorf("a partial checksum does not complete to a valid one")
			}
		} else {
			c.complete.Add(1)
		}
	}
	return c.OffloadEndpoint.WriteBatchInfo(pkts, infos)
}

// Over a link that offloads (a pipe standing in for a veth), TCP leaves
// checksums partial and hands the link segments of up to 64 KiB to cut;
// the receiver trusts the checksums and takes the large segments whole:
// a 4 MB transfer arrives intact, no segment is dropped for its
// checksum, and the segments that waited for ARP were completed in
// software first.
func TestOffloadTSOAndChecksum(t *testing.T) {
	ea, eb := pipe.New(pipe.Config{Offload: true, Seed: 21})
	cl := &countingLink{OffloadEndpoint: ea, t: t}
	a, b := stacksOn(t, cl, eb)
	l, err := Listen(b, "tcp", ":80")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	sums := make(chan [32]byte, 1)
	go func() {
		s, err := l.Accept()
		if err != nil {
			return
		}
		defer s.Close()
		h := sha256.New()
		io.Copy(h, s)
		var sum [32]byte
		copy(sum[:], h.Sum(nil))
		sums <- sum
	}()
	c, err := Dial(a, "tcp", "10.0.0.2:80")
	if err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte("offload!"), 1<<19)
	if _, err := c.Write(data); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if got := <-sums; got != sha256.Sum256(data) {
		t.Fatal("the transfer arrived corrupted")
	}
	if st := b.Stats(); st.Dropped(netstack.DropTCPChecksum) != 0 {
		t.Fatalf("%d segments dropped for their checksum", st.Dropped(netstack.DropTCPChecksum))
	}
	if cl.partial.Load() < 50 || cl.complete.Load() == 0 || cl.gso.Load() < 20 {
		t.Fatalf("%d packets with partial checksums (%d of them GSO), %d complete (ARP, and the SYN that waited for it)",
			cl.partial.Load(), cl.gso.Load(), cl.complete.Load())
	}
	t.Logf("%d packets with partial checksums, %d of them GSO; %d complete", cl.partial.Load(), cl.gso.Load(), cl.complete.Load())
}
