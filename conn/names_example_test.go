package conn_test

import (
	"context"
	"fmt"
	"io"
	"net/netip"

	"github.com/renet-go/renet/conn"
)

// A lookup through a stack, by the DNS client Dial uses: nothing is read
// from the host, and the addresses keep the server's order.
func ExampleLookupNetIP() {
	a, b := twoStacks()
	defer a.Close()
	defer b.Close()
	serveDNS(b, ":53", map[string][]netip.Addr{
		"www.example.": {netip.MustParseAddr("192.0.2.7"), netip.MustParseAddr("10.0.0.80")},
	})

	servers := []netip.AddrPort{netip.MustParseAddrPort("10.0.0.2:53")} // nil: the stack's Config.DNS
	addrs, err := conn.LookupNetIP(context.Background(), a, servers, "www.example")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(addrs)
	// Output: [192.0.2.7 10.0.0.80]
}

// A resolver whose queries travel through a stack: here to a DNS server
// on another stack in memory (serveDNS, a small server in this package's
// tests). The trailing dot keeps the host's search domains out of it.
func ExampleNewResolver() {
	a, b := twoStacks()
	defer a.Close()
	defer b.Close()
	serveDNS(b, ":53", map[string][]netip.Addr{
		"www.example.": {netip.MustParseAddr("10.0.0.80"), netip.MustParseAddr("10.0.0.81")},
	})

	r := conn.NewResolver(a, netip.MustParseAddrPort("10.0.0.2:53"))
	addrs, err := r.LookupHost(context.Background(), "www.example.")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(addrs)
	// Output: [10.0.0.80 10.0.0.81]
}

// Dialing a name with Go's resolver: the Dialer's Resolver looks it up
// through the stack. (A stack whose netstack.Config.DNS lists servers
// needs no Resolver: conn.Dial(a, "tcp", "www.example:80") asks them with
// LookupNetIP, which reads nothing from the host.)
func ExampleDialer_Resolver() {
	a, b := twoStacks()
	defer a.Close()
	defer b.Close()
	serveDNS(b, ":53", map[string][]netip.Addr{"www.example.": {netip.MustParseAddr("10.0.0.2")}})
	l, _ := conn.Listen(b, "tcp", ":80")
	defer l.Close()
	go func() {
		c, _ := l.Accept()
		io.WriteString(c, "hello from www.example.\n")
		c.Close()
	}()

	d := conn.Dialer{Stack: a, Resolver: conn.NewResolver(a, netip.MustParseAddrPort("10.0.0.2:53"))}
	c, err := d.Dial("tcp", "www.example.:80")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	msg, _ := io.ReadAll(c)
	fmt.Print(c.RemoteAddr(), " says ", string(msg))
	// Output: 10.0.0.2:80 says hello from www.example.
}
