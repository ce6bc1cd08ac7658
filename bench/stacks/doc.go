// Package stacks builds the three networks the benchmarks compare, each as a
// pair of hosts — a server and a client — that the workloads drive through
// the standard net interfaces:
//
//   - renet: two netstack.Stack values joined by link/pipe (no impairments,
//     MTU 1500, IP medium), connections from renet's conn package;
//   - gVisor: two gVisor stack.Stack values joined by two channel.Endpoints
//     (MTU 1500), one pump goroutine per direction, connections from gonet;
//   - kernel: the Linux kernel over loopback 127.0.0.1, as a reference only
//     (its MTU is 65536 and it offloads checksums).
//
// Invariants: both userspace networks carry bare IPv4 packets (no Ethernet
// header, no ARP), compute and verify every checksum in software, and use
// the same TCP buffer sizes (256 KiB send and receive, no autotuning) and
// the same Nagle setting (off). Each Network is independent: closing it
// stops every goroutine it started.
package stacks
