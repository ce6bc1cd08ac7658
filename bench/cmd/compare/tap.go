package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/renet-go/renet/bench/internal/netns"
)

// tapConfig is what -transport tap measures.
type tapConfig struct {
	download, upload int64 // bytes
	rtts             int   // round trips, of which the median
	verify           int64 // bytes fetched and checked once before timing
	timeout          time.Duration
}

// measurement is one column of the tap table.
type measurement struct {
	downMBps, upMBps float64
	downCPU, upCPU   cpuTime // the server process's, during the transfer
	clientCPU        float64 // the kernel client's own, download
	rtt              time.Duration
	hasOffload       bool
	gsoDown, groUp   uint64 // server.offload deltas during download, upload
	err              error
}

// measure runs every measurement on one implementation, built afresh.
func measure(im impl, cfg tapConfig) (m measurement) {
	srv, err := im.setup()
	if err != nil {
		m.err = fmt.Errorf("setup: %w", err)
		return m
	}
	hs := &http.Server{Handler: newMux()}
	go hs.Serve(srv.http)
	es := serveEcho(srv.echo)
	defer func() {
		m.err = errors.Join(m.err, hs.Close(), es.Close(), srv.close())
	}()
	ctx, cancel := context.WithTimeout(context.Background(), cfg.timeout)
	defer cancel()
	base := "http://" + serverAddr.Addr().String()

	if _, err := runClient(ctx, srv.clientNS, "verify", fmt.Sprintf("%s/bytes/%d", base, cfg.verify), itoa(cfg.verify)); err != nil {
		m.err = err
		return m
	}

	// timed runs a client op, with the server's CPU time and offload
	// counters taken around it.
	timed := func(args ...string) (r clientResult, cpu cpuTime, gso, gro uint64, err error) {
		var gso0, gro0 uint64
		if srv.offload != nil {
			gso0, gro0 = srv.offload()
		}
		cpu0 := processCPU()
		r, err = runClient(ctx, srv.clientNS, args...)
		cpu = processCPU().sub(cpu0)
		if srv.offload != nil {
			gso, gro = srv.offload()
			gso, gro = gso-gso0, gro-gro0
		}
		return r, cpu, gso, gro, err
	}
	m.hasOffload = srv.offload != nil
	r, cpu, gso, _, err := timed("get", fmt.Sprintf("%s/bytes/%d", base, cfg.download))
	if err != nil {
		m.err = err
		return m
	}
	m.downMBps, m.downCPU, m.clientCPU, m.gsoDown = float64(r.Bytes)/1e6/r.Seconds, cpu, r.CPU, gso
	r, cpu, _, gro, err := timed("post", base+"/sha256", itoa(cfg.upload))
	if err != nil {
		m.err = err
		return m
	}
	m.upMBps, m.upCPU, m.groUp = float64(r.Bytes)/1e6/r.Seconds, cpu, gro
	r, err = runClient(ctx, srv.clientNS, "rtt", fmt.Sprintf("%s:%d", serverAddr.Addr(), echoPort), strconv.Itoa(cfg.rtts))
	if err != nil {
		m.err = err
		return m
	}
	m.rtt = time.Duration(r.RTT)
	return m
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// runTap measures every implementation over its kernel path and prints the
// table; it reports whether every measurement succeeded.
func runTap(cfg tapConfig, ims []impl) bool {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	go func() {
		if _, ok := <-sig; ok {
			netns.DeleteAll()
			os.Exit(130)
		}
	}()

	fmt.Printf("%s, %s/%s, GOMAXPROCS %d, transport tap: GET %d bytes, POST %d bytes, %d round trips\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), runtime.GOOS, runtime.GOARCH,
		runtime.GOMAXPROCS(0), cfg.download, cfg.upload, cfg.rtts)
	ms := make([]measurement, len(ims))
	ok := true
	for i, im := range ims {
		fmt.Fprintf(os.Stderr, "measuring %s\n", im.title)
		ms[i] = measure(im, cfg)
		if ms[i].err != nil {
			fmt.Fprintf(os.Stderr, "compare: %s: %v\n", im.title, ms[i].err)
			ok = false
		}
	}
	printTapTable(os.Stdout, ims, ms)
	return ok
}

// tapRow is a row of the tap table: its label, and a cell and a value (for
// the ratio; ok false for none) from a measurement.
type tapRow struct {
	label string
	cell  func(m measurement) (string, float64, bool)
}

var tapRows = []tapRow{
	{"download (GET), MB/s", func(m measurement) (string, float64, bool) {
		return format(m.downMBps), m.downMBps, true
	}},
	{"upload (POST, server sha256), MB/s", func(m measurement) (string, float64, bool) {
		return format(m.upMBps), m.upMBps, true
	}},
	{"server process CPU s, download (user + sys)", func(m measurement) (string, float64, bool) {
		return cpuCell(m.downCPU), m.downCPU.total(), true
	}},
	{"server process CPU s, upload (user + sys)", func(m measurement) (string, float64, bool) {
		return cpuCell(m.upCPU), m.upCPU.total(), true
	}},
	{"kernel client process CPU s, download", func(m measurement) (string, float64, bool) {
		return format(m.clientCPU), m.clientCPU, true
	}},
	{"1-byte TCP round trip, median µs", func(m measurement) (string, float64, bool) {
		us := float64(m.rtt) / 1e3
		return format(us), us, true
	}},
	{"segments > MTU written, download", func(m measurement) (string, float64, bool) {
		if !m.hasOffload {
			return "n/a", 0, false
		}
		return strconv.FormatUint(m.gsoDown, 10), 0, false
	}},
	{"segments > MTU received, upload", func(m measurement) (string, float64, bool) {
		if !m.hasOffload {
			return "n/a", 0, false
		}
		return strconv.FormatUint(m.groUp, 10), 0, false
	}},
}

func cpuCell(c cpuTime) string {
	return fmt.Sprintf("%s (%s + %s)", format(c.total()), format(c.user), format(c.sys))
}

// printTapTable prints the measurements of ims, in order, with the ratio
// of the first (renet with offload) to the last (Linux) when both ran.
func printTapTable(w io.Writer, ims []impl, ms []measurement) {
	head := []string{""}
	for _, im := range ims {
		head = append(head, im.title)
	}
	head = append(head, "renet / Linux")
	fmt.Fprintln(w, "| "+strings.Join(head, " | ")+" |")
	fmt.Fprintln(w, "|---"+strings.Repeat("|--:", len(ims)+1)+"|")
	for _, row := range tapRows {
		cells := []string{row.label}
		vals := make([]float64, len(ms))
		has := make([]bool, len(ms))
		for i, m := range ms {
			if m.err != nil {
				cells = append(cells, "error")
				continue
			}
			var c string
			c, vals[i], has[i] = row.cell(m)
			cells = append(cells, c)
		}
		ratio := ""
		last := len(ms) - 1
		if last > 0 && ims[0].title == tapImpls[0].title && ims[last].title == tapImpls[len(tapImpls)-1].title && has[0] && has[last] && vals[last] > 0 {
			ratio = format(vals[0] / vals[last])
		}
		cells = append(cells, ratio)
		fmt.Fprintln(w, "| "+strings.Join(cells, " | ")+" |")
	}
}
