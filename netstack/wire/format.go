package wire

import (
	"encoding/binary"
	"net/netip"
	"strconv"
)

// This file holds the printers: one line per packet in the format of
// tcpdump -nn -S (numeric addresses and ports, absolute sequence numbers),
// so that a capture can be read beside tcpdump's. They allocate, and are
// meant for cmd/dump and test failures, not the hot path.

// FormatFrame decodes an Ethernet frame down to its transport header and
// prints it on one line, the source and destination MACs first:
//
//	02:00:00:00:00:64 > ff:ff:ff:ff:ff:ff, ARP, Request who-has 192.168.69.1 tell 192.168.69.100, length 28
//	02:00:00:00:00:64 > 02:00:00:00:00:01, IP 192.168.69.100.41234 > 192.168.69.1.6969: Flags [S], seq 2823571706, win 64240, options [mss 1460,sackOK,TS val 477046104 ecr 0,nop,wscale 10], length 0
//
// After the MACs comes ", vlan N" for a tagged frame, then what tcpdump
// -nn -S -t prints for the payload. Malformed input is printed as far as
// it decodes, followed by the error in brackets, e.g.
// "[tcp: wire: truncated packet]". Checksums are not verified except the
// IPv4 header's and ICMP's, whose failure is shown the same way.
func FormatFrame(b []byte) string { return string(AppendFrame(nil, b)) }

// AppendFrame appends FormatFrame(b) to dst, so a caller printing many
// frames can reuse one buffer.
func AppendFrame(dst, b []byte) []byte {
	e, err := ParseEthernet(b)
	if err != nil {
		dst = append(dst, "ethernet, length "...)
		dst = strconv.AppendInt(dst, int64(len(b)), 10)
		return appendErr(dst, "ether", err)
	}
	dst = e.Src().AppendTo(dst)
	dst = append(dst, " > "...)
	dst = e.Dst().AppendTo(dst)
	dst = append(dst, ", "...)
	if id, ok := e.VLAN(); ok {
		dst = append(dst, "vlan "...)
		dst = strconv.AppendUint(dst, uint64(id), 10)
		dst = append(dst, ", "...)
	}
	p := e.Payload()
	switch e.EtherType() {
	case EtherTypeARP:
		return appendARP(dst, p)
	case EtherTypeIPv4:
		return appendIPv4(dst, p)
	case EtherTypeIPv6:
		dst = append(dst, "IP6"...)
	default:
		dst = append(dst, "ethertype "...)
		dst = append(dst, e.EtherType().String()...)
	}
	dst = append(dst, ", length "...)
	return strconv.AppendInt(dst, int64(len(p)), 10)
}

// FormatIPv4Packet prints a bare IPv4 packet, as read from an IP-medium
// link, on one line in the form FormatFrame uses after the MACs:
//
//	IP 192.168.69.1 > 192.168.69.100: ICMP echo reply, id 5134, seq 1, length 64
func FormatIPv4Packet(b []byte) string { return string(AppendIPv4Packet(nil, b)) }

// AppendIPv4Packet appends FormatIPv4Packet(b) to dst.
func AppendIPv4Packet(dst, b []byte) []byte { return appendIPv4(dst, b) }

// String prints the Ethernet header as tcpdump -e does, without the
// payload: "02:00:00:00:00:64 > 02:00:00:00:00:01, ethertype IPv4
// (0x0800), length 98", with ": vlan 5, p 0, ethertype IPv4 (0x0800)"
// after an 802.1Q type.
func (e Ethernet) String() string {
	if len(e) < EthernetHeaderLen || (e.tagged() && len(e) < EthernetHeaderLen+vlanTagLen) {
		return string(appendErr([]byte("ethernet"), "ether", ErrTruncated))
	}
	b := e.Src().AppendTo(nil)
	b = append(b, " > "...)
	b = e.Dst().AppendTo(b)
	b = append(b, ", "...)
	b = appendEtherType(b, EtherType(binary.BigEndian.Uint16(e[12:])))
	b = append(b, ", length "...)
	b = strconv.AppendInt(b, int64(len(e)), 10)
	if id, ok := e.VLAN(); ok {
		b = append(b, ": vlan "...)
		b = strconv.AppendUint(b, uint64(id), 10)
		b = append(b, ", p "...)
		b = strconv.AppendUint(b, uint64(e.VLANPriority()), 10)
		b = append(b, ", "...)
		b = appendEtherType(b, e.EtherType())
	}
	return string(b)
}

// appendEtherType appends "ethertype IPv4 (0x0800)".
func appendEtherType(b []byte, t EtherType) []byte {
	b = append(b, "ethertype "...)
	b = append(b, t.String()...)
	b = append(b, " (0x"...)
	b = append(b, hex16(uint16(t))...)
	return append(b, ')')
}

// String prints the packet as tcpdump does: "ARP, Request who-has
// 192.168.69.1 tell 192.168.69.100, length 28".
func (a ARP) String() string { return string(appendARP(nil, a)) }

// appendARP prints an ARP packet; the length printed is len(b), which
// includes any Ethernet padding, as in tcpdump.
func appendARP(dst, b []byte) []byte {
	a, err := ParseARP(b)
	if err != nil {
		dst = append(dst, "ARP, length "...)
		dst = strconv.AppendInt(dst, int64(len(b)), 10)
		return appendErr(dst, "arp", err)
	}
	dst = append(dst, "ARP, "...)
	switch a.Op() {
	case ARPRequest:
		dst = append(dst, "Request who-has "...)
		dst = a.TargetIP().AppendTo(dst)
		if t := a.TargetMAC(); !t.IsZero() {
			dst = append(dst, " ("...)
			dst = t.AppendTo(dst)
			dst = append(dst, ')')
		}
		dst = append(dst, " tell "...)
		dst = a.SenderIP().AppendTo(dst)
	case ARPReply:
		dst = append(dst, "Reply "...)
		dst = a.SenderIP().AppendTo(dst)
		dst = append(dst, " is-at "...)
		dst = a.SenderMAC().AppendTo(dst)
	default:
		dst = append(dst, a.Op().String()...)
		dst = append(dst, ", sender "...)
		dst = a.SenderIP().AppendTo(dst)
		dst = append(dst, " ("...)
		dst = a.SenderMAC().AppendTo(dst)
		dst = append(dst, "), target "...)
		dst = a.TargetIP().AppendTo(dst)
		dst = append(dst, " ("...)
		dst = a.TargetMAC().AppendTo(dst)
		dst = append(dst, ')')
	}
	dst = append(dst, ", length "...)
	return strconv.AppendInt(dst, int64(len(b)), 10)
}

// String prints the packet down to its transport header, as
// FormatIPv4Packet does.
func (p IPv4) String() string { return string(appendIPv4(nil, p)) }

// appendIPv4 prints an IPv4 packet and its transport header.
func appendIPv4(dst, b []byte) []byte {
	dst = append(dst, "IP "...)
	p, err := parseIPv4NoChecksum(b)
	if err != nil {
		if len(b) < IPv4MinHeaderLen {
			dst = append(dst, "length "...)
			dst = strconv.AppendInt(dst, int64(len(b)), 10)
			return appendErr(dst, "ip", err)
		}
		// The addresses sit at fixed offsets, so show them even when the
		// lengths are wrong.
		dst = appendAddrs(dst, getAddr4(b[12:16]), getAddr4(b[16:20]))
		dst = append(dst, "length "...)
		dst = strconv.AppendInt(dst, int64(len(b)), 10)
		return appendErr(dst, "ip", err)
	}
	src, dstIP := p.Src(), p.Dst()
	pl := p.Payload()
	switch {
	case p.FragmentOffset() != 0:
		// A later fragment has no transport header to decode. With -nn
		// tcpdump names even known protocols by number here.
		dst = appendAddrs(dst, src, dstIP)
		dst = append(dst, "ip-proto-"...)
		dst = strconv.AppendUint(dst, uint64(p.Protocol()), 10)
	case p.Protocol() == IPProtoTCP:
		dst = appendTCP(dst, src, dstIP, pl)
	case p.Protocol() == IPProtoUDP:
		dst = appendUDP(dst, src, dstIP, pl, p.MoreFragments())
	case p.Protocol() == IPProtoICMP:
		dst = appendAddrs(dst, src, dstIP)
		dst = appendICMP(dst, pl, !p.MoreFragments())
	default:
		dst = appendAddrs(dst, src, dstIP)
		// tcpdump prints two spaces here.
		dst = append(dst, ' ')
		dst = append(dst, p.Protocol().String()...)
		dst = append(dst, ' ')
		dst = strconv.AppendInt(dst, int64(len(pl)), 10)
	}
	if Checksum(p[:p.HeaderLen()]) != 0 {
		dst = appendErr(dst, "ip", ErrBadChecksum)
	}
	return dst
}

// appendAddrs appends "src > dst: ".
func appendAddrs(dst []byte, src, dstIP netip.Addr) []byte {
	dst = src.AppendTo(dst)
	dst = append(dst, " > "...)
	dst = dstIP.AppendTo(dst)
	return append(dst, ": "...)
}

// appendAddrPorts appends "src.sport > dst.dport: ".
func appendAddrPorts(dst []byte, src netip.Addr, sport uint16, dstIP netip.Addr, dport uint16) []byte {
	dst = src.AppendTo(dst)
	dst = append(dst, '.')
	dst = strconv.AppendUint(dst, uint64(sport), 10)
	dst = append(dst, " > "...)
	dst = dstIP.AppendTo(dst)
	dst = append(dst, '.')
	dst = strconv.AppendUint(dst, uint64(dport), 10)
	return append(dst, ": "...)
}

// appendErr appends " [layer: err]".
func appendErr(dst []byte, layer string, err error) []byte {
	dst = append(dst, " ["...)
	dst = append(dst, layer...)
	dst = append(dst, ": "...)
	dst = append(dst, err.Error()...)
	return append(dst, ']')
}

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
