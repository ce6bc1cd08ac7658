package conn_test

import (
	"encoding/binary"
	"io"
	"net"
	"net/netip"
	"strings"
	"sync"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/renet-go/renet/conn"
	"github.com/renet-go/renet/netstack"
)

// dnsServer is a tiny authoritative DNS server for the tests, on a renet
// stack: it answers A and AAAA queries from a map (each with the
// addresses of its family), over UDP and over TCP (RFC 1035
// §4.2.2: each message behind a two-byte length), and records what it was
// asked.
type dnsServer struct {
	records  map[string][]netip.Addr // by lower-case name with the final dot
	truncate bool                    // UDP answers carry TC and no records
	servfail bool                    // every answer is SERVFAIL

	mu   sync.Mutex
	seen []string // "udp www.example." per question, in arrival order
}

// serveDNS starts a dnsServer on s at addr (":53" for port 53 on every
// address) for records, until s is closed.
func serveDNS(s *netstack.Stack, addr string, records map[string][]netip.Addr) (*dnsServer, error) {
	srv := &dnsServer{records: records}
	return srv, srv.start(s, addr)
}

func (srv *dnsServer) start(s *netstack.Stack, addr string) error {
	pc, err := conn.ListenPacket(s, "udp", addr)
	if err != nil {
		return err
	}
	l, err := conn.Listen(s, "tcp", addr)
	if err != nil {
		pc.Close()
		return err
	}
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if resp := srv.answer(buf[:n], "udp"); resp != nil {
				pc.WriteTo(resp, from)
			}
		}
	}()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go srv.serveStream(c)
		}
	}()
	return nil
}

// serveStream answers the length-prefixed queries on one TCP connection.
func (srv *dnsServer) serveStream(c net.Conn) {
	defer c.Close()
	for {
		var n [2]byte
		if _, err := io.ReadFull(c, n[:]); err != nil {
			return
		}
		q := make([]byte, binary.BigEndian.Uint16(n[:]))
		if _, err := io.ReadFull(c, q); err != nil {
			return
		}
		resp := srv.answer(q, "tcp")
		if resp == nil {
			return
		}
		if _, err := c.Write(binary.BigEndian.AppendUint16(nil, uint16(len(resp)))); err != nil {
			return
		}
		if _, err := c.Write(resp); err != nil {
			return
		}
	}
}

// answer builds the response to query, or nil for something that is not
// a single-question query.
func (srv *dnsServer) answer(query []byte, proto string) []byte {
	var p dnsmessage.Parser
	h, err := p.Start(query)
	if err != nil || h.Response {
		return nil
	}
	qs, err := p.AllQuestions()
	if err != nil || len(qs) != 1 {
		return nil
	}
	q := qs[0]
	srv.mu.Lock()
	srv.seen = append(srv.seen, proto+" "+q.Name.String())
	srv.mu.Unlock()

	resp := dnsmessage.Message{
		Header: dnsmessage.Header{
			ID:                 h.ID,
			Response:           true,
			Authoritative:      true,
			RecursionDesired:   h.RecursionDesired,
			RecursionAvailable: true,
		},
		Questions: qs,
	}
	addrs, ok := srv.records[strings.ToLower(q.Name.String())]
	switch {
	case srv.servfail:
		resp.RCode = dnsmessage.RCodeServerFailure
	case !ok:
		resp.RCode = dnsmessage.RCodeNameError
	case proto == "udp" && srv.truncate:
		resp.Truncated = true
	default:
		for _, a := range addrs {
			h := dnsmessage.ResourceHeader{Name: q.Name, Type: q.Type, Class: dnsmessage.ClassINET, TTL: 60}
			switch {
			case q.Type == dnsmessage.TypeA && a.Is4():
				resp.Answers = append(resp.Answers, dnsmessage.Resource{Header: h, Body: &dnsmessage.AResource{A: a.As4()}})
			case q.Type == dnsmessage.TypeAAAA && a.Is6():
				resp.Answers = append(resp.Answers, dnsmessage.Resource{Header: h, Body: &dnsmessage.AAAAResource{AAAA: a.As16()}})
			}
		}
	}
	b, err := resp.Pack()
	if err != nil {
		return nil
	}
	return b
}

// queries returns what the server was asked so far.
func (srv *dnsServer) queries() []string {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return append([]string(nil), srv.seen...)
}
