package conn

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"io"
	"net"
	"net/netip"
	"testing"

	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/link/pipe"
	"github.com/renet-go/renet/netstack"
)

var (
	addrA = netip.MustParseAddr("10.0.0.1")
	addrB = netip.MustParseAddr("10.0.0.2")
)

// newPair starts two stacks joined by a pipe with the given impairments:
// A at 10.0.0.1, B at 10.0.0.2.
func newPair(t testing.TB, cfg pipe.Config) (a, b *netstack.Stack) {
	return newPairWith(t, cfg, netstack.Config{}, netstack.Config{})
}

// newPairWith is newPair with stack configurations (their Addrs are set
// here).
func newPairWith(t testing.TB, cfg pipe.Config, cfgA, cfgB netstack.Config) (a, b *netstack.Stack) {
	t.Helper()
	ea, eb := pipe.New(cfg)
	cfgA.Addrs = []netip.Prefix{netip.PrefixFrom(addrA, 24)}
	cfgB.Addrs = []netip.Prefix{netip.PrefixFrom(addrB, 24)}
	var err error
	a, err = netstack.New(ea, cfgA)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	b, err = netstack.New(eb, cfgB)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return a, b
}

// stacksOn starts stack A (10.0.0.1) on ea and B (10.0.0.2) on eb, links
// the caller made (a pipe's ends, perhaps wrapped), closed at cleanup.
func stacksOn(t testing.TB, ea, eb link.Endpoint) (a, b *netstack.Stack) {
	t.Helper()
	var err error
	if a, err = netstack.New(ea, netstack.Config{Addrs: []netip.Prefix{netip.PrefixFrom(addrA, 24)}}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if b, err = netstack.New(eb, netstack.Config{Addrs: []netip.Prefix{netip.PrefixFrom(addrB, 24)}}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return a, b
}

// serveEcho accepts connections on l until it is closed and echoes each
// one back until the peer's FIN.
func serveEcho(l net.Listener) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			io.Copy(c, c)
		}()
	}
}

// stamp fills msg (at least 36 bytes) with a datagram that carries its
// sequence number and the sha256 of its contents, so the receiver can tell
// it arrived intact: [sha256 of msg[32:]][seq uint32][fill...].
func stamp(msg []byte, seq uint32, fill func(i int) byte) {
	binary.BigEndian.PutUint32(msg[32:], seq)
	for j := 36; j < len(msg); j++ {
		msg[j] = fill(j)
	}
	sum := sha256.Sum256(msg[32:])
	copy(msg, sum[:])
}

// unstamp checks a datagram made by stamp and returns its sequence number.
func unstamp(msg []byte) (seq uint32, intact bool) {
	if len(msg) < 36 {
		return 0, false
	}
	sum := sha256.Sum256(msg[32:])
	return binary.BigEndian.Uint32(msg[32:]), bytes.Equal(sum[:], msg[:32])
}

func netipAddrPort(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }
