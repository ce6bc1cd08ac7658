package filter

import (
	"strconv"
	"strings"
	"testing"

	"github.com/renet-go/renet/internal/netnstest"
	"github.com/renet-go/renet/link/afpacket"
)

// TestKernelAccepts attaches the programs of the table, and long ones
// that need trampolines, to an AF_PACKET socket on lo in a fresh network
// namespace: the kernel's checker must accept each. Nothing is sent. (The
// long one stays near 1500 instructions: much longer programs, though
// valid, can exceed the socket's option memory and fail with ENOMEM.)
func TestKernelAccepts(t *testing.T) {
	ns := netnstest.New(t) // skips unless root
	var sock *afpacket.Socket
	if err := ns.Do(func() (err error) { sock, err = afpacket.Open("lo"); return err }); err != nil {
		t.Fatal(err)
	}
	defer sock.Close()
	exprs := []string{""}
	for _, c := range matchCases {
		exprs = append(exprs, c.expr)
	}
	var hosts []string
	for i := range 100 {
		hosts = append(hosts, "10.0."+strconv.Itoa(i/250)+"."+strconv.Itoa(i%250+1))
	}
	exprs = append(exprs,
		"host "+strings.Join(hosts[:60], " or "),
		"not (tcp and (host "+strings.Join(hosts, " or ")+") and port 80)",
	)
	for _, expr := range exprs {
		prog, err := Compile(expr)
		if err != nil {
			t.Fatalf("Compile(%.60q): %v", expr, err)
		}
		if err := sock.AttachFilter(prog); err != nil {
			t.Errorf("kernel refused the program for %.60q (%d instructions): %v", expr, len(prog), err)
		}
	}
}
