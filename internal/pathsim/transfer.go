package pathsim

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/renet-go/renet/conn"
)

// chunk is how much one Write or Read moves at most.
const chunk = 64 << 10

// transfer moves n pattern bytes from snd to rcv and checks them. It
// closes rcv once it has read the sender's FIN, and waits until snd has
// read rcv's, so that both Infos describe a finished exchange.
func transfer(snd, rcv *conn.TCPConn, n int64) (Result, error) {
	sent := make(chan error, 1)
	start := time.Now()
	go func() { sent <- send(snd, n) }()
	end, rerr := receive(rcv, n)
	r := Result{Bytes: n, Duration: end.Sub(start), Receiver: rcv.Info()}
	if rerr != nil {
		// Wake the sender if it is still writing; its error is then
		// ours, not news.
		snd.Close()
		<-sent
		return Result{}, rerr
	}
	rcv.Close()
	if err := <-sent; err != nil {
		return Result{}, err
	}
	r.Sender = snd.Info()
	return r, nil
}

// send writes n pattern bytes, half-closes, and waits for the peer's FIN.
func send(c *conn.TCPConn, n int64) error {
	buf := make([]byte, chunk)
	for off := int64(0); off < n; {
		b := buf[:min(int64(len(buf)), n-off)]
		fillPattern(b, off)
		if _, err := c.Write(b); err != nil {
			return fmt.Errorf("pathsim: write at byte %d: %w", off, err)
		}
		off += int64(len(b))
	}
	if err := c.CloseWrite(); err != nil {
		return fmt.Errorf("pathsim: close write: %w", err)
	}
	// The receiver sends nothing back but its FIN.
	var one [1]byte
	if k, err := c.Read(one[:]); k != 0 || err != io.EOF {
		return fmt.Errorf("pathsim: sender waiting for FIN: read %d bytes, %v", k, err)
	}
	return nil
}

// receive reads until EOF, checking every byte against the pattern, and
// returns when the last of the n bytes was read.
func receive(c *conn.TCPConn, n int64) (last time.Time, err error) {
	buf := make([]byte, chunk)
	scratch := make([]byte, chunk)
	var off int64
	for {
		k, err := c.Read(buf)
		if k > 0 {
			if off+int64(k) > n {
				return last, fmt.Errorf("pathsim: received more than the %d bytes sent", n)
			}
			if err := checkPattern(buf[:k], off, scratch); err != nil {
				return last, err
			}
			off += int64(k)
			last = time.Now()
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return last, fmt.Errorf("pathsim: read at byte %d: %w", off, err)
		}
	}
	if off != n {
		return last, fmt.Errorf("pathsim: EOF after %d of %d bytes", off, n)
	}
	return last, nil
}
