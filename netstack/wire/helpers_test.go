package wire

import (
	"encoding/binary"
	"encoding/hex"
	"net/netip"
	"os"
	"strings"
	"testing"
)

// Addresses of the two ends of the captures in testdata.
var (
	ipA  = netip.MustParseAddr("192.168.69.100") // the client, 02:00:00:00:00:64
	ipB  = netip.MustParseAddr("192.168.69.1")   // the server, 02:00:00:00:00:01
	macA = MAC{2, 0, 0, 0, 0, 0x64}
	macB = MAC{2, 0, 0, 0, 0, 0x01}
)

// unhex decodes an annotated hex fixture: whitespace is ignored and '#'
// starts a comment that runs to the end of the line.
func unhex(s string) []byte {
	var clean strings.Builder
	for line := range strings.SplitSeq(s, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		clean.WriteString(strings.Join(strings.Fields(line), ""))
	}
	b, err := hex.DecodeString(clean.String())
	if err != nil {
		panic("bad fixture: " + err.Error())
	}
	return b
}

// readPcap returns the frames of a classic pcap file with Ethernet link
// type, in either byte order, with microsecond or nanosecond timestamps.
func readPcap(t testing.TB, path string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) < 24 {
		t.Fatalf("%s: short pcap header", path)
	}
	var bo binary.ByteOrder
	switch binary.LittleEndian.Uint32(data) {
	case 0xa1b2c3d4, 0xa1b23c4d:
		bo = binary.LittleEndian
	case 0xd4c3b2a1, 0x4d3cb2a1:
		bo = binary.BigEndian
	default:
		t.Fatalf("%s: not a pcap file", path)
	}
	if lt := bo.Uint32(data[20:]); lt != 1 {
		t.Fatalf("%s: link type %d, want 1 (Ethernet)", path, lt)
	}
	var frames [][]byte
	for p := data[24:]; len(p) > 0; {
		if len(p) < 16 {
			t.Fatalf("%s: short record header", path)
		}
		n := int(bo.Uint32(p[8:]))
		if orig := int(bo.Uint32(p[12:])); orig != n {
			t.Fatalf("%s: frame %d truncated by the capture (%d of %d bytes)", path, len(frames), n, orig)
		}
		p = p[16:]
		if len(p) < n {
			t.Fatalf("%s: short record", path)
		}
		frames = append(frames, p[:n:n])
		p = p[n:]
	}
	return frames
}

// must returns v, or panics (failing the test with a trace to the caller)
// if err is not nil. It keeps happy-path parsing in tests to one line.
func must[T any](v T, err error) T {
	if err != nil {
		panic("unexpected parse error: " + err.Error())
	}
	return v
}
