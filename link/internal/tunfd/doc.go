// Package tunfd opens Linux tap and TUN devices through /dev/net/tun and
// serves them as batched packet devices. link/tap and link/tun are thin
// wrappers that fix the kind and the link.Medium.
//
// Open issues TUNSETIFF with IFF_NO_PI, which attaches the descriptor to
// the named device, creating it if it does not exist. A device created this
// way is not persistent: the kernel removes it when the descriptor is
// closed. The descriptor is non-blocking and parked in Go's poller (see
// link/internal/fdio).
//
// Offload: unless told not to, Open also asks for the virtio-net header
// (IFF_VNET_HDR; link/internal/vnet), and every packet read or written
// carries one, through one readv or writev per packet. The kernel's
// receive offloads (TUNSETOFFLOAD) follow the reader: off for ReadBatch,
// TUN_F_CSUM for ReadBatchInfo with small buffers, TUN_F_CSUM|TSO4|TSO6|
// TSO_ECN for ReadBatchInfo with buffers of MaxSegment plus the link
// header. Switching costs one ioctl and happens only when the reader
// changes; that state belongs to the one reading goroutine.
//
// Namespaces: the device lives in the network namespace of the thread that
// called Open. Device keeps an ifconfig.Ctl opened on that same thread, so
// MTU and HardwareAddr keep describing the right interface when called
// later from a goroutine in another namespace.
//
// Concurrency: as link.Endpoint — one reader at a time, writes and Close
// from any goroutine.
package tunfd
