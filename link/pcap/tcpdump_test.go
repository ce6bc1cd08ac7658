package pcap

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/renet-go/renet/link"
)

// TestTcpdumpReadsCapture checks the files against the reference reader:
// tcpdump must accept them and print one line per frame.
func TestTcpdumpReadsCapture(t *testing.T) {
	tcpdump, err := exec.LookPath("tcpdump")
	if err != nil {
		t.Skip("tcpdump not installed")
	}
	for _, tc := range []struct {
		medium   link.Medium
		linkName string
	}{{link.Ethernet, "EN10MB"}, {link.IP, "RAW"}} {
		t.Run(tc.medium.String(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "capture.pcap")
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			bw := bufio.NewWriter(f)
			want := exchange(t, tc.medium, 5, 8, bw)
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			// -Z root: tcpdump run as root otherwise drops to its own
			// user, which may not reach the test's temporary directory.
			args := []string{"-r", path, "-n"}
			if os.Geteuid() == 0 {
				args = append(args, "-Z", "root")
			}
			out, err := exec.Command(tcpdump, args...).CombinedOutput()
			if err != nil {
				t.Fatalf("tcpdump %s: %v\n%s", strings.Join(args, " "), err, out)
			}
			var lines []string
			sc := bufio.NewScanner(strings.NewReader(string(out)))
			for sc.Scan() {
				if l := sc.Text(); strings.HasPrefix(l, "reading from file") {
					if !strings.Contains(l, tc.linkName) {
						t.Errorf("tcpdump says %q; want link-type %s", l, tc.linkName)
					}
				} else {
					lines = append(lines, l)
				}
			}
			if len(lines) != len(want) {
				t.Fatalf("tcpdump printed %d packet lines, want %d:\n%s", len(lines), len(want), out)
			}
			written := 0
			for i, l := range lines {
				if strings.Contains(l, "192.168.69.1.100") { // source ports 1000+ went out
					written++
				}
				if !strings.Contains(l, "IP 192.168.69.1.") || !strings.Contains(l, "> 192.168.69.2.7: UDP") {
					t.Errorf("tcpdump line %d = %q; want a UDP datagram 192.168.69.1 > 192.168.69.2.7", i, l)
				}
			}
			if written != 5 {
				t.Errorf("tcpdump shows %d written frames and %d read; want 5 and 8", written, len(lines)-written)
			}
		})
	}
}
