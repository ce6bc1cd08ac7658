// Package tap carries Ethernet frames between the renet stack and the Linux
// kernel through a tap device.
//
// A tap device is a virtual Ethernet link with two ends: the kernel's
// network interface (tap0, with its own MAC address, addresses and routes)
// and a file descriptor in this process. Every frame the kernel sends out of
// tap0 is read here, and every frame written here arrives at the kernel as
// if from the wire. The stack is a separate host on that link, so it must
// use its own MAC address (the programs default to 02:00:00:00:00:01), not
// the kernel side's one (KernelHardwareAddr); HardwareAddr reports none.
//
// Open creates the device if it does not exist (needs CAP_NET_ADMIN) and
// the kernel removes it when the Device is closed. Giving the kernel side an
// address and bringing it up is separate: internal/ifconfig, or
// `ip addr add 192.168.69.100/24 dev tap0 && ip link set tap0 up`.
//
// Concurrency follows link.Endpoint: one goroutine reads at a time; writes
// and Close may come from any goroutine; Close wakes a pending read, which
// returns net.ErrClosed. The device belongs to the network namespace of the
// thread that called Open, and stays there whichever goroutine uses it.
package tap
