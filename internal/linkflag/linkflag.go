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
// every address of -host, the stack every address of -addr. "-addr dhcp"
// is reserved for DHCPv4 and fails with ErrDHCP for now.
package linkflag

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"

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

// ErrDHCP is the error for "-addr dhcp", reserved for DHCPv4, which the
// stack does not do yet.
var ErrDHCP = errors.New("-addr dhcp: DHCP is not yet supported; give addresses such as " + IPv4Addr)

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
}

// Register defines the link flags on fs.
func Register(fs *flag.FlagSet) *Flags {
	f := &Flags{fs: fs}
	fs.StringVar(&f.Tap, "tap", "tap0", "tap device to run on (created if absent)")
	fs.StringVar(&f.Tun, "tun", "", "TUN device to run on instead of a tap (IP packets, no ARP)")
	fs.StringVar(&f.AFPacket, "afpacket", "", "run on an existing interface through an AF_PACKET socket")
	fs.StringVar(&f.Addr, "addr", DefaultAddr, "the stack's addresses and prefixes, comma-separated, e.g. "+DualStackAddr)
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

// Config returns the stack configuration the flags describe.
func (f *Flags) Config() (netstack.Config, error) {
	var cfg netstack.Config
	if strings.TrimSpace(f.Addr) == "dhcp" {
		return cfg, ErrDHCP
	}
	addrs, err := ParseAddrs(f.Addr)
	if err != nil {
		return cfg, fmt.Errorf("-addr: %v", err)
	}
	cfg.Addrs = addrs
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
// wraps the link for -pcap, and starts a stack on it. Close the stack, then
// call the returned cleanup (which closes the pcap file).
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
