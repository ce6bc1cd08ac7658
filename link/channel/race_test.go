//go:build race

package channel

// raceEnabled is set when the race detector, which allocates on its own,
// is on: allocation counts are then meaningless.
const raceEnabled = true
