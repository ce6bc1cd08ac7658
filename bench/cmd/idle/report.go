package main

import (
	"fmt"
	"io"
	"runtime"
	"strconv"
	"time"
)

// topSites is how many allocation sites the report lists.
const topSites = 12

// printReport writes r as Markdown tables.
func printReport(w io.Writer, r *report) {
	o := r.o
	ends := float64(2 * o.n)
	backlog := "stack default"
	if o.backlog > 0 {
		backlog = strconv.Itoa(o.backlog)
	}
	fmt.Fprintf(w, "%d idle connections (%d endpoints) through %s, %s, GOMAXPROCS %d\n",
		o.n, 2*o.n, o.layer.name(), runtime.Version(), runtime.GOMAXPROCS(0))
	fmt.Fprintf(w, "link/pipe, IP medium, MTU 1500; default TCP config (keepalive off); %d listeners, backlog %s; %d handshakes in flight; %s client ports\n\n",
		o.listeners, backlog, o.inflight, map[bool]string{false: "chosen", true: "ephemeral"}[o.ephemeral])
	heap := float64(int64(r.idle.heap) - int64(r.before.heap))
	rss := float64(int64(r.idle.rss) - int64(r.before.rss))
	rows := [][2]string{
		{"endpoints ESTABLISHED after the probes", fmt.Sprintf("%d of %d", r.established, 2*o.n)},
		{"build-up time", r.build.total.Round(time.Millisecond).String()},
		{"connect rate over the build-up", rate(o.n, r.build.total)},
		{"live heap, idle (before the build-up)", fmt.Sprintf("%s (%s)", bytes(float64(r.idle.heap)), bytes(float64(r.before.heap)))},
		{"**heap per endpoint**", fmt.Sprintf("**%.0f B**", heap/ends)},
		{"RSS, idle (before)", fmt.Sprintf("%s (%s)", bytes(float64(r.idle.rss)), bytes(float64(r.before.rss)))},
		{"RSS per endpoint", fmt.Sprintf("%.0f B", rss/ends)},
		{"peak RSS (VmHWM)", bytes(float64(r.idle.peak))},
		{"heap allocations per connection in the build-up (both ends, harness included)", fmt.Sprintf("%.1f", float64(r.idle.mallocs-r.before.mallocs)/float64(o.n))},
		{"goroutines, idle", strconv.Itoa(r.idle.gorou)},
		{fmt.Sprintf("CPU used while idle for %v", o.quiet), r.idleCPU.String()},
		{"SYNs dropped beyond a listener's backlog", strconv.FormatUint(r.listenDrops, 10)},
		{"TCP segments sent per connection, client / server", fmt.Sprintf("%.2f / %.2f", float64(r.clientSegs)/float64(o.n), float64(r.serverSegs)/float64(o.n))},
		{"connect + request/response, median (min, max)", spread(r.connectRTT)},
		{"request/response on an idle connection, median (min, max)", spread(r.idleRTT)},
	}
	fmt.Fprintln(w, "| measure | value |\n|---|--:|")
	for _, row := range rows {
		fmt.Fprintf(w, "| %s | %s |\n", row[0], row[1])
	}
	printSteps(w, r)
	printBudget(w, r.budget)
	printSites(w, r.sites, ends)
}

// printSteps shows the connect rate of each step of the build-up, where
// a rate falling with n would show a cost growing with the table.
func printSteps(w io.Writer, r *report) {
	fmt.Fprintln(w, "\n| connections open (client side) | at | rate in this step |\n|--:|--:|--:|")
	var prev time.Duration
	for k, at := range r.build.steps {
		fmt.Fprintf(w, "| %d | %v | %s |\n", (k+1)*r.o.step, at.Round(time.Millisecond), rate(r.o.step, at-prev))
		prev = at
	}
}

func printBudget(w io.Writer, rows []budgetRow) {
	if len(rows) == 0 {
		return
	}
	fmt.Fprintln(w, "\nByte budget of the types an endpoint is made of (heap: measured, with size-class rounding):")
	fmt.Fprintln(w, "\n| item | unsafe.Sizeof | heap each | per endpoint |\n|---|--:|--:|--:|")
	for _, b := range rows {
		size := "-"
		if b.size > 0 {
			size = strconv.Itoa(int(b.size))
		}
		fmt.Fprintf(w, "| %s | %s | %.0f | x%s |\n", b.what, size, b.heap, b.count)
	}
}

func printSites(w io.Writer, sites []site, ends float64) {
	fmt.Fprintln(w, "\nLive heap by allocation site, idle (whole process, divided by the endpoints; sampled):")
	fmt.Fprintln(w, "\n| allocated in | via | B/endpoint | objects/endpoint |\n|---|---|--:|--:|")
	for i, s := range sites {
		if i == topSites || s.bytes/ends < 0.5 {
			break
		}
		fmt.Fprintf(w, "| %s | %s | %.1f | %.2f |\n", s.fn, s.via, s.bytes/ends, s.objects/ends)
	}
}

// rate formats n connections in d as connections per second.
func rate(n int, d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f conn/s", float64(n)/d.Seconds())
}

// spread formats the median, minimum and maximum of d.
func spread(d []time.Duration) string {
	if len(d) == 0 {
		return "-"
	}
	lo, hi := d[0], d[0]
	for _, x := range d {
		lo, hi = min(lo, x), max(hi, x)
	}
	r := func(x time.Duration) time.Duration { return x.Round(time.Microsecond) }
	return fmt.Sprintf("%v (%v, %v)", r(median(d)), r(lo), r(hi))
}

// bytes formats a byte count in MiB or GiB.
func bytes(b float64) string {
	if b >= 1<<30 {
		return fmt.Sprintf("%.2f GiB", b/(1<<30))
	}
	return fmt.Sprintf("%.1f MiB", b/(1<<20))
}
