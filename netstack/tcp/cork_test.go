package tcp

import (
	"testing"

	"github.com/renet-go/renet/netstack/wire"
)

// Linux's TCP_CORK: while corked only full-sized segments leave; a
// partial one goes after the 200ms ceiling of tcp(7).
func TestCorkFullSegmentsOnly(t *testing.T) {
	c := connectEstablished(t, plainConfig(), wire.TCPOptions{MSS: 1000})
	c.SetCork(true)
	c.Write(pattern(500, 0))
	recvNothing(t, c, t0)
	c.Write(pattern(600, 1))
	s := drain(t, c, t0)
	if len(s) != 1 || len(s[0].Payload) != 1000 {
		t.Fatalf("corked, 1100 bytes written: %v, want one full segment", s)
	}
	if d := c.Deadline().Sub(t0); d != corkCeiling {
		t.Fatalf("deadline in %v, want the cork ceiling %v", d, corkCeiling)
	}
	now := t0.Add(ms(100))
	send(t, c, now, ackSeg(ourISS+1+1000, 65535))
	recvNothing(t, c, now) // the ACK does not release the partial segment
	now = t0.Add(corkCeiling)
	c.Tick(now)
	s = drain(t, c, now)
	if len(s) != 1 || len(s[0].Payload) != 100 {
		t.Fatalf("after the cork ceiling: %v, want the 100 bytes held", s)
	}
	// The ceiling starts again for the next partial segment.
	c.Write(pattern(10, 2))
	recvNothing(t, c, now)
	if d := c.Deadline().Sub(now); d != corkCeiling {
		t.Fatalf("next deadline in %v, want %v", d, corkCeiling)
	}
}

// Uncorking sends what was held back at once.
func TestUncorkSends(t *testing.T) {
	c := connectEstablished(t, plainConfig(), wire.TCPOptions{MSS: 1000})
	c.SetCork(true)
	c.Write(pattern(300, 0))
	recvNothing(t, c, t0)
	c.SetCork(false)
	if s := recv(t, c, t0); len(s.Payload) != 300 {
		t.Fatalf("uncorked: %v, want 300 bytes", s)
	}
}

// Closing a corked connection sends the held data with the FIN at once,
// as Linux's tcp_send_fin pushes with Nagle and cork off.
func TestCorkedCloseSendsFIN(t *testing.T) {
	c := connectEstablished(t, plainConfig(), wire.TCPOptions{MSS: 1000})
	c.SetCork(true)
	c.Write(pattern(300, 0))
	recvNothing(t, c, t0)
	c.CloseWrite()
	s := recv(t, c, t0)
	if len(s.Payload) != 300 || s.Flags&FIN == 0 {
		t.Fatalf("corked close: %v, want 300 bytes and the FIN", s)
	}
}
