package conn

import (
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/renet-go/renet/link/pipe"
	"github.com/renet-go/renet/netstack"
)

// closeServerFirst opens n connections from b to a listener on a, closes
// each from the server side first (so a holds TIME-WAIT, as an HTTP server
// answering "Connection: close" does), and waits until a holds records
// TIME-WAIT records or overflows.
func closeServerFirst(t *testing.T, a, b *netstack.Stack, n int, local *net.TCPAddr, records int) {
	t.Helper()
	l, err := Listen(a, "tcp", "10.0.0.1:80")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	d := Dialer{Stack: b}
	if local != nil {
		d.LocalAddr = local
	}
	for range n {
		c, err := d.Dial("tcp", "10.0.0.1:80")
		for retry := 0; errors.Is(err, syscall.EADDRINUSE) && retry < 1000; retry++ {
			// The client's previous incarnation of the 4-tuple is still
			// in LAST-ACK for a moment, as on Linux.
			time.Sleep(time.Millisecond)
			c, err = d.Dial("tcp", "10.0.0.1:80")
		}
		if err != nil {
			t.Fatal(err)
		}
		s, err := l.Accept()
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		if _, err := io.ReadAll(c); err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	waitFor(t, func() bool {
		st := a.Stats()
		return st.TCPTimeWait+int(st.TCPTimeWaitOverflows) == records
	})
}

// Past Config.MaxTimeWait (Linux's tcp_max_tw_buckets) closing
// connections skip TIME-WAIT, and each is counted.
func TestTimeWaitCap(t *testing.T) {
	a, b := newPairWith(t, pipe.Config{Seed: 1}, netstack.Config{MaxTimeWait: 10}, netstack.Config{})
	closeServerFirst(t, a, b, 25, nil, 25)
	if st := a.Stats(); st.TCPTimeWait != 10 || st.TCPTimeWaitOverflows != 15 {
		t.Fatalf("%d in TIME-WAIT, %d overflows; want 10 and 15", st.TCPTimeWait, st.TCPTimeWaitOverflows)
	}
}

// RFC 6191: a client reconnecting from the same port reopens the 4-tuple
// the server holds in TIME-WAIT, since its SYN's timestamp is newer.
func TestTimeWaitReuse_RFC6191(t *testing.T) {
	a, b := newPair(t, pipe.Config{Seed: 2})
	local := &net.TCPAddr{IP: addrB.AsSlice(), Port: 40000}
	closeServerFirst(t, a, b, 3, local, 1)
	if st := a.Stats(); st.TCPTimeWait != 1 || st.TCPSegmentsIn == 0 {
		t.Fatalf("%d TIME-WAIT records after three incarnations of one 4-tuple", st.TCPTimeWait)
	}
}
