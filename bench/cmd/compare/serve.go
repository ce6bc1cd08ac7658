package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
)

// patternPeriod is the period of the payload: byte i is i % 251, as
// examples/http serves it (251 is prime, so misplaced data shows).
const patternPeriod = 251

// patternBlock is 1024 periods of the pattern (257,024 bytes): every copy
// of it, or of a prefix of it, continues the pattern where the last one
// ended, so sending costs a copy, not a computation per byte.
var patternBlock = func() []byte {
	b := make([]byte, patternPeriod*1024)
	for i := range b {
		b[i] = byte(i % patternPeriod)
	}
	return b
}()

// patternReader yields the first n bytes of the pattern.
type patternReader struct{ off, n int64 }

func (p *patternReader) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	b = b[:min(int64(len(b)), p.n-p.off)]
	k := 0
	for k < len(b) {
		k += copy(b[k:], patternBlock[(p.off+int64(k))%patternPeriod:])
	}
	p.off += int64(k)
	return k, nil
}

// WriteTo writes what is left in whole blocks, so that io.Copy hands the
// connection large writes.
func (p *patternReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for p.off < p.n {
		start := p.off % patternPeriod
		k := min(int64(len(patternBlock))-start, p.n-p.off)
		m, err := w.Write(patternBlock[start : start+k])
		p.off += int64(m)
		total += int64(m)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// newMux serves the two routes of examples/http the measurements use:
// GET /bytes/{n} (n bytes of the pattern, with Content-Length) and POST
// /sha256 (`<hex sha256 of the body> <length>`).
func newMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /bytes/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.ParseInt(r.PathValue("n"), 10, 64)
		if err != nil || n < 0 {
			http.Error(w, "n must be a non-negative integer", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.FormatInt(n, 10))
		(&patternReader{n: n}).WriteTo(w)
	})
	mux.HandleFunc("POST /sha256", func(w http.ResponseWriter, r *http.Request) {
		h := sha256.New()
		n, err := io.CopyBuffer(h, r.Body, make([]byte, 64<<10))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		fmt.Fprintf(w, "%s %d\n", hex.EncodeToString(h.Sum(nil)), n)
	})
	return mux
}

// echoServer echoes every connection accepted on l until l is closed.
type echoServer struct {
	l     net.Listener
	mu    sync.Mutex
	conns map[net.Conn]bool
	wg    sync.WaitGroup
}

func serveEcho(l net.Listener) *echoServer {
	e := &echoServer{l: l, conns: map[net.Conn]bool{}}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			e.mu.Lock()
			e.conns[c] = true
			e.mu.Unlock()
			e.wg.Add(1)
			go func() {
				defer e.wg.Done()
				buf := make([]byte, 512)
				for {
					n, err := c.Read(buf)
					if err != nil {
						break
					}
					if _, err := c.Write(buf[:n]); err != nil {
						break
					}
				}
				c.Close()
				e.mu.Lock()
				delete(e.conns, c)
				e.mu.Unlock()
			}()
		}
	}()
	return e
}

// Close stops accepting, closes every connection and waits for them.
func (e *echoServer) Close() error {
	err := e.l.Close()
	e.mu.Lock()
	for c := range e.conns {
		c.Close()
	}
	e.mu.Unlock()
	e.wg.Wait()
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}
