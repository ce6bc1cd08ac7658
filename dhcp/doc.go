// Package dhcp is a DHCPv4 client (RFC 2131, options of RFC 2132) for a
// renet stack: it obtains an address and keeps it.
//
//	s, _ := netstack.New(ep, netstack.Config{}) // no address yet
//	c, err := dhcp.Start(ctx, s, dhcp.Config{})
//	if err != nil { ... } // "dhcp: no answer from any server after 3 tries (30s)"
//	defer c.Close()       // DHCPRELEASE, and the address goes
//	fmt.Println(c.Lease())
//
// Start binds UDP port 68 and runs DISCOVER → OFFER → REQUEST → ACK from
// 0.0.0.0 to 255.255.255.255 with the BROADCAST flag set (a stack with no
// address cannot take unicast to the offered one), retransmitting after 4,
// 8, 16... up to 64 seconds, each ±1 s (RFC 2131 §4.1; Config.Retransmit
// shortens it), until Config.Timeout or its context ends. It takes the
// first offer. The lease is applied to the stack: the address with option
// 1's mask (Stack.AddAddr), option 3's first router (Stack.SetGateway),
// option 6's servers on port 53 (Stack.SetDNS, which package conn's
// resolver reads).
//
// Start then leaves one goroutine per client, which holds the lease (RFC
// 2131 §4.4.5): at T1 (option 58, else half the lease) it unicasts a
// DHCPREQUEST to the server from the leased address; without an answer it
// retransmits after half the time left, at least 60 s, and at T2 (option
// 59, else 7/8 of the lease) broadcasts to any server. When the lease
// expires, or a server answers DHCPNAK, the address, router and name
// servers are taken off the stack and the client starts over from
// DHCPDISCOVER, retrying for as long as it runs. Renew forces a renewal;
// Lease reports what is held. Close unicasts a DHCPRELEASE and takes the
// lease off the stack. Every method may be called from any goroutine.
//
// Option 26 (interface MTU) below the link's is applied with
// netstack.Stack.SetMTU, and kept after the lease.
//
// Not done: the offered address is not probed with ARP before use (RFC 2131 §4.4.1's
// SHOULD; RFC 5227), so no DHCPDECLINE is sent. INIT-REBOOT (asking for
// the previous address first) and DHCPINFORM are not done. The client
// needs an Ethernet link: a TUN device has no hardware address and no
// broadcast.
//
// ParseMessage decodes untrusted bytes into a Message, checking every
// length and value; Message.Len and Encode build one.
package dhcp
