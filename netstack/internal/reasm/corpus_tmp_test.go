package reasm

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestTmpCorpus(t *testing.T) {
	files, _ := filepath.Glob("/root/.cache/go-build/fuzz/github.com/renet-go/renet/netstack/internal/reasm/FuzzAdd/*")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		lines := strings.Split(string(b), "\n")
		s, _ := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")"))
		st := time.Now()
		fuzzAdd(t, []byte(s))
		t.Logf("%s %d bytes %v", filepath.Base(f)[:8], len(s), time.Since(st))
	}
}
