package main

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestIdleConnections runs the program's whole path on a small N, through
// both layers: every connection is established at both ends, a request on
// an idle one and on new ones is answered, and the report prints. It
// checks no timings and no memory figures, which depend on the machine.
func TestIdleConnections(t *testing.T) {
	for _, lay := range []layer{socketLayer{}, connLayer{}} {
		t.Run(strings.Fields(lay.name())[0], func(t *testing.T) {
			o := &options{n: 2000, layer: lay, tries: 3, budget: true}
			if err := o.fill(); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			r, closeAll, err := run(ctx, o, t.Output())
			if err != nil {
				t.Fatal(err)
			}
			defer closeAll()
			if r.established != 2*o.n {
				t.Errorf("%d endpoints established, want %d", r.established, 2*o.n)
			}
			if len(r.idleRTT) != o.tries || len(r.connectRTT) != o.tries {
				t.Errorf("%d idle and %d connect round trips, want %d each", len(r.idleRTT), len(r.connectRTT), o.tries)
			}
			var out strings.Builder
			printReport(&out, r)
			if !strings.Contains(out.String(), "heap per endpoint") {
				t.Errorf("report without the heap figure:\n%s", out.String())
			}
		})
	}
}

// TestEphemeralPorts opens connections from ports the stack chooses,
// few enough in flight that the one listener's backlog drops no SYN.
func TestEphemeralPorts(t *testing.T) {
	o := &options{n: 500, layer: socketLayer{}, tries: 1, ephemeral: true, listeners: 1, inflight: 64}
	if err := o.fill(); err != nil {
		t.Fatal(err)
	}
	r, closeAll, err := run(context.Background(), o, t.Output())
	if err != nil {
		t.Fatal(err)
	}
	defer closeAll()
	if r.established != 2*o.n {
		t.Errorf("%d endpoints established, want %d", r.established, 2*o.n)
	}
}

func TestFillRejectsTooFewListeners(t *testing.T) {
	o := &options{n: 100_000, layer: socketLayer{}, listeners: 1}
	if err := o.fill(); err == nil {
		t.Errorf("1 listener for %d connections from one address: want an error", o.n)
	}
}
