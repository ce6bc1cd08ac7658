// Command echo is a small host on a renet stack, after smoltcp's server
// example: it answers ping at its address, replies "yo dawg\n" to every
// UDP datagram sent to port 6969, and on TCP port 6969 reads chunks of at
// most -bufsize bytes and writes each back reversed.
//
//	echo -tap tap0 -host 192.168.69.100/24
//	ping 192.168.69.1
//	echo hi | socat - UDP:192.168.69.1:6969
package main

import (
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/renet-go/renet/conn"
	"github.com/renet-go/renet/internal/linkflag"
	"github.com/renet-go/renet/netstack"
)

func main() {
	fs := flag.NewFlagSet("echo", flag.ExitOnError)
	lf := linkflag.Register(fs)
	bufsize := fs.Int("bufsize", 64, "largest chunk the TCP service reads and reverses at once")
	fs.Parse(os.Args[1:])
	if *bufsize < 1 {
		fmt.Fprintln(os.Stderr, "echo: -bufsize must be at least 1")
		os.Exit(2)
	}

	s, cleanup, err := lf.Open()
	if err != nil {
		fmt.Fprintf(os.Stderr, "echo: %v\n", err)
		os.Exit(1)
	}
	if err := run(s, *bufsize); err != nil {
		cleanup()
		fmt.Fprintf(os.Stderr, "echo: %v\n", err)
		os.Exit(1)
	}
	log.Printf("echo: serving on %v (%v): ping, UDP 6969, TCP 6969; Ctrl-C to stop", lf.Addr, s.HardwareAddr())

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	cleanup()
	st := s.Stats()
	log.Printf("echo: frames in %d out %d, dropped %d", st.FramesIn, st.FramesOut, st.TotalDrops())
}

// run starts the services in the background.
func run(s *netstack.Stack, bufsize int) error {
	pc, err := conn.ListenPacket(s, "udp", ":6969")
	if err != nil {
		return err
	}
	go serveUDP(pc.(*conn.UDPConn))
	if err := startTCP(s, bufsize); err != nil {
		pc.Close()
		return err
	}
	return nil
}

// serveUDP answers every datagram with "yo dawg\n".
func serveUDP(c *conn.UDPConn) {
	reply := []byte("yo dawg\n")
	buf := make([]byte, 65536)
	for {
		_, from, err := c.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue // e.g. an ICMP error reported for an earlier reply
		}
		c.WriteToUDPAddrPort(reply, from)
	}
}
