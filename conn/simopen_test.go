package conn

import (
	"io"
	"net"
	"testing"
	"testing/synctest"
	"time"

	"github.com/renet-go/renet/link/pipe"
)

// TestSimultaneousOpenThroughDial dials from fixed ports on both stacks at
// once, as TCP hole punching does: the two SYNs cross, both connections
// pass through SYN-RECEIVED (RFC 9293 §3.5, Figure 6), and both dials must
// succeed with a working connection.
func TestSimultaneousOpenThroughDial(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := newPair(t, pipe.Config{Delay: 10 * time.Millisecond, Seed: 1})
		const portA, portB = 6000, 5000
		type result struct {
			c   net.Conn
			err error
		}
		dial := func(d *Dialer, addr string, out chan<- result) {
			c, err := d.Dial("tcp", addr)
			out <- result{c, err}
		}
		ra, rb := make(chan result, 1), make(chan result, 1)
		go dial(&Dialer{Stack: a, LocalAddr: &net.TCPAddr{IP: addrA.AsSlice(), Port: portA}}, "10.0.0.2:5000", ra)
		go dial(&Dialer{Stack: b, LocalAddr: &net.TCPAddr{IP: addrB.AsSlice(), Port: portB}}, "10.0.0.1:6000", rb)
		x, y := <-ra, <-rb
		if x.err != nil || y.err != nil {
			t.Fatalf("simultaneous open: dial from A: %v; dial from B: %v", x.err, y.err)
		}
		defer x.c.Close()
		defer y.c.Close()
		if st := x.c.(*TCPConn).Info(); st.SegsIn == 0 || st.State.String() != "ESTABLISHED" {
			t.Fatalf("A's connection: %+v", st)
		}
		go func() {
			x.c.Write([]byte("punched"))
			x.c.(*TCPConn).CloseWrite()
		}()
		got, err := io.ReadAll(y.c)
		if err != nil || string(got) != "punched" {
			t.Fatalf("B read %q, %v", got, err)
		}
	})
}
