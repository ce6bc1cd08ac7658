// Package pcap records what crosses a link.Endpoint as a classic libpcap
// capture file, which tcpdump and Wireshark read, and reads such files back.
//
// Wrap returns an endpoint that forwards everything to the one it wraps and
// writes one record for every packet read from it or written through it.
// It offers what the wrapped endpoint offers (link.OffloadEndpoint,
// link.GatherEndpoint), so a stack sends the same way with a capture as
// without; a packet written in pieces is recorded whole, and a large
// segment or a partial checksum as it crossed the link.
// The file uses the microsecond format (magic 0xa1b2c3d4, written little
// endian), version 2.4, snapshot length 262144, and link type 1 (Ethernet)
// or 101 (raw IP, IPv4 and IPv6 told apart by their version) according to
// the endpoint's medium.
//
// Invariants: records are written whole, one io.Writer call each, under a
// mutex, so ReadBatch and WriteBatch may run concurrently. A failing writer
// never breaks the link: the first error is kept, nothing more is written,
// and Close reports it. The record buffer is reused, so recording does not
// allocate per packet. Give Wrap a bufio.Writer to avoid a system call per
// packet; Close flushes it.
//
// Reader is a minimal reader of the same format (either byte order,
// microsecond or nanosecond timestamps), for tests and tools. It never
// panics on malformed input and never allocates more than a bounded
// amount for a record.
package pcap
