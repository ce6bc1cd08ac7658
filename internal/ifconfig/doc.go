// Package ifconfig configures and queries the kernel side of a Linux network
// interface (addresses, netmask, up/down, MTU, hardware address, index) with
// ioctls on an AF_INET datagram socket, and with a NETLINK_ROUTE socket for
// what ioctls cannot do (IPv6 addresses without duplicate address
// detection, IPv4 addresses beside the primary one), so programs need not
// shell out to ip(8).
//
// Namespaces: an ioctl names an interface only by its name, and the kernel
// resolves that name (and a netlink request its index) in the network
// namespace of the socket the request is made on. A socket belongs to the
// namespace of the thread that created it.
// So Up, UpAddrs and SetMTU act in the namespace of the calling OS thread, and a Ctl
// keeps acting in the namespace it was opened in, whichever goroutine uses
// it later. Devices (link/tap, link/tun, link/afpacket) open a Ctl next to
// their file descriptor for that reason.
//
// Every function needs CAP_NET_ADMIN to change anything; queries need no
// privilege.
package ifconfig
