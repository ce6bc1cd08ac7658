package conn_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"

	"github.com/renet-go/renet/conn"
	"github.com/renet-go/renet/link/pipe"
	"github.com/renet-go/renet/netstack"
)

// twoStacks joins two stacks with an in-memory link: 10.0.0.1 and 10.0.0.2.
func twoStacks() (a, b *netstack.Stack) {
	ea, eb := pipe.New(pipe.Config{})
	a, _ = netstack.New(ea, netstack.Config{Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.0.1/24")}})
	b, _ = netstack.New(eb, netstack.Config{Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.0.2/24")}})
	return a, b
}

// A server on one stack, a client on the other: ordinary net.Listener and
// net.Conn code.
func ExampleDial() {
	a, b := twoStacks()
	defer a.Close()
	defer b.Close()

	l, _ := conn.Listen(b, "tcp", ":80")
	defer l.Close()
	go func() {
		c, _ := l.Accept()
		io.WriteString(c, "hello from 10.0.0.2\n")
		c.Close()
	}()

	c, err := conn.Dial(a, "tcp", "10.0.0.2:80")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	msg, _ := io.ReadAll(c)
	fmt.Print(string(msg))
	// Output: hello from 10.0.0.2
}

// Info reports what Linux's TCP_INFO would: RTT, congestion window, buffer
// sizes, retransmissions. The congestion control can be chosen per
// connection.
func ExampleTCPConn_Info() {
	a, b := twoStacks()
	defer a.Close()
	defer b.Close()
	l, _ := conn.Listen(b, "tcp", ":80")
	defer l.Close()
	go func() {
		if c, err := l.Accept(); err == nil {
			io.Copy(io.Discard, c)
			c.Close()
		}
	}()

	c, _ := conn.Dial(a, "tcp", "10.0.0.2:80")
	tc := c.(*conn.TCPConn)
	defer tc.Close()
	fmt.Println(tc.Info().State, tc.Info().CongestionControl)
	if err := tc.SetCongestionControl("reno"); err != nil {
		fmt.Println(err)
	}
	fmt.Println(tc.Info().CongestionControl)
	fmt.Println(tc.SetCongestionControl("vegas") != nil)
	// Output:
	// ESTABLISHED cubic
	// reno
	// true
}

// ListenConfig sets the accept queue's limit, which net.ListenConfig has
// no field for; handshakes in progress have a queue of their own, and past
// it the listener answers with SYN cookies.
func ExampleListenConfig() {
	a, b := twoStacks()
	defer a.Close()
	defer b.Close()
	lc := conn.ListenConfig{Stack: b, Backlog: 16}
	l, err := lc.Listen(context.Background(), "tcp", ":80")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer l.Close()
	fmt.Println(l.Addr(), l.(*conn.TCPListener).Backlog())
	// Output: 0.0.0.0:80 16
}

// Multicast as with golang.org/x/net/ipv4: join a group on one stack, send
// to it from the other. The stack reports the membership with IGMP, so
// snooping switches forward the group.
func ExampleUDPConn_JoinGroup() {
	a, b := twoStacks()
	defer a.Close()
	defer b.Close()
	pc, _ := conn.ListenPacket(b, "udp", ":5353")
	defer pc.Close()
	group := &net.UDPAddr{IP: net.IPv4(239, 1, 2, 3), Port: 5353}
	if err := pc.(*conn.UDPConn).JoinGroup(nil, group); err != nil {
		fmt.Println(err)
		return
	}
	sender, _ := conn.ListenPacket(a, "udp", ":0")
	defer sender.Close()
	sender.WriteTo([]byte("hello, group"), group)
	buf := make([]byte, 64)
	n, from, _ := pc.ReadFrom(buf)
	fmt.Println(string(buf[:n]), "from", from.(*net.UDPAddr).IP)
	// Output: hello, group from 10.0.0.1
}
