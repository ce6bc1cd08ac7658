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
// Namespaces: the device lives in the network namespace of the thread that
// called Open. Device keeps an ifconfig.Ctl opened on that same thread, so
// MTU and HardwareAddr keep describing the right interface when called
// later from a goroutine in another namespace.
//
// Concurrency: as link.Endpoint — one reader at a time, writes and Close
// from any goroutine.
package tunfd
