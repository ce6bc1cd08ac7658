package pipe

import (
	"net"
	"slices"
	"time"

	"github.com/renet-go/renet/link"
)

// Config describes a pipe: the link it pretends to be and the impairments
// applied to every packet crossing it, in both directions.
type Config struct {
	// Medium is the kind of packet carried; the zero value means
	// link.Ethernet.
	Medium link.Medium
	// MTU is the largest IP packet carried, excluding the link header;
	// zero or less means 1500.
	MTU int
	// HardwareAddrA and HardwareAddrB are the MAC addresses of the two
	// ends of an Ethernet pipe; nil means 02:00:00:00:00:0a and
	// 02:00:00:00:00:0b. They are ignored for the IP medium, whose ends
	// have none.
	HardwareAddrA, HardwareAddrB net.HardwareAddr

	// Seed seeds every random decision (math/rand/v2 PCG, one stream per
	// direction). The same seed and the same traffic give the same
	// decisions.
	Seed uint64

	// Loss is the probability that a packet is dropped.
	Loss float64
	// Duplicate is the probability that a packet is delivered twice.
	Duplicate float64
	// Reorder is the probability that a packet is held back and
	// delivered after the packet that follows it.
	Reorder float64
	// ReorderHold bounds how long a held-back packet waits for a
	// successor before it is delivered anyway; zero or less means 5ms.
	ReorderHold time.Duration
	// Corrupt is the probability that one random bit of a packet is
	// flipped.
	Corrupt float64

	// Delay is the one-way latency added to every packet.
	Delay time.Duration
	// Jitter adds a uniform extra latency in [0, Jitter) to each packet.
	// Packets with different jitter may overtake each other, as with
	// Linux netem.
	Jitter time.Duration
	// Rate is the bandwidth of each direction in bytes per second; each
	// packet waits for its serialisation time behind those before it.
	// Zero means unlimited.
	Rate int64
	// QueueLen is the number of packets that may wait in each direction
	// (scheduled, held back or ready to read). Beyond it packets are
	// tail-dropped, as at a router queue. Zero or less means 1024.
	QueueLen int

	// Offload makes the pipe behave as a veth pair between two stacks of
	// one host: it reports checksum offload, TSO and GRO up to
	// MaxOffloadSegment bytes, and carries each packet's link.PacketInfo
	// across unchanged, so partial checksums are trusted by the receiver
	// and large segments arrive whole, neither side cutting or summing
	// them. Packet buffers are then that large.
	Offload bool
}

// MaxOffloadSegment is the largest IP packet an offloading pipe carries
// as one (Linux's GSO maximum).
const MaxOffloadSegment = 65535

// Defaults applied by New.
const (
	defaultMTU         = 1500
	defaultQueueLen    = 1024
	defaultReorderHold = 5 * time.Millisecond
)

var (
	defaultAddrA = net.HardwareAddr{0x02, 0, 0, 0, 0, 0x0a}
	defaultAddrB = net.HardwareAddr{0x02, 0, 0, 0, 0, 0x0b}
)

// withDefaults returns a copy of c with zero values replaced by defaults,
// probabilities clamped to [0, 1] and negative durations made zero. The
// hardware addresses are copied so that the caller may reuse its slices.
func (c Config) withDefaults() Config {
	if c.Medium == 0 {
		c.Medium = link.Ethernet
	}
	if c.MTU <= 0 {
		c.MTU = defaultMTU
	}
	if c.QueueLen <= 0 {
		c.QueueLen = defaultQueueLen
	}
	if c.ReorderHold <= 0 {
		c.ReorderHold = defaultReorderHold
	}
	c.Loss = clamp01(c.Loss)
	c.Duplicate = clamp01(c.Duplicate)
	c.Reorder = clamp01(c.Reorder)
	c.Corrupt = clamp01(c.Corrupt)
	c.Delay = max(c.Delay, 0)
	c.Jitter = max(c.Jitter, 0)
	c.Rate = max(c.Rate, 0)
	if c.Medium == link.Ethernet {
		c.HardwareAddrA = orDefault(c.HardwareAddrA, defaultAddrA)
		c.HardwareAddrB = orDefault(c.HardwareAddrB, defaultAddrB)
	} else {
		c.HardwareAddrA, c.HardwareAddrB = nil, nil
	}
	return c
}

func clamp01(p float64) float64 {
	if !(p > 0) { // also catches NaN
		return 0
	}
	return min(p, 1)
}

func orDefault(a, def net.HardwareAddr) net.HardwareAddr {
	if a == nil {
		return slices.Clone(def)
	}
	return slices.Clone(a)
}
