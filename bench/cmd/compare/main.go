// Command compare runs every workload of package workload on the networks
// of package stacks — renet and gVisor on equal terms (MTU 1500, software
// checksums, fixed buffers), renet over a 64 KiB pipe with offload and the
// Linux kernel over loopback — in one process and prints a Markdown table
// of the results, with the ratio of renet's figure to gVisor's and of
// renet-64k's to the kernel's, each saying which of the two is better, and
// under the table the 64 KiB renet bulk figure against the kernel's.
//
// Usage, from the bench module:
//
//	go run ./cmd/compare [-benchtime 1s] [-run regexp]
//
// With -transport tap (as root) it measures instead, in one run, HTTP
// downloads and uploads and 1-byte round trips between a kernel client and
// a server on renet over a tap device with and without offload, on gVisor
// over a tap device without and with host GSO (the virtio-net header), and
// on Linux itself over a veth pair, each in fresh network namespaces that
// it deletes afterwards:
//
//	sudo go run ./cmd/compare -transport tap [-size 1e9] [-upload 3e8] [-rtts 2000] [-run regexp]
//
// There -run picks implementations by their column titles (as "renet.*offload|Linux").
package main

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/renet-go/renet/bench/stacks"
	"github.com/renet-go/renet/bench/workload"
)

func main() {
	if isClient() {
		os.Exit(clientMain(os.Args[1:]))
	}
	testing.Init() // registers -test.benchtime, which testing.Benchmark reads
	benchtime := flag.String("benchtime", "1s", "run each benchmark for this long, or Nx times (as go test -benchtime)")
	run := flag.String("run", "", "run only the workloads (tap: the implementations) whose name matches this regexp")
	transport := flag.String("transport", "memory", "memory: the workloads in one process; tap: HTTP and round trips against a kernel client over tap (renet, gVisor) and veth (Linux), as root")
	size := flag.Float64("size", 1e9, "tap: bytes the client downloads")
	upload := flag.Float64("upload", 3e8, "tap: bytes the client uploads")
	rtts := flag.Int("rtts", 2000, "tap: 1-byte round trips, of which the median")
	timeout := flag.Duration("timeout", 5*time.Minute, "tap: give up on one implementation after this long")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of this process (the servers) to this file")
	flag.Parse()
	stopProfile := func() {}
	if *cpuprofile != "" {
		var err error
		if stopProfile, err = startCPUProfile(*cpuprofile); err != nil {
			fmt.Fprintln(os.Stderr, "compare:", err)
			os.Exit(2)
		}
	}
	defer stopProfile()
	switch *transport {
	case "memory":
	case "tap":
		cfg := tapConfig{download: int64(*size), upload: int64(*upload), rtts: *rtts, timeout: *timeout}
		ok := mainTap(cfg, *run)
		stopProfile()
		if !ok {
			os.Exit(1)
		}
		return
	default:
		fmt.Fprintf(os.Stderr, "compare: -transport %q: want memory or tap\n", *transport)
		os.Exit(2)
	}
	if err := flag.Set("test.benchtime", *benchtime); err != nil {
		fmt.Fprintln(os.Stderr, "compare: -benchtime:", err)
		os.Exit(2)
	}
	if !runMemory(*run, *benchtime) {
		os.Exit(1)
	}
}

// mainTap checks the tap transport's preconditions and runs it; it
// reports false when a measurement failed.
func mainTap(cfg tapConfig, run string) bool {
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "compare: -transport tap needs root (it creates network namespaces, tap devices and veth pairs); skipped")
		return true
	}
	cfg.verify = min(cfg.download, 4<<20)
	if cfg.download < 0 || cfg.upload < 0 || cfg.rtts < 1 {
		fmt.Fprintln(os.Stderr, "compare: -size and -upload must be >= 0, -rtts >= 1")
		os.Exit(2)
	}
	re, err := regexp.Compile(run)
	if err != nil {
		fmt.Fprintln(os.Stderr, "compare: -run:", err)
		os.Exit(2)
	}
	var ims []impl
	for _, im := range tapImpls {
		if re.MatchString(im.title) {
			ims = append(ims, im)
		}
	}
	return runTap(cfg, ims)
}

// titles are the column titles of the implementations in the in-memory
// table, by stacks.Impl name; an implementation not listed is titled by
// its name.
var titles = map[string]string{"renet": "renet", "gvisor": "gVisor", "renet-64k": "renet-64k", "kernel": "kernel"}

// ratioCols are the ratio columns of the in-memory table: the figure of
// the implementation named num over that of den, each (stacks.Impl names).
var ratioCols = []struct{ num, den string }{
	{"renet", "gvisor"},     // the userspace stacks on equal terms
	{"renet-64k", "kernel"}, // renet on a link like loopback, and loopback
}

// title returns the column title of the implementation named name.
func title(name string) string {
	if t, ok := titles[name]; ok {
		return t
	}
	return name
}

// implIndex returns the index in stacks.Impls of the implementation named
// name, or -1.
func implIndex(name string) int {
	for i, impl := range stacks.Impls {
		if impl.Name == name {
			return i
		}
	}
	return -1
}

// runMemory runs the in-memory workloads whose names match run and prints
// the table; it reports false when one failed.
func runMemory(run, benchtime string) bool {
	re, err := regexp.Compile(run)
	if err != nil {
		fmt.Fprintln(os.Stderr, "compare: -run:", err)
		os.Exit(2)
	}
	fmt.Printf("%s, %s/%s, GOMAXPROCS %d, benchtime %s\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), runtime.GOOS, runtime.GOARCH,
		runtime.GOMAXPROCS(0), benchtime)
	head := []string{"workload", "metric"}
	for _, impl := range stacks.Impls {
		head = append(head, title(impl.Name))
	}
	for _, rc := range ratioCols {
		head = append(head, title(rc.num)+"/"+title(rc.den))
	}
	fmt.Println("| " + strings.Join(head, " | ") + " |")
	fmt.Println("|---|---" + strings.Repeat("|--:", len(stacks.Impls)) + strings.Repeat("|---", len(ratioCols)) + "|")
	failed := false
	under := "" // the line printed under the table (bulkLine)
	for _, w := range workload.All {
		if !re.MatchString(w.Name) {
			continue
		}
		results := make([]testing.BenchmarkResult, len(stacks.Impls))
		for i, impl := range stacks.Impls {
			fmt.Fprintf(os.Stderr, "running %s/%s\n", w.Name, impl.Name)
			results[i] = testing.Benchmark(func(b *testing.B) { w.Run(b, impl) })
			if results[i].N == 0 {
				fmt.Fprintf(os.Stderr, "compare: %s/%s failed\n", w.Name, impl.Name)
				failed = true
			}
		}
		for _, m := range w.Metrics {
			cells := []string{w.Name, m}
			vals := make([]float64, len(results))
			oks := make([]bool, len(results))
			for i, r := range results {
				vals[i], oks[i] = metric(r, m)
				c := "failed"
				if oks[i] {
					c = format(vals[i])
				}
				cells = append(cells, c)
			}
			for _, rc := range ratioCols {
				i, j := implIndex(rc.num), implIndex(rc.den)
				c := "n/a"
				if i >= 0 && j >= 0 && oks[i] && oks[j] {
					c = ratio(w.Name, m, title(rc.num), title(rc.den), vals[i], vals[j])
				}
				cells = append(cells, c)
			}
			fmt.Println("| " + strings.Join(cells, " | ") + " |")
			if l := bulkLine(w.Name, m, results); l != "" {
				under = l
			}
		}
	}
	if under != "" {
		fmt.Printf("\n%s\n", under)
	}
	return !failed
}

// bulkLine is the sentence printed under the table for the TCPBulk MB/s
// row: renet-64k's figure against the kernel's loopback, the comparison
// that network exists for. It is empty for every other row.
func bulkLine(w, m string, results []testing.BenchmarkResult) string {
	if w != "TCPBulk" || m != "MB/s" {
		return ""
	}
	i, j := implIndex("renet-64k"), implIndex("kernel")
	if i < 0 || j < 0 {
		return ""
	}
	r64, ok1 := metric(results[i], m)
	kern, ok2 := metric(results[j], m)
	if !ok1 || !ok2 || kern <= 0 {
		return ""
	}
	verdict := "at or above the kernel's"
	if r64 < kern {
		verdict = "below the kernel's"
	}
	return fmt.Sprintf("TCPBulk, renet over a 64 KiB-MTU pipe with offload vs the kernel over loopback: %s MB/s vs %s MB/s, ratio %s (%s).",
		format(r64), format(kern), format(r64/kern), verdict)
}

// metric returns the figure named m from r, and false if the run failed.
func metric(r testing.BenchmarkResult, m string) (float64, bool) {
	if r.N == 0 {
		return 0, false
	}
	switch m {
	case "ns/op":
		return float64(r.T.Nanoseconds()) / float64(r.N), true
	case "MB/s":
		return float64(r.Bytes) * float64(r.N) / 1e6 / r.T.Seconds(), true
	case "allocs/op":
		return float64(r.MemAllocs) / float64(r.N), true
	case "B/op":
		return float64(r.MemBytes) / float64(r.N), true
	}
	v, ok := r.Extra[m]
	return v, ok
}

// higherIsBetter reports whether a larger value of metric m is better.
func higherIsBetter(m string) bool { return m == "MB/s" }

// ratio formats a's value over b's for metric m of workload w and says
// which of the two, titled ta and tb, is better.
func ratio(w, m, ta, tb string, a, b float64) string {
	if m == workload.UnitStalls {
		return "(count, lower is better)"
	}
	if w == "IdleConnMemory" && tb == title("kernel") {
		// The kernel's socket memory is not on the Go heap.
		return "n/a (kernel: Go heap only)"
	}
	if m == "allocs/op" && min(a, b) < 0.5 {
		// A ratio to "almost none" means nothing: say who allocates.
		switch {
		case max(a, b) < 0.5:
			return "both ~0"
		case a < 0.5:
			return fmt.Sprintf("%s ~0 (lower is better: %s)", ta, ta)
		}
		return fmt.Sprintf("%s ~0 (lower is better: %s)", tb, tb)
	}
	if a <= 0 || b <= 0 {
		return "n/a"
	}
	r := a / b
	if format(r) == "1.00" {
		return "1.00 (equal)"
	}
	better, factor := ta, r
	if (r < 1) == higherIsBetter(m) {
		better = tb
	}
	if factor < 1 {
		factor = 1 / factor
	}
	dir := "lower"
	if higherIsBetter(m) {
		dir = "higher"
	}
	return fmt.Sprintf("%s (%s is better: %s by %s×)", format(r), dir, better, format(factor))
}

// format prints v with about three significant digits.
func format(v float64) string {
	switch {
	case v == 0:
		return "0"
	case v >= 100 || v <= -100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10 || v <= -10:
		return fmt.Sprintf("%.1f", v)
	case v >= 0.01 || v <= -0.01:
		return fmt.Sprintf("%.2f", v)
	}
	return fmt.Sprintf("%.2g", v)
}

// startCPUProfile profiles this process into file until the returned
// function is called.
func startCPUProfile(file string) (func(), error) {
	f, err := os.Create(file)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
