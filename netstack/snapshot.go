package netstack

import (
	"cmp"
	"net/netip"
	"slices"
	"time"

	"github.com/renet-go/renet/netstack/tcp"
)

// Snapshot is what a stack holds at one moment, for operators: every TCP
// connection with its tcp.Info, every listener and UDP socket, and the
// forwarder's flows. Taking one holds the stack's lock while it copies, so
// it costs about a microsecond per connection; it is meant for a status
// page, not a per-packet path.
type Snapshot struct {
	Taken     time.Time
	Stats     Stats
	TCP       []TCPEntry       // sorted by local, then remote address
	Listeners []netip.AddrPort // sorted
	UDP       []UDPEntry       // sorted by local address
	Flows     []FlowEntry      // forwarded UDP flows, sorted by client
	Forwarder *ForwarderStats  // nil without a forwarder
}

// TCPEntry is one TCP connection.
type TCPEntry struct {
	Local, Remote netip.AddrPort
	Age           time.Duration // since the connection was created
	Info          tcp.Info
}

// UDPEntry is one UDP socket.
type UDPEntry struct {
	Local, Remote netip.AddrPort // Remote is zero unless connected
	Queued        int            // bytes waiting to be read
}

// FlowEntry is one forwarded UDP flow.
type FlowEntry struct {
	Client                netip.AddrPort
	Age, Idle             time.Duration
	PacketsIn, PacketsOut uint64 // from the client, to the client
	BytesIn, BytesOut     uint64
	Queued                int // bytes waiting to be read
	Taken                 bool
}

// Snapshot copies the stack's sockets and flows.
func (s *Stack) Snapshot() Snapshot {
	snap := Snapshot{Stats: s.Stats()}
	s.mu.Lock()
	now := time.Now()
	snap.Taken = now
	for _, sk := range s.tcp.conns {
		snap.TCP = append(snap.TCP, TCPEntry{
			Local: sk.id.local, Remote: sk.id.remote,
			Age: now.Sub(sk.born), Info: sk.tcb.Info(),
		})
	}
	for a := range s.tcp.listeners {
		snap.Listeners = append(snap.Listeners, a)
	}
	for _, u := range s.udp.bound {
		snap.UDP = append(snap.UDP, UDPEntry{Local: u.local, Remote: u.remote, Queued: u.rcv.bytes})
	}
	if f := s.fwd; f != nil && !f.closed {
		for _, u := range f.flows {
			snap.Flows = append(snap.Flows, FlowEntry{
				Client: u.client, Age: now.Sub(u.opened), Idle: now.Sub(u.last),
				PacketsIn: u.packetsIn, PacketsOut: u.packetsOut,
				BytesIn: u.bytesIn, BytesOut: u.bytesOut, Queued: u.rcv.bytes,
			})
		}
	}
	s.mu.Unlock()
	if s.fwd != nil {
		fs := s.fwd.Stats()
		snap.Forwarder = &fs
	}
	slices.SortFunc(snap.TCP, func(a, b TCPEntry) int {
		return cmp.Or(a.Local.Compare(b.Local), a.Remote.Compare(b.Remote))
	})
	slices.SortFunc(snap.Listeners, netip.AddrPort.Compare)
	slices.SortFunc(snap.UDP, func(a, b UDPEntry) int { return a.Local.Compare(b.Local) })
	slices.SortFunc(snap.Flows, func(a, b FlowEntry) int { return a.Client.Compare(b.Client) })
	return snap
}
