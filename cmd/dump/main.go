// Command dump is the tcpdump of renet, after smoltcp's smoltcpdump: it
// watches an interface through an AF_PACKET socket (link/afpacket) and
// prints one line per frame, decoded by netstack/wire's printers in the
// format of tcpdump -nn -S -e, after a local timestamp:
//
//	15:04:05.000000 02:00:00:00:00:64 > 02:00:00:00:00:01, IP 192.168.69.100 > 192.168.69.1: ICMP echo request, id 5134, seq 1, length 64
//	15:04:05.000100 02:00:00:00:00:64 > 02:00:00:00:00:01, IP6 fdaa::100 > fdaa::1: ICMP6, echo request, id 29136, seq 1, length 64
//
// Usage:
//
//	dump [-i IFACE] [-c N] [-w FILE] [-p] [-d] [expression]
//	dump -r FILE [-c N] [expression]
//
//	-i IFACE  interface to watch (default eth0): eth0, tap0, a veth, lo, a
//	          TUN device (bare IPv4 and IPv6 packets) — anything, even one
//	          a renet stack owns, since the socket sees the kernel's side
//	-c N      stop after N frames that pass the filter
//	-w FILE   also record the frames to FILE in pcap format (link/pcap),
//	          for Wireshark or tcpdump -r; the lines are still printed
//	-r FILE   print the frames of a pcap file instead of capturing
//	          (Ethernet, or bare IP: LINKTYPE_RAW, _IPV4 or _IPV6)
//	-p        put the interface in promiscuous mode while capturing, to see
//	          frames for other MACs on a real NIC (tcpdump's -p means the
//	          opposite: it turns promiscuous mode off)
//	-d        print the compiled BPF program (for Ethernet) and exit
//
// The expression, the remaining arguments joined by spaces, is a
// pcap-filter(7) expression as tcpdump takes it — "icmp", "arp", "tcp
// port 80", "host 192.168.69.1", "src net 10.0.0.0/8", "udp and not port
// 53", "ip6", "icmp6", "host fdaa::1", "net fe80::/10", with not, and, or
// and parentheses; as in tcpdump "ip" means IPv4 only, while "tcp",
// "udp" and "port" match both families — compiled by internal/filter to
// classic BPF and attached to the socket, so the kernel drops what does
// not match before it is copied out. Both directions are shown: what
// arrives on the interface and what the kernel sends out of it. Capturing
// needs root or CAP_NET_RAW; the program says so in one line otherwise.
// Ctrl-C stops it and prints how many frames were captured.
//
// Examples, with renet's echo host on tap0:
//
//	dump -i tap0 icmp
//	dump -i tap0 -w echo.pcap tcp port 6969 or arp
//	dump -r echo.pcap -c 10 'src host 192.168.69.1'
//	dump -i tap0 'icmp6 and not net fe80::/10'
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/renet-go/renet/internal/filter"
	"github.com/renet-go/renet/link"
	"golang.org/x/net/bpf"
)

func main() {
	fs := flag.NewFlagSet("dump", flag.ExitOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: dump [-i IFACE] [-c N] [-w FILE] [-p] [-d] [expression]\n       dump -r FILE [-c N] [expression]")
		fs.PrintDefaults()
	}
	var cfg config
	fs.StringVar(&cfg.iface, "i", "eth0", "interface to capture on")
	fs.IntVar(&cfg.count, "c", 0, "stop after this many frames (0: until interrupted)")
	fs.StringVar(&cfg.write, "w", "", "also write the frames to this pcap file")
	fs.StringVar(&cfg.read, "r", "", "read frames from this pcap file instead of an interface")
	fs.BoolVar(&cfg.promisc, "p", false, "put the interface in promiscuous mode")
	disasm := fs.Bool("d", false, "print the compiled filter program and exit")
	fs.Parse(os.Args[1:])
	cfg.expr = strings.Join(fs.Args(), " ")

	if cfg.count < 0 {
		fail(2, errors.New("-c must not be negative"))
	}
	if cfg.read != "" && cfg.write != "" {
		fail(2, errors.New("-r and -w cannot be combined"))
	}
	if *disasm {
		prog, err := filter.Compile(cfg.expr)
		if err != nil {
			fail(1, err)
		}
		insns, _ := bpf.Disassemble(prog)
		for i, in := range insns {
			fmt.Printf("(%03d) %v\n", i, in)
		}
		return
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg.listening = func(name string, m link.Medium) {
		fmt.Fprintf(os.Stderr, "dump: listening on %s, link-type %s, snapshot length %d bytes\n", name, linkTypeName(m), filter.AcceptLen)
	}
	n, err := run(ctx, cfg, os.Stdout)
	if cfg.read == "" && (err == nil || n > 0) {
		fmt.Fprintf(os.Stderr, "%d packets captured\n", n)
	}
	if err != nil {
		fail(1, err)
	}
}

// fail prints err on one line (and, for a filter syntax error, the
// expression with a caret under the fault) and exits.
func fail(code int, err error) {
	fmt.Fprintf(os.Stderr, "dump: %v\n", err)
	var se *filter.SyntaxError
	if errors.As(err, &se) {
		for _, l := range strings.Split(se.Caret(), "\n") {
			fmt.Fprintf(os.Stderr, "      %s\n", l)
		}
	}
	os.Exit(code)
}

// linkTypeName names a medium as tcpdump names the link type.
func linkTypeName(m link.Medium) string {
	if m == link.IP {
		return "RAW (Raw IP)"
	}
	return "EN10MB (Ethernet)"
}
