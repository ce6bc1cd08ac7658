// Package tap carries Ethernet frames between the renet stack and the Linux
// kernel through a tap device.
//
// A tap device is a virtual Ethernet link with two ends: the kernel's
// network interface (tap0, with its own MAC address, addresses and routes)
// and a file descriptor in this process. Every frame the kernel sends out of
// tap0 is read here, and every frame written here arrives at the kernel as
// if from the wire. The stack is a separate host on that link, so it must
// use its own MAC address (the programs default to 02:00:00:00:00:01), not
// the kernel side's one (KernelHardwareAddr); HardwareAddr reports none.
//
// Open creates the device if it does not exist (needs CAP_NET_ADMIN) and
// the kernel removes it when the Device is closed. Giving the kernel side an
// address and bringing it up is separate: internal/ifconfig, or
// `ip addr add 192.168.69.100/24 dev tap0 && ip link set tap0 up`.
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
// MaxSegment 65535 (bytes of IP packet; a read buffer for such a packet
// needs 14 more for the Ethernet header):
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
//     turns the kernel's offloads off while it is the one reading, so frames
//     arrive whole with complete checksums as without offload (a stray
//     partial checksum is completed in software), at most 16 per call;
//     WriteBatch sends a header that asks for nothing. A stack that sees a
//     non-zero Offload uses the Info calls.
package tap
