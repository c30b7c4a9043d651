//go:build race

package projections_test

func init() { raceEnabled = true }
