package simserve

import (
	"errors"
	"fmt"

	"github.com/gopayments/payments/simulator"
)

// Find returns the first non-nil find(c) for c in simulator.Candidates(id):
// the payment named by a provider ID or a Router ID.
func Find[T any](id string, find func(string) *T) *T {
	for _, c := range simulator.Candidates(id) {
		if v := find(c); v != nil {
			return v
		}
	}
	return nil
}

// Outcome returns own[o], a simulator's spelling of a shared outcome, or an
// error wrapping errors.ErrUnsupported that starts with pkg and ends with
// hint.
func Outcome[T any](pkg string, o simulator.Outcome, own map[simulator.Outcome]T, hint string) (T, error) {
	v, ok := own[o]
	if !ok {
		return v, fmt.Errorf("%s: outcome %v: %w (%s)", pkg, o, errors.ErrUnsupported, hint)
	}
	return v, nil
}
