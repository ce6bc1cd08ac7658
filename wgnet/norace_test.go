//go:build !race

package wgnet

const raceEnabled = false
