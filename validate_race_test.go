//go:build race

package payments

// raceEnabled: under the race detector sync.Pool drops items at random, so
// the validator's pooled state is reallocated and allocation counts mean
// nothing.
const raceEnabled = true
