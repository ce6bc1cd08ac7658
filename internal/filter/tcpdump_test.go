package filter

import (
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/renet-go/renet/link"
	"golang.org/x/net/bpf"
)

// tcpdumpProgram compiles expr with tcpdump -ddd against an empty capture
// file of the given pcap link type, which needs no privileges.
func tcpdumpProgram(t *testing.T, tcpdump, file, expr string) []bpf.RawInstruction {
	t.Helper()
	out, err := exec.Command(tcpdump, "-ddd", "-r", file, expr).Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		// tcpdump's optimizer refuses to print a program that rejects
		// everything ("ip6 and icmp"); that program is "ret #0".
		if strings.Contains(string(stderr), "expression rejects all packets") {
			return []bpf.RawInstruction{{Op: 0x06, K: 0}}
		}
		t.Fatalf("tcpdump -ddd %q: %v\n%s", expr, err, stderr)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	n, err := strconv.Atoi(lines[0])
	if err != nil || n != len(lines)-1 {
		t.Fatalf("tcpdump -ddd %q: unexpected output %q", expr, out)
	}
	prog := make([]bpf.RawInstruction, n)
	for i, l := range lines[1:] {
		var v [4]uint64
		for j, f := range strings.Fields(l) {
			if j < 4 {
				v[j], err = strconv.ParseUint(f, 10, 32)
			}
		}
		if err != nil {
			t.Fatalf("tcpdump -ddd %q: bad line %q", expr, l)
		}
		prog[i] = bpf.RawInstruction{Op: uint16(v[0]), Jt: uint8(v[1]), Jf: uint8(v[2]), K: uint32(v[3])}
	}
	return prog
}

// emptyCapture writes a pcap file header with no records.
func emptyCapture(t *testing.T, linkType uint32) string {
	h := make([]byte, 24)
	binary.LittleEndian.PutUint32(h[0:], 0xa1b2c3d4)
	binary.LittleEndian.PutUint16(h[4:], 2)
	binary.LittleEndian.PutUint16(h[6:], 4)
	binary.LittleEndian.PutUint32(h[16:], 262144)
	binary.LittleEndian.PutUint32(h[20:], linkType)
	name := filepath.Join(t.TempDir(), "empty"+strconv.Itoa(int(linkType))+".pcap")
	if err := os.WriteFile(name, h, 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

// TestAgainstTcpdump runs this package's program and tcpdump's for each
// expression of the table over every test frame and wants the same
// verdicts, for Ethernet and for bare IP packets (LINKTYPE_RAW, where
// the version nibble tells IPv4 from IPv6, as on a TUN device). The test
// frames hold no RARP, where tcpdump's "host" reaches further than ours.
func TestAgainstTcpdump(t *testing.T) {
	tcpdump, err := exec.LookPath("tcpdump")
	if err != nil {
		t.Skip("tcpdump is not installed (apt-get install tcpdump); skipping the comparison")
	}
	eth, raw := emptyCapture(t, 1), emptyCapture(t, 101)
	frames := testFrames()
	for _, c := range matchCases {
		if !c.tcpdump {
			continue
		}
		ours := matcher(t, c.expr, link.Ethernet)
		theirs, err := NewMatcher(tcpdumpProgram(t, tcpdump, eth, c.expr))
		if err != nil {
			t.Fatalf("tcpdump's program for %q: %v", c.expr, err)
		}
		for _, f := range frames {
			if got, want := ours.Match(f.b), theirs.Match(f.b); got != want {
				t.Errorf("%q on %s: we say %t, tcpdump %t", c.expr, f.name, got, want)
			}
		}

		if strings.Contains(c.expr, "arp") || strings.Contains(c.expr, "ether") || c.expr == "not ip" {
			continue
		}
		ours = matcher(t, c.expr, link.IP)
		theirs, err = NewMatcher(tcpdumpProgram(t, tcpdump, raw, c.expr))
		if err != nil {
			t.Fatalf("tcpdump's raw-IP program for %q: %v", c.expr, err)
		}
		for _, f := range frames {
			if slices.Contains([]string{"arpReq", "vlanTCP80"}, f.name) {
				continue
			}
			if got, want := ours.Match(f.b[14:]), theirs.Match(f.b[14:]); got != want {
				t.Errorf("%q on bare %s: we say %t, tcpdump %t", c.expr, f.name, got, want)
			}
		}
	}
}
