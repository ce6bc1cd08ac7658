package main

import (
	"bufio"
	"cmp"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
)

// memSample is the process's memory at one moment.
type memSample struct {
	heap    uint64 // live heap bytes (HeapAlloc right after a collection)
	mallocs uint64 // heap objects allocated so far
	rss     uint64 // resident set, VmRSS
	peak    uint64 // peak resident set so far, VmHWM
	gorou   int    // goroutines
}

// sampleMemory collects garbage and returns free pages to the kernel
// before reading, so that HeapAlloc is the live heap and VmRSS what the
// process really needs. Two collections: sync.Pool keeps what it held
// through one in its victim cache.
func sampleMemory() memSample {
	runtime.GC()
	debug.FreeOSMemory()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	rss, peak := procStatus()
	return memSample{heap: m.HeapAlloc, mallocs: m.Mallocs, rss: rss, peak: peak, gorou: runtime.NumGoroutine()}
}

// procStatus reads VmRSS and VmHWM from /proc/self/status, in bytes; zero
// where it cannot (not Linux).
func procStatus() (rss, peak uint64) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			continue
		}
		switch name {
		case "VmRSS":
			rss = kb << 10
		case "VmHWM":
			peak = kb << 10
		}
	}
	return rss, peak
}

// writeHeapProfile writes the heap profile for go tool pprof. It reflects
// the last collection, which sampleMemory has just run.
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// site is where live heap was allocated: the first function outside the
// runtime, with the runtime entry it called (newobject, makechan, ...).
type site struct {
	fn, via string
	bytes   float64 // estimated live bytes
	objects float64
}

// heapSites estimates live bytes per allocation site from the runtime's
// sampled memory profile, scaled up as pprof does: an allocation of s
// bytes is sampled with probability 1-exp(-s/MemProfileRate).
func heapSites() []site {
	recs := memProfile()
	rate := float64(runtime.MemProfileRate)
	bySite := map[[2]string]*site{}
	for i := range recs {
		r := &recs[i]
		objs := r.InUseObjects()
		if objs <= 0 {
			continue
		}
		bytes := float64(r.InUseBytes())
		scale := 1 / (1 - math.Exp(-bytes/float64(objs)/rate))
		fn, via := allocSite(r.Stack())
		k := [2]string{fn, via}
		if bySite[k] == nil {
			bySite[k] = &site{fn: fn, via: via}
		}
		bySite[k].bytes += bytes * scale
		bySite[k].objects += float64(objs) * scale
	}
	sites := make([]site, 0, len(bySite))
	for _, s := range bySite {
		sites = append(sites, *s)
	}
	slices.SortFunc(sites, func(a, b site) int { return cmp.Compare(b.bytes, a.bytes) })
	return sites
}

// memProfile returns every record of runtime.MemProfile, growing its
// buffer until they fit.
func memProfile() []runtime.MemProfileRecord {
	n, _ := runtime.MemProfile(nil, false)
	for {
		recs := make([]runtime.MemProfileRecord, n+64)
		m, ok := runtime.MemProfile(recs, false)
		if ok {
			return recs[:m]
		}
		n = m
	}
}

// allocSite names the first frame of stk outside the runtime, and the
// outermost runtime function it called.
func allocSite(stk []uintptr) (fn, via string) {
	frames := runtime.CallersFrames(stk)
	for {
		f, more := frames.Next()
		name := f.Function
		if strings.HasPrefix(name, "runtime.") || strings.HasPrefix(name, "internal/runtime/") {
			via = name[strings.LastIndexByte(name, '/')+1:]
		} else {
			return shortName(name), via
		}
		if !more {
			return "(runtime)", via
		}
	}
}

// shortName drops the module path from a function name.
func shortName(fn string) string {
	for _, p := range []string{"github.com/renet-go/renet/bench/", "github.com/renet-go/renet/"} {
		if s, ok := strings.CutPrefix(fn, p); ok {
			return s
		}
	}
	return fn
}
