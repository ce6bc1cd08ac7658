package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestMain lets this test binary serve as the kernel client, as the
// command's own binary does.
func TestMain(m *testing.M) {
	if isClient() {
		os.Exit(clientMain(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// TestTapTransport measures every implementation of -transport tap with
// tiny transfers: each carries verified data both ways, the offloading
// columns (renet's, gVisor with GSO) move segments larger than the MTU both
// ways and renet's plain tap none, and the table has a figure in every
// cell.
func TestTapTransport(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("skipping: -transport tap needs root (network namespaces, tap devices, veth pairs)")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("skipping: iproute2's ip is not installed")
	}
	cfg := tapConfig{download: 4 << 20, upload: 2 << 20, rtts: 20, verify: 1 << 20, timeout: time.Minute}
	ms := make([]measurement, len(tapImpls))
	for i, im := range tapImpls {
		m := measure(im, cfg)
		ms[i] = m
		if m.err != nil {
			t.Errorf("%s: %v", im.title, m.err)
			continue
		}
		if m.downMBps <= 0 || m.upMBps <= 0 || m.rtt <= 0 {
			t.Errorf("%s: download %v MB/s, upload %v MB/s, round trip %v", im.title, m.downMBps, m.upMBps, m.rtt)
		}
		counters, offload := wantOffload(im.title)
		if m.hasOffload != counters {
			t.Errorf("%s: offload counters present: %v", im.title, m.hasOffload)
		}
		if m.hasOffload && ((m.gsoDown > 0) != offload || (m.groUp > 0) != offload) {
			t.Errorf("%s: %d segments > MTU written, %d read", im.title, m.gsoDown, m.groUp)
		}
	}
	var out bytes.Buffer
	printTapTable(&out, tapImpls, ms)
	t.Logf("\n%s", out.String())
	if lines := strings.Count(out.String(), "\n"); lines != 2+len(tapRows) {
		t.Errorf("table has %d lines, want %d", lines, 2+len(tapRows))
	}
	if strings.Contains(out.String(), "error") {
		t.Error("a cell says error")
	}
}

// wantOffload says whether the column titled title counts segments larger
// than the MTU (server.offload), and whether it must have moved some both
// ways.
func wantOffload(title string) (counters, offload bool) {
	switch title {
	case "renet (tap, offload)", "gVisor (tap, fdbased, GSO)":
		return true, true
	case "renet (tap, no offload)":
		return true, false
	}
	return false, false
}

// TestPattern checks that patternReader's Read and WriteTo both give the
// pattern, from any phase and with any buffer.
func TestPattern(t *testing.T) {
	const n = 3*257024 + 1000
	var viaWriteTo bytes.Buffer
	if k, err := (&patternReader{n: n}).WriteTo(&viaWriteTo); k != n || err != nil {
		t.Fatalf("WriteTo: %d, %v", k, err)
	}
	viaRead, err := io.ReadAll(io.LimitReader(struct{ io.Reader }{&patternReader{n: n}}, n+1))
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"WriteTo": viaWriteTo.Bytes(), "Read": viaRead} {
		if len(b) != n {
			t.Fatalf("%s: %d bytes, want %d", name, len(b), n)
		}
		for i, c := range b {
			if c != byte(i%patternPeriod) {
				t.Fatalf("%s: byte %d is %d", name, i, c)
			}
		}
	}
}
