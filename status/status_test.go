package status_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/renet-go/renet/conn"
	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/link/pipe"
	"github.com/renet-go/renet/netstack"
	"github.com/renet-go/renet/status"
)

// TestPageShowsConnectionsAndFlows opens a connection and a forwarded UDP
// flow, and finds both on the page and in its JSON form.
func TestPageShowsConnectionsAndFlows(t *testing.T) {
	ea, eb := pipe.New(pipe.Config{Medium: link.IP})
	a, _ := netstack.New(ea, netstack.Config{Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.0.1/32")}})
	b, _ := netstack.New(eb, netstack.Config{Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.0.2/32")}})
	defer a.Close()
	defer b.Close()
	f, err := conn.NewForwarder(b, conn.ForwarderConfig{})
	if err != nil {
		t.Fatal(err)
	}
	l, _ := conn.Listen(b, "tcp", ":80")
	defer l.Close()
	go func() {
		if c, err := l.Accept(); err == nil {
			io.Copy(io.Discard, c)
		}
	}()
	c, err := conn.Dial(a, "tcp", "10.0.0.2:80")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("hello"))
	u, _ := conn.ListenPacket(a, "udp", "10.0.0.1:5353")
	defer u.Close()
	dst, _ := netip.ParseAddrPort("198.51.100.1:53")
	u.WriteTo([]byte("q"), net.UDPAddrFromAddrPort(dst))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := f.AcceptUDP(ctx); err != nil {
		t.Fatal(err)
	}

	h := status.Handler(b)
	page := get(t, h, "/")
	for _, want := range []string{"10.0.0.2:80", "10.0.0.1:", "ESTABLISHED", "10.0.0.1:5353", "UDP flows (1)"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q:\n%s", want, page)
		}
	}
	var snap netstack.Snapshot
	if err := json.Unmarshal([]byte(get(t, h, "/?format=json")), &snap); err != nil {
		t.Fatal(err)
	}
	if len(snap.TCP) != 1 || len(snap.Flows) != 1 || snap.Forwarder == nil || snap.Forwarder.UDPFlowsOpened != 1 {
		t.Fatalf("snapshot %+v", snap)
	}
}

func get(t *testing.T, h http.Handler, url string) string {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", url, nil))
	if rec.Code != 200 {
		t.Fatalf("GET %s: %d", url, rec.Code)
	}
	return rec.Body.String()
}
