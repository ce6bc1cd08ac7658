package main

import (
	"errors"
	"log"
	"net"

	"github.com/renet-go/renet/conn"
	"github.com/renet-go/renet/netstack"
)

// startTCP starts the TCP reversal service on port 6969. Until the stack
// has TCP it logs that the service is unavailable and carries on.
func startTCP(s *netstack.Stack, bufsize int) error {
	l, err := conn.Listen(s, "tcp", ":6969")
	if err != nil {
		log.Printf("echo: TCP 6969 unavailable: %v", err)
		return nil
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				if errors.Is(err, net.ErrClosed) {
					return
				}
				continue
			}
			go reverse(c, bufsize)
		}
	}()
	return nil
}

// reverse reads chunks of at most bufsize bytes and writes each back
// reversed, until the peer stops sending.
func reverse(c net.Conn, bufsize int) {
	defer c.Close()
	buf := make([]byte, bufsize)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			for i, j := 0, n-1; i < j; i, j = i+1, j-1 {
				chunk[i], chunk[j] = chunk[j], chunk[i]
			}
			if _, werr := c.Write(chunk); werr != nil {
				return
			}
		}
		if err != nil {
			return // io.EOF: the peer is done sending
		}
	}
}
