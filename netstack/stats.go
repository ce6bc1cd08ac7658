package netstack

// DropReason says why the stack discarded a packet.
type DropReason uint8

// The reasons a packet is dropped. Each has a counter in Stats.Drops.
const (
	DropLinkTruncated       DropReason = iota // shorter than a link header
	DropLinkForeignMAC                        // unicast to another MAC address
	DropLinkMulticast                         // to a multicast group we have not joined
	DropLinkVLAN                              // 802.1Q tagged; the stack is not on a VLAN
	DropLinkEtherType                         // neither IPv4 nor ARP
	DropARPMalformed                          // truncated or not Ethernet/IPv4
	DropARPUnresolved                         // queued for a neighbour that never answered
	DropARPQueueFull                          // too many packets waiting for one neighbour
	DropARPEvicted                            // queued for a neighbour entry evicted from a full cache
	DropIPTruncated                           // shorter than its headers claim
	DropIPMalformed                           // bad version, header or total length
	DropIPChecksum                            // header checksum wrong
	DropIPBadSource                           // source broadcast, multicast, zero or ours
	DropIPNotForUs                            // destination is not one of our addresses
	DropIPLinkBroadcast                       // unicast IP in a link-layer broadcast frame
	DropIPUnknownProtocol                     // no handler for the protocol (ICMP sent)
	DropIPNoRoute                             // outgoing packet with no route
	DropIPTooBig                              // outgoing packet larger than MTU with DF set
	DropFragOverlap                           // fragments overlap (datagram dropped)
	DropFragMalformed                         // bad fragment offset or length
	DropFragLimit                             // reassembly table or memory full
	DropFragDuplicate                         // a fragment already held
	DropFragTimeout                           // fragments expired before completion
	DropICMPMalformed                         // truncated ICMP message
	DropICMPChecksum                          // ICMP checksum wrong
	DropICMPRateLimited                       // ICMP we would have sent, over the rate limit
	DropUDPMalformed                          // truncated or bad length
	DropUDPChecksum                           // UDP checksum wrong
	DropUDPNoSocket                           // no socket on the port (ICMP sent)
	DropUDPQueueFull                          // socket receive buffer full
	DropUDPNotConnectedPeer                   // not from a connected socket's peer
	DropLinkWrite                             // the link refused an outgoing packet
	DropLinkFull                              // control packet beyond the backlog of a full link
	DropPingQueueFull                         // echo reply for a ping socket whose buffer is full
	DropIPv6Off                               // IPv6 packet; the stack has no IPv6 address
	DropNDPInvalid                            // neighbour discovery message failing RFC 4861's checks
	DropLinkLooped                            // a frame from our own MAC address, reflected back
	DropTCPMalformed                          // bad header or options
	DropTCPChecksum                           // TCP checksum wrong
	DropTCPBroadcast                          // TCP to a broadcast address
	DropTCPNoSocket                           // no connection or listener (RST sent)
	DropTCPSYNQueueFull                       // SYN beyond the SYN queue, cookies off
	DropTCPAcceptQueueFull                    // SYN or handshake ACK while the accept queue is full
	DropTCPBadCookie                          // handshake ACK with an invalid SYN cookie
	DropIGMPMalformed                         // truncated or impossible IGMP message
	DropIGMPChecksum                          // IGMP checksum wrong
	numDropReasons
)

var dropNames = [numDropReasons]string{
	DropLinkTruncated:       "link-truncated",
	DropLinkForeignMAC:      "link-foreign-mac",
	DropLinkMulticast:       "link-multicast",
	DropLinkVLAN:            "link-vlan",
	DropLinkEtherType:       "link-unknown-ethertype",
	DropARPMalformed:        "arp-malformed",
	DropARPUnresolved:       "arp-unresolved",
	DropARPQueueFull:        "arp-queue-full",
	DropARPEvicted:          "arp-evicted",
	DropIPTruncated:         "ip-truncated",
	DropIPMalformed:         "ip-malformed",
	DropIPChecksum:          "ip-bad-checksum",
	DropIPBadSource:         "ip-bad-source",
	DropIPNotForUs:          "ip-not-for-us",
	DropIPLinkBroadcast:     "ip-unicast-in-link-broadcast",
	DropIPUnknownProtocol:   "ip-unknown-protocol",
	DropIPNoRoute:           "ip-no-route",
	DropIPTooBig:            "ip-too-big",
	DropFragOverlap:         "frag-overlap",
	DropFragMalformed:       "frag-malformed",
	DropFragLimit:           "frag-limit",
	DropFragDuplicate:       "frag-duplicate",
	DropFragTimeout:         "frag-timeout",
	DropICMPMalformed:       "icmp-malformed",
	DropICMPChecksum:        "icmp-bad-checksum",
	DropICMPRateLimited:     "icmp-rate-limited",
	DropUDPMalformed:        "udp-malformed",
	DropUDPChecksum:         "udp-bad-checksum",
	DropUDPNoSocket:         "udp-no-socket",
	DropUDPQueueFull:        "udp-queue-full",
	DropUDPNotConnectedPeer: "udp-not-connected-peer",
	DropLinkWrite:           "link-write-error",
	DropLinkFull:            "link-full",
	DropPingQueueFull:       "ping-queue-full",
	DropIPv6Off:             "ipv6-off",
	DropNDPInvalid:          "ndp-invalid",
	DropLinkLooped:          "link-looped",
	DropTCPMalformed:        "tcp-malformed",
	DropTCPChecksum:         "tcp-bad-checksum",
	DropTCPBroadcast:        "tcp-broadcast",
	DropTCPNoSocket:         "tcp-no-socket",
	DropTCPSYNQueueFull:     "tcp-syn-queue-full",
	DropTCPAcceptQueueFull:  "tcp-accept-queue-full",
	DropTCPBadCookie:        "tcp-bad-syn-cookie",
	DropIGMPMalformed:       "igmp-malformed",
	DropIGMPChecksum:        "igmp-bad-checksum",
}

func (r DropReason) String() string {
	if r < numDropReasons {
		return dropNames[r]
	}
	return "unknown"
}

// DropReasons lists every reason, in order, for printing all counters.
func DropReasons() []DropReason {
	rs := make([]DropReason, numDropReasons)
	for i := range rs {
		rs[i] = DropReason(i)
	}
	return rs
}

// Stats is a snapshot of the stack's counters.
type Stats struct {
	FramesIn, FramesOut uint64 // packets read from and written to the link
	BytesIn, BytesOut   uint64

	ARPRequestsIn, ARPRepliesIn   uint64
	ARPRequestsOut, ARPRepliesOut uint64

	IPPacketsIn, IPPacketsOut uint64
	FragmentsIn               uint64 // fragments received
	Reassembled               uint64 // datagrams completed from fragments
	FragmentsOut              uint64 // fragments sent (a datagram cut to fit the MTU)

	ICMPIn, ICMPOut      uint64
	EchoRequestsIn       uint64
	EchoRepliesOut       uint64
	ICMPErrorsIn         uint64 // unreachable, time exceeded, parameter problem
	ICMPUnreachablesOut  uint64 // port and protocol unreachable sent
	UDPDatagramsIn       uint64 // delivered to a socket
	UDPDatagramsOut      uint64
	TCPSegmentsIn        uint64 // valid segments received
	TCPSegmentsOut       uint64
	TCPResetsOut         uint64 // RSTs for segments that matched no connection
	TCPPathMTUUpdates    uint64 // ICMP "fragmentation needed" taken by a connection (RFC 1191)
	TCPSYNCookiesSent    uint64 // SYN-ACKs carrying a SYN cookie (SYN queue full)
	TCPSYNCookiesValid   uint64 // connections established from a cookie
	TCPTimeWaitOverflows uint64 // closes that skipped TIME-WAIT: Config.MaxTimeWait reached
	IGMPIn, IGMPOut      uint64 // IGMP messages received (valid) and sent
	// GSOOut counts packets larger than the MTU handed to the link to
	// cut (TSO); GROIn those larger than the MTU the link handed up,
	// coalesced or never cut; GROMerged the segments software GRO merged
	// from smaller ones (gro.go).
	GSOOut, GROIn, GROMerged uint64
	Drops                    [numDropReasons]uint64 // indexed by DropReason
	LinkReadErrors           uint64
	LinkWriteErrors          uint64
	// LinkFull counts the times the link reported its queue full
	// (link.ErrFull); LinkBacklog is the packets held for it at the time
	// of the snapshot.
	LinkFull    uint64
	LinkBacklog int
	// DADConflicts counts IPv6 addresses given up because another node
	// on the link holds them (RFC 4862 §5.4.5).
	DADConflicts      uint64
	TCPTimeWait       int // TIME-WAIT records at the time of the snapshot
	NeighbourEntries  int // neighbour cache size at the time of the snapshot
	ReassemblyPending int // datagrams under reassembly at the time of the snapshot
}

// Dropped returns the counter for one reason.
func (s Stats) Dropped(r DropReason) uint64 {
	if r < numDropReasons {
		return s.Drops[r]
	}
	return 0
}

// TotalDrops sums every drop counter.
func (s Stats) TotalDrops() uint64 {
	var n uint64
	for _, d := range s.Drops {
		n += d
	}
	return n
}
