package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"sync"
	"time"

	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"

	"github.com/renet-go/renet/conn"
	"github.com/renet-go/renet/netstack"
)

// Ping relaying limits.
const (
	maxPingSessions   = 256              // ping sockets open at once
	maxPendingPerSess = 64               // requests awaiting a reply, per session
	echoReplyTimeout  = 10 * time.Second // a request unanswered this long is forgotten
	pingSessionIdle   = 30 * time.Second // a session with nothing sent this long is closed
)

// acceptEcho takes echo requests until ctx is done.
func (s *server) acceptEcho(ctx context.Context) {
	go s.pinger.sweep()
	for {
		req, err := s.fwd.AcceptEcho(ctx)
		if err != nil {
			return
		}
		if s.refuseOther {
			s.stats.EchoFailed.Add(1)
			continue
		}
		s.pinger.send(req)
	}
}

// pinger relays echo requests through unprivileged ping sockets
// (SOCK_DGRAM, IPPROTO_ICMP). Each client's ping (its address and echo
// identifier) gets a socket of its own, a session, so the kernel, which
// gives every ping socket its own identifier, keeps the replies of
// different clients apart; within a session a reply is matched to its
// request by source address and sequence number, and only a reply whose
// data is the request's is relayed.
type pinger struct {
	s    *server
	done chan struct{}

	mu       sync.Mutex
	sessions map[pingKey]*pingSession
	closed   bool
	warned   bool
}

type pingKey struct {
	src netip.Addr
	id  uint16
}

type pendingKey struct {
	dst netip.Addr
	seq uint16
}

type pendingEcho struct {
	req  *conn.EchoRequest
	sent time.Time
}

type pingSession struct {
	key  pingKey
	c    *icmp.PacketConn
	f    *flow
	last time.Time // guarded by pinger.mu, as is pending
	pend map[pendingKey]pendingEcho
}

func newPinger(s *server) *pinger {
	return &pinger{s: s, done: make(chan struct{}), sessions: make(map[pingKey]*pingSession)}
}

// send pings req.Dst on req's behalf.
func (p *pinger) send(req *conn.EchoRequest) {
	s := p.s
	now := time.Now()
	key := pingKey{req.Src, req.ID}
	p.mu.Lock()
	ss := p.sessions[key]
	if ss == nil {
		var err error
		if ss, err = p.open(key, req.Dst); err != nil {
			p.mu.Unlock()
			s.stats.EchoFailed.Add(1)
			return
		}
	}
	if len(ss.pend) >= maxPendingPerSess {
		p.mu.Unlock()
		s.stats.EchoFailed.Add(1)
		return
	}
	ss.pend[pendingKey{req.Dst, req.Seq}] = pendingEcho{req, now}
	ss.last = now
	p.mu.Unlock()

	m := icmp.Message{Type: ipv4.ICMPTypeEcho, Body: &icmp.Echo{ID: int(req.ID), Seq: int(req.Seq), Data: req.Data}}
	b, _ := m.Marshal(nil)
	// The kernel replaces the identifier with the socket's own and
	// computes the checksum.
	if _, err := ss.c.WriteTo(b, &net.UDPAddr{IP: req.Dst.AsSlice()}); err != nil {
		p.mu.Lock()
		delete(ss.pend, pendingKey{req.Dst, req.Seq})
		p.mu.Unlock()
		s.stats.EchoFailed.Add(1)
		s.logf("ping %v -> %v: %v", req.Src, req.Dst, err)
		req.Refuse(netstack.RefusalFor(err)) // "Destination Net Unreachable", not silence
		return
	}
	ss.f.peers.Add(1)
	ss.f.up.Add(uint64(len(req.Data)))
	s.stats.EchoRequests.Add(1)
}

// open starts a session for key, its first request to dst. Called with
// p.mu held.
func (p *pinger) open(key pingKey, dst netip.Addr) (*pingSession, error) {
	s := p.s
	if p.closed {
		return nil, net.ErrClosed
	}
	if len(p.sessions) >= maxPingSessions {
		return nil, errors.New("too many ping sessions")
	}
	c, err := icmp.ListenPacket("udp4", "0.0.0.0")
	if err != nil {
		if !p.warned {
			p.warned = true
			if errors.Is(err, os.ErrPermission) {
				s.log.Printf("ping: cannot open a ping socket (%v): pings go unanswered; "+
					"allow them with: sysctl -w net.ipv4.ping_group_range=\"0 2147483647\"", err)
			} else {
				s.log.Printf("ping: cannot open a ping socket: %v: pings go unanswered", err)
			}
		}
		return nil, err
	}
	ss := &pingSession{key: key, c: c, pend: make(map[pendingKey]pendingEcho)}
	ss.f = &flow{proto: "icmp", src: netip.AddrPortFrom(key.src, key.id), dst: netip.AddrPortFrom(dst, 0), started: time.Now()}
	ss.f.closer = func() { c.Close() }
	ss.f.setPhase("open")
	if !s.flows.add(ss.f) {
		c.Close()
		return nil, net.ErrClosed
	}
	p.sessions[key] = ss
	s.wg.Go(func() { p.read(ss) })
	return ss, nil
}

// read relays the replies of one session until its socket is closed.
func (p *pinger) read(ss *pingSession) {
	s := p.s
	defer s.flows.remove(ss.f)
	buf := make([]byte, 64<<10)
	for {
		n, from, err := ss.c.ReadFrom(buf)
		if err != nil {
			return
		}
		ua, ok := from.(*net.UDPAddr)
		if !ok {
			continue
		}
		src, ok := netip.AddrFromSlice(ua.IP)
		if !ok {
			continue
		}
		m, err := icmp.ParseMessage(1, buf[:n])
		if err != nil || m.Type != ipv4.ICMPTypeEchoReply {
			continue
		}
		echo, ok := m.Body.(*icmp.Echo)
		if !ok {
			continue
		}
		k := pendingKey{src.Unmap(), uint16(echo.Seq)}
		p.mu.Lock()
		pe, ok := ss.pend[k]
		if ok && bytes.Equal(pe.req.Data, echo.Data) {
			delete(ss.pend, k)
		} else {
			ok = false
		}
		p.mu.Unlock()
		if !ok {
			continue
		}
		if pe.req.Reply() == nil {
			s.stats.EchoReplies.Add(1)
			ss.f.down.Add(uint64(len(echo.Data)))
		}
	}
}

// sweep forgets unanswered requests and closes idle sessions, once a
// second, until the pinger is closed.
func (p *pinger) sweep() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-p.done:
			return
		case now := <-t.C:
			p.mu.Lock()
			for key, ss := range p.sessions {
				for k, pe := range ss.pend {
					if now.Sub(pe.sent) > echoReplyTimeout {
						delete(ss.pend, k)
						p.s.stats.EchoUnanswered.Add(1)
					}
				}
				if len(ss.pend) == 0 && now.Sub(ss.last) > pingSessionIdle {
					delete(p.sessions, key)
					ss.f.close()
				}
			}
			p.mu.Unlock()
		}
	}
}

// close closes every session and stops the sweeper.
func (p *pinger) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.closed = true
	close(p.done)
	for key, ss := range p.sessions {
		p.s.stats.EchoUnanswered.Add(uint64(len(ss.pend)))
		delete(p.sessions, key)
		ss.f.close()
	}
}
