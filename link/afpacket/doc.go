// Package afpacket sends and receives whole link-layer frames on an
// existing Linux network interface (eth0, a veth, a tap device, lo) through
// an AF_PACKET raw socket, as packet(7) describes.
//
// The socket is bound to one interface for all protocols (ETH_P_ALL) and
// receives every frame arriving on it. It never reads back its own writes:
// the kernel does not loop a packet socket's frames back to it. By default
// it receives no other outgoing frames either (PACKET_IGNORE_OUTGOING,
// Linux 4.20 and later), since what the kernel itself sends out of the
// interface is not input for a stack; a capture tool that wants both
// directions calls SetIgnoreOutgoing(false). What it carries depends on the
// interface type: Ethernet frames on Ethernet-like interfaces (Medium
// link.Ethernet), bare IP packets on TUN-like ones (Medium link.IP).
//
// Sharing an interface with the kernel: the kernel keeps processing every
// frame that arrives, so a stack on an AF_PACKET socket should use a MAC and
// IP address the kernel does not own, and the interface must be in
// promiscuous mode (SetPromiscuous) for a real NIC to deliver frames sent
// to that MAC.
//
// Concurrency follows link.Endpoint: one goroutine reads at a time; writes,
// Close and the Set and Filter methods may come from any goroutine. The
// socket belongs to the network namespace of the thread that called Open.
// Opening needs CAP_NET_RAW.
package afpacket
