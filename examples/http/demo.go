package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/renet-go/renet/conn"
	"github.com/renet-go/renet/link/pipe"
	"github.com/renet-go/renet/netstack"
)

// demo runs a server stack and a client stack joined by an in-memory pipe
// and exercises every route, printing what it did.
func demo(out io.Writer, size int64) error {
	ea, eb := pipe.New(pipe.Config{Seed: 1})
	server, err := netstack.New(ea, netstack.Config{Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.0.1/24")}})
	if err != nil {
		return err
	}
	defer server.Close()
	clientStack, err := netstack.New(eb, netstack.Config{Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.0.2/24")}})
	if err != nil {
		return err
	}
	defer clientStack.Close()

	l, err := conn.Listen(server, "tcp", ":80")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: newMux()}
	go srv.Serve(l)
	defer srv.Close()
	fmt.Fprintln(out, "renet demo: two stacks joined by an in-memory link; server 10.0.0.1:80, client 10.0.0.2")

	c := client(clientStack)
	base := "http://10.0.0.1"

	resp, err := c.Get(base + "/")
	if err != nil {
		return err
	}
	page, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "GET /           %s, %q\n", resp.Status, strings.SplitN(string(page), "\n", 2)[0])

	start := time.Now()
	resp, err = c.Get(fmt.Sprintf("%s/bytes/%d", base, size))
	if err != nil {
		return err
	}
	h := sha256.New()
	n, err := io.Copy(h, io.TeeReader(resp.Body, &patternCheck{}))
	resp.Body.Close()
	if err != nil {
		return err
	}
	if n != size {
		return fmt.Errorf("GET /bytes/%d returned %d bytes", size, n)
	}
	el := time.Since(start)
	fmt.Fprintf(out, "GET /bytes/%d  %d bytes in %v: %s (pattern verified)\n", size, n, el.Round(time.Millisecond), rate(n, el))

	body := make([]byte, size)
	(&pattern{}).Read(body)
	want := sha256.Sum256(body)
	start = time.Now()
	resp, err = c.Post(base+"/sha256", "application/octet-stream", bytes.NewReader(body))
	if err != nil {
		return err
	}
	reply, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	el = time.Since(start)
	if got := fmt.Sprintf("%s %d\n", hex.EncodeToString(want[:]), size); string(reply) != got {
		return fmt.Errorf("POST /sha256 replied %q, want %q", reply, got)
	}
	fmt.Fprintf(out, "POST /sha256    %d bytes in %v: %s (digest verified)\n", size, el.Round(time.Millisecond), rate(size, el))

	resp, err = c.Post(base+"/echo", "text/plain", strings.NewReader("hello, renet"))
	if err != nil {
		return err
	}
	echo, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if string(echo) != "hello, renet" {
		return fmt.Errorf("POST /echo replied %q", echo)
	}
	fmt.Fprintf(out, "POST /echo      %q\n", echo)
	st := clientStack.Stats()
	fmt.Fprintf(out, "client stack: %d frames in, %d out, %d dropped\n", st.FramesIn, st.FramesOut, st.TotalDrops())
	return nil
}

// patternCheck verifies a stream is the /bytes pattern.
type patternCheck struct{ i int64 }

func (p *patternCheck) Write(b []byte) (int, error) {
	for k, c := range b {
		if c != byte(p.i%251) {
			return k, fmt.Errorf("byte %d is %d, want %d", p.i, c, p.i%251)
		}
		p.i++
	}
	return len(b), nil
}
