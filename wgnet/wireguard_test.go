package wgnet

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/curve25519"
	"golang.org/x/net/ipv4"
	wgconn "golang.zx2c4.com/wireguard/conn"
	"golang.zx2c4.com/wireguard/device"
	"golang.zx2c4.com/wireguard/tun"
)

// Real WireGuard tunnels in one process: two wireguard-go devices whose
// UDP transport is bound to 127.0.0.1 only.

// loopBind is a wireguard-go conn.Bind on a UDP socket bound to
// 127.0.0.1, reading and writing batches with recvmmsg and sendmmsg.
type loopBind struct {
	mu sync.Mutex
	c  *net.UDPConn
	pc *ipv4.PacketConn
}

// loopEndpoint is a peer's address for loopBind.
type loopEndpoint struct{ ap netip.AddrPort }

func (e loopEndpoint) ClearSrc()           {}
func (e loopEndpoint) SrcToString() string { return "" }
func (e loopEndpoint) DstToString() string { return e.ap.String() }
func (e loopEndpoint) DstToBytes() []byte  { b, _ := e.ap.MarshalBinary(); return b }
func (e loopEndpoint) DstIP() netip.Addr   { return e.ap.Addr() }
func (e loopEndpoint) SrcIP() netip.Addr   { return netip.Addr{} }

const loopBatch = 64

func (b *loopBind) Open(port uint16) ([]wgconn.ReceiveFunc, uint16, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: int(port)})
	if err != nil {
		return nil, 0, err
	}
	c.SetReadBuffer(4 << 20)
	c.SetWriteBuffer(4 << 20)
	b.c, b.pc = c, ipv4.NewPacketConn(c)
	pc := b.pc
	msgs := make([]ipv4.Message, loopBatch)
	recv := func(packets [][]byte, sizes []int, eps []wgconn.Endpoint) (int, error) {
		k := min(len(packets), len(msgs))
		for i := range k {
			msgs[i].Buffers = packets[i : i+1]
		}
		n, err := pc.ReadBatch(msgs[:k], 0)
		if err != nil {
			return 0, err
		}
		for i := range n {
			sizes[i] = msgs[i].N
			eps[i] = loopEndpoint{msgs[i].Addr.(*net.UDPAddr).AddrPort()}
		}
		return n, nil
	}
	return []wgconn.ReceiveFunc{recv}, uint16(c.LocalAddr().(*net.UDPAddr).Port), nil
}

func (b *loopBind) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.c == nil {
		return nil
	}
	err := b.c.Close()
	b.c, b.pc = nil, nil
	return err
}

func (b *loopBind) SetMark(uint32) error { return nil }

func (b *loopBind) Send(bufs [][]byte, ep wgconn.Endpoint) error {
	b.mu.Lock()
	pc := b.pc
	b.mu.Unlock()
	if pc == nil {
		return net.ErrClosed
	}
	to := net.UDPAddrFromAddrPort(ep.(loopEndpoint).ap)
	msgs := make([]ipv4.Message, len(bufs))
	for i := range bufs {
		msgs[i] = ipv4.Message{Buffers: bufs[i : i+1], Addr: to}
	}
	for len(msgs) > 0 {
		n, err := pc.WriteBatch(msgs, 0)
		if err != nil {
			return err
		}
		msgs = msgs[n:]
	}
	return nil
}

func (b *loopBind) ParseEndpoint(s string) (wgconn.Endpoint, error) {
	ap, err := netip.ParseAddrPort(s)
	return loopEndpoint{ap}, err
}

func (b *loopBind) BatchSize() int { return loopBatch }

// wgDevice starts a wireguard-go device on tdev with a fresh key, bound
// to 127.0.0.1; it returns the device, its public key and its port.
func wgDevice(t testing.TB, tdev tun.Device) (*device.Device, string, uint16) {
	t.Helper()
	d, pub, port, err := startWG(tdev, device.NewLogger(device.LogLevelError, t.Name()+": "))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return d, pub, port
}

// startWG is wgDevice without the test: the bind's socket is opened by
// the calling thread (in its network namespace), and the caller closes
// the device.
func startWG(tdev tun.Device, log *device.Logger) (*device.Device, string, uint16, error) {
	var k [32]byte
	rand.Read(k[:])
	k[0] &= 248 // RFC 7748 §5 clamping, as wg genkey does
	k[31] = k[31]&127 | 64
	p, err := curve25519.X25519(k[:], curve25519.Basepoint)
	if err != nil {
		return nil, "", 0, err
	}
	d := device.NewDevice(tdev, &loopBind{}, log)
	if err := d.IpcSet("private_key=" + hex.EncodeToString(k[:]) + "\nlisten_port=0\n"); err != nil {
		d.Close()
		return nil, "", 0, err
	}
	if err := d.Up(); err != nil {
		d.Close()
		return nil, "", 0, err
	}
	conf, err := d.IpcGet()
	if err != nil {
		d.Close()
		return nil, "", 0, err
	}
	var port uint16
	for line := range strings.Lines(conf) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "listen_port="); ok {
			fmt.Sscan(v, &port)
		}
	}
	if port == 0 {
		d.Close()
		return nil, "", 0, fmt.Errorf("no listen_port in %q", conf)
	}
	return d, hex.EncodeToString(p), port, nil
}

// peer makes b a peer of a, reached at 127.0.0.1:port, owning allowed.
func peer(t testing.TB, a *device.Device, pub string, port uint16, allowed string) {
	t.Helper()
	err := a.IpcSet(fmt.Sprintf("public_key=%s\nendpoint=127.0.0.1:%d\nallowed_ip=%s\n", pub, port, allowed))
	if err != nil {
		t.Fatal(err)
	}
}

// tunnel joins two TUN devices with a WireGuard tunnel over loopback:
// a's side owns addrA, b's side addrB (addresses separated by commas,
// IPv4 or IPv6).
func tunnel(t testing.TB, a, b tun.Device, addrA, addrB string) {
	t.Helper()
	da, pubA, portA := wgDevice(t, a)
	db, pubB, portB := wgDevice(t, b)
	peer(t, da, pubB, portB, allowedIPs(addrB))
	peer(t, db, pubA, portA, allowedIPs(addrA))
}

// allowedIPs is the allowed_ip value for addrs, separated by commas: each
// a single-address prefix.
func allowedIPs(addrs string) string {
	var prefixes []string
	for s := range strings.SplitSeq(addrs, ",") {
		a := netip.MustParseAddr(s)
		prefixes = append(prefixes, netip.PrefixFrom(a, a.BitLen()).String())
	}
	return strings.Join(prefixes, "\nallowed_ip=")
}

// TestWireGuard runs HTTP, UDP, ping and a name lookup between two wgnet
// stacks through a real WireGuard tunnel.
func TestWireGuard(t *testing.T) {
	devA, a := newNet(t, "10.9.0.1", "10.9.0.2")
	devB, b := newNet(t, "10.9.0.2")
	tunnel(t, devA, devB, "10.9.0.1", "10.9.0.2")

	pc, err := b.ListenUDPAddrPort(netip.AddrPortFrom(netip.Addr{}, 53))
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	dnsServer(t, pc, nil, map[string][]netip.Addr{"server.wg.": rrs("10.9.0.2")}, nil)

	l, err := b.ListenTCP(&net.TCPAddr{Port: 80})
	if err != nil {
		t.Fatal(err)
	}
	serveHTTP(t, l, bigHandler())
	body := get(t, a.DialContext, "http://server.wg/hello")
	if !strings.HasPrefix(body, "hello 10.9.0.1:") {
		t.Errorf("body %q", body)
	}
	if n := download(t, a.DialContext, "http://10.9.0.2/bytes", 8<<20); n != 8<<20 {
		t.Errorf("downloaded %d bytes", n)
	}

	c, err := a.DialPingAddr(netip.Addr{}, netip.MustParseAddr("10.9.0.2"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for seq := range 3 {
		if _, err := c.Write(echoRequest(t, seq, []byte("through wireguard"))); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 1500)
		n, err := c.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		checkReply(t, buf[:n], seq, []byte("through wireguard"))
	}
}

// TestWireGuard6 runs HTTP, UDP, ping6 and AAAA lookups between two wgnet
// stacks with IPv6 inner addresses through a real WireGuard tunnel, and
// over IPv4 too when both have an address of each family.
func TestWireGuard6(t *testing.T) {
	for _, dual := range []bool{false, true} {
		t.Run(fmt.Sprint("dual=", dual), func(t *testing.T) {
			la, lb := "fd00::1", "fd00::2"
			if dual {
				la, lb = "10.9.0.1,"+la, "10.9.0.2,"+lb
			}
			devA, a := newNet(t, la, "fd00::2")
			devB, b := newNet(t, lb)
			tunnel(t, devA, devB, la, lb)

			pc, err := b.ListenUDPAddrPort(netip.AddrPortFrom(netip.Addr{}, 53))
			if err != nil {
				t.Fatal(err)
			}
			defer pc.Close()
			dnsServer(t, pc, nil, map[string][]netip.Addr{"server.wg.": rrs("10.9.0.2", "fd00::2")}, nil)
			want := []string{"fd00::2"}
			if dual {
				want = append(want, "10.9.0.2")
			}
			if got, err := a.LookupHost("server.wg"); err != nil || !slices.Equal(got, want) {
				t.Errorf("LookupHost(server.wg) = %v, %v; want %v", got, err, want)
			}

			l, err := b.ListenTCP(&net.TCPAddr{Port: 80})
			if err != nil {
				t.Fatal(err)
			}
			serveHTTP(t, l, bigHandler())
			body := get(t, a.DialContext, "http://server.wg/hello")
			if !strings.HasPrefix(body, "hello [fd00::1]:") {
				t.Errorf("body %q", body)
			}
			if n := download(t, a.DialContext, "http://[fd00::2]/bytes", 8<<20); n != 8<<20 {
				t.Errorf("downloaded %d bytes", n)
			}
			if dual {
				if body := get(t, a.DialContext, "http://10.9.0.2/hello"); !strings.HasPrefix(body, "hello 10.9.0.1:") {
					t.Errorf("body over IPv4 %q", body)
				}
			}

			srv, err := b.ListenUDPAddrPort(netip.MustParseAddrPort("[fd00::2]:7"))
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			go func() {
				buf := make([]byte, 2000)
				for {
					n, from, err := srv.ReadFromUDPAddrPort(buf)
					if err != nil {
						return
					}
					srv.WriteToUDPAddrPort(buf[:n], from)
				}
			}()
			uc, err := a.Dial("udp6", "server.wg:7")
			if err != nil {
				t.Fatal(err)
			}
			defer uc.Close()
			uc.SetDeadline(time.Now().Add(10 * time.Second))
			buf := make([]byte, 1500)
			if _, err := uc.Write([]byte("udp through wireguard")); err != nil {
				t.Fatal(err)
			}
			if n, err := uc.Read(buf); err != nil || string(buf[:n]) != "udp through wireguard" {
				t.Errorf("UDP echo = %q, %v", buf[:n], err)
			}

			c, err := a.Dial("ping6", "server.wg")
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetReadDeadline(time.Now().Add(10 * time.Second))
			for seq := range 3 {
				if _, err := c.Write(echoRequest6(t, seq, []byte("through wireguard"))); err != nil {
					t.Fatal(err)
				}
				n, err := c.Read(buf)
				if err != nil {
					t.Fatal(err)
				}
				checkReply6(t, buf[:n], seq, []byte("through wireguard"))
			}
		})
	}
}
