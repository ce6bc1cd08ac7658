//go:build !race

package pathsim_test

const raceEnabled = false
