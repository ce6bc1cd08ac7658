// Package pathtest measures TCP bulk transfers between the Linux kernel and
// a stack under test (or a second Linux) across an impaired path made by
// package relay. The kernel tests of package relay and the bench program
// bench/cmd/paths both use it, so a figure in a report and a test's check
// come from the same code.
//
// The topologies, all inside network namespaces the caller creates:
//
//	Renet:  kernel (ns) ─ TUN ─ relay ─ clean pipe ─ renet stack
//	Kernel: kernel (ns1) ─ TUN ─ relay ─ TUN ─ kernel (ns2)
//
// TUN devices carry bare IP packets, so no ARP crosses the impaired path;
// the clean pipe in front of renet only copies. A Path's impairments apply
// to each direction separately: loss drops data and ACKs alike.
//
// Every transfer sends a position-dependent pattern (Pattern) and the
// receiver checks every byte and the total; a Result is only returned for
// a transfer that arrived intact.
//
// Nothing here needs a testing.T: the caller supplies namespaces through
// the NS interface, which *netnstest.NS satisfies.
package pathtest
