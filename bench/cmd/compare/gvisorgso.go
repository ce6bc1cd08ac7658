package main

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/link/fdbased"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
)

// TUNSETOFFLOAD flags (include/uapi/linux/if_tun.h); x/sys/unix does not
// export them.
const (
	tunFCsum = 0x01 // the kernel may hand us partial checksums
	tunFTSO4 = 0x02 // ... and TCP/IPv4 segments larger than the MTU
	tunFTSO6 = 0x04 // ... and TCP/IPv6 ones
)

// gvGSOMaxSize is the largest packet gVisor's TCP builds for the tap to
// cut: 64 KiB, the kernel's default gso_max_size (what runsc reads from
// the host interface when it turns host GSO on).
const gvGSOMaxSize = 1 << 16

// openVnetTAP opens the tap device name with IFF_VNET_HDR, so that every
// frame read or written starts with a virtio-net header (10 bytes, the
// kernel's default TUNSETVNETHDRSZ and the size fdbased writes), and lets
// the kernel hand up partial checksums and 64 KiB TCP segments
// (TUNSETOFFLOAD), as a virtio-net guest would negotiate. gVisor has no
// opener for this (link/tun.OpenTAP sets neither), hence our own.
func openVnetTAP(name string) (int, error) {
	fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return -1, err
	}
	if err := setupVnetTAP(fd, name); err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

func setupVnetTAP(fd int, name string) error {
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return err
	}
	ifr.SetUint16(unix.IFF_TAP | unix.IFF_NO_PI | unix.IFF_VNET_HDR)
	if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
		return fmt.Errorf("TUNSETIFF %s: %w", name, err)
	}
	// fdbased writes the header's fields little-endian (virtio 1.0);
	// say so, for big-endian hosts, where the kernel's default differs.
	if err := unix.IoctlSetPointerInt(fd, unix.TUNSETVNETLE, 1); err != nil {
		return fmt.Errorf("TUNSETVNETLE: %w", err)
	}
	if err := unix.IoctlSetInt(fd, unix.TUNSETOFFLOAD, tunFCsum|tunFTSO4|tunFTSO6); err != nil {
		return fmt.Errorf("TUNSETOFFLOAD: %w", err)
	}
	return nil
}

// gsoTap is gVisor's fdbased endpoint on a tap opened by openVnetTAP,
// with host GSO. fdbased turns host GSO on (gsoKind HostGSOSupported:
// large TCP segments with a virtio-net header that asks the kernel to cut
// them and finish their checksums, and the header skipped on reads) only
// when one of its descriptors is a socket (IsSocketFD), meaning an
// AF_PACKET socket with PACKET_VNET_HDR as runsc opens. The setting is
// per endpoint, not per descriptor, and each read dispatcher takes it when
// created, in descriptor order. So the endpoint gets two descriptors: an
// idle AF_UNIX socket first, which turns GSO on before the tap's
// dispatcher is made, and the tap second; WritePackets sends every packet
// to the tap, which fdbased picks by pkt.Hash modulo the descriptor count.
// Nothing is ever written to or read from the socket.
type gsoTap struct {
	stack.LinkEndpoint                   // fdbased
	gso                stack.GSOEndpoint // the same endpoint
	idle               [2]int            // the socket pair, one end given to fdbased
	// bigOut counts the packets larger than the MTU handed to the tap
	// (with a GSO type in their header); bigIn those larger than the MTU
	// delivered to the network layer, after gVisor's software GRO.
	bigOut, bigIn atomic.Uint64
	mtu           int
	closed        sync.Once
}

// tapFDIndex is the tap's place in fdbased's descriptors (after the idle
// socket), and so the pkt.Hash that sends a packet to it.
const tapFDIndex = 1

// newGSOTap makes the endpoint on tapFD: Ethernet frames with the
// virtio-net header, host GSO up to gvGSOMaxSize, received checksums not
// verified (the kernel hands up partial ones, and fdbased drops the header
// that says so; nothing crosses this tap but the kernel's own packets),
// and gVisor's software GRO as in the other gVisor column.
// TXChecksumOffload stays off: it would also leave the checksum out of
// packets sent without GSO options (a SYN-ACK), whose header then has no
// NEEDS_CSUM, and the kernel would drop them; with host GSO every other
// TCP packet already carries NEEDS_CSUM and only a partial checksum.
func newGSOTap(tapFD int) (*gsoTap, error) {
	idle, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	e := &gsoTap{idle: idle, mtu: 1500}
	fds := []int{idle[0], tapFD}
	ep, err := fdbased.New(&fdbased.Options{
		FDs:               fds,
		MTU:               uint32(e.mtu),
		EthernetHeader:    true,
		Address:           tcpip.LinkAddress(serverMAC),
		GSOMaxSize:        gvGSOMaxSize,
		RXChecksumOffload: true,
		GRO:               true,
		// What fdbased picks for one descriptor (GOMAXPROCS/len(FDs)),
		// as the other gVisor column has, not half of it.
		ProcessorsPerChannel: runtime.GOMAXPROCS(0),
	})
	if err != nil {
		e.closeIdle()
		return nil, err
	}
	gso, ok := ep.(stack.GSOEndpoint)
	if !ok || gso.SupportedGSO() != stack.HostGSOSupported || gso.GSOMaxSize() != gvGSOMaxSize {
		e.closeIdle()
		return nil, errors.New("fdbased did not turn host GSO on: its rule for the virtio-net header changed")
	}
	e.LinkEndpoint, e.gso = ep, gso
	return e, nil
}

// Close runs when the stack removes the NIC, after fdbased's dispatchers
// have stopped, so the idle socket pair is no longer read; only the first
// call closes it (the descriptors may be reused after).
func (e *gsoTap) Close() {
	e.closed.Do(func() {
		e.LinkEndpoint.Close()
		e.closeIdle()
	})
}

func (e *gsoTap) closeIdle() {
	unix.Close(e.idle[0])
	unix.Close(e.idle[1])
}

// GSOMaxSize and SupportedGSO pass fdbased's GSO on: the stack looks for
// them on the endpoint given to CreateNIC, which is e.
func (e *gsoTap) GSOMaxSize() uint32 { return e.gso.GSOMaxSize() }

func (e *gsoTap) SupportedGSO() stack.SupportedGSO { return e.gso.SupportedGSO() }

// WritePackets steers every packet to the tap and counts those larger
// than the MTU: the ones fdbased writes with VIRTIO_NET_HDR_GSO_TCPV4/6.
func (e *gsoTap) WritePackets(pkts stack.PacketBufferList) (int, tcpip.Error) {
	for _, pkt := range pkts.AsSlice() {
		pkt.Hash = tapFDIndex
		if pkt.GSOOptions.Type != stack.GSONone && pkt.Data().Size() > int(pkt.GSOOptions.MSS) {
			e.bigOut.Add(1)
		}
	}
	return e.LinkEndpoint.WritePackets(pkts)
}

// Attach puts a counting dispatcher between fdbased and the NIC; nil
// (detach) passes through.
func (e *gsoTap) Attach(d stack.NetworkDispatcher) {
	if d != nil {
		d = &countingDispatcher{NetworkDispatcher: d, e: e}
	}
	e.LinkEndpoint.Attach(d)
}

// counters reports bigOut and bigIn, for server.offload.
func (e *gsoTap) counters() (out, in uint64) { return e.bigOut.Load(), e.bigIn.Load() }

// countingDispatcher counts the packets larger than the MTU that fdbased
// hands up (the Ethernet header already consumed).
type countingDispatcher struct {
	stack.NetworkDispatcher
	e *gsoTap
}

func (d *countingDispatcher) DeliverNetworkPacket(p tcpip.NetworkProtocolNumber, pkt *stack.PacketBuffer) {
	if pkt.Data().Size() > d.e.mtu {
		d.e.bigIn.Add(1)
	}
	d.NetworkDispatcher.DeliverNetworkPacket(p, pkt)
}
