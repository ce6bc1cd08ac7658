package netstack

import (
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"time"

	"github.com/renet-go/renet/netstack/tcp"
)

// Config configures a Stack. Only Addrs is required.
type Config struct {
	// Addrs are the stack's addresses with their on-link prefixes, IPv4
	// or IPv6: 192.168.69.1/24, fdaa::1/64. Hosts inside a prefix are
	// reached directly; everything else goes through the gateway of its
	// family. With any IPv6 address on an Ethernet link the stack also
	// holds a link-local address made from its MAC (RFC 4291 appendix
	// A), runs neighbour discovery (RFC 4861) and takes addresses from
	// router advertisements (SLAAC, RFC 4862). Every IPv6 address is
	// checked for duplicates (DAD) while already in use (optimistic DAD,
	// RFC 4429); one found duplicate is removed. Addrs may be empty, for a
	// stack that gets its address later (AddAddr, a DHCP client): it
	// then sends from 0.0.0.0 and takes only broadcasts.
	Addrs []netip.Prefix

	// Gateway is the optional IPv4 default router. It must lie inside one
	// of the IPv4 prefixes in Addrs.
	Gateway netip.Addr

	// Gateway6 is the optional IPv6 default router (often a link-local
	// address). Without it, a router that advertises itself (RFC 4861
	// §6.3.4) is used.
	Gateway6 netip.Addr

	// HardwareAddr is the stack's own MAC address on an Ethernet link.
	// When nil the link's address is used; when the link has none either,
	// a random locally administered address is chosen.
	HardwareAddr net.HardwareAddr

	// UDPReceiveBuffer bounds the bytes queued on one UDP socket that the
	// user has not yet read (SO_RCVBUF). Default 256 KiB.
	UDPReceiveBuffer int

	// ARPTimeout is how long a neighbour stays REACHABLE after it was last
	// confirmed, by an ARP reply or by TCP's forward progress; then it is
	// STALE: still used, and probed with unicast requests if nothing
	// confirms it within 5s of its next use (RFC 4861 §7.3). Default 30s,
	// Linux's base_reachable_time.
	ARPTimeout time.Duration

	// ARPRetries is how many ARP requests are broadcast, one per
	// ARPRetryInterval, before an unresolved neighbour is declared
	// unreachable and its queued packets dropped; a known neighbour being
	// probed gets three unicast requests at the same interval. Defaults 3
	// and 1s, as Linux's mcast_solicit and retrans_time.
	ARPRetries       int
	ARPRetryInterval time.Duration

	// ReassemblyTimeout bounds how long fragments of an incomplete datagram
	// are kept. Default 30s (Linux's ipfrag_time).
	ReassemblyTimeout time.Duration

	// ReassemblyMemory bounds the bytes held for incomplete datagrams.
	// Default 4 MiB.
	ReassemblyMemory int

	// ICMPRate and ICMPBurst configure the token bucket limiting the ICMP
	// errors the stack originates, per second and in a burst. Defaults 1000
	// and 50, as Linux's icmp_msgs_per_sec and icmp_msgs_burst. Echo
	// replies have a bucket of their own, ten times larger, so a ping flood
	// neither starves error messages nor loses replies to `ping -l`, yet
	// cannot turn the stack into an unbounded reflector.
	ICMPRate  int
	ICMPBurst int

	// ListenBacklog is the accept queue's limit for listeners opened with
	// no backlog of their own: connections whose handshake completed and
	// that Accept has not yet taken. Default 4096, Linux's somaxconn.
	ListenBacklog int

	// SYNBacklog bounds each listener's SYN queue: connections in the
	// middle of their handshake. Default 2048, Linux's
	// tcp_max_syn_backlog. A half-open connection holds no buffers (see
	// README for its cost). Beyond the limit SYNs are answered with SYN
	// cookies, or dropped when DisableSYNCookies is set.
	SYNBacklog int

	// DisableSYNCookies drops SYNs beyond SYNBacklog instead of answering
	// them with SYN cookies (RFC 4987 §3.6), as Linux's tcp_syncookies=0.
	DisableSYNCookies bool

	// MaxTimeWait bounds the connections kept in TIME-WAIT, as Linux's
	// tcp_max_tw_buckets; beyond it a closing connection skips TIME-WAIT
	// and Stats.TCPTimeWaitOverflows counts it. Default 131072.
	MaxTimeWait int

	// DNS lists the name servers that package conn's resolver asks, over
	// this stack, when a Dial or Listen address holds a host name and the
	// Dialer has no Resolver of its own. The stack itself never reads it.
	DNS []netip.AddrPort

	// TCP is the default configuration of new TCP connections: buffer
	// sizes and their autotuning limits, congestion control ("cubic" or
	// "reno"), timers, Nagle, options. Zero fields take tcp.DefaultConfig's
	// values; MSS defaults to the link MTU minus 40.
	TCP tcp.Config

	// Logger, when set, receives debug records about dropped packets and
	// state changes. Records are formatted only when the logger is enabled
	// at that level.
	Logger *slog.Logger
}

// validate checks what New cannot correct: the addresses, the gateways'
// families, the TCP configuration.
func (c *Config) validate() error {
	for _, p := range c.Addrs {
		if !p.IsValid() || p.Bits() == 0 || p.Addr().Is4In6() || p.Addr().Zone() != "" {
			return fmt.Errorf("netstack: address %v is not an IPv4 or IPv6 prefix", p)
		}
		if !p.Addr().IsGlobalUnicast() && !p.Addr().IsPrivate() && !p.Addr().IsLinkLocalUnicast() {
			return fmt.Errorf("netstack: address %v is not a unicast address", p.Addr())
		}
	}
	if c.Gateway.IsValid() && !c.Gateway.Unmap().Is4() {
		return fmt.Errorf("netstack: Gateway %v is not IPv4 (Gateway6 takes IPv6)", c.Gateway)
	}
	if c.Gateway6.IsValid() && (!c.Gateway6.Is6() || c.Gateway6.Is4In6()) {
		return fmt.Errorf("netstack: Gateway6 %v is not IPv6", c.Gateway6)
	}
	if err := c.TCP.Validate(); err != nil {
		return fmt.Errorf("netstack: %w", err)
	}
	return nil
}

func (c *Config) setDefaults() {
	if c.UDPReceiveBuffer <= 0 {
		c.UDPReceiveBuffer = 256 << 10
	}
	if c.ARPTimeout <= 0 {
		c.ARPTimeout = 30 * time.Second
	}
	if c.ARPRetries <= 0 {
		c.ARPRetries = 3
	}
	if c.ARPRetryInterval <= 0 {
		c.ARPRetryInterval = time.Second
	}
	if c.ReassemblyTimeout <= 0 {
		c.ReassemblyTimeout = 30 * time.Second
	}
	if c.ReassemblyMemory <= 0 {
		c.ReassemblyMemory = 4 << 20
	}
	if c.ICMPRate <= 0 {
		c.ICMPRate = 1000
	}
	if c.ListenBacklog <= 0 {
		c.ListenBacklog = 4096
	}
	if c.SYNBacklog <= 0 {
		c.SYNBacklog = 2048
	}
	if c.MaxTimeWait <= 0 {
		c.MaxTimeWait = 131072
	}
	if c.ICMPBurst <= 0 {
		c.ICMPBurst = 50
	}
}
