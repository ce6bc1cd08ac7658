package bench

import (
	"testing"

	"github.com/renet-go/renet/bench/workload"
)

// Each Benchmark runs its workload once per implementation, as the
// sub-benchmarks renet, gvisor, renet-64k and kernel. See package workload
// for what each one measures.

func BenchmarkTCPBulk(b *testing.B)        { workload.Run(b, workload.TCPBulk) }
func BenchmarkTCPRoundTrip(b *testing.B)   { workload.Run(b, workload.TCPRoundTrip) }
func BenchmarkTCPConnect(b *testing.B)     { workload.Run(b, workload.TCPConnect) }
func BenchmarkUDPRoundTrip(b *testing.B)   { workload.Run(b, workload.UDPRoundTrip) }
func BenchmarkIdleConnMemory(b *testing.B) { workload.Run(b, workload.IdleConnMemory) }
