// Package workload holds the benchmark bodies that run the same work on
// every implementation in package stacks: TCP bulk transfer, TCP and UDP
// round trips, TCP connection setup and teardown, and the heap held by idle
// connections. The Benchmark functions of this module and cmd/compare both
// call them, so `go test -bench` and the comparison table measure exactly
// the same code.
//
// Invariants: every workload builds a fresh Network per call and tears it
// down before returning; nothing is warmed up outside the timed region
// beyond establishing the connections the workload is about; every byte
// and datagram sent is counted or checked on arrival, and a shortfall fails
// the benchmark.
package workload
