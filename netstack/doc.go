// Package netstack is renet's protocol core: it owns a link.Endpoint and
// speaks Ethernet, ARP, IPv4, ICMPv4 and UDP over it (TCP connections live in
// netstack/tcp and are demultiplexed here).
//
// # Shape
//
// One stack, one lock, one driver:
//
//   - All protocol state of a Stack (neighbour cache, fragment reassembly,
//     socket tables, counters) is guarded by Stack.mu. Critical sections are
//     short and never block on I/O or on a user.
//   - The driver goroutine reads batches of packets from the link and
//     processes each batch under one acquisition of the lock. One time.Timer,
//     armed for the stack's earliest deadline, drives ARP retries, cache
//     expiry and reassembly timeouts.
//   - Sockets are non-blocking handles. User goroutines (package conn) take
//     the lock only to move bytes between their buffers and the socket's,
//     and wait for readiness outside it on a per-socket notification channel
//     (capacity one, so a wake-up is never lost).
//   - Output is built under the lock into pooled buffers and queued; whoever
//     queued it writes the queue to the link in one batch after releasing the
//     lock (see flush). Writers are serialised by a second mutex so packets
//     leave in the order they were queued.
//
// # Input discipline
//
// Every byte from the link is untrusted. Each layer validates what it reads
// with package wire before using it; anything malformed, unexpected or
// addressed elsewhere is dropped and counted by reason in Stats, and the
// driver goes on to the next packet. Nothing a peer sends can stop the
// driver, and nothing it sends can grow memory without bound: queues for
// unresolved neighbours, fragment reassembly and socket receive buffers all
// have fixed limits.
//
// # Allocation
//
// The receive path for ICMP echo and UDP allocates nothing per packet in
// steady state: frames are read into buffers owned by the driver, replies
// and queued datagrams use pooled buffers, and lookups use comparable
// netip values as map keys.
package netstack
