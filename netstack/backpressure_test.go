package netstack

import (
	"fmt"
	"net/netip"
	"sync"
	"testing"

	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/netstack/wire"
)

// fullLink is a capture link with room for a given number of packets,
// which refuses the rest with link.ErrFull, as link/channel does when its
// reader falls behind.
type fullLink struct {
	*captureLink
	mu     sync.Mutex
	room   int
	notify func()
}

func (l *fullLink) WriteBatch(pkts [][]byte) (int, error) {
	l.mu.Lock()
	n := min(l.room, len(pkts))
	l.room -= n
	l.mu.Unlock()
	l.captureLink.WriteBatch(pkts[:n])
	if n < len(pkts) {
		return n, link.ErrFull
	}
	return n, nil
}

func (l *fullLink) SetWriteNotify(f func()) { l.notify = f }

// drain gives the link room for n more packets and says so.
func (l *fullLink) drain(n int) {
	l.mu.Lock()
	l.room += n
	l.mu.Unlock()
	l.notify()
}

// fullLinkSender starts a stack on l and binds a UDP socket to send with.
func fullLinkSender(t *testing.T, l link.Endpoint) (*Stack, *UDPSocket) {
	t.Helper()
	s, err := New(l, Config{Addrs: []netip.Prefix{ourNet}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	u, err := s.BindUDP(netip.AddrPortFrom(ourIP, 5000))
	if err != nil {
		t.Fatal(err)
	}
	return s, u
}

func TestFullLinkHoldsPacketsInOrder(t *testing.T) {
	l := &fullLink{captureLink: newCaptureLink(link.IP, 1500), room: 2}
	s, u := fullLinkSender(t, l)
	dst := netip.AddrPortFrom(peerIP, 6000)
	const sent = 5
	for i := range sent {
		if _, err := u.WriteTo(fmt.Appendf(nil, "datagram %d", i), dst); err != nil {
			t.Fatal(err)
		}
	}
	if got := len(l.take()); got != 2 {
		t.Fatalf("the link took %d packets, want its room of 2", got)
	}
	if st := s.Stats(); st.LinkFull != 1 || st.LinkBacklog != 3 || st.Dropped(DropLinkWrite) != 0 {
		t.Fatalf("full: %d, backlog %d, write errors %d; want 1, 3, 0", st.LinkFull, st.LinkBacklog, st.Dropped(DropLinkWrite))
	}
	l.drain(10)
	out := l.take()
	if len(out) != 3 {
		t.Fatalf("after room appeared the link got %d packets, want the 3 held", len(out))
	}
	for i, pkt := range out {
		ip, _ := wire.ParseIPv4(pkt)
		ud, _ := wire.ParseUDP(ip.Payload())
		if want := fmt.Sprintf("datagram %d", i+2); string(ud.Payload()) != want {
			t.Fatalf("held packet %d is %q, want %q: order lost", i, ud.Payload(), want)
		}
	}
}

func TestFullLinkBacklogIsBounded(t *testing.T) {
	l := &fullLink{captureLink: newCaptureLink(link.IP, 1500), room: 0}
	s, u := fullLinkSender(t, l)
	const sent = linkBacklog + 100
	for range sent {
		u.WriteTo([]byte("x"), netip.AddrPortFrom(peerIP, 6000))
	}
	st := s.Stats()
	// The first packet was refused and held; linkBacklog more queue
	// behind it; the rest are dropped.
	if st.LinkBacklog != linkBacklog || st.Dropped(DropLinkFull) != sent-linkBacklog {
		t.Fatalf("backlog %d, dropped %d; want %d and %d", st.LinkBacklog, st.Dropped(DropLinkFull), linkBacklog, sent-linkBacklog)
	}
	l.drain(2 * sent)
	if got := len(l.take()); got != linkBacklog {
		t.Fatalf("wrote %d after the drain, want %d", got, linkBacklog)
	}
}

// hookedFullLink is a fullLink whose first write runs hook first, standing
// in for the time a write takes while other goroutines queue packets.
type hookedFullLink struct {
	*fullLink
	hook func()
	once sync.Once
}

func (l *hookedFullLink) WriteBatch(pkts [][]byte) (int, error) {
	l.once.Do(l.hook)
	return l.fullLink.WriteBatch(pkts)
}

// A datagram to ourselves, sent while another goroutine's write finds the
// link full, is still delivered at once: the flusher it left it to goes
// round once more for loopback before it stops.
func TestLoopbackWhileLinkFills(t *testing.T) {
	l := &hookedFullLink{fullLink: &fullLink{captureLink: newCaptureLink(link.IP, 1500), room: 0}}
	s, err := New(l, Config{Addrs: []netip.Prefix{ourNet}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rx, err := s.BindUDP(netip.AddrPortFrom(ourIP, 1000))
	if err != nil {
		t.Fatal(err)
	}
	tx, err := s.BindUDP(netip.AddrPortFrom(ourIP, 2000))
	if err != nil {
		t.Fatal(err)
	}
	l.hook = func() {
		done := make(chan error)
		go func() {
			_, err := tx.WriteTo([]byte("to myself"), rx.LocalAddr())
			done <- err
		}()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
	// A datagram for the link, whose write meets the full link.
	if _, err := tx.WriteTo([]byte("away"), netip.AddrPortFrom(peerIP, 7)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	n, _, err := rx.TryReadFrom(buf)
	if err != nil || string(buf[:n]) != "to myself" {
		t.Fatalf("TryReadFrom = %q, %v; want the loopback datagram, delivered before WriteTo returned", buf[:n], err)
	}
}
