package wgnet

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"os"
	"sort"
	"testing"
	"time"

	"golang.zx2c4.com/wireguard/tun"
	"golang.zx2c4.com/wireguard/tun/netstack"
)

// TestCompareWithGVisor measures wgnet against wireguard-go's own
// tun/netstack (gVisor) through the same in-process WireGuard tunnel:
// the throughput of one HTTP download and the round trip of an ICMP echo
// and of a one-byte TCP exchange. It logs the figures (go test -v -run
// Compare); it checks nothing but that both work.
func TestCompareWithGVisor(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("a measurement: not in -short nor under the race detector")
	}
	const size = 100 << 20
	for _, kind := range []string{"wgnet", "gvisor"} {
		t.Run(kind, func(t *testing.T) {
			client, server := newSide(t, kind, "10.7.0.1"), newSide(t, kind, "10.7.0.2")
			tunnel(t, client.dev, server.dev, "10.7.0.1", "10.7.0.2")

			l, err := server.listen(netip.MustParseAddrPort("10.7.0.2:80"))
			if err != nil {
				t.Fatal(err)
			}
			serveHTTP(t, l, bigHandler())
			download(t, client.dial, "http://10.7.0.2/bytes", 1<<20) // handshake, warm-up
			start := time.Now()
			download(t, client.dial, "http://10.7.0.2/bytes", size)
			d := time.Since(start)

			icmp := pingRTT(t, client)
			tcp := tcpRTT(t, client, server)
			t.Logf("%-6s 100 MB HTTP download %6.0f MB/s (%v); ICMP echo RTT median %v; TCP 1-byte RTT median %v",
				kind, size/d.Seconds()/1e6, d.Round(time.Millisecond), icmp, tcp)
		})
	}
}

// side is one end of a tunnel, with either stack.
type side struct {
	dev    tun.Device
	dial   dialFunc
	listen func(netip.AddrPort) (net.Listener, error)
	ping   func(dst netip.Addr) (net.Conn, error)
}

func newSide(t testing.TB, kind, local string) side {
	addrs := []netip.Addr{netip.MustParseAddr(local)}
	if kind == "gvisor" {
		dev, n, err := netstack.CreateNetTUN(addrs, nil, 1420)
		if err != nil {
			t.Fatal(err)
		}
		return side{
			dev:    dev,
			dial:   n.DialContext,
			listen: func(ap netip.AddrPort) (net.Listener, error) { return n.ListenTCPAddrPort(ap) },
			ping:   func(dst netip.Addr) (net.Conn, error) { return n.DialPingAddr(netip.Addr{}, dst) },
		}
	}
	dev, n := newNet(t, local)
	return side{
		dev:    dev,
		dial:   n.DialContext,
		listen: func(ap netip.AddrPort) (net.Listener, error) { return n.ListenTCPAddrPort(ap) },
		ping:   func(dst netip.Addr) (net.Conn, error) { return n.DialPingAddr(netip.Addr{}, dst) },
	}
}

func median(ds []time.Duration) time.Duration {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)/2]
}

const rounds = 500

// pingRTT is the median round trip of echo requests from c to the other
// end (10.7.0.2), which its stack answers.
func pingRTT(t testing.TB, c side) time.Duration {
	pc, err := c.ping(netip.MustParseAddr("10.7.0.2"))
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	buf := make([]byte, 1500)
	var rtts []time.Duration
	lost := 0
	for seq := range rounds {
		if lost >= 3 {
			break
		}
		req := echoRequest(t, seq, []byte("rtt"))
		start := time.Now()
		pc.SetReadDeadline(start.Add(250 * time.Millisecond))
		if _, err := pc.Write(req); err != nil {
			t.Fatal(err)
		}
		// A loaded machine may drop a datagram on loopback, and nothing
		// retransmits a ping: count it lost and go on. A late reply to
		// an earlier request is skipped by its sequence number.
		// tun/netstack's PingConn waits for a notification before it
		// reads, so a reply queued before the wait is only seen when the
		// next arrives; once behind it stays behind, one timeout per
		// ping: stop after a few.
		for {
			n, err := pc.Read(buf)
			if errors.Is(err, os.ErrDeadlineExceeded) {
				lost++
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if n >= 8 && int(binary.BigEndian.Uint16(buf[6:])) == seq {
				rtts = append(rtts, time.Since(start))
				break
			}
		}
	}
	if lost > 0 {
		t.Logf("%d echo requests lost after %d replies", lost, len(rtts))
	}
	if len(rtts) == 0 {
		t.Fatal("no echo reply")
	}
	return median(rtts)
}

// tcpRTT is the median time for one byte to go from c to s and back over
// an established TCP connection.
func tcpRTT(t testing.TB, c, s side) time.Duration {
	l, err := s.listen(netip.MustParseAddrPort("10.7.0.2:7"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		sc, err := l.Accept()
		if err != nil {
			return
		}
		defer sc.Close()
		b := make([]byte, 1)
		for {
			if _, err := sc.Read(b); err != nil {
				return
			}
			if _, err := sc.Write(b); err != nil {
				return
			}
		}
	}()
	cc, err := c.dial(context.Background(), "tcp", "10.7.0.2:7")
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	b := make([]byte, 1)
	var rtts []time.Duration
	for range rounds {
		start := time.Now()
		if _, err := cc.Write(b); err != nil {
			t.Fatal(err)
		}
		if _, err := cc.Read(b); err != nil {
			t.Fatal(err)
		}
		rtts = append(rtts, time.Since(start))
	}
	return median(rtts)
}
