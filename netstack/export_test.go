package netstack

import (
	"net"
	"sync"
	"time"

	"github.com/renet-go/renet/link"
)

// captureLink is a link.Endpoint for tests that feed the stack by calling
// inject: its ReadBatch blocks until Close, and WriteBatch hands every
// packet to a callback (or keeps copies).
type captureLink struct {
	medium link.Medium
	mtu    int
	closed chan struct{}
	once   sync.Once

	// settle, if set (to the stack's flushWait), runs before take: a
	// flush that found another under way has returned before its packets
	// were written.
	settle func()

	mu      sync.Mutex
	onWrite func(pkt []byte) // called with each written packet, under mu
	written [][]byte         // copies, when onWrite is nil
}

func newCaptureLink(m link.Medium, mtu int) *captureLink {
	return &captureLink{medium: m, mtu: mtu, closed: make(chan struct{})}
}

func (c *captureLink) ReadBatch(bufs [][]byte, sizes []int) (int, error) {
	<-c.closed
	return 0, net.ErrClosed
}

func (c *captureLink) WriteBatch(pkts [][]byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range pkts {
		if c.onWrite != nil {
			c.onWrite(p)
		} else {
			c.written = append(c.written, append([]byte(nil), p...))
		}
	}
	return len(pkts), nil
}

// take returns and forgets what was written so far.
func (c *captureLink) take() [][]byte {
	if c.settle != nil {
		c.settle()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	w := c.written
	c.written = nil
	return w
}

func (c *captureLink) MTU() int                       { return c.mtu }
func (c *captureLink) Medium() link.Medium            { return c.medium }
func (c *captureLink) HardwareAddr() net.HardwareAddr { return nil }
func (c *captureLink) Offload() link.Offload          { return link.Offload{} }
func (c *captureLink) Close() error {
	c.once.Do(func() { close(c.closed) })
	return nil
}

// inject processes one packet as if the driver had read it at now, then
// writes what it produced.
func (s *Stack) inject(now time.Time, b []byte) {
	s.mu.Lock()
	s.input(now, b)
	s.armTimer(now)
	s.mu.Unlock()
	s.flushWait()
}

// runTimers runs the work of the stack timer as if it fired at now.
func (s *Stack) runTimers(now time.Time) {
	s.mu.Lock()
	s.runDue(now)
	s.mu.Unlock()
	s.flushWait()
}

// injectTrusted is inject for a packet whose link vouches for its
// transport checksum (link.PacketInfo.ChecksumTrusted), as an offloading
// tap does for the kernel's own packets.
func (s *Stack) injectTrusted(now time.Time, b []byte) {
	s.mu.Lock()
	s.inTrusted = true
	s.input(now, b)
	s.inTrusted = false
	s.armTimer(now)
	s.mu.Unlock()
	s.flushWait()
}
