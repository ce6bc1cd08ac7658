package reasm

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

func TestTmpHang(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for i := 0; i < 20000; i++ {
		data := make([]byte, 6*rng.IntN(40))
		for j := range data {
			data[j] = byte(rng.Uint32())
			if j%6 == 3 && rng.IntN(2) == 0 {
				data[j] = 0
			}
		}
		done := make(chan struct{})
		go func() {
			select {
			case <-done:
			case <-time.After(3 * time.Second):
				fmt.Printf("HANG %x\n", data)
				panic("hang")
			}
		}()
		fuzzAdd(t, data)
		close(done)
	}
}
