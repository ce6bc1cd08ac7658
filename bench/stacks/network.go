package stacks

import "net"

// Network is a server host and a client host joined by one implementation.
type Network interface {
	// ListenTCP listens for TCP on the server host, on a free port.
	ListenTCP() (net.Listener, error)
	// DialTCP connects from the client host to the server host's port.
	DialTCP(port int) (net.Conn, error)
	// ListenUDP binds a UDP socket on the server host, on a free port.
	ListenUDP() (net.PacketConn, error)
	// DialUDP connects a UDP socket from the client host to the server
	// host's port.
	DialUDP(port int) (net.Conn, error)
	// Close tears both hosts down and stops the goroutines they run.
	Close() error
}

// Impl names an implementation and builds a fresh Network on it.
type Impl struct {
	Name string
	New  func() (Network, error)
}

// Impls lists the implementations in the order the reports print them:
// the two userspace stacks on equal terms, then renet on a link like the
// kernel's loopback next to the kernel.
var Impls = []Impl{
	{Name: "renet", New: NewRenet},
	{Name: "gvisor", New: NewGVisor},
	{Name: "renet-64k", New: NewRenet64K},
	{Name: "kernel", New: NewKernel},
}

// BufferSize is the TCP send and receive buffer size of both userspace
// networks: renet's default, imposed on gVisor (whose default is 1 MiB with
// receive autotuning).
const BufferSize = 256 << 10

// MTU is the link MTU of both userspace networks that compare renet with
// gVisor.
const MTU = 1500

// MTU64K is the link MTU of renet-64k: the largest IPv4 packet, as close as
// IP allows to loopback's 65536.
const MTU64K = 65535

// Ports the userspace networks listen on; every Network is fresh, so fixed
// ports cannot collide.
const (
	tcpPort = 5000
	udpPort = 6000
)
