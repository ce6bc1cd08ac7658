package filter

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/link/pcap"
	"github.com/renet-go/renet/netstack/wire"
)

// captureFiles are netstack/wire's captures: Linux's own IPv4 and IPv6
// traffic (neighbour discovery, MLD behind hop-by-hop headers, fragments,
// UDP, TCP) and hand-built frames (routing and destination options
// headers, atomic and later fragments, VLAN, IP options).
var captureFiles = []string{"linux.pcap", "crafted.pcap", "linux6.pcap", "crafted6.pcap", "igmp.pcap"}

// readCapture returns the records of one of netstack/wire's captures,
// named file:index.
func readCapture(t testing.TB, file string) []testFrame {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "netstack", "wire", "testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return readRecords(t, f, file)
}

func readRecords(t testing.TB, r io.Reader, name string) []testFrame {
	t.Helper()
	rd, err := pcap.NewReader(r)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var frames []testFrame
	for i := 0; ; i++ {
		data, _, err := rd.Next()
		if err == io.EOF {
			return frames
		}
		if err != nil {
			t.Fatalf("%s record %d: %v", name, i, err)
		}
		frames = append(frames, testFrame{fmt.Sprintf("%s:%d", name, i), slices.Clone(data)})
	}
}

// writeCapture writes frames as a pcap file of the given link type.
func writeCapture(t testing.TB, linkType uint32, frames []testFrame) string {
	var b bytes.Buffer
	h := make([]byte, 24)
	binary.LittleEndian.PutUint32(h[0:], 0xa1b2c3d4)
	binary.LittleEndian.PutUint16(h[4:], 2)
	binary.LittleEndian.PutUint16(h[6:], 4)
	binary.LittleEndian.PutUint32(h[16:], 262144)
	binary.LittleEndian.PutUint32(h[20:], linkType)
	b.Write(h)
	for i, f := range frames {
		r := make([]byte, 16)
		binary.LittleEndian.PutUint32(r[0:], uint32(i))
		binary.LittleEndian.PutUint32(r[8:], uint32(len(f.b)))
		binary.LittleEndian.PutUint32(r[12:], uint32(len(f.b)))
		b.Write(r)
		b.Write(f.b)
	}
	name := filepath.Join(t.TempDir(), "frames"+strconv.Itoa(int(linkType))+".pcap")
	if err := os.WriteFile(name, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

// tcpdumpSelect runs tcpdump -r file -w - expr and returns the records
// it kept.
func tcpdumpSelect(t *testing.T, tcpdump, file, expr string) []testFrame {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(tcpdump, "-r", file, "-w", "-", expr)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if strings.Contains(stderr.String(), "expression rejects all packets") {
			return nil
		}
		t.Fatalf("tcpdump -r %s %q: %v\n%s", filepath.Base(file), expr, err, stderr.String())
	}
	return readRecords(t, &stdout, "tcpdump output")
}

// captureExprs are expressions aimed at the captures' addresses and
// ports, beside the table's.
var captureExprs = []string{
	"host fdaa::100", "src host fe80::ff:fe00:64", "dst net ff02::/16", "src net ::/128",
	"udp port 6969", "tcp port 6969", "port 5000 or port 6000", "dst port 6000",
	"icmp6 and dst host fdaa::100", "ip6 proto 43", "ip6 proto 59", "ip6 proto 99", "ip6 proto 44 and src host fdaa::1",
	"tcp and ip6", "udp and not port 53", "net fdaa::/64 and not icmp6", "icmp6 or icmp or ip proto 2",
}

// TestCapturesAgainstTcpdump filters netstack/wire's captures with
// tcpdump itself (tcpdump -r FILE -w - EXPR) and with this package, for
// the table's expressions and captureExprs, and wants the same records
// kept. The IPv4 and IPv6 frames are also stripped of their Ethernet
// header and filtered as bare packets (LINKTYPE_RAW).
func TestCapturesAgainstTcpdump(t *testing.T) {
	tcpdump, err := exec.LookPath("tcpdump")
	if err != nil {
		t.Skip("tcpdump is not installed (apt-get install tcpdump); skipping the comparison")
	}
	var eth, bare []testFrame
	for _, file := range captureFiles {
		for _, f := range readCapture(t, file) {
			eth = append(eth, f)
			if et := wire.EtherType(binary.BigEndian.Uint16(f.b[12:])); et == wire.EtherTypeIPv4 || et == wire.EtherTypeIPv6 {
				bare = append(bare, testFrame{f.name, f.b[14:]})
			}
		}
	}
	ethFile, bareFile := writeCapture(t, 1, eth), writeCapture(t, 101, bare)
	exprs := slices.Clone(captureExprs)
	for _, c := range matchCases {
		if c.tcpdump {
			exprs = append(exprs, c.expr)
		}
	}
	for _, expr := range exprs {
		for _, in := range []struct {
			m      link.Medium
			file   string
			frames []testFrame
		}{{link.Ethernet, ethFile, eth}, {link.IP, bareFile, bare}} {
			if _, err := CompileFor(expr, in.m); err != nil && in.m == link.IP {
				continue // an Ethernet primitive on bare IP
			}
			mt := matcher(t, expr, in.m)
			var ours []string
			for _, f := range in.frames {
				if mt.Match(f.b) {
					ours = append(ours, f.name)
				}
			}
			// tcpdump keeps records in order and whole, so matching its
			// output to ours by content is enough.
			var theirs []string
			kept := tcpdumpSelect(t, tcpdump, in.file, expr)
			j := 0
			for _, k := range kept {
				for j < len(in.frames) && !bytes.Equal(in.frames[j].b, k.b) {
					j++
				}
				if j == len(in.frames) {
					t.Fatalf("%q: tcpdump wrote a record that is not in the input", expr)
				}
				theirs = append(theirs, in.frames[j].name)
				j++
			}
			if !slices.Equal(ours, theirs) {
				t.Errorf("%q (%v): we keep %d records, tcpdump %d\nonly ours:   %v\nonly theirs: %v", expr, in.m, len(ours), len(theirs),
					without(ours, theirs), without(theirs, ours))
			}
		}
	}
}

func without(a, b []string) []string {
	var d []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			d = append(d, x)
		}
	}
	return d
}
