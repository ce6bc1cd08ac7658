package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/renet-go/renet/internal/filter"
	"github.com/renet-go/renet/link"
	"github.com/renet-go/renet/link/afpacket"
	"github.com/renet-go/renet/link/pcap"
	"github.com/renet-go/renet/netstack/wire"
)

// config is the parsed command line.
type config struct {
	iface   string // interface to capture on
	count   int    // stop after this many frames; 0 for no limit
	write   string // pcap file to record to, or ""
	read    string // pcap file to read instead of capturing, or ""
	promisc bool   // ask for promiscuous mode
	expr    string // filter expression; "" accepts everything

	// listening, if set, is called once the socket is open and its filter
	// attached: from then on every matching frame is seen.
	listening func(iface string, m link.Medium)
}

// batch is how many frames one read may return.
const batch = 16

// run captures (or, with cfg.read, reads) frames, printing one line per
// frame that passes the filter to out, until cfg.count frames or until
// ctx is done. It returns how many frames it printed. Being stopped by
// ctx is not an error.
func run(ctx context.Context, cfg config, out io.Writer) (int, error) {
	if cfg.read != "" {
		return readFile(ctx, cfg, out)
	}
	sock, err := afpacket.Open(cfg.iface)
	if err != nil {
		return 0, err
	}
	defer sock.Close()
	// Frames the kernel sends out of the interface are half of what there
	// is to see. Kernels before 4.20 cannot ignore them in the first
	// place, so there a failure here loses nothing.
	sock.SetIgnoreOutgoing(false)
	if cfg.promisc {
		if err := sock.SetPromiscuous(true); err != nil {
			return 0, err
		}
	}
	prog, err := filter.CompileFor(cfg.expr, sock.Medium())
	if err != nil {
		return 0, err
	}
	// Attached even when it accepts everything: attaching also discards
	// whatever queued before the capture was set up.
	if err := sock.AttachFilter(prog); err != nil {
		if errors.Is(err, syscall.ENOMEM) {
			err = fmt.Errorf("%w (a filter of %d instructions is more than the kernel lets a socket hold: simplify the expression or raise net.core.optmem_max)", err, len(prog))
		}
		return 0, err
	}

	var ep link.Endpoint = sock
	var file *os.File
	if cfg.write != "" {
		if file, err = os.Create(cfg.write); err != nil {
			return 0, err
		}
		if ep, err = pcap.Wrap(sock, bufio.NewWriter(file)); err != nil {
			file.Close()
			return 0, err
		}
	}
	if cfg.listening != nil {
		cfg.listening(sock.Name(), sock.Medium())
	}

	// Closing the socket is what wakes a blocked read when ctx ends.
	stop := context.AfterFunc(ctx, func() { sock.Close() })
	n, err := capture(ctx, ep, cfg.count, out)
	stop()
	// Closing the pcap wrapper flushes the file; the socket's second
	// close is harmless.
	if cerr := ep.Close(); cerr != nil && err == nil {
		err = cerr
	}
	if file != nil {
		if cerr := file.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}
	return n, err
}

// capture reads from ep and prints every frame until count frames (if
// count > 0), an error, or ctx's end closes ep.
func capture(ctx context.Context, ep link.Endpoint, count int, out io.Writer) (int, error) {
	size := max(ep.MTU()+ep.Medium().HeaderLen()+4, 1<<16+18)
	bufs := make([][]byte, batch)
	for i := range bufs {
		bufs[i] = make([]byte, size)
	}
	sizes := make([]int, batch)
	var line []byte
	n := 0
	for count == 0 || n < count {
		// Ask for no more than are still wanted, so that a pcap recording
		// holds exactly the frames printed.
		want := batch
		if count > 0 {
			want = min(want, count-n)
		}
		k, err := ep.ReadBatch(bufs[:want], sizes[:want])
		now := time.Now()
		for i := range k {
			line = appendLine(line[:0], now, bufs[i][:min(sizes[i], len(bufs[i]))], ep.Medium())
			if _, werr := out.Write(line); werr != nil {
				return n, werr
			}
			n++
		}
		if err != nil {
			if errors.Is(err, net.ErrClosed) && ctx.Err() != nil {
				return n, nil
			}
			return n, err
		}
	}
	return n, nil
}

// appendLine appends the line printed for one frame: the local time of
// day to the microsecond, as tcpdump prints it, then the decoded frame.
func appendLine(dst []byte, ts time.Time, frame []byte, m link.Medium) []byte {
	dst = ts.AppendFormat(dst, "15:04:05.000000 ")
	if m == link.IP {
		// A TUN device carries both families; the version nibble says
		// which, as for tcpdump's raw IP link type.
		if len(frame) > 0 && frame[0]>>4 == 6 {
			dst = wire.AppendIPv6Packet(dst, frame)
		} else {
			dst = wire.AppendIPv4Packet(dst, frame)
		}
	} else {
		dst = wire.AppendFrame(dst, frame)
	}
	return append(dst, '\n')
}

// readFile prints the frames of a pcap file that pass the filter, which
// runs in Go (filter.Matcher) since no socket is involved.
func readFile(ctx context.Context, cfg config, out io.Writer) (int, error) {
	f, err := os.Open(cfg.read)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	rd, err := pcap.NewReader(bufio.NewReader(f))
	if err != nil {
		return 0, fmt.Errorf("%s: %w", cfg.read, err)
	}
	var m link.Medium
	switch rd.LinkType() {
	case pcap.LinkTypeEthernet:
		m = link.Ethernet
	case pcap.LinkTypeRaw, pcap.LinkTypeIPv4, pcap.LinkTypeIPv6: // bare IP
		m = link.IP
	default:
		return 0, fmt.Errorf("%s: unsupported link type %d", cfg.read, rd.LinkType())
	}
	prog, err := filter.CompileFor(cfg.expr, m)
	if err != nil {
		return 0, err
	}
	match, err := filter.NewMatcher(prog)
	if err != nil {
		return 0, err
	}
	var line []byte
	n := 0
	for (cfg.count == 0 || n < cfg.count) && ctx.Err() == nil {
		data, ts, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return n, fmt.Errorf("%s: %w", cfg.read, err)
		}
		if !match.Match(data) {
			continue
		}
		line = appendLine(line[:0], ts, data, m)
		if _, err := out.Write(line); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
