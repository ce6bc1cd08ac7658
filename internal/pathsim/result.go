package pathsim

import (
	"time"

	"github.com/renet-go/renet/link/pipe"
	"github.com/renet-go/renet/netstack"
	"github.com/renet-go/renet/netstack/tcp"
)

// Result is what one transfer measured.
type Result struct {
	// Bytes is how many bytes crossed, all verified.
	Bytes int64
	// Duration is the virtual time from the sender's first Write to the
	// receiver's read of the last byte.
	Duration time.Duration
	// Sender and Receiver are the connections' Info once the receiver
	// has read everything and closed, and the sender has read its FIN:
	// every data segment is acknowledged by then.
	Sender, Receiver tcp.Info
	// Wire and Bottleneck are the pipes' counters as seen from the
	// sending stack (Tx is the data direction). Bottleneck is zero
	// without a Rate.
	Wire, Bottleneck pipe.Stats
	// SenderStack and ReceiverStack are the stacks' counters at the same
	// moment as Sender: ARP traffic and drops by reason.
	SenderStack, ReceiverStack netstack.Stats
}

// Goodput returns the application-level throughput in bytes per second,
// or 0 if no time passed.
func (r Result) Goodput() float64 {
	if r.Duration <= 0 {
		return 0
	}
	return float64(r.Bytes) / r.Duration.Seconds()
}

// RetransPercent returns the sender's retransmitted segments as a
// percentage of all segments it sent.
func (r Result) RetransPercent() float64 {
	return percent(r.Sender.Retransmits, r.Sender.SegsOut)
}

// SpuriousPercent returns the retransmissions the receiver showed were
// needless, as a percentage of all segments the sender sent.
func (r Result) SpuriousPercent() float64 {
	return percent(r.Sender.SpuriousRetransmits, r.Sender.SegsOut)
}

func percent(n, of uint64) float64 {
	if of == 0 {
		return 0
	}
	return 100 * float64(n) / float64(of)
}
