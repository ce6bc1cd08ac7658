package fdio

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// File is a packet-oriented, non-blocking file descriptor: every read
// returns one packet and every write sends one.
type File struct {
	name   string
	f      *os.File
	rc     syscall.RawConn
	closed atomic.Bool

	// readFn is f.readReady bound once, so ReadBatch hands the poller the
	// same func value every time instead of allocating a closure.
	readFn func(fd uintptr) bool

	// Read state, owned by the single goroutine inside ReadBatch.
	rbufs  [][]byte
	rsizes []int
	rn     int
	rerr   error
}

// New takes ownership of fd, puts it in non-blocking mode and registers it
// with the poller. name prefixes the errors File returns ("tap tap0").
func New(fd int, name string) (*File, error) {
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("%s: set non-blocking: %w", name, err)
	}
	f := os.NewFile(uintptr(fd), name)
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	file := &File{name: name, f: f, rc: rc}
	file.readFn = file.readReady
	return file, nil
}

// ReadBatch blocks until at least one packet is ready, then reads it and
// every further packet that is ready without blocking, up to
// min(len(bufs), len(sizes)) packets, one per buffer. A packet longer than
// its buffer is truncated to the buffer's length. It returns net.ErrClosed
// after Close.
func (f *File) ReadBatch(bufs [][]byte, sizes []int) (int, error) {
	if len(sizes) < len(bufs) {
		bufs = bufs[:len(sizes)]
	}
	if len(bufs) == 0 {
		return 0, nil
	}
	f.rbufs, f.rsizes, f.rn, f.rerr = bufs, sizes, 0, nil
	err := f.rc.Read(f.readFn)
	n, rerr := f.rn, f.rerr
	// Drop the references so the File does not keep the caller's
	// buffers alive between batches.
	f.rbufs, f.rsizes, f.rerr = nil, nil, nil
	if n > 0 {
		return n, nil
	}
	if err == nil {
		err = rerr
	}
	return 0, f.wrap("read", err)
}

// readReady is the poller callback: it reads until the batch is full or the
// descriptor has nothing more. Returning false asks the poller to park
// until the descriptor is readable and call again; that happens only while
// the batch is still empty.
func (f *File) readReady(fd uintptr) bool {
	for f.rn < len(f.rbufs) {
		buf := f.rbufs[f.rn]
		if len(buf) == 0 {
			// A zero-length read would consume a packet and lose it.
			f.rerr = io.ErrShortBuffer
			return true
		}
		m, err := unix.Read(int(fd), buf)
		switch err {
		case nil:
			f.rsizes[f.rn] = m
			f.rn++
		case unix.EINTR:
		case unix.EAGAIN:
			return f.rn > 0
		default:
			// Keep what was read; the error will recur on the next call
			// if it is not transient.
			f.rerr = err
			return true
		}
	}
	return true
}

// WriteBatch writes each packet with one write(2). It stops at the first
// packet that fails and returns the number written before it. It returns
// net.ErrClosed after Close.
func (f *File) WriteBatch(pkts [][]byte) (int, error) {
	for i, p := range pkts {
		// os.File.Write parks in the poller if the descriptor is not
		// writable (a full socket buffer) and allocates nothing unless it
		// fails.
		if _, err := f.f.Write(p); err != nil {
			return i, f.wrap("write", err)
		}
	}
	return len(pkts), nil
}

// Control calls fn with the descriptor, which stays open until fn returns.
// It returns net.ErrClosed after Close.
func (f *File) Control(fn func(fd uintptr)) error {
	if err := f.rc.Control(fn); err != nil {
		return f.wrap("control", err)
	}
	return nil
}

// Close closes the descriptor and wakes a pending ReadBatch. Calls after
// the first do nothing and return nil.
func (f *File) Close() error {
	if f.closed.Swap(true) {
		return nil
	}
	if err := f.f.Close(); err != nil {
		return fmt.Errorf("%s: close: %w", f.name, err)
	}
	return nil
}

// wrap turns an error from the descriptor into the one callers see:
// net.ErrClosed itself once closed (the os package's closed-file errors do
// not match net.ErrClosed), otherwise the errno with the File's name and
// the operation.
func (f *File) wrap(op string, err error) error {
	if f.closed.Load() || errors.Is(err, os.ErrClosed) {
		return net.ErrClosed
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("%s: %s: %w", f.name, op, err)
}
