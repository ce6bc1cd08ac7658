package conn

import (
	"net/netip"
	"testing"

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
	t.Helper()
	ea, eb := pipe.New(cfg)
	var err error
	a, err = netstack.New(ea, netstack.Config{Addrs: []netip.Prefix{netip.PrefixFrom(addrA, 24)}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	b, err = netstack.New(eb, netstack.Config{Addrs: []netip.Prefix{netip.PrefixFrom(addrB, 24)}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return a, b
}

func netipAddrPort(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }
