// Package linkflag gives renet's programs one way to name a link and
// configure a stack on it: -tap, -tun or -afpacket, -addr, -mac, -gw, -pcap
// and -host, as DESIGN.md's command-line contract fixes them, and -offload
// (default true), which -offload=false turns off for tap and TUN devices.
// With -pcap on an offloading device the capture holds what crosses it, as
// tcpdump's does on an offloading interface: segments of up to 64 KiB and
// checksums left for the kernel to complete.
//
// -addr and -host take comma-separated lists of prefixes of either family
// (DESIGN.md's dual stack: -addr 192.168.69.1/24,fdaa::1/64 and -host
// 192.168.69.100/24,fdaa::100/64, the defaults). The kernel side gets
// every address of -host, the stack every address of -addr.
//
// "-addr dhcp" starts the stack with no IPv4 address and takes one from
// a DHCP server on the link (package dhcp): Open waits for the lease, at
// most -dhcp-timeout (30 s), prints it to standard error, and the client
// keeps it while the program runs. "dhcp" may stand in the list beside
// IPv6 prefixes: -addr dhcp,fdaa::1/64.
package linkflag

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/renet-go/renet/dhcp"
	"github.com/renet-go/renet/internal/ifconfig"
	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/link/afpacket"
	"github.com/renet-go/renet/link/pcap"
	"github.com/renet-go/renet/link/tap"
	"github.com/renet-go/renet/link/tun"
	"github.com/renet-go/renet/netstack"
)

// Default -addr values: DESIGN.md's dual-stack default, and IPv4 alone.
const (
	IPv4Addr      = "192.168.69.1/24"
	DualStackAddr = "192.168.69.1/24,fdaa::1/64"
)

// DefaultAddr is -addr's default.
var DefaultAddr = DualStackAddr

// DHCP is the -addr item that asks a DHCP server for the IPv4 address.
const DHCP = "dhcp"

// ParseAddrs parses a comma-separated list of prefixes, IPv4 and IPv6,
// such as "192.168.69.1/24,fdaa::1/64", as -addr and -host take them.
// Blanks around items are ignored; an empty item, a bare address without
// its prefix length, or an address with a zone is an error.
func ParseAddrs(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			return nil, fmt.Errorf("empty item in address list %q", s)
		}
		p, err := netip.ParsePrefix(item)
		if err != nil {
			if _, aerr := netip.ParseAddr(item); aerr == nil && !strings.Contains(item, "/") {
				return nil, fmt.Errorf("%q has no prefix length (such as %s/24 or %s/64)", item, item, item)
			}
			return nil, fmt.Errorf("%q is not an address with a prefix length", item)
		}
		out = append(out, p)
	}
	return out, nil
}

// Flags holds the parsed link flags.
type Flags struct {
	fs       *flag.FlagSet
	Tap      string
	Tun      string
	AFPacket string
	Addr     string
	MAC      string
	Gateway  string
	Pcap     string
	Host     string
	// Offload opens tap and TUN devices with the virtio-net header (TSO,
	// checksum offload, GRO) where the kernel takes it; -offload=false
	// opens them plain.
	Offload bool
	// DHCPTimeout bounds Open's wait for a lease under -addr dhcp.
	DHCPTimeout time.Duration
}

// Register defines the link flags on fs.
func Register(fs *flag.FlagSet) *Flags {
	f := &Flags{fs: fs}
	fs.StringVar(&f.Tap, "tap", "tap0", "tap device to run on (created if absent)")
	fs.StringVar(&f.Tun, "tun", "", "TUN device to run on instead of a tap (IP packets, no ARP)")
	fs.StringVar(&f.AFPacket, "afpacket", "", "run on an existing interface through an AF_PACKET socket")
	fs.StringVar(&f.Addr, "addr", DefaultAddr, "the stack's addresses and prefixes, comma-separated, e.g. "+DualStackAddr+"; \"dhcp\" takes the IPv4 one from a DHCP server")
	fs.DurationVar(&f.DHCPTimeout, "dhcp-timeout", dhcp.DefaultTimeout, "how long -addr dhcp waits for a lease")
	fs.StringVar(&f.MAC, "mac", "02:00:00:00:00:01", "the stack's MAC address (Ethernet links)")
	fs.StringVar(&f.Gateway, "gw", "", "default gateway (optional)")
	fs.StringVar(&f.Pcap, "pcap", "", "write every frame crossing the link to this pcap file")
	fs.BoolVar(&f.Offload, "offload", true, "use the kernel's segmentation and checksum offloads on tap and TUN devices (virtio-net header) when it offers them")
	fs.StringVar(&f.Host, "host", "", "also bring the device up and give its kernel side these addresses, comma-separated, e.g. 192.168.69.100/24,fdaa::100/64 (needs CAP_NET_ADMIN)")
	return f
}

// LinkNamed reports whether the command line named a link explicitly.
func (f *Flags) LinkNamed() bool {
	named := false
	f.fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "tap", "tun", "afpacket":
			named = true
		}
	})
	return named
}

// DHCP reports whether -addr asks for DHCP: "dhcp" is one of its items.
func (f *Flags) DHCP() bool {
	_, dhcp := f.staticAddrs()
	return dhcp
}

// staticAddrs splits -addr into the items to parse as prefixes and
// whether "dhcp" is among them.
func (f *Flags) staticAddrs() (rest []string, dhcp bool) {
	for _, item := range strings.Split(f.Addr, ",") {
		if strings.TrimSpace(item) == DHCP {
			dhcp = true
			continue
		}
		rest = append(rest, item)
	}
	return rest, dhcp
}

// Config returns the stack configuration the flags describe. Under -addr
// dhcp its Addrs hold no IPv4 address: Open asks a server for one.
func (f *Flags) Config() (netstack.Config, error) {
	var cfg netstack.Config
	rest, dhcp := f.staticAddrs()
	if len(rest) > 0 {
		addrs, err := ParseAddrs(strings.Join(rest, ","))
		if err != nil {
			return cfg, fmt.Errorf("-addr: %v", err)
		}
		for _, p := range addrs {
			if dhcp && p.Addr().Is4() {
				return cfg, fmt.Errorf("-addr: %v beside dhcp: DHCP gives the IPv4 address", p)
			}
		}
		cfg.Addrs = addrs
	}
	if f.MAC != "" {
		mac, err := net.ParseMAC(f.MAC)
		if err != nil || len(mac) != 6 {
			return cfg, fmt.Errorf("-mac: %q is not a 6-byte MAC address", f.MAC)
		}
		cfg.HardwareAddr = mac
	}
	if f.Gateway != "" {
		gw, err := netip.ParseAddr(f.Gateway)
		if err != nil {
			return cfg, fmt.Errorf("-gw: %v", err)
		}
		cfg.Gateway = gw
	}
	return cfg, nil
}

// Open opens the named link, configures the kernel side when -host is set,
// wraps the link for -pcap, and starts a stack on it; under -addr dhcp it
// then waits for a lease (printed to standard error) and leaves a DHCP
// client keeping it. Close the stack, then call the returned cleanup
// (which stops the DHCP client and closes the pcap file).
func (f *Flags) Open() (*netstack.Stack, func() error, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, nil, err
	}
	var host []netip.Prefix
	if f.Host != "" {
		if host, err = ParseAddrs(f.Host); err != nil {
			return nil, nil, fmt.Errorf("-host: %v", err)
		}
	}
	ep, name, err := f.openLink()
	if err != nil {
		return nil, nil, err
	}
	if len(host) > 0 {
		// Both families: the kernel side has IPv6 already, whatever the
		// stack has.
		if err := ifconfig.UpAddrs(name, host); err != nil {
			ep.Close()
			return nil, nil, fmt.Errorf("-host: %v", err)
		}
	}
	cleanup := func() error { return nil }
	if f.Pcap != "" {
		file, err := os.Create(f.Pcap)
		if err != nil {
			ep.Close()
			return nil, nil, err
		}
		wrapped, err := pcap.Wrap(ep, file)
		if err != nil {
			file.Close()
			ep.Close()
			return nil, nil, err
		}
		ep = wrapped
		cleanup = file.Close
	}
	s, err := netstack.New(ep, cfg)
	if err != nil {
		ep.Close()
		cleanup()
		return nil, nil, err
	}
	if f.DHCP() {
		ctx, cancel := context.WithTimeout(context.Background(), f.DHCPTimeout)
		defer cancel()
		fmt.Fprintf(os.Stderr, "dhcp: asking for an address (at most %v)\n", f.DHCPTimeout)
		c, err := dhcp.Start(ctx, s, dhcp.Config{
			Timeout: f.DHCPTimeout,
			// Leases lost, rebinding, an MTU it cannot apply.
			Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		})
		if err != nil {
			s.Close()
			cleanup()
			return nil, nil, err // "dhcp: no answer from any server after..."
		}
		fmt.Fprintf(os.Stderr, "dhcp: %v\n", c.Lease())
		closePcap := cleanup
		cleanup = func() error {
			c.Close() // a DHCPRELEASE, if the stack is still open
			return closePcap()
		}
	}
	return s, cleanup, nil
}

// openLink opens the link the flags name and returns it with its
// interface name.
func (f *Flags) openLink() (link.Endpoint, string, error) {
	noOffload := !f.Offload
	switch {
	case f.Tun != "":
		ep, err := tun.OpenWith(f.Tun, tun.Options{NoOffload: noOffload})
		return ep, f.Tun, err
	case f.AFPacket != "":
		ep, err := afpacket.Open(f.AFPacket)
		return ep, f.AFPacket, err
	}
	ep, err := tap.OpenWith(f.Tap, tap.Options{NoOffload: noOffload})
	return ep, f.Tap, err
}
