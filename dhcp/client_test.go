package dhcp

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/link/pipe"
	"github.com/renet-go/renet/netstack"
	"github.com/renet-go/renet/netstack/wire"
)

var (
	serverNet = netip.MustParsePrefix("192.168.69.100/24")
	dns2      = netip.MustParseAddr("192.168.69.53")
	bcastAddr = netip.MustParseAddr("255.255.255.255")
)

// sent is a DHCP message the client's stack put on the link.
type sent struct {
	at  time.Time
	src netip.Addr
	dst netip.Addr
	msg Message
}

// dhcpOf decodes an Ethernet frame carrying a DHCP message to port 67.
func dhcpOf(e wire.Ethernet) (sent, bool) {
	ip, err := wire.ParseIPv4(e.Payload())
	if err != nil || ip.Protocol() != wire.IPProtoUDP {
		return sent{}, false
	}
	u, err := wire.ParseUDP(ip.Payload())
	if err != nil || u.DstPort() != ServerPort {
		return sent{}, false
	}
	m, err := ParseMessage(u.Payload())
	if err != nil {
		return sent{}, false
	}
	return sent{at: time.Now(), src: ip.Src(), dst: ip.Dst(), msg: m}, true
}

// fakeServer is a DHCP server working on frames at the far end of a
// pipe: it answers ARP for its address, offers 192.168.69.50 and
// acknowledges requests for it, as the test sets it to, and records what
// the client sent. (A renet stack cannot be the server: it drops
// datagrams from 0.0.0.0, as RFC 1122 §3.2.1.3 lets a host do.)
type fakeServer struct {
	ep  link.Endpoint
	mac wire.MAC

	mu       sync.Mutex
	log      []sent
	ignore   func(sent) bool // not heard, as if lost
	lease    time.Duration
	t1, t2   time.Duration
	mask     netip.Addr
	silent   bool // answer nothing
	nak      bool // answer DHCPREQUESTs with DHCPNAK
	released []netip.Addr
}

func (f *fakeServer) serve() {
	bufs, sizes := [][]byte{make([]byte, 2048)}, []int{0}
	for {
		if _, err := f.ep.ReadBatch(bufs, sizes); err != nil {
			return
		}
		e, err := wire.ParseEthernet(bufs[0][:sizes[0]])
		if err != nil {
			continue
		}
		switch e.EtherType() {
		case wire.EtherTypeARP:
			a, err := wire.ParseARP(e.Payload())
			if err == nil && a.Op() == wire.ARPRequest && a.TargetIP() == serverNet.Addr() {
				b := make([]byte, wire.ARPLen)
				af := wire.ARPFields{Op: wire.ARPReply, SenderMAC: f.mac, SenderIP: serverNet.Addr(), TargetMAC: a.SenderMAC(), TargetIP: a.SenderIP()}
				af.Encode(b)
				f.send(a.SenderMAC(), wire.EtherTypeARP, b)
			}
		case wire.EtherTypeIPv4:
			if s, ok := dhcpOf(e); ok {
				f.answer(s)
			}
		}
	}
}

// answer records a message from the client and answers it.
func (f *fakeServer) answer(s sent) {
	f.mu.Lock()
	f.log = append(f.log, s)
	if f.ignore != nil && f.ignore(s) {
		f.mu.Unlock()
		return
	}
	m := s.msg
	r := Message{Op: BootReply, HType: 1, XID: m.XID, Broadcast: m.Broadcast, HardwareAddr: m.HardwareAddr}
	r.ServerID = serverNet.Addr()
	r.LeaseTime, r.T1, r.T2 = f.lease, f.t1, f.t2
	r.SubnetMask = f.mask
	r.Routers = []netip.Addr{serverNet.Addr()}
	r.DNS = []netip.Addr{serverNet.Addr(), dns2}
	r.MTU = 1400
	silent := f.silent
	switch m.Type {
	case Discover:
		r.Type, r.YourAddr = Offer, offerAddr
	case Request:
		r.Type, r.YourAddr = Ack, offerAddr
		if f.nak {
			r = Message{Op: BootReply, HType: 1, XID: m.XID, Broadcast: true, HardwareAddr: m.HardwareAddr}
			r.Type, r.ServerID, r.Text = Nak, serverNet.Addr(), "wrong network"
		}
	case Release:
		f.released = append(f.released, m.ClientAddr)
		silent = true
	default:
		silent = true
	}
	f.mu.Unlock()
	if silent {
		return
	}
	// RFC 2131 §4.1: to ciaddr if set, else broadcast (the client sets
	// the BROADCAST flag).
	dst, dstMAC := bcastAddr, wire.BroadcastMAC
	if m.ClientAddr.IsValid() && !m.ClientAddr.IsUnspecified() && r.Type == Ack {
		dst, dstMAC = m.ClientAddr, wire.MACFrom(m.HardwareAddr)
	}
	n := r.Len()
	b := make([]byte, wire.IPv4MinHeaderLen+wire.UDPHeaderLen+n)
	r.Encode(b[wire.IPv4MinHeaderLen+wire.UDPHeaderLen:])
	uf := wire.UDPFields{SrcPort: ServerPort, DstPort: ClientPort}
	uf.Encode(b[wire.IPv4MinHeaderLen:], serverNet.Addr(), dst)
	ipf := wire.IPv4Fields{TTL: 64, Protocol: wire.IPProtoUDP, Src: serverNet.Addr(), Dst: dst}
	ipf.Encode(b, wire.UDPHeaderLen+n)
	f.send(dstMAC, wire.EtherTypeIPv4, b)
}

// send writes one frame to the client.
func (f *fakeServer) send(dst wire.MAC, t wire.EtherType, payload []byte) {
	b := make([]byte, wire.EthernetHeaderLen+len(payload))
	ef := wire.EthernetFields{Dst: dst, Src: f.mac, Type: t}
	ef.Encode(b)
	copy(b[wire.EthernetHeaderLen:], payload)
	f.ep.WriteBatch([][]byte{b})
}

func (f *fakeServer) set(change func(f *fakeServer)) {
	f.mu.Lock()
	change(f)
	f.mu.Unlock()
}

// received returns the messages heard so far, and forgets them.
func (f *fakeServer) received() []sent {
	f.mu.Lock()
	defer f.mu.Unlock()
	l := f.log
	f.log = nil
	return l
}

// world is a client's stack with no address and a fake server, joined by
// a pipe.
type world struct {
	client *netstack.Stack
	srv    *fakeServer
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ea, eb := pipe.New(pipe.Config{})
	w := &world{}
	var err error
	if w.client, err = netstack.New(ea, netstack.Config{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.client.Close() })
	w.srv = &fakeServer{ep: eb, mac: wire.MACFrom(eb.HardwareAddr()), lease: 200 * time.Second, mask: netip.MustParseAddr("255.255.255.0")}
	go w.srv.serve()
	t.Cleanup(func() { eb.Close() })
	return w
}

var testConfig = Config{Timeout: 20 * time.Second, Hostname: "renet-test"}

// start runs Start and closes the client at cleanup.
func (w *world) start(t *testing.T, cfg Config) *Client {
	t.Helper()
	c, err := Start(context.Background(), w.client, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func (w *world) addrs() []netip.Prefix { return w.client.Addrs() }

// TestAcquire: DISCOVER and REQUEST go from 0.0.0.0 to 255.255.255.255
// with the BROADCAST flag (RFC 2131 §4.1); the lease lands on the stack
// with its mask, router and name servers.
func TestAcquire(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		start := time.Now()
		c := w.start(t, testConfig)
		l := c.Lease()
		want := Lease{
			Addr: netip.MustParsePrefix("192.168.69.50/24"), Server: serverNet.Addr(), Router: serverNet.Addr(),
			DNS: []netip.Addr{serverNet.Addr(), dns2}, MTU: 1400, Duration: 200 * time.Second,
		}
		if l.Addr != want.Addr || l.Server != want.Server || l.Router != want.Router || len(l.DNS) != 2 || l.DNS[1] != dns2 || l.MTU != 1400 || l.Duration != want.Duration {
			t.Fatalf("lease %v, want %v", l, want)
		}
		// RFC 2131 §4.4.5 defaults, counted from the REQUEST.
		if l.T1.Sub(l.Start) != 100*time.Second || l.T2.Sub(l.Start) != 175*time.Second || l.Expiry.Sub(l.Start) != 200*time.Second || l.Start.Before(start) {
			t.Fatalf("times: start %v, T1 +%v, T2 +%v, expiry +%v", l.Start.Sub(start), l.T1.Sub(l.Start), l.T2.Sub(l.Start), l.Expiry.Sub(l.Start))
		}
		if got := w.addrs(); len(got) != 1 || got[0] != want.Addr {
			t.Fatalf("stack addresses %v", got)
		}
		if got := w.client.DNS(); len(got) != 2 || got[0] != netip.AddrPortFrom(serverNet.Addr(), 53) {
			t.Fatalf("stack DNS %v", got)
		}
		msgs := w.srv.received()
		if len(msgs) != 2 || msgs[0].msg.Type != Discover || msgs[1].msg.Type != Request {
			t.Fatalf("sent %v", msgs)
		}
		for _, s := range msgs {
			if s.src != netip.IPv4Unspecified() || s.dst != bcastAddr || !s.msg.Broadcast || s.msg.Hostname != "renet-test" {
				t.Errorf("%v from %v to %v, broadcast flag %t", s.msg.Type, s.src, s.dst, s.msg.Broadcast)
			}
		}
		if r := msgs[1].msg; r.RequestedAddr != offerAddr || r.ServerID != serverNet.Addr() || r.XID != msgs[0].msg.XID || !r.ClientAddr.IsUnspecified() {
			t.Errorf("REQUEST: requested %v, server %v, xid %x (discover's %x), ciaddr %v", r.RequestedAddr, r.ServerID, r.XID, msgs[0].msg.XID, r.ClientAddr)
		}
		if id := msgs[0].msg.ClientID; len(id) != 7 || id[0] != 1 || net.HardwareAddr(id[1:]).String() != w.client.HardwareAddr().String() {
			t.Errorf("client id % x", id)
		}
	})
}

// TestReleaseOnClose: Close unicasts a DHCPRELEASE from the leased
// address and takes the lease off the stack.
func TestReleaseOnClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		c := w.start(t, testConfig)
		w.srv.received()
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		msgs := w.srv.received()
		if len(msgs) != 1 || msgs[0].msg.Type != Release || msgs[0].dst != serverNet.Addr() || msgs[0].src != offerAddr || msgs[0].msg.ClientAddr != offerAddr {
			t.Fatalf("sent %+v, want one DHCPRELEASE from %v to the server", msgs, offerAddr)
		}
		var released []netip.Addr
		w.srv.set(func(f *fakeServer) { released = f.released })
		if len(released) != 1 || released[0] != offerAddr {
			t.Fatalf("the server saw releases for %v", released)
		}
		if len(w.addrs()) != 0 || len(w.client.DNS()) != 0 || c.Lease().Addr.IsValid() {
			t.Fatalf("after Close: addresses %v, DNS %v, lease %v", w.addrs(), w.client.DNS(), c.Lease())
		}
		if err := c.Renew(context.Background()); !errors.Is(err, net.ErrClosed) {
			t.Fatalf("Renew after Close: %v", err)
		}
	})
}

// TestRenewAtT1: at T1 the client unicasts a DHCPREQUEST from its
// address, with ciaddr and without options 50 and 54 (RFC 2131 §4.3.2),
// and the ACK moves the lease's times on.
func TestRenewAtT1(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		w.srv.set(func(f *fakeServer) { f.t1, f.t2 = 60*time.Second, 150*time.Second })
		c := w.start(t, testConfig)
		first := c.Lease()
		if first.T1.Sub(first.Start) != 60*time.Second || first.T2.Sub(first.Start) != 150*time.Second {
			t.Fatalf("the server's T1 and T2 not taken: %v %v", first.T1.Sub(first.Start), first.T2.Sub(first.Start))
		}
		w.srv.received()
		time.Sleep(first.T1.Sub(time.Now()) + time.Second)
		msgs := w.srv.received()
		if len(msgs) != 1 {
			t.Fatalf("%d messages at T1, want one DHCPREQUEST", len(msgs))
		}
		r := msgs[0]
		if r.msg.Type != Request || r.dst != serverNet.Addr() || r.src != offerAddr || r.msg.ClientAddr != offerAddr ||
			r.msg.RequestedAddr.IsValid() || r.msg.ServerID.IsValid() || r.msg.Broadcast {
			t.Fatalf("at T1: %+v", r)
		}
		if r.at.Sub(first.Start) != 60*time.Second {
			t.Fatalf("renewed %v after the lease began, want at T1 (60s)", r.at.Sub(first.Start))
		}
		if l := c.Lease(); !l.Expiry.After(first.Expiry) || l.Addr != first.Addr {
			t.Fatalf("lease not extended: %v → %v", first.Expiry, l.Expiry)
		}
		// Renew forces it now.
		before := c.Lease().Expiry
		time.Sleep(time.Second)
		if err := c.Renew(context.Background()); err != nil {
			t.Fatal(err)
		}
		if !c.Lease().Expiry.After(before) {
			t.Fatal("Renew did not extend the lease")
		}
	})
}

// TestRebindAtT2: when the server does not hear unicast, the client
// retransmits (half the time left to T2, at least 60 s: RFC 2131
// §4.4.5) and at T2 broadcasts; a server's ACK then extends the lease.
func TestRebindAtT2(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		w.srv.set(func(f *fakeServer) { f.lease = 400 * time.Second })
		c := w.start(t, testConfig)
		first := c.Lease()
		w.srv.received()
		w.srv.set(func(f *fakeServer) { f.ignore = func(s sent) bool { return s.dst != bcastAddr } })
		time.Sleep(first.T2.Sub(time.Now()) + time.Second)
		msgs := w.srv.received()
		var unicast, bcast []time.Duration
		for _, s := range msgs {
			if s.msg.Type != Request || s.msg.ClientAddr != offerAddr {
				t.Fatalf("sent %+v", s)
			}
			if s.dst == bcastAddr {
				bcast = append(bcast, s.at.Sub(first.Start))
			} else {
				unicast = append(unicast, s.at.Sub(first.Start))
			}
		}
		// T1 200 s, T2 350 s: unicast at 200, 275 (half of 150 left),
		// 335 (the 60 s minimum); broadcast at 350.
		want := []time.Duration{200 * time.Second, 275 * time.Second, 335 * time.Second}
		if len(unicast) != 3 || unicast[0] != want[0] || unicast[1] != want[1] || unicast[2] != want[2] {
			t.Errorf("unicast requests at %v, want %v", unicast, want)
		}
		if len(bcast) != 1 || bcast[0] != 350*time.Second {
			t.Errorf("broadcast requests at %v, want at T2 (350s)", bcast)
		}
		if l := c.Lease(); !l.Expiry.After(first.Expiry) {
			t.Fatalf("rebinding did not extend the lease: %v", l)
		}
	})
}

// TestExpiry: with no answer at all, the address goes at the lease's
// end, and the client starts over, getting a new lease when the server
// is back.
func TestExpiry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		c := w.start(t, testConfig)
		first := c.Lease()
		w.srv.set(func(f *fakeServer) { f.silent = true })
		time.Sleep(first.Expiry.Sub(time.Now()) - time.Second)
		if len(w.addrs()) != 1 {
			t.Fatal("address gone before expiry")
		}
		time.Sleep(2 * time.Second)
		if len(w.addrs()) != 0 || c.Lease().Addr.IsValid() || len(w.client.DNS()) != 0 {
			t.Fatalf("after expiry: addresses %v, lease %v, DNS %v", w.addrs(), c.Lease(), w.client.DNS())
		}
		msgs := w.srv.received()
		if last := msgs[len(msgs)-1]; last.msg.Type != Discover || last.src != netip.IPv4Unspecified() {
			t.Fatalf("after expiry the client sent %v from %v, want DHCPDISCOVER from 0.0.0.0", last.msg.Type, last.src)
		}
		w.srv.set(func(f *fakeServer) { f.silent = false })
		time.Sleep(70 * time.Second) // the backoff has reached 64 s
		if !c.Lease().Addr.IsValid() || len(w.addrs()) != 1 {
			t.Fatalf("no new lease after the server came back: %v", c.Lease())
		}
	})
}

// TestNAK: a DHCPNAK to a renewal takes the address away and the client
// starts over (RFC 2131 §4.4.5).
func TestNAK(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		c := w.start(t, Config{Timeout: 20 * time.Second, Retransmit: time.Second})
		w.srv.set(func(f *fakeServer) { f.nak = true })
		if err := c.Renew(context.Background()); !errors.Is(err, ErrNAK) {
			t.Fatalf("Renew: %v, want ErrNAK", err)
		}
		synctest.Wait()
		if len(w.addrs()) != 0 {
			t.Fatalf("address kept after a DHCPNAK: %v", w.addrs())
		}
		w.srv.set(func(f *fakeServer) { f.nak = false })
		time.Sleep(10 * time.Second)
		if !c.Lease().Addr.IsValid() || len(w.addrs()) != 1 {
			t.Fatalf("no lease after starting over: %v", c.Lease())
		}
	})
}

// TestSilentServer: Start gives up at its timeout with a clear error.
func TestSilentServer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		w.srv.set(func(f *fakeServer) { f.silent = true })
		start := time.Now()
		_, err := Start(context.Background(), w.client, Config{Timeout: 12 * time.Second})
		took := time.Since(start)
		if !errors.Is(err, ErrNoAnswer) || !strings.Contains(err.Error(), "dhcp: no answer from any server after ") || !strings.Contains(err.Error(), "tries (12s)") {
			t.Fatalf("%v", err)
		}
		if took != 12*time.Second {
			t.Fatalf("gave up after %v, want 12s", took)
		}
		// 4 s ±1 s, then 8 s ±1 s: three DISCOVERs within 12 s.
		msgs := w.srv.received()
		if len(msgs) < 2 || len(msgs) > 3 {
			t.Fatalf("%d DISCOVERs in 12 s", len(msgs))
		}
		if gap := msgs[1].at.Sub(msgs[0].at); gap < 3*time.Second || gap > 5*time.Second {
			t.Fatalf("first retransmission after %v, want 4s ±1s", gap)
		}
		t.Log(err)

		// The context ends it too, and the port is free again.
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(2*time.Second, cancel)
		if _, err := Start(ctx, w.client, Config{}); !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled: %v", err)
		}
		ctx, cancel = context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := Start(ctx, w.client, Config{}); !errors.Is(err, ErrNoAnswer) || !strings.Contains(err.Error(), "(5s)") {
			t.Fatalf("context deadline: %v", err)
		}
	})
}

// TestLostDiscover: a lost DISCOVER is sent again and the lease comes.
func TestLostDiscover(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		n := 0
		w.srv.set(func(f *fakeServer) { f.ignore = func(sent) bool { n++; return n == 1 } })
		c := w.start(t, testConfig)
		if !c.Lease().Addr.IsValid() {
			t.Fatal("no lease")
		}
		if msgs := w.srv.received(); len(msgs) != 3 || msgs[1].msg.XID != msgs[0].msg.XID {
			t.Fatalf("sent %d messages, want DISCOVER twice (same xid) then REQUEST", len(msgs))
		}
	})
}

// TestLeaseTimes checks leaseFrom's choices of T1, T2 and the mask.
func TestLeaseTimes(t *testing.T) {
	now := time.Unix(1000, 0)
	ack := func(o Options) *Message {
		return &Message{YourAddr: netip.MustParseAddr("10.1.2.3"), Options: o}
	}
	for _, c := range []struct {
		desc     string
		o        Options
		fallback time.Duration
		bits     int
		t1, t2   time.Duration
		ok       bool
	}{
		{"defaults, classful /8", Options{LeaseTime: 800 * time.Second}, 0, 8, 400 * time.Second, 700 * time.Second, true},
		{"server's times", Options{LeaseTime: 800 * time.Second, T1: 100 * time.Second, T2: 200 * time.Second}, 0, 8, 100 * time.Second, 200 * time.Second, true},
		{"T1 after T2", Options{LeaseTime: 800 * time.Second, T1: 300 * time.Second, T2: 200 * time.Second}, 0, 8, 400 * time.Second, 700 * time.Second, true},
		{"T2 beyond the lease", Options{LeaseTime: 800 * time.Second, T2: 900 * time.Second}, 0, 8, 400 * time.Second, 700 * time.Second, true},
		{"mask /20", Options{LeaseTime: 80 * time.Second, SubnetMask: netip.MustParseAddr("255.255.240.0")}, 0, 20, 40 * time.Second, 70 * time.Second, true},
		{"holey mask", Options{LeaseTime: 80 * time.Second, SubnetMask: netip.MustParseAddr("255.0.255.0")}, 0, 8, 40 * time.Second, 70 * time.Second, true},
		{"no lease time: the offer's", Options{}, 80 * time.Second, 8, 40 * time.Second, 70 * time.Second, true},
		{"no lease time at all", Options{}, 0, 0, 0, 0, false},
	} {
		l, ok := leaseFrom(ack(c.o), c.fallback, serverIP, now)
		if ok != c.ok {
			t.Errorf("%s: ok %t", c.desc, ok)
			continue
		}
		if ok && (l.Addr.Bits() != c.bits || l.T1.Sub(now) != c.t1 || l.T2.Sub(now) != c.t2) {
			t.Errorf("%s: /%d T1 %v T2 %v, want /%d %v %v", c.desc, l.Addr.Bits(), l.T1.Sub(now), l.T2.Sub(now), c.bits, c.t1, c.t2)
		}
	}
	if l, _ := leaseFrom(ack(Options{LeaseTime: Infinite}), 0, serverIP, now); !l.T1.IsZero() || !l.Expiry.IsZero() || !strings.Contains(l.String(), "for ever") {
		t.Errorf("infinite lease: %v", l)
	}
}

// TestOffersButNoAck: a server that offers but never acknowledges gets
// its DHCPREQUEST retransmitted, then the client discovers again (RFC
// 2131 §4.4.1), and Start's error says offers came.
func TestOffersButNoAck(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		w.srv.set(func(f *fakeServer) { f.ignore = func(s sent) bool { return s.msg.Type == Request } })
		_, err := Start(context.Background(), w.client, Config{Timeout: 60 * time.Second, Retransmit: time.Second})
		if !errors.Is(err, ErrNoLease) || !strings.Contains(err.Error(), "offers, 0 refusals") {
			t.Fatalf("%v, want ErrNoLease", err)
		}
		var discovers, requests int
		for _, s := range w.srv.received() {
			switch s.msg.Type {
			case Discover:
				discovers++
			case Request:
				requests++
			}
		}
		if discovers < 2 || requests < 2*requestTries-1 {
			t.Fatalf("%d DISCOVERs and %d REQUESTs: want the client to go back to DISCOVER after %d REQUESTs", discovers, requests, requestTries)
		}
		t.Log(err)
	})
}
