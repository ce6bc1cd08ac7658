// Package fdio moves batches of packets through a non-blocking file
// descriptor that parks in Go's network poller: a tap or TUN device, or an
// AF_PACKET socket. It is the shared I/O core of link/tap, link/tun and
// link/afpacket.
//
// Reads and writes go through an *os.File made with os.NewFile on a
// non-blocking descriptor, the way wireguard-go's tun_linux.go does it, so
// a goroutine waiting for a packet parks in the poller instead of holding an
// OS thread, and Close wakes it.
//
// Invariants: one goroutine at a time calls ReadBatch (the read state lives
// in the File so that the poller callback is a method value bound once, and
// a batch allocates nothing); WriteBatch and Close may be called from any
// goroutine. Once Close has been called, every operation returns
// net.ErrClosed.
package fdio
