package status_test

import (
	"net/http"
	"net/netip"

	"github.com/renet-go/renet/link/pipe"
	"github.com/renet-go/renet/netstack"
	"github.com/renet-go/renet/status"
)

// Mount the page on an operators' port of the host, not on the stack.
func ExampleHandler() {
	ep, _ := pipe.New(pipe.Config{})
	s, _ := netstack.New(ep, netstack.Config{Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.0.1/24")}})
	defer s.Close()
	mux := http.NewServeMux()
	mux.Handle("/renet", status.Handler(s))
	_ = http.Server{Addr: "127.0.0.1:8080", Handler: mux} // ListenAndServe in a real program
}
