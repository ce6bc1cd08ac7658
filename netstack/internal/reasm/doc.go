// Package reasm reassembles fragmented IPv4 datagrams (RFC 791 §3.2).
//
// A Reassembler collects the fragments of each datagram, identified by the
// RFC 791 tuple (source, destination, identification, protocol), into one
// buffer per datagram, and hands back the whole payload when the last hole
// is filled. Which bytes have arrived, and where each fragment held begins,
// are kept in two bitmaps of one bit per 8-octet block, the unit of the
// fragment offset field, so finding holes, duplicates and overlaps costs
// one word operation per 512 bytes of fragment, with no list to walk as in
// RFC 815's hole descriptors.
//
// Policy, following Linux and RFC 5722:
//   - A fragment overlapping data already held drops the whole datagram
//     (ErrOverlap), whether or not the bytes agree, as Linux does since
//     CVE-2018-5391 and RFC 5722 requires for IPv6: overlaps serve only
//     attacks (teardrop, IDS evasion). An exact resend of one fragment
//     held (same offset, length and bytes) is ignored (ErrDuplicate).
//   - A fragment that disagrees with the datagram's length (ends beyond the
//     final fragment, or a second final fragment with a different end)
//     drops the datagram (ErrInconsistent); one ending beyond
//     Config.MaxDatagramSize drops it too (ErrTooBig, "ping of death").
//   - A datagram times out Config.Timeout after its first fragment arrived.
//
// Invariants:
//   - Memory is bounded regardless of input: the buffers of pending
//     datagrams, plus the buffers cached for reuse, never exceed
//     Config.MaxBytes at the end of any call, and at most
//     Config.MaxDatagrams datagrams are pending. When a new fragment needs
//     room, cached buffers go first, then the oldest pending datagrams.
//   - Nothing is allocated per fragment once the cache has warmed up:
//     buffers come in power-of-two sizes from 1 KiB to 64 KiB and are
//     recycled, and the datagram table is an open-addressed array.
//   - Add never panics, whatever the offsets, lengths and flags.
//
// Concurrency: a Reassembler is plain data with no goroutines, locks or
// clock. The caller serialises all calls (the stack calls it under its own
// lock) and passes the current time in; times should not go backwards.
package reasm
