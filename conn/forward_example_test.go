package conn_test

import (
	"context"
	"fmt"
	"io"
	"net/netip"

	"github.com/renet-go/renet/conn"
	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/link/pipe"
	"github.com/renet-go/renet/netstack"
)

// A tunnel's far end: the stack takes a connection to an address it does
// not own, the program dials the real destination (here it pretends the
// upstream answered) and relays, answering as that address.
func ExampleNewForwarder() {
	ea, eb := pipe.New(pipe.Config{Medium: link.IP})
	client, _ := netstack.New(ea, netstack.Config{Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.0.1/32")}})
	gateway, _ := netstack.New(eb, netstack.Config{Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.0.2/32")}})
	defer client.Close()
	defer gateway.Close()

	f, _ := conn.NewForwarder(gateway, conn.ForwarderConfig{})
	go func() {
		ctx := context.Background()
		req, _ := f.AcceptTCP(ctx)
		// Dial req.Dst upstream here; on failure, req.Reject(err) tells
		// the client what happened (RST, ICMP unreachable or silence).
		c, _ := req.Accept(ctx)
		fmt.Fprintf(c, "hello from %v to %v", req.Dst, req.Src.Addr())
		c.Close()
	}()

	c, _ := conn.Dial(client, "tcp", "203.0.113.7:443")
	b, _ := io.ReadAll(c)
	fmt.Println(string(b))
	// Output: hello from 203.0.113.7:443 to 10.0.0.1
}
