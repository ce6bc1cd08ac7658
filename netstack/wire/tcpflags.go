package wire

// TCPFlags is the flags byte of a TCP header (RFC 9293 §3.1, RFC 3168 for
// ECE and CWR).
type TCPFlags uint8

// The TCP flags, low bit first.
const (
	TCPFlagFIN TCPFlags = 1 << iota
	TCPFlagSYN
	TCPFlagRST
	TCPFlagPSH
	TCPFlagACK
	TCPFlagURG
	TCPFlagECE
	TCPFlagCWR
)

// Has reports whether every flag in g is set in f.
func (f TCPFlags) Has(g TCPFlags) bool { return f&g == g }

// String prints the flags the way tcpdump does: "[S.]" for SYN+ACK, "[P.]"
// for PSH+ACK, "[FP.]" for FIN+PSH+ACK, "[.]" for a bare ACK, "[none]" for
// no flags at all. The letters come in tcpdump's order, F S R P . U E W.
func (f TCPFlags) String() string {
	var b [10]byte
	return string(f.appendTo(b[:0]))
}

// appendTo appends the String form of f to b.
func (f TCPFlags) appendTo(b []byte) []byte {
	if f == 0 {
		return append(b, "[none]"...)
	}
	b = append(b, '[')
	for _, fl := range [...]struct {
		f TCPFlags
		c byte
	}{
		{TCPFlagFIN, 'F'}, {TCPFlagSYN, 'S'}, {TCPFlagRST, 'R'}, {TCPFlagPSH, 'P'},
		{TCPFlagACK, '.'}, {TCPFlagURG, 'U'}, {TCPFlagECE, 'E'}, {TCPFlagCWR, 'W'},
	} {
		if f&fl.f != 0 {
			b = append(b, fl.c)
		}
	}
	return append(b, ']')
}

// SACKBlock is one block of a SACK option (RFC 2018 §3): the sequence
// number of the first byte received and of the byte just after the block.
type SACKBlock struct {
	Start, End uint32
}

// MaxSACKBlocks is the most SACK blocks a TCP header can carry (4 without
// timestamps; 3 with them, since options are limited to 40 bytes).
const MaxSACKBlocks = 4

// TCPOptions is the decoded form of a TCP header's options. The zero value
// means no options. Parse with ParseTCPOptions; build with Len and Encode.
type TCPOptions struct {
	// MSS is the maximum segment size option (RFC 9293 §3.7.1); 0 means
	// absent. Only meaningful on SYN segments.
	MSS uint16

	// WindowScale is the shift count of the window scale option
	// (RFC 7323 §2); meaningful only when HasWindowScale is set, since 0
	// is a valid shift.
	WindowScale    uint8
	HasWindowScale bool

	// SACKPermitted is the SACK-permitted option (RFC 2018 §2).
	SACKPermitted bool

	// SACK holds the first NumSACK blocks of a SACK option (RFC 2018 §3).
	SACK    [MaxSACKBlocks]SACKBlock
	NumSACK int

	// TSVal and TSEcr are the timestamps option (RFC 7323 §3), present when
	// HasTimestamps is set.
	TSVal, TSEcr  uint32
	HasTimestamps bool
}
