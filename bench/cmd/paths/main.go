// Command paths measures TCP goodput across emulated wide-area paths: renet,
// gVisor and Linux itself, each against Linux, through the same relay
// (internal/relay) with the same impairments, in fresh network namespaces.
//
//	sudo go run ./cmd/paths                        # every path, every stack
//	sudo go run ./cmd/paths -paths clean20,loss1 -stacks renet-down,linux-cubic -size 16
//
// Topologies (see internal/relay/pathtest):
//
//	renet-*, gvisor-*: kernel (ns) ─ TUN ─ relay ─ clean pipe ─ userspace stack
//	linux-*:           kernel (ns1) ─ TUN ─ relay ─ TUN ─ kernel (ns2)
//
// "down" is the userspace stack sending to a Linux client, "up" Linux
// sending to it (with CUBIC). Every byte is checked. Each cell is one
// transfer: goodput in MB/s (10^6 bytes/s) and the sender's retransmitted
// segments. It needs root.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/renet-go/renet/internal/relay/pathtest"
	"github.com/renet-go/renet/netstack"
)

// column is one stack measured on every path.
type column struct {
	name, title string
	run         func(p pathtest.Path, size int64, timeout time.Duration) (pathtest.Result, uint64, error)
}

var columns = []column{
	{"renet-down", "renet→Linux", behind(pathtest.RenetPeer(netstack.Config{}), false)},
	{"renet-up", "Linux→renet", behind(pathtest.RenetPeer(netstack.Config{}), true)},
	{"linux-cubic", "Linux→Linux cubic", kernels("cubic")},
	{"linux-reno", "Linux→Linux reno", kernels("reno")},
	{"gvisor-down", "gVisor→Linux", behind(newGVisorPeer, false)},
	{"gvisor-up", "Linux→gVisor", behind(newGVisorPeer, true)},
}

func main() {
	size := flag.Float64("size", 8, "bytes per transfer, in MiB")
	pathList := flag.String("paths", allPaths(), "comma-separated paths to measure")
	stackList := flag.String("stacks", allStacks(), "comma-separated stacks (columns) to measure")
	timeout := flag.Duration("timeout", 3*time.Minute, "give up on one transfer after this long")
	flag.Parse()
	if os.Geteuid() != 0 {
		fatalf("paths: needs root to create network namespaces and TUN devices")
	}
	paths, err := selectPaths(*pathList)
	if err != nil {
		fatalf("paths: %v", err)
	}
	cols, err := selectColumns(*stackList)
	if err != nil {
		fatalf("paths: %v", err)
	}
	printSettings()
	n := int64(*size * (1 << 20))
	fmt.Printf("\n%d bytes per transfer; MB/s = 10^6 bytes/s of verified payload; (rtx N) = segments the sender retransmitted\n\n", n)
	printTable(paths, cols, n, *timeout)
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}

func allPaths() string {
	var names []string
	for _, p := range pathtest.Paths() {
		names = append(names, p.Name)
	}
	return strings.Join(names, ",")
}

func allStacks() string {
	var names []string
	for _, c := range columns {
		names = append(names, c.name)
	}
	return strings.Join(names, ",")
}

func selectPaths(list string) ([]pathtest.Path, error) {
	var out []pathtest.Path
	for name := range strings.SplitSeq(list, ",") {
		p, ok := pathtest.PathByName(strings.TrimSpace(name))
		if !ok {
			return nil, fmt.Errorf("unknown path %q (known: %s)", name, allPaths())
		}
		out = append(out, p)
	}
	return out, nil
}

func selectColumns(list string) ([]column, error) {
	var out []column
next:
	for name := range strings.SplitSeq(list, ",") {
		for _, c := range columns {
			if c.name == strings.TrimSpace(name) {
				out = append(out, c)
				continue next
			}
		}
		return nil, fmt.Errorf("unknown stack %q (known: %s)", name, allStacks())
	}
	return out, nil
}
