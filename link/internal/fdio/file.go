package fdio

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"

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

	// Read state, owned by the single goroutine inside ReadBatch or
	// ReadBatchHeader. rhdrs is nil for ReadBatch.
	rbufs  [][]byte
	rhdrs  [][]byte
	rsizes []int
	rn     int
	rerr   error
	riov   [3]unix.Iovec
	rextra [1]byte // catches the first byte past a buffer, to see truncation

	// Write state of WriteHeader, guarded by wmu; writeFn is
	// f.writeReady bound once.
	wmu     sync.Mutex
	writeFn func(fd uintptr) bool
	whdr    [32]byte
	wiov    [1 + maxPieces]unix.Iovec
	wn      int // iovecs in use
	werr    error
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
	file.writeFn = file.writeReady
	return file, nil
}

// ReadBatch blocks until at least one packet is ready, then reads it and
// every further packet that is ready without blocking, up to
// min(len(bufs), len(sizes)) packets, one per buffer. A packet longer than
// its buffer is truncated to the buffer's length (sizes never exceed it,
// whatever the read returns). It returns net.ErrClosed after Close.
func (f *File) ReadBatch(bufs [][]byte, sizes []int) (int, error) {
	if len(sizes) < len(bufs) {
		bufs = bufs[:len(sizes)]
	}
	return f.readBatch(nil, bufs, sizes)
}

// ReadBatchHeader is ReadBatch for a descriptor that puts a fixed-size
// header in front of every packet (a tap with IFF_VNET_HDR): each packet
// is read with one readv(2), its header into hdrs[i] and the rest into
// bufs[i], with no copy. sizes[i] is the length of the packet after the
// header, or len(bufs[i])+1 when the packet was longer than its buffer and
// cut short (the read has a third, one-byte buffer to tell: a tap or TUN
// read returns only the bytes it copied). A read too short to hold a whole
// header is dropped. Each hdrs[i] must be as long as the header.
func (f *File) ReadBatchHeader(hdrs, bufs [][]byte, sizes []int) (int, error) {
	m := min(len(hdrs), len(bufs), len(sizes))
	return f.readBatch(hdrs[:m], bufs[:m], sizes)
}

func (f *File) readBatch(hdrs, bufs [][]byte, sizes []int) (int, error) {
	if len(bufs) == 0 {
		return 0, nil
	}
	f.rhdrs, f.rbufs, f.rsizes, f.rn, f.rerr = hdrs, bufs, sizes, 0, nil
	err := f.rc.Read(f.readFn)
	n, rerr := f.rn, f.rerr
	// Drop the references so the File does not keep the caller's
	// buffers alive between batches.
	f.rhdrs, f.rbufs, f.rsizes, f.rerr = nil, nil, nil, nil
	f.riov = [3]unix.Iovec{}
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
		var m int
		var err error
		if f.rhdrs == nil {
			m, err = unix.Read(int(fd), buf)
		} else {
			m, err = f.readv(fd, f.rhdrs[f.rn], buf)
		}
		switch err {
		case nil:
			if f.rhdrs == nil {
				// Linux reports only what it copied; never trust more.
				f.rsizes[f.rn] = min(m, len(buf))
				f.rn++
			} else if h := len(f.rhdrs[f.rn]); m >= h {
				f.rsizes[f.rn] = m - h
				f.rn++
			}
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

// readv reads one packet into hdr, buf and rextra.
func (f *File) readv(fd uintptr, hdr, buf []byte) (int, error) {
	if len(hdr) == 0 {
		return unix.Read(int(fd), buf)
	}
	f.riov[0].Base = &hdr[0]
	f.riov[0].SetLen(len(hdr))
	f.riov[1].Base = &buf[0]
	f.riov[1].SetLen(len(buf))
	f.riov[2].Base = &f.rextra[0]
	f.riov[2].SetLen(1)
	r, _, e := unix.Syscall(unix.SYS_READV, fd, uintptr(unsafe.Pointer(&f.riov[0])), 3)
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}

// maxPieces is how many pieces WriteHeader takes after the header.
const maxPieces = 3

// WriteHeader writes hdr followed by the pieces of a packet (at most
// three: its headers and its payload in up to two pieces) as one packet,
// with one writev(2) and no copy of the pieces; hdr is at most 32 bytes.
// Like WriteBatch it parks in the poller while the descriptor is not
// writable and returns net.ErrClosed after Close. Calls from several
// goroutines are serialised.
func (f *File) WriteHeader(hdr []byte, pieces ...[]byte) error {
	if len(hdr) > len(f.whdr) {
		return f.wrap("write", errors.New("header longer than 32 bytes"))
	}
	if len(pieces) > maxPieces {
		return f.wrap("write", errors.New("more than three pieces"))
	}
	f.wmu.Lock()
	defer f.wmu.Unlock()
	n := copy(f.whdr[:], hdr)
	f.wiov[0].Base = &f.whdr[0]
	f.wiov[0].SetLen(n)
	f.wn = 1
	for _, p := range pieces {
		if len(p) > 0 {
			f.wiov[f.wn].Base = &p[0]
			f.wiov[f.wn].SetLen(len(p))
			f.wn++
		}
	}
	f.werr = nil
	err := f.rc.Write(f.writeFn)
	werr := f.werr
	for i := 1; i < len(f.wiov); i++ {
		f.wiov[i] = unix.Iovec{} // do not keep the pieces alive
	}
	if err == nil {
		err = werr
	}
	if err != nil {
		return f.wrap("write", err)
	}
	return nil
}

// writeReady is the poller callback of WriteHeader.
func (f *File) writeReady(fd uintptr) bool {
	for {
		_, _, e := unix.Syscall(unix.SYS_WRITEV, fd, uintptr(unsafe.Pointer(&f.wiov[0])), uintptr(f.wn))
		switch e {
		case 0:
			return true
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return false
		}
		f.werr = e
		return true
	}
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
