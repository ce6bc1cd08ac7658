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
//
// Offload. Open turns on the virtio-net header (IFF_VNET_HDR, a 10-byte
// struct virtio_net_hdr in front of every packet, little-endian) and
// checks that TUNSETOFFLOAD takes TUN_F_CSUM|TUN_F_TSO4|TUN_F_TSO6; if the
// kernel refuses any of it, the device is opened again without the header
// and behaves exactly as with OpenWith(name, Options{NoOffload: true}),
// Offload reporting none. With offload the Device is a
// link.OffloadEndpoint and Offload reports TSO, Checksum and GRO with
// MaxSegment 65535 (bytes of IP packet, which is all a TUN buffer holds):
//   - WriteBatchInfo: the kernel cuts a GSO TCP packet into segments of
//     GSOSize payload bytes and completes a partial checksum (NeedsCsum,
//     CsumStart and CsumOffset counted from the start of the packet as
//     written). The kernel takes GSOUDPL4 too, cut into datagrams.
//   - ReadBatchInfo: packets from the kernel's own sockets arrive with
//     NeedsCsum set (their checksum field holds only the pseudo-header
//     sum; they crossed no wire, so nothing needs checking), forwarded
//     ones may arrive with CsumValid. When every buffer holds MaxSegment
//     bytes and the link header, the kernel is also told (TUN_F_TSO4/6)
//     that it may send TCP segments of up to 64 KiB, which arrive with GSO,
//     GSOSize and HdrLen set; with smaller buffers it is told only
//     TUN_F_CSUM and every packet fits the MTU. Header fields that do not
//     fit the packet read are dropped and counted (Stats), never trusted.
//   - ReadBatch and WriteBatch stay correct on an offload device: ReadBatch
//     turns the kernel's offloads off while it is the one reading, so packets
//     arrive whole with complete checksums as without offload (a stray
//     partial checksum is completed in software), at most 16 per call;
//     WriteBatch sends a header that asks for nothing. A stack that sees a
//     non-zero Offload uses the Info calls.
package tun
