// Package channel is a link fed and drained by your own code: a tunnel, a
// VPN, or wireguard-go's tun.Device, put in front of a renet stack.
//
// New returns two ends. The Endpoint goes to netstack.New; the Port is
// yours. What you Write on the Port, the stack reads; what the stack
// writes, you Read. Packets are bare IPv4 packets by default
// (link.IP, as a TUN device carries them), or Ethernet II frames
// (Config.Medium = link.Ethernet).
//
// # Two directions, two queues
//
// Each direction is a bounded FIFO of packet copies, its bound counted in
// packets (Config.InboundQueue and Config.OutboundQueue, 1024 each by
// default). The two directions treat a full queue differently, because
// their writers differ:
//
//   - Inbound, Port.Write to the stack's ReadBatch: your writer blocks
//     while the queue is full, until the stack reads or ctx is done. It
//     never drops a packet, so a tunnel gets back-pressure instead of loss.
//   - Outbound, the stack's WriteBatch to Port.Read: the stack must never
//     block, so WriteBatch takes what fits and returns link.ErrFull for the
//     rest, which the stack keeps. The channel remembers the refusal and,
//     once Port.Read has drained room for a quarter of the queue, calls the
//     function the stack registered with SetWriteNotify (link.WriteNotifier)
//     so that it writes again.
//
// The notification runs once per refusal episode (any number of refusals
// before room appears), on the goroutine of the Port.Read that made the
// room, after that Read has released the channel's locks, since the stack
// writes from inside it. The quarter is hysteresis: waking the stack at
// the first free slot would refuse it again at once and wake it once per
// packet, while a quarter lets it write a whole batch per wake-up, with
// three quarters of the queue still there for the reader meanwhile.
//
// Port.Read and ReadBatch block until at least one packet is queued, then
// return as many as are queued, up to the number of buffers.
//
// # Offset
//
// The Port's calls take an offset, as wireguard-go's tun.Device does (it
// passes 16, headroom for its own header): Port.Read copies packet i into
// bufs[i][offset:] and Port.Write takes pkts[i][offset:]. Read never
// truncates: a packet that does not fit its buffer stays queued and is
// reported with io.ErrShortBuffer, so buffers should hold offset plus
// the MTU plus the medium's header (plus 4 on Ethernet for a VLAN tag).
// Write rejects a longer packet with ErrTooLarge rather than drop it. The
// stack's side follows link.Endpoint: ReadBatch truncates to the buffer,
// WriteBatch drops (and counts) an oversize packet, as a NIC would.
//
// # Close
//
// Closing either end closes both. Every call blocked on either side
// (Port.Read, Port.Write, ReadBatch) returns net.ErrClosed at once, so do
// all later calls, and whatever was queued either way is discarded with
// its buffers. Close is idempotent and always returns nil. netstack's
// Stack.Close closes the Endpoint, and so the Port.
//
// # Memory and counters
//
// Packets are copied into buffers of the largest packet's size taken
// from a per-queue free list; a buffer is allocated only when the queue
// holds more packets than ever before, so the free list is bounded by the
// queue and the steady state allocates nothing. The buffers stay until
// Close (at most the bound times MTU plus header per direction, about
// 1.5 MiB each by default) rather than being trimmed when idle: the
// channel has no clock to tell idleness by. Stats reports, per queue, the
// packets and bytes through it, the times it was full, the notifications,
// the oversize packets, what Close discarded, and its current depth.
//
// # Concurrency
//
// All methods of both ends are safe for concurrent use. Each queue has
// one mutex, taken once per call (twice when a call waits); nobody
// blocks while holding it, and no callback runs under it.
package channel
