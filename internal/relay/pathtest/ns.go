package pathtest

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/renet-go/renet/internal/ifconfig"
	"github.com/renet-go/renet/link/tun"
	"golang.org/x/sys/unix"
)

// NS is a network namespace the harness creates devices and sockets in.
// *netnstest.NS satisfies it.
type NS interface {
	// Do runs f on a thread switched into the namespace.
	Do(f func() error) error
	// Run runs a command inside the namespace and returns its output.
	Run(ctx context.Context, name string, args ...string) ([]byte, error)
}

// Addresses on the TUN subnet: the kernel (or the first kernel) at .1, the
// stack under test (or the second kernel) at .2.
var (
	addr1 = netip.MustParsePrefix("10.77.0.1/24")
	addr2 = netip.MustParsePrefix("10.77.0.2/24")
)

// tunQueue is the TUN devices' txqueuelen. A TUN device drops what the
// kernel sends when its ring (txqueuelen packets, default 500) is full; a
// Linux sender in slow start overflows 500 whenever the relay's reader is
// descheduled for a moment, losing packets outside the path's definition.
const tunQueue = 10000

// openTUN creates a TUN device in ns, gives its kernel side addr (which
// routes the /24 into it), sets its queue to tunQueue and brings it up.
func openTUN(ns NS, name string, addr netip.Prefix) (*tun.Device, error) {
	var dev *tun.Device
	err := ns.Do(func() error {
		d, err := tun.Open(name)
		if err != nil {
			return err
		}
		if err := ifconfig.Up(d.Name(), addr); err != nil {
			d.Close()
			return err
		}
		dev = d
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("pathtest: TUN %s: %w", name, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if out, err := ns.Run(ctx, "ip", "link", "set", "dev", name, "txqueuelen", strconv.Itoa(tunQueue)); err != nil {
		dev.Close()
		return nil, fmt.Errorf("pathtest: %w: %s", err, out)
	}
	return dev, nil
}

// txDropped returns the packets the kernel dropped sending into device
// name in ns (tx_dropped in /proc/net/dev): losses the relay never saw.
func txDropped(ns NS, name string) (uint64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := ns.Run(ctx, "cat", "/proc/net/dev")
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(out)) {
		dev, counters, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(dev) != name {
			continue
		}
		// rx: bytes packets errs drop fifo frame compressed multicast;
		// tx: bytes packets errs drop ...
		f := strings.Fields(counters)
		if len(f) < 12 {
			break
		}
		return strconv.ParseUint(f[11], 10, 64)
	}
	return 0, fmt.Errorf("pathtest: no %s in /proc/net/dev of the namespace", name)
}

// listenKernel opens a kernel TCP listener on addr:0 inside ns.
func listenKernel(ns NS, addr netip.Addr) (net.Listener, error) {
	var ln net.Listener
	err := ns.Do(func() (err error) {
		ln, err = net.Listen("tcp4", netip.AddrPortFrom(addr, 0).String())
		return err
	})
	return ln, err
}

// dialKernel connects a kernel socket from inside ns to dst, with
// congestion control cc ("" for the namespace's default).
func dialKernel(ns NS, dst string, cc string) (*net.TCPConn, error) {
	d := net.Dialer{Timeout: 10 * time.Second}
	if cc != "" {
		d.Control = func(_, _ string, c syscall.RawConn) error {
			var serr error
			err := c.Control(func(fd uintptr) {
				serr = unix.SetsockoptString(int(fd), unix.IPPROTO_TCP, unix.TCP_CONGESTION, cc)
			})
			if serr != nil {
				return fmt.Errorf("TCP_CONGESTION %s: %w", cc, serr)
			}
			return err
		}
	}
	var c net.Conn
	err := ns.Do(func() (err error) {
		c, err = d.Dial("tcp4", dst)
		return err
	})
	if err != nil {
		return nil, err
	}
	return c.(*net.TCPConn), nil
}

// kernelRetrans returns a function reading tcpi_total_retrans from c.
func kernelRetrans(c *net.TCPConn) func() (uint64, bool) {
	return func() (uint64, bool) {
		rc, err := c.SyscallConn()
		if err != nil {
			return 0, false
		}
		var info *unix.TCPInfo
		var ierr error
		if err := rc.Control(func(fd uintptr) {
			info, ierr = unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO)
		}); err != nil || ierr != nil {
			return 0, false
		}
		return uint64(info.Total_retrans), true
	}
}

// Sysctl reads a sysctl inside ns, for logs ("net.ipv4.tcp_rmem").
func Sysctl(ns NS, name string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, err := ns.Run(ctx, "sysctl", "-n", name)
	if err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(string(out)), " ")
}
