// Package simulator is the surface the provider simulators share
// (drivers/smartpayments/smartpaymentstest, drivers/smart2pay/smart2paytest
// and drivers/smartpay/smartpaytest), so that a test, or the paysim command,
// can drive any of them the same way:
//
//	var sim simulator.Controller = smart2paytest.NewServer()
//	sim.SetNotificationURL(shop.URL)              // after the shop is built
//	err := sim.Complete(p.ID, simulator.Success)  // provider or Router ID
//
// Each simulator still has its own helpers for what only its provider does.
package simulator

import (
	"errors"
	"fmt"
	"strings"
)

// Outcome is how the customer ends the action a payment waits for (a 3-D
// Secure challenge, a redirect page, a hosted checkout). Each simulator's
// Complete documents what an outcome does there. The zero value is not an
// outcome.
type Outcome int

// The outcomes. A simulator whose provider has no equivalent of one answers
// an error wrapping errors.ErrUnsupported.
const (
	// Success: the customer authenticates or pays; the payment's own result
	// (e.g. a test card's decline) then applies.
	Success Outcome = iota + 1
	// Failure: the customer fails the action (authentication failed,
	// payment declined on the page).
	Failure
	// Cancel: the customer gives up on the page.
	Cancel
	// Pending: the customer finishes but the result is not known yet (an
	// asynchronous method). What settles the payment afterwards depends on
	// the simulator (a second Complete, or its own helpers).
	Pending
)

var outcomeNames = [...]string{Success: "success", Failure: "failure", Cancel: "cancel", Pending: "pending"}

// String returns the outcome's name: "success", "failure", "cancel" or
// "pending".
func (o Outcome) String() string {
	if o >= Success && int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// ParseOutcome returns the outcome named s (as String spells it, ignoring
// case and surrounding spaces; "fail" is accepted for "failure").
func ParseOutcome(s string) (Outcome, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "fail" {
		return Failure, nil
	}
	for o := Success; int(o) < len(outcomeNames); o++ {
		if outcomeNames[o] == s {
			return o, nil
		}
	}
	return 0, fmt.Errorf("simulator: unknown outcome %q (want success, failure, cancel or pending)", s)
}

// MarshalText encodes the outcome as its name.
func (o Outcome) MarshalText() ([]byte, error) {
	if o < Success || int(o) >= len(outcomeNames) {
		return nil, fmt.Errorf("simulator: invalid outcome %d", int(o))
	}
	return []byte(o.String()), nil
}

// UnmarshalText decodes an outcome name (see ParseOutcome).
func (o *Outcome) UnmarshalText(b []byte) error {
	v, err := ParseOutcome(string(b))
	if err != nil {
		return err
	}
	*o = v
	return nil
}

// Errors every simulator's Complete wraps (besides its own package's
// sentinels), so that callers can tell them apart whatever the simulator.
var (
	// ErrNotFound: no payment has the ID, neither as given nor with a
	// Router prefix removed.
	ErrNotFound = errors.New("simulator: no such payment")
	// ErrWrongState: the payment does not wait for the customer (any more).
	ErrWrongState = errors.New("simulator: the payment does not wait for this action")
)

// Controller is what every simulator's *Server offers for tests. The
// methods are safe for concurrent use.
type Controller interface {
	// Complete plays the customer on the action the payment id waits for.
	// id is the provider's ID (as the driver's Payment.ID holds it) or a
	// Router ID "route:providerID". It returns an error wrapping
	// ErrNotFound, ErrWrongState or errors.ErrUnsupported.
	Complete(id string, outcome Outcome) error
	// SetNotificationURL sets where notifications go from now on ("" sends
	// none; the simulator's godoc says what a request's own URL does). It
	// may be called while the server runs; Reset keeps it.
	SetNotificationURL(url string)
	// Reset forgets all state, as if the server had just started.
	Reset()
}

// Candidates returns the IDs a simulator tries, in order, to find the
// payment named id: id itself, then, if id looks like a Router ID
// ("route:providerID", route being letters, digits, '-' and '_'), the
// providerID after the first ':'. Trying id whole first keeps provider IDs
// that contain ':' themselves (Smart2Pay's "card:210001") working.
func Candidates(id string) []string {
	route, rest, ok := strings.Cut(id, ":")
	if !ok || rest == "" || !routeName(route) {
		return []string{id}
	}
	return []string{id, rest}
}

// routeName reports whether s is a valid payments.Route name.
func routeName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
