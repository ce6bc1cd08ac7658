package wgnet

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"strings"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
	"golang.zx2c4.com/wireguard/tun"
)

// newNet is CreateNetTUN that fails the test on error and closes the
// device at the end. local lists the addresses, separated by commas.
func newNet(t testing.TB, local string, dns ...string) (tun.Device, *Net) {
	t.Helper()
	var locals, servers []netip.Addr
	for s := range strings.SplitSeq(local, ",") {
		locals = append(locals, netip.MustParseAddr(s))
	}
	for _, s := range dns {
		servers = append(servers, netip.MustParseAddr(s))
	}
	dev, n, err := CreateNetTUN(locals, servers, 1420)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dev.Close() })
	return dev, n
}

// pump copies every packet a reads to b until either is closed, as a
// wire between two TUN devices.
func pump(t testing.TB, a, b tun.Device) {
	t.Helper()
	go func() {
		bufs := make([][]byte, a.BatchSize())
		sizes := make([]int, len(bufs))
		for i := range bufs {
			bufs[i] = make([]byte, 16+65535)
		}
		for {
			n, err := a.Read(bufs, sizes, 16)
			if err != nil {
				return
			}
			pkts := make([][]byte, n)
			for i := range pkts {
				pkts[i] = bufs[i][:16+sizes[i]]
			}
			if _, err := b.Write(pkts, 16); err != nil {
				return
			}
		}
	}()
}

// wire joins two devices both ways.
func wire(t testing.TB, a, b tun.Device) {
	pump(t, a, b)
	pump(t, b, a)
}

// rrs is a name's addresses for dnsServer.
func rrs(addrs ...string) []netip.Addr {
	var out []netip.Addr
	for _, a := range addrs {
		out = append(out, netip.MustParseAddr(a))
	}
	return out
}

// dnsServer answers A and AAAA queries from records on pc until pc is
// closed: the IPv4 addresses of a name for A, its IPv6 ones for AAAA,
// in order, and no answer (NODATA) when it has none of the type. Names in
// truncate get a truncated UDP answer, so that the client must ask again
// over TCP; l, when not nil, serves TCP queries.
func dnsServer(t testing.TB, pc net.PacketConn, l net.Listener, records map[string][]netip.Addr, truncate map[string]bool) {
	t.Helper()
	answer := func(req []byte, overTCP bool) []byte {
		var m dnsmessage.Message
		if err := m.Unpack(req); err != nil || len(m.Questions) != 1 {
			return nil
		}
		q := m.Questions[0]
		m.Response, m.Authoritative, m.RecursionAvailable = true, true, true
		addrs, ok := records[q.Name.String()]
		switch {
		case !ok:
			m.RCode = dnsmessage.RCodeNameError
		case truncate[q.Name.String()] && !overTCP:
			m.Truncated = true
		default:
			for _, a := range addrs {
				h := dnsmessage.ResourceHeader{Name: q.Name, Type: q.Type, Class: dnsmessage.ClassINET, TTL: 60}
				switch {
				case q.Type == dnsmessage.TypeA && a.Is4():
					m.Answers = append(m.Answers, dnsmessage.Resource{Header: h, Body: &dnsmessage.AResource{A: a.As4()}})
				case q.Type == dnsmessage.TypeAAAA && a.Is6():
					m.Answers = append(m.Answers, dnsmessage.Resource{Header: h, Body: &dnsmessage.AAAAResource{AAAA: a.As16()}})
				}
			}
		}
		b, err := m.Pack()
		if err != nil {
			return nil
		}
		return b
	}
	go func() {
		b := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(b)
			if err != nil {
				return
			}
			if resp := answer(b[:n], false); resp != nil {
				pc.WriteTo(resp, from)
			}
		}
	}()
	if l == nil {
		return
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				var lb [2]byte
				if _, err := readFull(c, lb[:]); err != nil {
					return
				}
				req := make([]byte, int(lb[0])<<8|int(lb[1]))
				if _, err := readFull(c, req); err != nil {
					return
				}
				resp := answer(req, true)
				c.Write(append([]byte{byte(len(resp) >> 8), byte(len(resp))}, resp...))
			}()
		}
	}()
}

func readFull(c net.Conn, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		k, err := c.Read(b[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// isClosedErr reports the errors of a closed socket or device.
func isClosedErr(err error) bool {
	return errors.Is(err, net.ErrClosed) || errors.Is(err, os.ErrClosed) || errors.Is(err, context.Canceled)
}
