// Package netstack is renet's protocol core: it owns a link.Endpoint and
// speaks Ethernet, ARP, IPv4, ICMPv4, IPv6, ICMPv6 and neighbour
// discovery, UDP and TCP over it. The two IP versions sit behind one
// network-layer seam (netproto.go): transports build a packet behind the
// room its family's header needs and hand sendIP an ipOut; input hands
// them a datagram with its addresses whatever the family. Neighbour
// entries serve ARP and NDP alike. The TCP connection machine itself
// lives in netstack/tcp and knows nothing of addresses, links or locks;
// this package demultiplexes segments to it, builds the headers around
// what it outputs, and runs its timers.
//
// # Shape
//
// One stack, one lock, one driver (and one writer for TSO bursts):
//
//   - All protocol state of a Stack (neighbour cache, fragment reassembly,
//     socket tables, counters) is guarded by Stack.mu. Critical sections are
//     short and never block on I/O or on a user.
//   - The driver goroutine reads batches of packets from the link and
//     processes each batch under one acquisition of the lock. One time.Timer,
//     armed for the stack's earliest deadline, drives the neighbour states
//     (ARP probes, RFC 4861 §7.3's REACHABLE/STALE/DELAY/PROBE), reassembly
//     timeouts and every TCP timer (retransmission, delayed ACK, persist,
//     keepalive) and TIME-WAIT expiry: connections, neighbour entries and
//     TIME-WAIT records each sit in a min-heap ordered by their next
//     deadline, so neither arming the timer nor running it scans them.
//     Per packet and per timer event the work is O(1) or O(log n) in the
//     number of connections.
//   - Packets the stack sends to its own addresses wait in a loopback queue
//     that flush delivers once the operation that sent them is done, so
//     output never calls back into input.
//   - Sockets are non-blocking handles. User goroutines (package conn) take
//     the lock only to move bytes between their buffers and the socket's,
//     and wait for readiness outside it on a per-socket notification channel
//     (capacity one, so a wake-up is never lost).
//   - Output is built under the lock into pooled buffers and queued; whoever
//     queued it writes the queue to the link in one batch after releasing the
//     lock (see flush), unless a flush is already under way, which takes it
//     along. Writers are serialised by a second mutex so packets leave in the
//     order they were queued. A TCP burst for the link to cut (TSO) is
//     written by the stack's writer goroutine instead, so that a user's
//     Write does not wait while the kernel receives the burst inside the
//     write system call (flush.go).
//
// # Back-pressure and forwarding
//
// A link fed to user code (link/channel) may say it is full
// (link.ErrFull); the stack then keeps what it could not write, in order,
// sends no new TCP data until the link says it has room (as Linux's TCP
// Small Queues do), and bounds everything else it queues meanwhile
// (backpressure.go). With a Forwarder (Stack.Forward) the stack also takes
// packets for addresses that are not its own: TCP connection requests
// wait for the user's decision holding only their SYN's options, UDP
// datagrams gather into one flow per client, and echo requests are
// answered only on the user's word (forward*.go). Ping sockets
// (OpenPing) own an echo identifier as UDP sockets own a port.
//
// # Input discipline
//
// Every byte from the link is untrusted. Each layer validates what it reads
// with package wire before using it; anything malformed, unexpected or
// addressed elsewhere is dropped and counted by reason in Stats, and the
// driver goes on to the next packet. Nothing a peer sends can stop the
// driver, and nothing it sends can grow memory without bound: queues for
// unresolved neighbours, fragment reassembly, socket receive buffers, TCP
// reassembly (bounded by the window), listeners' SYN and accept queues and
// the TIME-WAIT table all have fixed limits. Beyond its SYN queue a
// listener answers with SYN cookies (RFC 4987 §3.6), so a SYN flood costs
// CPU but neither memory nor service; a connection that reaches TIME-WAIT
// is reduced to a record of a few dozen bytes (tcp.TimeWaitRecord).
//
// # Offload
//
// A link that implements link.OffloadEndpoint (a tap or TUN device with
// the virtio-net header, an offloading pipe) gets a link.PacketInfo with
// every packet (offload.go): TCP hands it segments of up to 64 KiB to cut
// at the MSS (TSO, tcp.Conn.OutputFrame), with checksums left partial for it
// to complete; packets it hands up may be coalesced segments (GRO), and
// checksums it vouches for are not checked again. Packets that wait for
// ARP or must be fragmented have their checksums completed in software
// first, so nothing partial is kept without its description.
//
// A link that also writes packets in pieces (link.GatherEndpoint: tap,
// TUN, pipe) takes new TCP data straight from the connection's send
// buffer: the packet holds only the headers, and the payload goes to the
// kernel's writev from where the user's Write put it (tcp.OutputGather).
// Loopback, neighbour resolution and fragmentation need the packet whole
// and copy the payload in first.
//
// # Allocation
//
// The receive paths for ICMP echo, UDP and TCP allocate nothing per packet
// in steady state: frames are read into buffers owned by the driver, replies
// and queued datagrams use pooled buffers, TCP data is copied straight into
// the connection's ring buffers, and lookups use comparable netip values as
// map keys. TCP output is built in place: the TCB copies the payload from
// its send ring straight into the packet buffer, behind exactly the room
// its header needs (tcp.Conn.OutputFrame), so each byte sent is copied
// once, or not at all on a link that gathers.
package netstack
