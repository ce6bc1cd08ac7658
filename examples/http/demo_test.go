package main

import (
	"strings"
	"testing"
)

// The embedded demo (the README's run command) works end to end.
func TestDemo(t *testing.T) {
	var out strings.Builder
	if err := demo(&out, 4<<20); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	for _, want := range []string{"GET /           200 OK", "pattern verified", "digest verified", `POST /echo      "hello, renet"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q:\n%s", want, out.String())
		}
	}
}
