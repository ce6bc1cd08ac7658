// Package wire reads and writes the packet formats the renet stack speaks:
// Ethernet II (with one optional 802.1Q tag), ARP for IPv4 over Ethernet,
// IPv4 (building only the Router Alert option), ICMPv4, IGMP versions 1 to
// 3, IPv6 with a checked walk over its extension headers (WalkIPv6),
// ICMPv6, NDP and MLD, UDP and TCP with its options, plus the Internet
// checksum and tcpdump-style printers.
//
// Each format comes in two shapes, after smoltcp's Packet/Repr split:
//
//   - A view, a named byte slice such as TCP or IPv4, returned by a Parse
//     function (ParseTCP, ParseIPv4, ...). Parse validates the bytes once:
//     lengths, header-length fields and, where the format has one that
//     covers only the header, the checksum. After a successful Parse every
//     accessor of the view is safe to call: none can index out of range or
//     panic, whatever the bytes were. A view shares memory with the slice it
//     was parsed from and allocates nothing. Views built by conversion
//     (TCP(b)) rather than by Parse carry no such promise.
//   - A Fields struct (TCPFields, IPv4Fields, ...) holding decoded values,
//     with Len to size a buffer and Encode to write the header into a
//     caller-provided buffer. Encode never allocates; it panics only if the
//     buffer is shorter than documented, as a slice index would. Where a
//     message has parts that repeat (IGMPv3 group records), the view
//     iterates over them with an iterator value that allocates nothing.
//
// Parsers accept arbitrary, hostile bytes: they return ErrTruncated,
// ErrMalformed, ErrBadChecksum or ErrUnsupported and never panic. Parse and
// the accessors allocate nothing, so they may sit on the stack's hot path.
//
// Checksums: Sum, Finish and Checksum implement the Internet checksum of
// RFC 1071, eight bytes at a time. Partial sums may be chained (Sum(b2,
// Sum(b1, 0))) only when every piece but the last has even length.
//
// The printers (String methods, FormatFrame, FormatIPv4Packet,
// FormatIPv6Packet and their Append forms) print one line per packet in the format of tcpdump -nn -S,
// for cmd/dump and for test failures. They allocate and are not meant for
// the hot path; on malformed input they print what they can followed by the
// error in brackets, and never panic.
//
// Nothing in this package keeps state or starts goroutines: every function
// is safe for concurrent use on distinct buffers.
package wire
