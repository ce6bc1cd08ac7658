package main

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"testing"
	"time"
)

// socksServer is a minimal SOCKS5 server for the test: no authentication,
// or user "u" with password "p" when auth is set; CONNECT to IPv4
// addresses, dialed from dial; failures answered with the reply code for
// the dial's errno; both directions relayed with half-close.
func socksServer(l net.Listener, auth bool, dial func(addr string) (net.Conn, error)) {
	serve(l, func(c net.Conn) {
		var b [262]byte
		if _, err := io.ReadFull(c, b[:2]); err != nil || b[0] != 5 {
			return
		}
		if _, err := io.ReadFull(c, b[:b[1]]); err != nil {
			return
		}
		if !auth {
			c.Write([]byte{5, 0})
		} else {
			c.Write([]byte{5, 2})
			io.ReadFull(c, b[:2])
			user := make([]byte, b[1])
			io.ReadFull(c, user)
			io.ReadFull(c, b[:1])
			pass := make([]byte, b[0])
			io.ReadFull(c, pass)
			if string(user) != "u" || string(pass) != "p" {
				c.Write([]byte{1, 1})
				return
			}
			c.Write([]byte{1, 0})
		}
		if _, err := io.ReadFull(c, b[:10]); err != nil || b[1] != 1 || b[3] != 1 {
			return
		}
		dst := netip.AddrPortFrom(netip.AddrFrom4([4]byte(b[4:8])), binary.BigEndian.Uint16(b[8:10]))
		up, err := dial(dst.String())
		if err != nil {
			code := byte(1)
			switch {
			case errors.Is(err, syscall.ECONNREFUSED):
				code = 5
			case errors.Is(err, syscall.EHOSTUNREACH):
				code = 4
			case errors.Is(err, syscall.ENETUNREACH):
				code = 3
			}
			c.Write([]byte{5, code, 0, 1, 0, 0, 0, 0, 0, 0})
			return
		}
		defer up.Close()
		c.Write([]byte{5, 0, 0, 1, 0, 0, 0, 0, 0, 0})
		done := make(chan struct{})
		go func() { io.Copy(up, c); closeWrite(up); close(done) }()
		io.Copy(c, up)
		closeWrite(c)
		<-done
	})
}

// TestSOCKS5 runs the relay with -proxy: TCP goes through a SOCKS5 server
// in the server namespace, with half-close and refusals carried through;
// UDP and ping are refused since -direct is not given.
func TestSOCKS5(t *testing.T) {
	for _, auth := range []bool{false, true} {
		t.Run(fmt.Sprintf("auth=%v", auth), func(t *testing.T) {
			proxy := "socks5://" + serverIP + ":1080"
			if auth {
				proxy = "socks5://u:p@" + serverIP + ":1080"
			}
			tp := newTopo(t, "-proxy", proxy)
			tp.servers(t)
			socksServer(tp.server.Listen(t, "tcp4", serverIP+":1080"), auth, func(addr string) (net.Conn, error) {
				var c net.Conn
				err := tp.server.Do(func() error {
					var err error
					c, err = net.DialTimeout("tcp4", addr, 5*time.Second)
					return err
				})
				return c, err
			})
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()

			// Half-close through the proxy: the sha server answers after EOF.
			const size = 4 << 20
			c, err := tp.dial(ctx, "tcp4", serverIP+":9000")
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			h := sha256.New()
			if _, err := io.Copy(io.MultiWriter(c, h), io.LimitReader(&pattern{}, size)); err != nil {
				t.Fatal(err)
			}
			c.(*net.TCPConn).CloseWrite()
			reply, err := io.ReadAll(c)
			if want := fmt.Sprintf("%s %d\n", hex.EncodeToString(h.Sum(nil)), size); err != nil || string(reply) != want {
				t.Fatalf("through the proxy: %q, %v; want %q", reply, err, want)
			}

			// The proxy's "connection refused" is a RST to the client.
			if _, err := tp.dial(ctx, "tcp4", serverIP+":9999"); !errors.Is(err, syscall.ECONNREFUSED) {
				t.Errorf("closed port through the proxy: %v, want ECONNREFUSED", err)
			}

			// UDP is refused: ICMP administratively prohibited, which
			// Linux reports to a connected socket as EHOSTUNREACH.
			u, err := tp.dial(ctx, "udp4", serverIP+":53")
			if err != nil {
				t.Fatal(err)
			}
			defer u.Close()
			u.Write([]byte("query"))
			u.SetReadDeadline(time.Now().Add(3 * time.Second))
			if _, err := u.Read(make([]byte, 100)); !errors.Is(err, syscall.EHOSTUNREACH) {
				t.Errorf("UDP with -proxy: %v, want EHOSTUNREACH", err)
			}

			out, _ := tp.client.Run(ctx, "ping", "-c", "1", "-W", "1", serverIP)
			if !strings.Contains(string(out), " 0 received") {
				t.Errorf("ping was answered with -proxy and no -direct:\n%s", out)
			}
		})
	}
}
