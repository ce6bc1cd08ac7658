package main

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/renet-go/renet/conn"
	"github.com/renet-go/renet/netstack"
)

// acceptTCP takes connection requests until ctx is done. A request waits
// in the forwarder (which bounds them) until a dial slot is free, so a
// port scan through the tunnel opens at most -max-dials host sockets at
// once.
func (s *server) acceptTCP(ctx context.Context) {
	for {
		req, err := s.fwd.AcceptTCP(ctx)
		if err != nil {
			return
		}
		select {
		case s.dials <- struct{}{}:
		case <-ctx.Done():
			req.Reject(ctx.Err())
			return
		}
		s.wg.Go(func() { s.relayTCP(ctx, req) })
	}
}

// relayTCP dials the request's destination and, if it answers, accepts
// the client and copies both ways; if not, it rejects the client as the
// dial failed.
func (s *server) relayTCP(ctx context.Context, req *conn.TCPRequest) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	f := &flow{proto: "tcp", src: req.Src, dst: req.Dst, started: time.Now(), closer: cancel}
	f.setPhase("dialing")
	if !s.flows.add(f) {
		<-s.dials
		req.Reject(net.ErrClosed)
		return
	}
	defer s.flows.remove(f)

	dctx, dcancel := context.WithTimeout(ctx, s.dialTimeout)
	up, err := s.dial(dctx, "tcp4", req.Dst.String())
	dcancel()
	<-s.dials
	if err != nil {
		switch netstack.RefusalFor(err) {
		case netstack.RefuseReset:
			s.stats.TCPRefused.Add(1)
		case netstack.RefuseSilently:
			s.stats.TCPTimedOut.Add(1)
		default:
			s.stats.TCPUnreachable.Add(1)
		}
		s.logf("tcp %v -> %v: %v", req.Src, req.Dst, err)
		req.Reject(err)
		return
	}
	actx, acancel := context.WithTimeout(ctx, 10*time.Second)
	client, err := req.Accept(actx)
	acancel()
	if err != nil {
		// The client went away (or never finished its handshake).
		up.Close()
		s.logf("tcp %v -> %v: accept: %v", req.Src, req.Dst, err)
		return
	}
	s.stats.TCPRelayed.Add(1)
	f.tcp.Store(client)
	f.setPhase("open")
	s.logf("tcp %v -> %v: open", req.Src, req.Dst)

	stop := context.AfterFunc(ctx, func() { abort(client); abort(up) })
	defer stop()
	var wg sync.WaitGroup
	var upErr, downErr error
	wg.Go(func() {
		upErr = s.copyHalf(up, client, &f.up, &s.stats.TCPBytesUp)
		if upErr == nil {
			f.setPhase("client closed")
		}
	})
	downErr = s.copyHalf(client, up, &f.down, &s.stats.TCPBytesDown)
	if downErr == nil {
		f.setPhase("upstream closed")
	}
	wg.Wait()
	if upErr != nil || downErr != nil {
		s.stats.TCPAborted.Add(1)
		s.logf("tcp %v -> %v: aborted: %v", req.Src, req.Dst, errors.Join(upErr, downErr))
	} else {
		s.logf("tcp %v -> %v: closed, %d bytes up, %d down", req.Src, req.Dst, f.up.Load(), f.down.Load())
	}
	client.Close()
	up.Close()
}

// copyBufs carry the relay's bytes, each taken for one read and the
// write that passes it on.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// counter is the part of an atomic.Uint64 copyHalf uses.
type counter interface{ Add(uint64) uint64 }

// copyHalf copies src to dst until src's EOF, then shuts down dst's
// writing side so its reader sees EOF too: one direction of a half-closed
// connection. Any other error resets both connections, so whoever is
// still waiting learns of it, and is returned. While src is idle it holds
// no copy buffer (see sourceOf).
func (s *server) copyHalf(dst, src net.Conn, n1, n2 counter) error {
	r := sourceOf(src)
	for {
		b, bp, rerr := r.read()
		if len(b) > 0 {
			_, err := dst.Write(b)
			if bp != nil {
				copyBufs.Put(bp)
			}
			if err != nil {
				abort(src)
				abort(dst)
				return err
			}
			n1.Add(uint64(len(b)))
			n2.Add(uint64(len(b)))
		} else if bp != nil {
			copyBufs.Put(bp)
		}
		if rerr == io.EOF {
			closeWrite(dst)
			return nil
		}
		if rerr != nil {
			abort(src)
			abort(dst)
			return rerr
		}
	}
}

// A source reads what one connection has ready. read waits for src to
// be readable and returns what it read, into a buffer from copyBufs (bp,
// for the caller to put back once it has written b) or one of its own.
type source interface {
	read() (b []byte, bp *[]byte, err error)
}

// sourceOf returns the source that holds the least while src is idle.
// A host socket is waited on through the poller with no buffer at all
// (rawSource); a connection on the stack, which has no such wait, with a
// small buffer of its own, a pooled one being taken only when more than
// that is queued (stackSource).
func sourceOf(c net.Conn) source {
	switch c := c.(type) {
	case *net.TCPConn:
		if rc, err := c.SyscallConn(); err == nil {
			return &rawSource{rc: rc}
		}
	case *conn.TCPConn:
		return &stackSource{c: c}
	}
	return &bufSource{c: c}
}

// rawSource reads a host socket with read(2) once the poller says it is
// readable, taking a buffer only then.
type rawSource struct{ rc syscall.RawConn }

func (r *rawSource) read() ([]byte, *[]byte, error) {
	var bp *[]byte
	var n int
	var rerr error
	err := r.rc.Read(func(fd uintptr) bool {
		b := copyBufs.Get().(*[]byte)
		for {
			n, rerr = unix.Read(int(fd), *b)
			switch {
			case rerr == unix.EINTR:
				continue
			case rerr == unix.EAGAIN:
				copyBufs.Put(b)
				return false // wait for the poller
			case rerr != nil || n == 0:
				copyBufs.Put(b)
				return true
			}
			bp = b
			return true
		}
	})
	switch {
	case err != nil: // closed
		return nil, nil, err
	case rerr != nil:
		return nil, nil, &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", rerr)}
	case n == 0:
		return nil, nil, io.EOF
	}
	return (*bp)[:n], bp, nil
}

// stackSource reads a connection on the stack: up to smallRead bytes
// into its own buffer, which is all an idle connection holds, and more
// into a pooled buffer when more is queued.
type stackSource struct {
	c     *conn.TCPConn
	small []byte
}

const smallRead = 1024

func (r *stackSource) read() ([]byte, *[]byte, error) {
	if r.c.Info().RecvBuffered > smallRead {
		bp := copyBufs.Get().(*[]byte)
		n, err := r.c.Read(*bp)
		return (*bp)[:n], bp, err
	}
	if r.small == nil {
		r.small = make([]byte, smallRead)
	}
	n, err := r.c.Read(r.small)
	return r.small[:n], nil, err
}

// bufSource reads any other connection into a pooled buffer, held while
// it waits.
type bufSource struct{ c net.Conn }

func (r *bufSource) read() ([]byte, *[]byte, error) {
	bp := copyBufs.Get().(*[]byte)
	n, err := r.c.Read(*bp)
	return (*bp)[:n], bp, err
}

// closeWrite sends a FIN on c.
func closeWrite(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
		return
	}
	c.Close()
}

// abort closes c with a reset (SO_LINGER 0), as the peer did or as the
// error demands.
func abort(c net.Conn) {
	if l, ok := c.(interface{ SetLinger(int) error }); ok {
		l.SetLinger(0)
	}
	c.Close()
}
