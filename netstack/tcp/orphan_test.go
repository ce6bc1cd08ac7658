package tcp

import (
	"testing"
	"time"

	"github.com/renet-go/renet/netstack/wire"
)

// RFC 9293 §3.8.6.1 lets a receiver keep its window shut indefinitely; a
// connection the user has already closed must still end, or a peer could
// pin its memory forever. After orphanProbes unanswered probes it resets.
func TestOrphanedZeroWindowConnectionGivesUp(t *testing.T) {
	a, b := NewConn(Config{}), NewConn(Config{})
	now := time.Unix(1000, 0)
	b.SetISS(5000)
	b.Listen()
	a.Connect(now, 100)
	var seg Segment
	buf := make([]byte, 2000)
	pump := func() {
		for i := 0; i < 100; i++ {
			moved := false
			for a.Output(now, &seg, buf) {
				b.Input(now, &seg)
				moved = true
			}
			for b.Output(now, &seg, buf) {
				if seg.Flags&wire.TCPFlagRST == 0 && seg.Flags&wire.TCPFlagACK != 0 && a.State() == Established {
					seg.Window = 0 // the peer never opens its window again
				}
				a.Input(now, &seg)
				moved = true
			}
			if !moved {
				return
			}
		}
	}
	pump()
	if a.State() != Established {
		t.Fatalf("handshake: %v", a.State())
	}
	a.Write(make([]byte, 1000))
	a.Close()
	pump()
	for i := 0; i < 100 && !a.Done(); i++ {
		now = a.Deadline()
		if now.IsZero() {
			break
		}
		a.Tick(now)
		pump()
	}
	if !a.Done() {
		t.Fatalf("orphaned connection still %v after %d probes", a.State(), a.Info().Probes)
	}
	if a.Info().Probes > orphanProbes+1 {
		t.Errorf("%d probes, want about %d", a.Info().Probes, orphanProbes)
	}
}
