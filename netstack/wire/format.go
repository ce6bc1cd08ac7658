package wire

import (
	"encoding/binary"
	"net/netip"
	"strconv"
)

// This file and format_transport.go hold the printers: one line per packet in the format of
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
// IPv4 header's, ICMP's and IGMP's, whose failure is shown the same way.
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
		return appendIPv6(dst, p)
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
	case p.Protocol() == IPProtoIGMP:
		dst = appendAddrs(dst, src, dstIP)
		dst = appendIGMP(dst, pl, !p.MoreFragments())
	default:
		dst = appendAddrs(dst, src, dstIP)
		// tcpdump prints two spaces here.
		dst = append(dst, " ip-proto-"...)
		dst = strconv.AppendUint(dst, uint64(p.Protocol()), 10)
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
