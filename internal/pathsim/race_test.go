//go:build race

package pathsim_test

// raceEnabled is set under the race detector, which makes every cell five
// to ten times slower: the table then runs only a subset.
const raceEnabled = true
