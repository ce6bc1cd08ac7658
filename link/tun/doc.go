// Package tun carries IP packets between the renet stack and the Linux
// kernel through a TUN device.
//
// A TUN device is a virtual point-to-point IP link: packets the kernel
// routes into its interface (tun0) are read here as bare IPv4 or IPv6
// packets, with no link-layer header, and packets written here arrive at
// the kernel as if received on tun0. There is no ARP and no MAC address.
//
// Open creates the device if it does not exist (needs CAP_NET_ADMIN) and
// the kernel removes it when the Device is closed. Giving the kernel side an
// address and bringing it up is separate: internal/ifconfig, or
// `ip addr add 10.9.0.1/24 dev tun0 && ip link set tun0 up`.
//
// Concurrency follows link.Endpoint: one goroutine reads at a time; writes
// and Close may come from any goroutine; Close wakes a pending read, which
// returns net.ErrClosed. The device belongs to the network namespace of the
// thread that called Open, and stays there whichever goroutine uses it.
package tun
