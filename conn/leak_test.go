package conn

import (
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/renet-go/renet/link/pipe"
)

// Closing the stacks leaves no goroutine of theirs behind: not the
// drivers, not the pipe's schedulers, not a blocked user call.
func TestStackCloseLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	func() {
		a, b := newPair(t, pipe.Config{Seed: 1, Delay: time.Millisecond})
		l, err := Listen(a, "tcp", ":80")
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			c, err := l.Accept()
			if err == nil {
				io.Copy(io.Discard, c)
			}
		}()
		c, err := Dial(b, "tcp", "10.0.0.1:80")
		if err != nil {
			t.Fatal(err)
		}
		c.Write(make([]byte, 100000))
		go c.Read(make([]byte, 10)) // blocked until the stack closes
		a.Close()
		b.Close()
	}()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines before, %d after closing:\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}
