// Command http serves net/http over a renet stack, or fetches a URL through
// one.
//
// With no link flag it runs an in-memory demo: two stacks joined by
// link/pipe, one serving, the other fetching, and prints the throughput.
//
//	go run ./examples/http                                   # the demo, no root needed
//	go run ./examples/http -tap tap0 -host 192.168.69.100/24 # serve on tap0 (root)
//	curl http://192.168.69.1/bytes/1000000
//	go run ./examples/http -tap tap0 -get http://192.168.69.100:8080/  # the stack as client
//
// Routes: GET / (a short page), GET /bytes/{n} (n bytes, byte i = i%251),
// POST /echo (the body back), POST /sha256 ("<hex> <length>\n").
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/renet-go/renet/conn"
	"github.com/renet-go/renet/internal/linkflag"
	"github.com/renet-go/renet/netstack"
)

func main() {
	fs := flag.NewFlagSet("http", flag.ExitOnError)
	lf := linkflag.Register(fs)
	port := fs.Int("port", 80, "TCP port to serve on")
	get := fs.String("get", "", "fetch this URL through the stack (the stack is the client), body to stdout")
	demoBytes := fs.Int64("demo-bytes", 64<<20, "bytes the demo transfers each way")
	fs.Parse(os.Args[1:])

	if !lf.LinkNamed() && *get == "" {
		if err := demo(os.Stdout, *demoBytes); err != nil {
			fmt.Fprintf(os.Stderr, "http: demo: %v\n", err)
			os.Exit(1)
		}
		return
	}
	s, cleanup, err := lf.Open()
	if err != nil {
		fmt.Fprintf(os.Stderr, "http: %v\n", err)
		os.Exit(1)
	}
	defer cleanup()

	if *get != "" {
		if err := fetch(s, *get, os.Stdout, os.Stderr); err != nil {
			fmt.Fprintf(os.Stderr, "http: %v\n", err)
			cleanup()
			os.Exit(1)
		}
		return
	}
	l, err := conn.Listen(s, "tcp", fmt.Sprintf(":%d", *port))
	if err != nil {
		fmt.Fprintf(os.Stderr, "http: %v\n", err)
		os.Exit(1)
	}
	srv := &http.Server{Handler: newMux(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		<-sig
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}()
	log.Printf("http: serving on http://%s:%d/ over %s", s.Addrs()[0].Addr(), *port, linkName(lf))
	if err := srv.Serve(l); err != nil && err != http.ErrServerClosed {
		fmt.Fprintf(os.Stderr, "http: %v\n", err)
	}
}

func linkName(lf *linkflag.Flags) string {
	switch {
	case lf.Tun != "":
		return "tun " + lf.Tun
	case lf.AFPacket != "":
		return "afpacket " + lf.AFPacket
	}
	return "tap " + lf.Tap
}

// client returns an http.Client whose connections go through s.
func client(s *netstack.Stack) *http.Client {
	d := &conn.Dialer{Stack: s, Timeout: 10 * time.Second}
	return &http.Client{Transport: &http.Transport{
		DialContext:         d.DialContext,
		MaxIdleConnsPerHost: 64,
		ForceAttemptHTTP2:   false,
	}}
}

// fetch GETs url through s, writes the body to out and a summary to
// summary.
func fetch(s *netstack.Stack, url string, out, summary io.Writer) error {
	start := time.Now()
	resp, err := client(s).Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	n, err := io.Copy(out, resp.Body)
	if err != nil {
		return err
	}
	el := time.Since(start)
	fmt.Fprintf(summary, "%s: %d bytes in %v (%s)\n", resp.Status, n, el.Round(time.Millisecond), rate(n, el))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s", resp.Status)
	}
	return nil
}

// rate formats a throughput.
func rate(n int64, d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f MB/s, %.0f Mbit/s", float64(n)/d.Seconds()/1e6, float64(n)*8/d.Seconds()/1e6)
}

var _ net.Conn = (*conn.TCPConn)(nil)
