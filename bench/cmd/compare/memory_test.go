package main

import (
	"strings"
	"testing"

	"github.com/renet-go/renet/bench/workload"
)

// The ratio columns say which side is better, in either direction, and
// decline where a ratio would mislead.
func TestRatio(t *testing.T) {
	for _, c := range []struct {
		w, m, ta, tb string
		a, b         float64
		want         string
	}{
		{"TCPBulk", "MB/s", "renet", "gVisor", 1500, 400, "3.75 (higher is better: renet by 3.75×)"},
		{"TCPBulk", "MB/s", "renet-64k", "kernel", 2000, 4000, "0.50 (higher is better: kernel by 2.00×)"},
		{"TCPRoundTrip", "ns/op", "renet-64k", "kernel", 3000, 4000, "0.75 (lower is better: renet-64k by 1.33×)"},
		{"TCPBulk", "allocs/op", "renet-64k", "kernel", 0.3, 0.0001, "both ~0"},
		{"TCPConnect", workload.UnitStalls, "renet-64k", "kernel", 0, 0, "(count, lower is better)"},
		{"IdleConnMemory", workload.UnitHeapPerConn, "renet-64k", "kernel", 5000, 600, "n/a (kernel: Go heap only)"},
		{"IdleConnMemory", workload.UnitHeapPerConn, "renet", "gVisor", 5000, 10000, "0.50 (lower is better: renet by 2.00×)"},
	} {
		if got := ratio(c.w, c.m, c.ta, c.tb, c.a, c.b); got != c.want {
			t.Errorf("ratio(%s %s, %s %v, %s %v) = %q, want %q", c.w, c.m, c.ta, c.a, c.tb, c.b, got, c.want)
		}
	}
}

// Every network of the in-memory table has a column, and both ratio
// columns name networks that exist.
func TestMemoryColumns(t *testing.T) {
	for _, rc := range ratioCols {
		if implIndex(rc.num) < 0 || implIndex(rc.den) < 0 {
			t.Errorf("ratio column %s/%s: no such network", rc.num, rc.den)
		}
	}
	for _, name := range []string{"renet", "gvisor", "renet-64k", "kernel"} {
		if implIndex(name) < 0 {
			t.Errorf("network %s missing from stacks.Impls", name)
		}
		if strings.TrimSpace(title(name)) == "" {
			t.Errorf("network %s has no title", name)
		}
	}
}
