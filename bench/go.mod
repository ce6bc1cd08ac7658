module github.com/renet-go/renet/bench

go 1.26.3

replace github.com/renet-go/renet => ../

require (
	github.com/renet-go/renet v0.0.0-00010101000000-000000000000 // indirect
	gvisor.dev/gvisor v0.0.0-20260905035102-160fafc42237 // indirect
)
