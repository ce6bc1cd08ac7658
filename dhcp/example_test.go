package dhcp_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/renet-go/renet/dhcp"
	"github.com/renet-go/renet/link/tap"
	"github.com/renet-go/renet/netstack"
)

// A stack on a tap device takes its address from the DHCP server on the
// device's network.
func Example() {
	dev, err := tap.Open("tap0")
	if err != nil {
		log.Fatal(err)
	}
	s, err := netstack.New(dev, netstack.Config{}) // no address: DHCP gives one
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := dhcp.Start(ctx, s, dhcp.Config{Hostname: "renet"})
	if err != nil {
		log.Fatal(err) // dhcp: no answer from any server after 4 tries (30s)
	}
	defer c.Close() // sends DHCPRELEASE
	fmt.Println(c.Lease())
}
