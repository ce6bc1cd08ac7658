package wire

import "encoding/binary"

// TCP option kinds (RFC 9293 §3.2, RFC 7323, RFC 2018).
const (
	tcpOptEOL           = 0
	tcpOptNOP           = 1
	tcpOptMSS           = 2
	tcpOptWindowScale   = 3
	tcpOptSACKPermitted = 4
	tcpOptSACK          = 5
	tcpOptTimestamps    = 8
)

// Lengths of the fixed-size options, kind and length bytes included.
const (
	tcpOptMSSLen           = 4
	tcpOptWindowScaleLen   = 3
	tcpOptSACKPermittedLen = 2
	tcpOptTimestampsLen    = 10
	tcpOptSACKBaseLen      = 2
	tcpOptSACKBlockLen     = 8
)

// MaxWindowScale is the largest window scale shift RFC 7323 §2.3 allows;
// larger received values are treated as 14.
const MaxWindowScale = 14

// ParseTCPOptions decodes the option bytes of a TCP header into o,
// overwriting all of it (RFC 9293 §3.2). EOL ends the list and NOP is
// skipped. MSS (length 4), window scale (length 3, the shift clamped to 14
// per RFC 7323 §2.3), SACK-permitted (length 2), SACK (length 2+8n with n
// from 1 to 4) and timestamps (length 10) are decoded; a repeated option
// overwrites the earlier one. Any other kind with a valid length is
// skipped. A length below 2, running past the end of b, or wrong for a
// known kind gives ErrMalformed, and o then holds what was decoded before
// the bad option.
//
// An MSS option with value 0 is indistinguishable from no MSS option in o.
func ParseTCPOptions(b []byte, o *TCPOptions) error {
	*o = TCPOptions{}
	for i := 0; i < len(b); {
		kind := b[i]
		switch kind {
		case tcpOptEOL:
			return nil
		case tcpOptNOP:
			i++
			continue
		}
		if i+1 >= len(b) {
			return ErrMalformed
		}
		n := int(b[i+1])
		if n < 2 || i+n > len(b) {
			return ErrMalformed
		}
		v := b[i+2 : i+n]
		switch kind {
		case tcpOptMSS:
			if n != tcpOptMSSLen {
				return ErrMalformed
			}
			o.MSS = binary.BigEndian.Uint16(v)
		case tcpOptWindowScale:
			if n != tcpOptWindowScaleLen {
				return ErrMalformed
			}
			o.WindowScale = min(v[0], MaxWindowScale)
			o.HasWindowScale = true
		case tcpOptSACKPermitted:
			if n != tcpOptSACKPermittedLen {
				return ErrMalformed
			}
			o.SACKPermitted = true
		case tcpOptSACK:
			blocks := (n - tcpOptSACKBaseLen) / tcpOptSACKBlockLen
			if (n-tcpOptSACKBaseLen)%tcpOptSACKBlockLen != 0 || blocks < 1 || blocks > MaxSACKBlocks {
				return ErrMalformed
			}
			for j := range blocks {
				o.SACK[j] = SACKBlock{
					Start: binary.BigEndian.Uint32(v[j*8:]),
					End:   binary.BigEndian.Uint32(v[j*8+4:]),
				}
			}
			o.NumSACK = blocks
		case tcpOptTimestamps:
			if n != tcpOptTimestampsLen {
				return ErrMalformed
			}
			o.TSVal = binary.BigEndian.Uint32(v[0:])
			o.TSEcr = binary.BigEndian.Uint32(v[4:])
			o.HasTimestamps = true
		}
		i += n
	}
	return nil
}

// fixedLen is the encoded length of every option but SACK blocks.
func (o *TCPOptions) fixedLen() int {
	n := 0
	if o.MSS != 0 {
		n += 4
	}
	if o.HasTimestamps {
		n += 12 // SACK-permitted, or two NOPs, then the timestamps
	} else if o.SACKPermitted {
		n += 4
	}
	if o.HasWindowScale {
		n += 4
	}
	return n
}

// sackBlocks is how many of the SACK blocks Encode writes: NumSACK clamped
// to [0, MaxSACKBlocks] and then to what fits in 40 bytes beside the other
// options (3 with timestamps, RFC 2018 §3).
func (o *TCPOptions) sackBlocks() int {
	n := min(max(o.NumSACK, 0), MaxSACKBlocks)
	room := TCPMaxOptionsLen - o.fixedLen() - 4
	return max(min(n, room/tcpOptSACKBlockLen), 0)
}

// Len is the encoded length of the options in bytes: a multiple of 4, at
// most 40. SACK blocks that would not fit are dropped, last first.
func (o *TCPOptions) Len() int {
	n := o.fixedLen()
	if k := o.sackBlocks(); k > 0 {
		n += 4 + k*tcpOptSACKBlockLen
	}
	return n
}

// Encode writes the options to b[0:Len()] and returns Len(). It uses the
// layouts Linux sends (net/ipv4/tcp_output.c), each a whole number of
// 4-byte words so no trailing padding is needed:
//
//	MSS:                       kind 2, len 4, mss
//	timestamps + SACK-perm:    4, 2, 8, 10, TSval, TSecr
//	timestamps alone:          NOP, NOP, 8, 10, TSval, TSecr
//	SACK-permitted alone:      NOP, NOP, 4, 2
//	window scale:              NOP, 3, 3, shift
//	SACK:                      NOP, NOP, 5, 2+8n, blocks
//
// in that order, so a Linux-style SYN reads "mss,sackOK,TS,nop,wscale".
func (o *TCPOptions) Encode(b []byte) int {
	n := o.Len()
	_ = b[:n]
	i := 0
	if o.MSS != 0 {
		b[i], b[i+1] = tcpOptMSS, tcpOptMSSLen
		binary.BigEndian.PutUint16(b[i+2:], o.MSS)
		i += 4
	}
	if o.HasTimestamps {
		if o.SACKPermitted {
			b[i], b[i+1] = tcpOptSACKPermitted, tcpOptSACKPermittedLen
		} else {
			b[i], b[i+1] = tcpOptNOP, tcpOptNOP
		}
		b[i+2], b[i+3] = tcpOptTimestamps, tcpOptTimestampsLen
		binary.BigEndian.PutUint32(b[i+4:], o.TSVal)
		binary.BigEndian.PutUint32(b[i+8:], o.TSEcr)
		i += 12
	} else if o.SACKPermitted {
		b[i], b[i+1], b[i+2], b[i+3] = tcpOptNOP, tcpOptNOP, tcpOptSACKPermitted, tcpOptSACKPermittedLen
		i += 4
	}
	if o.HasWindowScale {
		b[i], b[i+1], b[i+2], b[i+3] = tcpOptNOP, tcpOptWindowScale, tcpOptWindowScaleLen, o.WindowScale
		i += 4
	}
	if k := o.sackBlocks(); k > 0 {
		b[i], b[i+1], b[i+2], b[i+3] = tcpOptNOP, tcpOptNOP, tcpOptSACK, uint8(tcpOptSACKBaseLen+k*tcpOptSACKBlockLen)
		i += 4
		for _, s := range o.SACK[:k] {
			binary.BigEndian.PutUint32(b[i:], s.Start)
			binary.BigEndian.PutUint32(b[i+4:], s.End)
			i += 8
		}
	}
	return i
}
