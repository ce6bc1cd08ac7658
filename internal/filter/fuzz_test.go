package filter

import (
	"errors"
	"strings"
	"testing"

	"github.com/renet-go/renet/link"
)

// FuzzCompile feeds arbitrary expressions to Compile and CompileFor. They
// must never panic; an error is a *SyntaxError or the size limit; a
// program is at most MaxInstructions long, the VM accepts it (NewVM checks
// jump bounds, the final return, and that it assembles), and running it
// over the test frames does not panic.
func FuzzCompile(f *testing.F) {
	for _, c := range matchCases {
		f.Add(c.expr)
	}
	for _, s := range []string{"", "(", ")", "not", "&&", "port 1-2", "portrange 5-1", "host 1.2.3.4 or 5.6.7.8",
		"ether host 02:00:00:00:00:01", "net 10.0.0.0/8 and (tcp or udp) and not port 53", "((((tcp))))"} {
		f.Add(s)
	}
	frames := testFrames()
	f.Fuzz(func(t *testing.T, expr string) {
		for _, m := range []link.Medium{link.Ethernet, link.IP} {
			prog, err := CompileFor(expr, m)
			if err != nil {
				var se *SyntaxError
				if !errors.As(err, &se) && !strings.Contains(err.Error(), "the kernel accepts at most") {
					t.Fatalf("CompileFor(%q, %v): unexpected error kind %v", expr, m, err)
				}
				if se != nil && (se.Pos < 0 || se.Pos > len(expr)) {
					t.Fatalf("CompileFor(%q): error offset %d outside the expression", expr, se.Pos)
				}
				continue
			}
			if len(prog) == 0 || len(prog) > MaxInstructions {
				t.Fatalf("CompileFor(%q): program of %d instructions", expr, len(prog))
			}
			mt, err := NewMatcher(prog)
			if err != nil {
				t.Fatalf("CompileFor(%q) gave a program the VM refuses: %v\n%s", expr, err, listing(prog))
			}
			for _, fr := range frames {
				mt.Match(fr.b)
			}
		}
	})
}
