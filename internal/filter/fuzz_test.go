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
// over the test frames does not panic and, wherever the reference
// evaluator (reference_test.go) can decide, agrees with it.
func FuzzCompile(f *testing.F) {
	for _, c := range matchCases {
		f.Add(c.expr)
	}
	for _, s := range []string{"", "(", ")", "not", "&&", "port 1-2", "portrange 5-1", "host 1.2.3.4 or 5.6.7.8",
		"ether host 02:00:00:00:00:01", "net 10.0.0.0/8 and (tcp or udp) and not port 53", "((((tcp))))",
		"ip6 and not icmp6", "host fdaa::1 or 10.0.0.1", "net fe80::/10", "ip6 proto 44", "ip6 dst portrange 1-1024",
		"src net fdaa::/33 and tcp port 80", "ip host ::1", "ip6 net 10.0.0.0/8"} {
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
				b := fr.b
				if m == link.IP {
					b = b[14:]
				}
				got := mt.Match(b)
				if want, ok := refMatch(t, expr, m, b); ok && got != want {
					t.Fatalf("CompileFor(%q, %v) on %s: program says %t, reference %t\n%s", expr, m, fr.name, got, want, listing(prog))
				}
			}
		}
	})
}
