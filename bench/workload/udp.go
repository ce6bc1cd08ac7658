package workload

import (
	"testing"

	"github.com/renet-go/renet/bench/stacks"
)

// DatagramSize is the UDP payload of UDPRoundTrip.
const DatagramSize = 64

// UDPRoundTrip measures a DatagramSize-byte datagram echoed back: the
// client writes it on a connected socket, the server reads it and writes it
// back to the sender, and the client checks the reply's length and first
// byte.
func UDPRoundTrip(b *testing.B, impl stacks.Impl) {
	n := newNetwork(b, impl)
	srv, err := n.ListenUDP()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })
	go func() {
		buf := make([]byte, 2048)
		for {
			k, from, err := srv.ReadFrom(buf)
			if err != nil {
				return
			}
			if _, err := srv.WriteTo(buf[:k], from); err != nil {
				return
			}
		}
	}()
	c, err := n.DialUDP(portOf(srv.LocalAddr()))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	req := make([]byte, DatagramSize)
	resp := make([]byte, 2048)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		req[0] = byte(i)
		if _, err := c.Write(req); err != nil {
			b.Fatal(err)
		}
		k, err := c.Read(resp)
		if err != nil {
			b.Fatal(err)
		}
		if k != DatagramSize || resp[0] != byte(i) {
			b.Fatalf("reply %d: %d bytes starting %d", i, k, resp[0])
		}
	}
}
