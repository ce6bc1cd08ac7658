// Package stacks builds the networks the benchmarks compare, each as a
// pair of hosts — a server and a client — that the workloads drive through
// the standard net interfaces:
//
//   - renet: two netstack.Stack values joined by link/pipe (no impairments,
//     MTU 1500, IP medium), connections from renet's conn package;
//   - gVisor: two gVisor stack.Stack values joined by two channel.Endpoints
//     (MTU 1500), one pump goroutine per direction, connections from gonet;
//   - renet-64k: renet as above but over a pipe with MTU 65535 and offload
//     (checksum offload, TSO, GRO, as a veth pair) and renet's default TCP
//     configuration (autotuned buffers): the counterpart of the kernel;
//   - kernel: the Linux kernel over loopback 127.0.0.1, as a reference only
//     (its MTU is 65536, it offloads checksums and autotunes its buffers).
//
// Invariants: renet and gVisor, the pair compared on equal terms, carry
// bare IPv4 packets (no Ethernet header, no ARP), compute and verify every
// checksum in software, and use the same TCP buffer sizes (256 KiB send and
// receive, no autotuning). renet-64k also carries bare IPv4 packets but
// takes the kernel loopback's terms instead. Nagle is off everywhere. Each
// Network is independent: closing it stops every goroutine it started.
package stacks
