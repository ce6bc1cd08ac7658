package wire

import (
	"encoding/binary"
	"net/netip"
	"strconv"
)

// The printers for the transport layer: TCP and its options, UDP, ICMP,
// IGMP. See format.go for the conventions.

// String prints the segment as tcpdump does after the addresses: "41234 >
// 6969: Flags [S], seq 1, win 64240, options [mss 1460], length 0".
func (t TCP) String() string {
	if _, err := ParseTCP(t); err != nil {
		return string(appendErr([]byte("tcp, length "+strconv.Itoa(len(t))), "tcp", err))
	}
	b := strconv.AppendUint(nil, uint64(t.SrcPort()), 10)
	b = append(b, " > "...)
	b = strconv.AppendUint(b, uint64(t.DstPort()), 10)
	b = append(b, ": "...)
	return string(appendTCPBody(b, t))
}

// appendTCP prints a TCP segment with its addresses.
func appendTCP(dst []byte, src, dstIP netip.Addr, b []byte) []byte {
	t, err := ParseTCP(b)
	if err != nil {
		dst = appendAddrs(dst, src, dstIP)
		dst = append(dst, "tcp, length "...)
		dst = strconv.AppendInt(dst, int64(len(b)), 10)
		return appendErr(dst, "tcp", err)
	}
	dst = appendAddrPorts(dst, src, t.SrcPort(), dstIP, t.DstPort())
	return appendTCPBody(dst, t)
}

// appendTCPBody prints what follows the ports, in tcpdump's order: flags,
// seq (when the segment occupies sequence space or carries data), ack,
// win, urg, options, length.
func appendTCPBody(dst []byte, t TCP) []byte {
	dst = append(dst, "Flags "...)
	dst = t.Flags().appendTo(dst)
	n := len(t.Payload())
	f := t.Flags()
	if n > 0 || f&(TCPFlagSYN|TCPFlagFIN|TCPFlagRST) != 0 {
		dst = append(dst, ", seq "...)
		dst = strconv.AppendUint(dst, uint64(t.Seq()), 10)
		if n > 0 {
			dst = append(dst, ':')
			dst = strconv.AppendUint(dst, uint64(t.Seq()+uint32(n)), 10)
		}
	}
	if f.Has(TCPFlagACK) {
		dst = append(dst, ", ack "...)
		dst = strconv.AppendUint(dst, uint64(t.Ack()), 10)
	}
	dst = append(dst, ", win "...)
	dst = strconv.AppendUint(dst, uint64(t.Window()), 10)
	if f.Has(TCPFlagURG) {
		dst = append(dst, ", urg "...)
		dst = strconv.AppendUint(dst, uint64(t.Urgent()), 10)
	}
	if opts := t.Options(); len(opts) > 0 {
		dst = append(dst, ", options ["...)
		dst = appendTCPOptions(dst, opts)
		dst = append(dst, ']')
	}
	dst = append(dst, ", length "...)
	return strconv.AppendInt(dst, int64(n), 10)
}

// appendTCPOptions prints raw option bytes as tcpdump does, one
// comma-separated item per option including NOPs, stopping after EOL or
// at the first option whose length is wrong ("[bad opt]").
func appendTCPOptions(dst, b []byte) []byte {
	for i := 0; i < len(b); {
		if i > 0 {
			dst = append(dst, ',')
		}
		kind := b[i]
		if kind == tcpOptEOL {
			return append(dst, "eol"...)
		}
		if kind == tcpOptNOP {
			dst = append(dst, "nop"...)
			i++
			continue
		}
		if i+1 >= len(b) || b[i+1] < 2 || i+int(b[i+1]) > len(b) {
			return append(dst, "[bad opt]"...)
		}
		n := int(b[i+1])
		v := b[i+2 : i+n]
		bad := false
		switch kind {
		case tcpOptMSS:
			if bad = n != tcpOptMSSLen; !bad {
				dst = append(dst, "mss "...)
				dst = strconv.AppendUint(dst, uint64(binary.BigEndian.Uint16(v)), 10)
			}
		case tcpOptWindowScale:
			if bad = n != tcpOptWindowScaleLen; !bad {
				dst = append(dst, "wscale "...)
				dst = strconv.AppendUint(dst, uint64(v[0]), 10)
			}
		case tcpOptSACKPermitted:
			if bad = n != tcpOptSACKPermittedLen; !bad {
				dst = append(dst, "sackOK"...)
			}
		case tcpOptSACK:
			if bad = len(v)%tcpOptSACKBlockLen != 0; !bad {
				dst = append(dst, "sack "...)
				dst = strconv.AppendInt(dst, int64(len(v)/tcpOptSACKBlockLen), 10)
				dst = append(dst, ' ')
				for j := 0; j+tcpOptSACKBlockLen <= len(v); j += tcpOptSACKBlockLen {
					dst = append(dst, '{')
					dst = strconv.AppendUint(dst, uint64(binary.BigEndian.Uint32(v[j:])), 10)
					dst = append(dst, ':')
					dst = strconv.AppendUint(dst, uint64(binary.BigEndian.Uint32(v[j+4:])), 10)
					dst = append(dst, '}')
				}
			}
		case tcpOptTimestamps:
			if bad = n != tcpOptTimestampsLen; !bad {
				dst = append(dst, "TS val "...)
				dst = strconv.AppendUint(dst, uint64(binary.BigEndian.Uint32(v)), 10)
				dst = append(dst, " ecr "...)
				dst = strconv.AppendUint(dst, uint64(binary.BigEndian.Uint32(v[4:])), 10)
			}
		default:
			dst = append(dst, "unknown-"...)
			dst = strconv.AppendUint(dst, uint64(kind), 10)
			if len(v) > 0 {
				dst = append(dst, " 0x"...)
				for _, x := range v {
					dst = append(dst, "0123456789abcdef"[x>>4], "0123456789abcdef"[x&0xf])
				}
			}
		}
		if bad {
			return append(dst, "[bad opt]"...)
		}
		i += n
	}
	return dst
}

// String prints the datagram as tcpdump does after the addresses: "41000 >
// 6969: UDP, length 10", the length being that of the payload.
func (u UDP) String() string {
	if _, err := ParseUDP(u); err != nil {
		return string(appendErr([]byte("udp, length "+strconv.Itoa(len(u))), "udp", err))
	}
	b := strconv.AppendUint(nil, uint64(u.SrcPort()), 10)
	b = append(b, " > "...)
	b = strconv.AppendUint(b, uint64(u.DstPort()), 10)
	b = append(b, ": UDP, length "...)
	return string(strconv.AppendInt(b, int64(u.Length()-UDPHeaderLen), 10))
}

// appendUDP prints a UDP datagram with its addresses. In the first fragment
// of a datagram (more is true) the length field exceeds the bytes present,
// and that is not an error.
func appendUDP(dst []byte, src, dstIP netip.Addr, b []byte, more bool) []byte {
	if len(b) < UDPHeaderLen {
		dst = appendAddrs(dst, src, dstIP)
		dst = append(dst, "udp, length "...)
		dst = strconv.AppendInt(dst, int64(len(b)), 10)
		return appendErr(dst, "udp", ErrTruncated)
	}
	u := UDP(b[:UDPHeaderLen])
	dst = appendAddrPorts(dst, src, u.SrcPort(), dstIP, u.DstPort())
	dst = append(dst, "UDP, length "...)
	dst = strconv.AppendInt(dst, int64(max(u.Length()-UDPHeaderLen, 0)), 10)
	if _, err := ParseUDP(b); err != nil && !(more && err == ErrTruncated) {
		dst = appendErr(dst, "udp", err)
	}
	return dst
}

// String prints the message as tcpdump does after the addresses: "ICMP
// echo request, id 5134, seq 1, length 64".
func (m ICMPv4) String() string { return string(appendICMP(nil, m, true)) }

// appendICMP prints an ICMP message; verify is false for the first
// fragment of a datagram, whose checksum covers bytes not present.
func appendICMP(dst, b []byte, verify bool) []byte {
	dst = append(dst, "ICMP "...)
	if len(b) < ICMPv4HeaderLen {
		dst = append(dst, "length "...)
		dst = strconv.AppendInt(dst, int64(len(b)), 10)
		return appendErr(dst, "icmp", ErrTruncated)
	}
	m := ICMPv4(b)
	var innerErr error
	switch m.Type() {
	case ICMPEchoRequest, ICMPEchoReply:
		dst = append(dst, m.Type().String()...)
		dst = append(dst, ", id "...)
		dst = strconv.AppendUint(dst, uint64(m.ID()), 10)
		dst = append(dst, ", seq "...)
		dst = strconv.AppendUint(dst, uint64(m.Seq()), 10)
	case ICMPDestUnreachable:
		dst, innerErr = appendUnreachable(dst, m)
	case ICMPTimeExceeded:
		switch m.Code() {
		case ICMPTTLExceeded:
			dst = append(dst, "time exceeded in-transit"...)
		case ICMPReassemblyExceeded:
			dst = append(dst, "ip reassembly time exceeded"...)
		default:
			dst = append(dst, "time exceeded-#"...)
			dst = strconv.AppendUint(dst, uint64(m.Code()), 10)
		}
	case ICMPParameterProblem:
		if m.Code() == 0 {
			dst = append(dst, "parameter problem - octet "...)
			dst = strconv.AppendUint(dst, uint64(m.Pointer()), 10)
		} else {
			dst = append(dst, "parameter problem - code "...)
			dst = strconv.AppendUint(dst, uint64(m.Code()), 10)
		}
	default:
		dst = append(dst, m.Type().String()...)
	}
	dst = append(dst, ", length "...)
	dst = strconv.AppendInt(dst, int64(len(b)), 10)
	if innerErr != nil {
		dst = appendErr(dst, "icmp inner", innerErr)
	}
	if verify && Checksum(b) != 0 {
		dst = appendErr(dst, "icmp", ErrBadChecksum)
	}
	return dst
}

// unreachSuffix holds tcpdump's wording for destination unreachable codes
// beyond the first five (RFC 1122 §3.2.2.1, RFC 1812 §5.2.7.1), and
// whether the address is prefixed "net " or "host ".
var unreachSuffix = [...]struct{ prefix, suffix string }{
	5:  {"", " unreachable - source route failed"},
	6:  {"net ", " unreachable - unknown"},
	7:  {"host ", " unreachable - unknown"},
	8:  {"", " unreachable - source host isolated"},
	9:  {"net ", " unreachable - admin prohibited"},
	10: {"host ", " unreachable - admin prohibited"},
	11: {"net ", " unreachable - tos prohibited"},
	12: {"host ", " unreachable - tos prohibited"},
	13: {"host ", " unreachable - admin prohibited filter"},
	14: {"host ", " unreachable - host precedence violation"},
	15: {"host ", " unreachable - precedence cutoff"},
}

// appendUnreachable prints the body of a destination unreachable message,
// which names the original destination from the quoted datagram.
func appendUnreachable(dst []byte, m ICMPv4) ([]byte, error) {
	in, err := m.Inner()
	if err != nil {
		dst = append(dst, "unreachable - code "...)
		return strconv.AppendUint(dst, uint64(m.Code()), 10), err
	}
	switch c := m.Code(); {
	case c == ICMPNetUnreachable:
		dst = append(dst, "net "...)
		dst = in.Dst.AppendTo(dst)
		dst = append(dst, " unreachable"...)
	case c == ICMPHostUnreachable:
		dst = append(dst, "host "...)
		dst = in.Dst.AppendTo(dst)
		dst = append(dst, " unreachable"...)
	case c == ICMPProtoUnreachable:
		dst = in.Dst.AppendTo(dst)
		dst = append(dst, " protocol "...)
		dst = strconv.AppendUint(dst, uint64(in.Protocol), 10)
		dst = append(dst, " unreachable"...)
	case c == ICMPPortUnreachable:
		dst = in.Dst.AppendTo(dst)
		switch in.Protocol {
		case IPProtoTCP, IPProtoUDP:
			dst = append(dst, ' ')
			dst = append(dst, in.Protocol.String()...)
			dst = append(dst, " port "...)
		default:
			dst = append(dst, " protocol "...)
			dst = strconv.AppendUint(dst, uint64(in.Protocol), 10)
			dst = append(dst, " port "...)
		}
		dst = strconv.AppendUint(dst, uint64(in.DstPort), 10)
		dst = append(dst, " unreachable"...)
	case c == ICMPFragNeeded:
		dst = in.Dst.AppendTo(dst)
		dst = append(dst, " unreachable - need to frag"...)
		if mtu := m.NextHopMTU(); mtu != 0 {
			dst = append(dst, " (mtu "...)
			dst = strconv.AppendUint(dst, uint64(mtu), 10)
			dst = append(dst, ')')
		}
	case int(c) < len(unreachSuffix):
		s := unreachSuffix[c]
		dst = append(dst, s.prefix...)
		dst = in.Dst.AppendTo(dst)
		dst = append(dst, s.suffix...)
	default:
		dst = in.Dst.AppendTo(dst)
		dst = append(dst, " unreachable - #"...)
		dst = strconv.AppendUint(dst, uint64(c), 10)
	}
	return dst, nil
}

// String prints the message as tcpdump does after the addresses: "igmp v2
// report 224.0.0.251", "igmp v3 report, 2 group record(s)", "igmp query v3
// [max resp time 2.5s] [gaddr 239.1.2.3]".
func (m IGMP) String() string { return string(appendIGMP(nil, m, true)) }

// appendIGMP prints an IGMP message in tcpdump's non-verbose form, which
// omits a Max Resp Code of 100 (10s, the default) and the group of a
// general query; verify is false for the first fragment of a datagram,
// whose checksum covers bytes not present. Errors from ParseIGMP follow in
// brackets.
func appendIGMP(dst, b []byte, verify bool) []byte {
	if len(b) < IGMPHeaderLen {
		dst = append(dst, "igmp length "...)
		dst = strconv.AppendInt(dst, int64(len(b)), 10)
		return appendErr(dst, "igmp", ErrTruncated)
	}
	m := IGMP(b)
	switch m.Type() {
	case IGMPMembershipQuery:
		dst = append(dst, "igmp query"...)
		if len(b) >= IGMPv3QueryMinLen {
			dst = appendIGMPv3Query(dst, m)
			break
		}
		if code := m.MaxRespCode(); code == 0 {
			dst = append(dst, " v1"...)
		} else {
			dst = append(dst, " v2"...)
			if code != 100 {
				dst = append(dst, " [max resp time "...)
				dst = strconv.AppendUint(dst, uint64(code), 10)
				dst = append(dst, ']')
			}
		}
		if g := m.Group(); !g.IsUnspecified() {
			dst = append(dst, " [gaddr "...)
			dst = g.AppendTo(dst)
			dst = append(dst, ']')
		}
		if len(b) != IGMPHeaderLen {
			dst = append(dst, " [len "...)
			dst = strconv.AppendInt(dst, int64(len(b)), 10)
			dst = append(dst, ']')
		}
	case IGMPv1MembershipReport:
		dst = append(dst, "igmp v1 report "...)
		dst = m.Group().AppendTo(dst)
		if len(b) != IGMPHeaderLen {
			dst = append(dst, " [len "...)
			dst = strconv.AppendInt(dst, int64(len(b)), 10)
			dst = append(dst, ']')
		}
	case IGMPv2MembershipReport:
		dst = append(dst, "igmp v2 report "...)
		dst = m.Group().AppendTo(dst)
	case IGMPv2LeaveGroup:
		dst = append(dst, "igmp leave "...)
		dst = m.Group().AppendTo(dst)
	case IGMPv3MembershipReport:
		dst = append(dst, "igmp v3 report"...)
		if len(b)%4 != 0 {
			dst = append(dst, " [invalid len "...)
			dst = strconv.AppendInt(dst, int64(len(b)), 10)
			dst = append(dst, ']')
		} else {
			dst = append(dst, ", "...)
			dst = strconv.AppendUint(dst, uint64(binary.BigEndian.Uint16(b[6:])), 10)
			dst = append(dst, " group record(s)"...)
		}
	default:
		dst = append(dst, m.Type().String()...)
	}
	if _, err := ParseIGMP(b); err != nil && (verify || err != ErrBadChecksum) {
		dst = appendErr(dst, "igmp", err)
	}
	return dst
}

// appendIGMPv3Query prints what follows "igmp query" for a version 3
// query: " v3", the maximum response time unless it is 10s, and for a
// group-specific query the group and the number of sources.
func appendIGMPv3Query(dst []byte, m IGMP) []byte {
	dst = append(dst, " v3"...)
	if code := m.MaxRespCode(); code != 100 {
		dst = append(dst, " [max resp time "...)
		if t := igmpDecodeCode(code); t < 600 {
			dst = strconv.AppendInt(dst, int64(t/10), 10)
			dst = append(dst, '.')
			dst = strconv.AppendInt(dst, int64(t%10), 10)
			dst = append(dst, 's')
		} else {
			dst = appendRelTime(dst, t/10)
		}
		dst = append(dst, ']')
	}
	g := m.Group()
	if g.IsUnspecified() {
		return dst
	}
	dst = append(dst, " [gaddr "...)
	dst = g.AppendTo(dst)
	if n := int(binary.BigEndian.Uint16(m[10:])); n > 0 {
		if len(m) < IGMPv3QueryMinLen+4*n {
			return append(dst, " [invalid number of sources]"...)
		}
		dst = append(dst, ", "...)
		dst = strconv.AppendInt(dst, int64(n), 10)
		dst = append(dst, " source(s)"...)
	}
	return append(dst, ']')
}

// appendRelTime prints a number of seconds as tcpdump's
// unsigned_relts_print does: "52m54s", "1h", "0s".
func appendRelTime(dst []byte, secs int) []byte {
	if secs == 0 {
		return append(dst, "0s"...)
	}
	for _, u := range [...]struct {
		n    int
		name byte
	}{{31536000, 'y'}, {604800, 'w'}, {86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}} {
		if secs >= u.n {
			dst = strconv.AppendInt(dst, int64(secs/u.n), 10)
			dst = append(dst, u.name)
			secs %= u.n
		}
	}
	return dst
}
