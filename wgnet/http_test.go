package wgnet

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"
)

type dialFunc func(ctx context.Context, network, address string) (net.Conn, error)

// bigHandler serves /hello and /bytes?n=N (N pseudo-random bytes, a
// repeated pattern whose sha256 the client can check).
func bigHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/hello", hello)
	mux.HandleFunc("/bytes", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		w.Header().Set("Content-Length", strconv.Itoa(n))
		chunk := pattern()
		for n > 0 {
			k := min(n, len(chunk))
			if _, err := w.Write(chunk[:k]); err != nil {
				return
			}
			n -= k
		}
	})
	return mux
}

func pattern() []byte {
	b := make([]byte, 64<<10)
	for i := range b {
		b[i] = byte(i*7 + i>>8)
	}
	return b
}

// get fetches url with dial and returns the body.
func get(t testing.TB, dial dialFunc, url string) string {
	t.Helper()
	client := http.Client{Transport: &http.Transport{DialContext: dial}}
	defer client.CloseIdleConnections()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}

// download fetches n bytes from url (a /bytes handler) and checks their
// hash, returning how many arrived.
func download(t testing.TB, dial dialFunc, url string, n int) int64 {
	t.Helper()
	client := http.Client{Transport: &http.Transport{DialContext: dial}}
	defer client.CloseIdleConnections()
	resp, err := client.Get(fmt.Sprintf("%s?n=%d", url, n))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	h := sha256.New()
	got, err := io.Copy(h, resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	want := sha256.New()
	chunk := pattern()
	for left := n; left > 0; left -= min(left, len(chunk)) {
		want.Write(chunk[:min(left, len(chunk))])
	}
	if string(h.Sum(nil)) != string(want.Sum(nil)) {
		t.Error("downloaded bytes differ from those served")
	}
	return got
}
