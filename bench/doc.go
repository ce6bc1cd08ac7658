// Package bench compares renet with gVisor's netstack and the Linux
// kernel on the same workloads. It is a separate module so that users of
// renet never download gVisor; its Benchmark functions live in
// bench_test.go and the table-printing driver in cmd/compare, which with
// -transport tap also measures each stack against a kernel client over a
// tap device (Linux itself over veth). cmd/idle
// measures what many idle renet connections cost, and cmd/paths measures
// goodput across impaired paths.
package bench
