//go:build !race

package payments

// raceEnabled: see validate_race_test.go.
const raceEnabled = false
