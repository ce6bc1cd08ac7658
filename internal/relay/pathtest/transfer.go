package pathtest

import (
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// Result is one verified bulk transfer.
type Result struct {
	Bytes   int64
	Elapsed time.Duration // from the first write to the receiver's EOF
	// Retrans is the number of segments the sender retransmitted, when
	// the sender's stack reports it (HasRetrans).
	Retrans    uint64
	HasRetrans bool
}

// MBps returns the goodput in 10^6 bytes per second.
func (r Result) MBps() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Bytes) / r.Elapsed.Seconds() / 1e6
}

// chunk is the size of every write and read, the same for every stack.
const chunk = 64 << 10

// Transfer sends size pattern bytes from snd to rcv, then half-closes snd,
// and checks on rcv that exactly those bytes arrive before EOF. Both
// connections get deadline as their deadline. retrans, if not nil, is
// asked for the sender's retransmission count once the data is in. The
// caller closes both connections.
func Transfer(snd, rcv net.Conn, size int64, deadline time.Time, retrans func() (uint64, bool)) (Result, error) {
	snd.SetDeadline(deadline)
	rcv.SetDeadline(deadline)
	got := make(chan error, 1)
	var end time.Time
	go func() {
		err := receive(rcv, size)
		end = time.Now()
		got <- err
	}()
	start := time.Now()
	if err := sendPattern(snd, size); err != nil {
		rcv.Close() // unblock the receiver
		<-got
		return Result{}, err
	}
	if err := <-got; err != nil {
		return Result{}, err
	}
	r := Result{Bytes: size, Elapsed: end.Sub(start)}
	if retrans != nil {
		r.Retrans, r.HasRetrans = retrans()
	}
	return r, nil
}

// sendPattern writes size pattern bytes to c and half-closes it.
func sendPattern(c net.Conn, size int64) error {
	buf := make([]byte, chunk)
	for off := int64(0); off < size; {
		b := buf[:min(int64(len(buf)), size-off)]
		Fill(b, off)
		n, err := c.Write(b)
		off += int64(n)
		if err != nil {
			return fmt.Errorf("pathtest: send after %d of %d bytes: %w", off, size, err)
		}
	}
	cw, ok := c.(interface{ CloseWrite() error })
	if !ok {
		return fmt.Errorf("pathtest: %T cannot half-close", c)
	}
	return cw.CloseWrite()
}

// receive reads c to EOF, checking the pattern and the length.
func receive(c net.Conn, size int64) error {
	var chk Checker
	buf := make([]byte, chunk)
	for {
		n, err := c.Read(buf)
		if _, cerr := chk.Write(buf[:n]); cerr != nil {
			return cerr
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("pathtest: receive after %d of %d bytes: %w", chk.Len(), size, err)
		}
	}
	if chk.Len() != size {
		return fmt.Errorf("pathtest: received %d bytes before EOF, want %d", chk.Len(), size)
	}
	return nil
}
