package wire

import (
	"encoding/binary"
	"net/netip"
	"strconv"
)

// The printers for IPv6, its extension headers and ICMPv6, in the format
// of tcpdump -nn -S -t (print-ip6.c, print-icmp6.c). See format.go for
// the conventions.

// FormatIPv6Packet prints a bare IPv6 packet, as read from an IP-medium
// link, on one line in the form FormatFrame uses after the MACs:
//
//	IP6 fdaa::1 > fdaa::100: ICMP6, echo reply, id 1, seq 1, length 64
func FormatIPv6Packet(b []byte) string { return string(appendIPv6(nil, b)) }

// AppendIPv6Packet appends FormatIPv6Packet(b) to dst.
func AppendIPv6Packet(dst, b []byte) []byte { return appendIPv6(dst, b) }

// String prints the packet down to its transport header, as
// FormatIPv6Packet does.
func (p IPv6) String() string { return string(appendIPv6(nil, p)) }

// appendIPv6 prints an IPv6 packet: its extension headers as tcpdump
// names them ("HBH ", "DSTOPT ", "srcrt (...) ", "frag (off|len) ") and
// its upper-layer header. Like tcpdump, it prints the addresses once
// before the headers unless the first is TCP or UDP, whose printers show
// them with the ports.
func appendIPv6(dst, b []byte) []byte {
	dst = append(dst, "IP6 "...)
	p, err := ParseIPv6(b)
	if err != nil {
		if len(b) >= IPv6HeaderLen {
			dst = appendAddrs(dst, getAddr16(b[8:24]), getAddr16(b[24:40]))
		}
		dst = append(dst, "length "...)
		dst = strconv.AppendInt(dst, int64(len(b)), 10)
		return appendErr(dst, "ip6", err)
	}
	src, dstIP := p.Src(), p.Dst()
	nh, off := p.NextHeader(), IPv6HeaderLen
	if nh != IPProtoTCP && nh != IPProtoUDP {
		dst = appendAddrs(dst, src, dstIP)
	}
	frag := false
	for n := 0; ; n++ {
		h := p[off:]
		var hl int
		switch nh {
		case IPProtoIPv6HopByHop, IPProtoIPv6Opts, IPProtoIPv6Route:
			if len(h) < ipv6ExtMinLen || len(h) < ipv6ExtLen(h) {
				return appendErr(trimSpace(dst), "ip6", ErrTruncated)
			}
			hl = ipv6ExtLen(h)
			switch nh {
			case IPProtoIPv6HopByHop:
				dst = append(dst, "HBH "...)
			case IPProtoIPv6Opts:
				dst = append(dst, "DSTOPT "...)
			default:
				var ok bool
				if dst, ok = appendRouting(dst, h[:hl]); !ok {
					return dst
				}
			}
		case IPProtoIPv6Frag:
			f, err := ParseIPv6Fragment(h)
			if err != nil {
				return appendErr(trimSpace(dst), "ip6", err)
			}
			dst = append(dst, "frag ("...)
			dst = strconv.AppendInt(dst, int64(f.Offset()), 10)
			dst = append(dst, '|')
			dst = strconv.AppendInt(dst, int64(len(h)-IPv6FragmentLen), 10)
			dst = append(dst, ')')
			if f.Offset() != 0 {
				return dst
			}
			dst = append(dst, ' ')
			frag = !f.IsAtomic()
			hl = IPv6FragmentLen
		default:
			return appendIPv6Upper(dst, src, dstIP, nh, p[off:], frag, off == IPv6HeaderLen)
		}
		if n == IPv6MaxExtHeaders {
			return appendErr(trimSpace(dst), "ip6", ErrUnsupported)
		}
		nh, off = IPProto(h[0]), off+hl
	}
}

// appendRouting prints a routing header as tcpdump's rt6_print does
// without -v: "RT6 (len=2, type=0 [Deprecated], segleft=1, [0]fdaa::2) "
// for types 0 and 2 (RFC 6275 §6.4), "RT6 (len=2, type=4, segleft=0,
// last-entry=0, tag=0, [0]::) " for a segment routing header (RFC 8754
// §2), and "RT6 (len=0, type=5, segleft=0 (unknown type) (invalid)" for
// others, after which tcpdump prints nothing more; ok is then false.
func appendRouting(dst, h []byte) (_ []byte, ok bool) {
	dst = append(dst, "RT6 (len="...)
	dst = strconv.AppendUint(dst, uint64(h[1]), 10)
	dst = append(dst, ", type="...)
	dst = strconv.AppendUint(dst, uint64(h[2]), 10)
	if h[2] == 0 {
		dst = append(dst, " [Deprecated]"...)
	}
	dst = append(dst, ", segleft="...)
	dst = strconv.AppendUint(dst, uint64(h[3]), 10)
	n := 0
	switch h[2] {
	case 0, 2:
		n = int(h[1]) / 2
	case 4:
		dst = append(dst, ", last-entry="...)
		dst = strconv.AppendUint(dst, uint64(h[4]), 10)
		if h[5] != 0 {
			dst = append(dst, ", flags=0x"...)
			dst = strconv.AppendUint(dst, uint64(h[5]), 16)
		}
		dst = append(dst, ", tag="...)
		dst = strconv.AppendUint(dst, uint64(binary.BigEndian.Uint16(h[6:])), 16)
		n = int(h[4]) + 1
	default:
		return append(dst, " (unknown type) (invalid)"...), false
	}
	for i := range n {
		if 8+16*(i+1) > len(h) {
			return append(dst, " [|srcrt]"...), false
		}
		dst = append(dst, ", ["...)
		dst = strconv.AppendInt(dst, int64(i), 10)
		dst = append(dst, ']')
		dst = getAddr16(h[8+16*i:]).AppendTo(dst)
	}
	return append(dst, ") "...), true
}

// appendIPv6Upper prints the upper-layer header b of protocol nh; frag is
// true in the first fragment of a packet, whose checksums cannot be
// verified and whose UDP length exceeds the bytes present. TCP and UDP
// print their addresses with the ports when they follow the IPv6 header
// (first), and only the ports after extension headers, as in tcpdump.
func appendIPv6Upper(dst []byte, src, dstIP netip.Addr, nh IPProto, b []byte, frag, first bool) []byte {
	switch nh {
	case IPProtoTCP:
		if first {
			return appendTCP(dst, src, dstIP, b)
		}
		t, err := ParseTCP(b)
		if err != nil {
			dst = append(dst, "tcp, length "...)
			dst = strconv.AppendInt(dst, int64(len(b)), 10)
			return appendErr(dst, "tcp", err)
		}
		dst = appendPorts(dst, t.SrcPort(), t.DstPort())
		return appendTCPBody(dst, t)
	case IPProtoUDP:
		if first {
			return appendUDP(dst, src, dstIP, b, frag)
		}
		if len(b) < UDPHeaderLen {
			dst = append(dst, "udp, length "...)
			dst = strconv.AppendInt(dst, int64(len(b)), 10)
			return appendErr(dst, "udp", ErrTruncated)
		}
		u := UDP(b[:UDPHeaderLen])
		dst = appendPorts(dst, u.SrcPort(), u.DstPort())
		dst = append(dst, "UDP, length "...)
		dst = strconv.AppendInt(dst, int64(max(u.Length()-UDPHeaderLen, 0)), 10)
		if _, err := ParseUDP(b); err != nil && !(frag && err == ErrTruncated) {
			dst = appendErr(dst, "udp", err)
		}
		return dst
	case IPProtoICMPv6:
		return appendICMPv6(dst, src, dstIP, b, !frag)
	case IPProtoIPv6NoNext:
		return append(dst, "no next header"...)
	}
	// tcpdump prints two spaces here.
	dst = append(dst, " ip-proto-"...)
	dst = strconv.AppendUint(dst, uint64(nh), 10)
	dst = append(dst, ' ')
	return strconv.AppendInt(dst, int64(len(b)), 10)
}

// appendPorts appends "sport > dport: ".
func appendPorts(dst []byte, sport, dport uint16) []byte {
	dst = strconv.AppendUint(dst, uint64(sport), 10)
	dst = append(dst, " > "...)
	dst = strconv.AppendUint(dst, uint64(dport), 10)
	return append(dst, ": "...)
}

// String prints the message as tcpdump does after the addresses, without
// verifying the checksum, which needs them: "ICMP6, echo request, id 1,
// seq 1, length 64".
func (m ICMPv6) String() string {
	return string(appendICMPv6(nil, netip.Addr{}, netip.Addr{}, m, false))
}

// appendICMPv6 prints an ICMPv6 message; verify is false for the first
// fragment of a packet, whose checksum covers bytes not present.
func appendICMPv6(dst []byte, src, dstIP netip.Addr, b []byte, verify bool) []byte {
	dst = append(dst, "ICMP6, "...)
	if len(b) < ICMPv6HeaderLen {
		dst = append(dst, "length "...)
		dst = strconv.AppendInt(dst, int64(len(b)), 10)
		return appendErr(dst, "icmp6", ErrTruncated)
	}
	m := ICMPv6(b)
	dst = appendICMPv6Type(dst, m.Type())
	var err error
	switch m.Type() {
	case ICMPv6DestUnreachable:
		dst, err = appendUnreachable6(dst, m)
	case ICMPv6PacketTooBig:
		dst = append(dst, ", mtu "...)
		dst = strconv.AppendUint(dst, uint64(m.MTU()), 10)
	case ICMPv6TimeExceeded:
		switch m.Code() {
		case ICMPv6HopLimitExceeded:
			if len(b) < ICMPv6HeaderLen+IPv6HeaderLen {
				err = ErrTruncated
				break
			}
			dst = append(dst, " for "...)
			dst = getAddr16(b[ICMPv6HeaderLen+24:]).AppendTo(dst)
		case ICMPv6ReassemblyExceeded:
			dst = append(dst, " (reassembly)"...)
		default:
			dst = append(dst, ", unknown code ("...)
			dst = strconv.AppendUint(dst, uint64(m.Code()), 10)
			dst = append(dst, ')')
		}
	case ICMPv6ParamProblem:
		switch m.Code() {
		case ICMPv6ErroneousHeader:
			dst = append(dst, ", erroneous - octet "...)
		case ICMPv6UnrecognizedNextHdr:
			dst = append(dst, ", next header - octet "...)
		case ICMPv6UnrecognizedOption:
			dst = append(dst, ", option - octet "...)
		case ICMPv6IncompleteHeaderChain:
			dst = append(dst, ", incomplete header chain - octet "...)
		default:
			dst = append(dst, ", code-#"...)
			dst = strconv.AppendUint(dst, uint64(m.Code()), 10)
		}
		if m.Code() <= ICMPv6IncompleteHeaderChain {
			dst = strconv.AppendUint(dst, uint64(m.Pointer()), 10)
		}
	case ICMPv6EchoRequest, ICMPv6EchoReply:
		dst = append(dst, ", id "...)
		dst = strconv.AppendUint(dst, uint64(m.ID()), 10)
		dst = append(dst, ", seq "...)
		dst = strconv.AppendUint(dst, uint64(m.Seq()), 10)
	case ICMPv6MLDQuery, ICMPv6MLDReport, ICMPv6MLDDone, ICMPv6MLDv2Report:
		dst, err = appendMLD(dst, m)
	case ICMPv6NeighborSolicit:
		if len(b) < NDPNeighborSolicitLen {
			err = ErrTruncated
			break
		}
		dst = append(dst, ", who has "...)
		dst = getAddr16(b[8:24]).AppendTo(dst)
	case ICMPv6NeighborAdvert:
		if len(b) < NDPNeighborAdvertLen {
			err = ErrTruncated
			break
		}
		dst = append(dst, ", tgt is "...)
		dst = getAddr16(b[8:24]).AppendTo(dst)
	case ICMPv6Redirect:
		if len(b) < NDPRedirectLen {
			err = ErrTruncated
			break
		}
		dst = append(dst, ", "...)
		dst = getAddr16(b[24:40]).AppendTo(dst)
		dst = append(dst, " to "...)
		dst = getAddr16(b[8:24]).AppendTo(dst)
	}
	dst = append(dst, ", length "...)
	dst = strconv.AppendInt(dst, int64(len(b)), 10)
	if err != nil {
		dst = appendErr(dst, "icmp6", err)
	}
	if verify && src.IsValid() && Finish(Sum(b, PseudoHeaderSum(src, dstIP, IPProtoICMPv6, len(b)))) != 0 {
		dst = appendErr(dst, "icmp6", ErrBadChecksum)
	}
	return dst
}

// appendICMPv6Type appends the type's name, or tcpdump's "unknown icmp6
// type (N)".
func appendICMPv6Type(dst []byte, t ICMPv6Type) []byte {
	s := t.String()
	if s[0] == 't' && s[1] == 'y' {
		dst = append(dst, "unknown icmp6 type ("...)
		dst = strconv.AppendUint(dst, uint64(t), 10)
		return append(dst, ')')
	}
	return append(dst, s...)
}

// unreach6Codes is tcpdump's wording for destination unreachable codes
// (RFC 4443 §3.1) that print the quoted destination after them.
var unreach6Codes = [...]string{
	ICMPv6NoRoute:            ", unreachable route ",
	ICMPv6AdminProhibited:    ",  unreachable prohibited ",
	ICMPv6BeyondScope:        ", beyond scope ",
	ICMPv6AddressUnreachable: ", unreachable address ",
}

// appendUnreachable6 prints the body of a destination unreachable
// message, which names the original destination from the quoted packet.
func appendUnreachable6(dst []byte, m ICMPv6) ([]byte, error) {
	c := int(m.Code())
	in, err := m.Inner()
	switch {
	case err != nil:
		dst = append(dst, ", code "...)
		return strconv.AppendInt(dst, int64(c), 10), err
	case c < len(unreach6Codes):
		dst = append(dst, unreach6Codes[c]...)
		dst = in.Dst.AppendTo(dst)
		if c == ICMPv6BeyondScope {
			dst = append(dst, ", source address "...)
			dst = in.Src.AppendTo(dst)
		}
	case c == ICMPv6PortUnreachable:
		dst = append(dst, ", unreachable port, "...)
		dst = in.Dst.AppendTo(dst)
		switch in.Protocol {
		case IPProtoTCP, IPProtoUDP:
			dst = append(dst, ' ')
			dst = append(dst, in.Protocol.String()...)
			dst = append(dst, " port "...)
			dst = strconv.AppendUint(dst, uint64(in.DstPort), 10)
		default:
			dst = append(dst, " protocol "...)
			dst = strconv.AppendUint(dst, uint64(in.Protocol), 10)
			dst = append(dst, " port "...)
			dst = strconv.AppendUint(dst, uint64(in.DstPort), 10)
			dst = append(dst, " unreachable"...)
		}
	default:
		dst = append(dst, ", unknown unreach code ("...)
		dst = strconv.AppendInt(dst, int64(c), 10)
		dst = append(dst, ')')
	}
	return dst, nil
}

// appendMLD prints what tcpdump prints after an MLD type without -v.
func appendMLD(dst []byte, m ICMPv6) ([]byte, error) {
	switch {
	case m.Type() == ICMPv6MLDv2Report:
		if len(m)%4 != 0 {
			dst = append(dst, " [invalid len "...)
			dst = strconv.AppendInt(dst, int64(len(m)), 10)
			return append(dst, ']'), nil
		}
		dst = append(dst, ", "...)
		dst = strconv.AppendUint(dst, uint64(binary.BigEndian.Uint16(m[6:])), 10)
		return append(dst, " group record(s)"...), nil
	case len(m) < MLDv1Len:
		return dst, ErrTruncated
	case m.Type() != ICMPv6MLDQuery || len(m) == MLDv1Len:
		dst = append(dst, "max resp delay: "...)
		dst = strconv.AppendUint(dst, uint64(binary.BigEndian.Uint16(m[4:])), 10)
		dst = append(dst, " addr: "...)
		return getAddr16(m[8:24]).AppendTo(dst), nil
	case len(m) < MLDv2QueryMinLen:
		dst = append(dst, " unknown-version (len "...)
		dst = strconv.AppendInt(dst, int64(len(m)), 10)
		return append(dst, ") "...), nil
	}
	dst = append(dst, " v2 [gaddr "...)
	dst = getAddr16(m[8:24]).AppendTo(dst)
	if n := int(binary.BigEndian.Uint16(m[26:])); n > 0 {
		if len(m) < MLDv2QueryMinLen+16*n {
			dst = append(dst, " [invalid number of sources]"...)
		} else {
			dst = append(dst, ", "...)
			dst = strconv.AppendInt(dst, int64(n), 10)
			dst = append(dst, " source(s)"...)
		}
	}
	return append(dst, ']'), nil
}

// trimSpace drops a trailing space, so an error after "src > dst: " or an
// extension header reads "... HBH [ip6: ...]".
func trimSpace(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] == ' ' {
		return b[:len(b)-1]
	}
	return b
}
