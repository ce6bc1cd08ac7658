package wire

import "errors"

// Errors returned by the parsers. They are sentinels: compare with
// errors.Is.
var (
	// ErrTruncated means the bytes end before the header or the length the
	// packet itself declares.
	ErrTruncated = errors.New("wire: truncated packet")
	// ErrMalformed means a field holds an impossible value: a wrong
	// version, a header length below the minimum, a total length shorter
	// than the header, a TCP option with a bad length.
	ErrMalformed = errors.New("wire: malformed packet")
	// ErrBadChecksum means a checksum the parser verifies did not match.
	ErrBadChecksum = errors.New("wire: bad checksum")
	// ErrUnsupported means a well-formed packet of a kind this package does
	// not handle, such as ARP for a hardware type other than Ethernet.
	ErrUnsupported = errors.New("wire: unsupported packet")
)
