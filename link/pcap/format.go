package pcap

import (
	"errors"
	"fmt"

	"github.com/renet-go/renet/link"
)

// Link types, from the tcpdump.org list of LINKTYPE_ values.
const (
	// LinkTypeEthernet is LINKTYPE_ETHERNET: Ethernet II frames.
	LinkTypeEthernet uint32 = 1
	// LinkTypeRaw is LINKTYPE_RAW: bare IP packets of either family, told
	// apart by the version nibble (what tcpdump writes for a TUN device).
	// Captures of IP-medium links use it.
	LinkTypeRaw uint32 = 101
	// LinkTypeIPv4 is LINKTYPE_IPV4: bare IPv4 packets only. Earlier
	// versions wrote it for IP-medium links; tools still read it.
	LinkTypeIPv4 uint32 = 228
	// LinkTypeIPv6 is LINKTYPE_IPV6: bare IPv6 packets only.
	LinkTypeIPv6 uint32 = 229
)

// SnapLen is the snapshot length written in the file header; longer
// packets are recorded truncated to it, with their full length noted.
const SnapLen = 262144

// ErrFormat is returned, wrapped, for input that is not a well-formed
// pcap file.
var ErrFormat = errors.New("pcap: malformed file")

// File layout, all fields 32-bit unless noted:
//
//	file header (24 bytes): magic, version major (16), version minor (16),
//	  thiszone, sigfigs, snaplen, linktype
//	record header (16 bytes): ts seconds, ts fraction (µs or ns),
//	  captured length, original length; then the captured bytes
const (
	magicMicro      = 0xa1b2c3d4
	magicNano       = 0xa1b23c4d
	versionMajor    = 2
	versionMinor    = 4
	fileHeaderLen   = 24
	recordHeaderLen = 16
)

// linkTypeOf returns the pcap link type for a medium.
func linkTypeOf(m link.Medium) (uint32, error) {
	switch m {
	case link.Ethernet:
		return LinkTypeEthernet, nil
	case link.IP:
		return LinkTypeRaw, nil // IPv4 and IPv6 alike
	}
	return 0, fmt.Errorf("pcap: no link type for medium %v", m)
}
