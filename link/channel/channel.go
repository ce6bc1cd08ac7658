package channel

import (
	"errors"
	"net"
	"slices"
	"sync"

	"github.com/renet-go/renet/link"
)

// Config describes a channel: the link the stack sees and the bounds of
// the two queues between the stack and the Port.
type Config struct {
	// Medium is the kind of packet carried; the zero value means link.IP
	// (bare IPv4 packets, as a TUN device or wireguard-go carries them).
	// link.Ethernet carries Ethernet II frames without FCS.
	Medium link.Medium
	// MTU is the largest IP packet carried, excluding the link header;
	// zero or less means 1500.
	MTU int
	// HardwareAddr is the MAC address the Endpoint reports on an Ethernet
	// channel; nil lets the stack choose one. It is ignored for link.IP.
	HardwareAddr net.HardwareAddr
	// InboundQueue bounds the packets written with Port.Write that the
	// stack has not yet read. A Port.Write that finds it full waits.
	// Zero or less means 1024.
	InboundQueue int
	// OutboundQueue bounds the packets the stack has written that
	// Port.Read has not yet taken. A WriteBatch that finds it full
	// returns link.ErrFull. Zero or less means 1024.
	OutboundQueue int
}

// Defaults applied by New.
const (
	defaultMTU   = 1500
	defaultQueue = 1024
)

// vlanLen is the extra header an 802.1Q tag adds to an Ethernet frame.
const vlanLen = 4

// ErrTooLarge is returned by Port.Write for a packet longer than the MTU
// plus the medium's header (plus 4 for a VLAN-tagged Ethernet frame).
// The packet is not written; the ones before it were.
var ErrTooLarge = errors.New("channel: packet larger than the MTU")

// errOffset is returned for a negative offset, or a packet given to
// Port.Write that is shorter than the offset: both are caller bugs.
var errOffset = errors.New("channel: offset outside the buffer")

func (c Config) withDefaults() Config {
	if c.Medium == 0 {
		c.Medium = link.IP
	}
	if c.MTU <= 0 {
		c.MTU = defaultMTU
	}
	if c.InboundQueue <= 0 {
		c.InboundQueue = defaultQueue
	}
	if c.OutboundQueue <= 0 {
		c.OutboundQueue = defaultQueue
	}
	if c.Medium == link.Ethernet {
		c.HardwareAddr = slices.Clone(c.HardwareAddr) // the caller may reuse its slice
	} else {
		c.HardwareAddr = nil
	}
	return c
}

// core is what the two ends share: the two queues and the closing.
type core struct {
	cfg    Config
	maxLen int // longest packet, link header included (untagged)
	in     *queue
	out    *queue

	// notifyRoom is the free room, in packets, the outbound queue must
	// regain after a refusal before the stack is told to write again.
	notifyRoom int

	done      chan struct{} // closed by close, after both queues are shut
	closeOnce sync.Once
}

// New returns the two ends of a channel described by cfg: the Endpoint,
// to hand to the stack (netstack.New), and the Port, for your own code.
func New(cfg Config) (*Endpoint, *Port) {
	c := cfg.withDefaults()
	maxLen := c.MTU + c.Medium.HeaderLen()
	bufLen := maxLen
	if c.Medium == link.Ethernet {
		bufLen += vlanLen
	}
	k := &core{
		cfg:        c,
		maxLen:     maxLen,
		in:         newQueue(c.InboundQueue, bufLen),
		out:        newQueue(c.OutboundQueue, bufLen),
		notifyRoom: max(1, c.OutboundQueue/4),
		done:       make(chan struct{}),
	}
	return &Endpoint{c: k}, &Port{c: k}
}

// fits reports whether b is short enough to cross the channel.
func (c *core) fits(b []byte) bool {
	if len(b) <= c.maxLen {
		return true
	}
	// IEEE 802.1Q: a tagged frame carries 4 more bytes of header.
	return c.cfg.Medium == link.Ethernet && len(b) <= c.maxLen+vlanLen &&
		b[12] == 0x81 && b[13] == 0x00
}

// close shuts both queues, discarding what they hold, and then wakes
// every waiter on either side. The queues are shut first so that a woken
// waiter, relocking its queue, always finds it closed.
func (c *core) close() {
	c.closeOnce.Do(func() {
		c.in.shut()
		c.out.shut()
		close(c.done)
	})
}

func (c *core) stats() Stats {
	return Stats{Inbound: c.in.snapshot(), Outbound: c.out.snapshot()}
}
