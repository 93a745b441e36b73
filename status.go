package payments

import (
	"fmt"
)

// Status is the provider-neutral state of a payment. Every driver maps each
// of its provider's documented codes to one Status in a single table; a code
// it does not know maps to [StatusUnknown], never to a final status.
//
// The zero value is StatusUnknown, so a Status nobody set never claims more
// than is known.
type Status uint8

// The canonical payment statuses.
const (
	// StatusUnknown: the provider reported a state this library does not know,
	// or the state could not be established. Reconcile with Gateway.Status.
	StatusUnknown Status = iota
	// StatusPending: created or processing; no money has moved yet.
	StatusPending
	// StatusRequiresAction: the customer must act (3DS challenge, redirect to
	// a payment page, pay an invoice); see Payment.Action.
	StatusRequiresAction
	// StatusAuthorized: funds are reserved and may be captured or canceled.
	StatusAuthorized
	// StatusPartiallyCaptured: part of the authorization has been captured.
	StatusPartiallyCaptured
	// StatusCaptured: the full amount has been captured (a sale is complete).
	StatusCaptured
	// StatusPartiallyRefunded: part of the captured amount was refunded.
	StatusPartiallyRefunded
	// StatusRefunded: the whole captured amount was refunded. Final.
	StatusRefunded
	// StatusCanceled: the authorization was released before capture. Final.
	StatusCanceled
	// StatusFailed: declined or failed; no money moved. Final.
	StatusFailed
	// StatusExpired: the authorization or the customer's session expired. Final.
	StatusExpired
	// StatusChargeback: the cardholder disputed the payment and the funds were
	// taken back. Final.
	StatusChargeback
)

var statusNames = [...]string{
	StatusUnknown:           "unknown",
	StatusPending:           "pending",
	StatusRequiresAction:    "requires_action",
	StatusAuthorized:        "authorized",
	StatusPartiallyCaptured: "partially_captured",
	StatusCaptured:          "captured",
	StatusPartiallyRefunded: "partially_refunded",
	StatusRefunded:          "refunded",
	StatusCanceled:          "canceled",
	StatusFailed:            "failed",
	StatusExpired:           "expired",
	StatusChargeback:        "chargeback",
}

// Statuses lists every Status, in declaration order.
func Statuses() []Status {
	out := make([]Status, len(statusNames))
	for i := range statusNames {
		out[i] = Status(i)
	}
	return out
}

// String returns the snake_case name, e.g. "partially_captured".
func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("Status(%d)", uint8(s))
}

// MarshalText encodes the status as its name.
func (s Status) MarshalText() ([]byte, error) {
	if int(s) >= len(statusNames) {
		return nil, fmt.Errorf("payments: invalid status %d", uint8(s))
	}
	return []byte(statusNames[s]), nil
}

// UnmarshalText decodes a status name written by MarshalText.
func (s *Status) UnmarshalText(b []byte) error {
	for i, n := range statusNames {
		if n == string(b) {
			*s = Status(i)
			return nil
		}
	}
	return fmt.Errorf("payments: unknown status %q", b)
}

// Final reports whether the status is terminal in the normal life of a
// payment: refunded, canceled, failed, expired or chargeback. See
// [Status.CanTransition] for the two exceptions the providers document: a
// later success after a failure, and a won dispute after a chargeback.
func (s Status) Final() bool {
	switch s {
	case StatusRefunded, StatusCanceled, StatusFailed, StatusExpired, StatusChargeback:
		return true
	}
	return false
}

// Settled reports whether money has been captured (and not fully returned):
// partially captured, captured, or partially refunded.
func (s Status) Settled() bool {
	switch s {
	case StatusPartiallyCaptured, StatusCaptured, StatusPartiallyRefunded:
		return true
	}
	return false
}

// CanTransition reports whether a payment known to be in status s may be
// reported next in status to. It encodes "nothing moves back": a late or
// duplicated notification, or a stale status answer, that would take a
// payment back (captured → authorized, refunded → captured) is refused.
//
// The rules:
//   - a status may always be reported again (duplicates are harmless);
//   - Unknown may resolve to anything; nothing moves to Unknown;
//   - Pending and RequiresAction may resolve to any known status, and to
//     each other (a challenge can follow processing, and vice versa);
//   - Authorized → captured (partly or fully), refunded (after a capture the
//     caller did not see), canceled, failed, expired;
//   - PartiallyCaptured → Captured, PartiallyRefunded, Refunded, Chargeback;
//   - Captured → PartiallyRefunded, Refunded, Chargeback;
//   - PartiallyRefunded → Refunded, Chargeback;
//   - Failed → Authorized, PartiallyCaptured or Captured: providers document
//     that a later success overrides an earlier failure (Smart2Pay: "a later
//     Success overrides earlier ones"), and hiding money that did move is the
//     worse error;
//   - Chargeback → Captured: a dispute the merchant wins gives the money back
//     (Smart2Pay reports 19 Disputed, then 23 DisputeWon; PROVIDERS.md §2).
//     Chargeback stays the state of a disputed payment, whose money is at
//     risk or gone; only the win moves it on, and only to Captured (the state
//     a won dispute restores; a driver that knows less reports Unknown);
//   - every other final status stays where it is.
func (s Status) CanTransition(to Status) bool {
	if s == to {
		return true
	}
	if to == StatusUnknown {
		return false
	}
	switch s {
	case StatusUnknown, StatusPending, StatusRequiresAction:
		return true
	case StatusAuthorized:
		switch to {
		case StatusPartiallyCaptured, StatusCaptured, StatusPartiallyRefunded, StatusRefunded,
			StatusCanceled, StatusFailed, StatusExpired:
			return true
		}
	case StatusPartiallyCaptured:
		switch to {
		case StatusCaptured, StatusPartiallyRefunded, StatusRefunded, StatusChargeback:
			return true
		}
	case StatusCaptured:
		switch to {
		case StatusPartiallyRefunded, StatusRefunded, StatusChargeback:
			return true
		}
	case StatusPartiallyRefunded:
		switch to {
		case StatusRefunded, StatusChargeback:
			return true
		}
	case StatusFailed:
		switch to {
		case StatusAuthorized, StatusPartiallyCaptured, StatusCaptured:
			return true
		}
	case StatusChargeback:
		return to == StatusCaptured
	}
	return false
}

// RefundStatus is the state of one refund. The zero value is RefundPending.
type RefundStatus uint8

// The refund statuses.
const (
	// RefundPending: accepted by the provider, not yet settled.
	RefundPending RefundStatus = iota
	// RefundSucceeded: the money is on its way back to the customer.
	RefundSucceeded
	// RefundFailed: the provider refused or could not execute the refund.
	RefundFailed
)

var refundStatusNames = [...]string{
	RefundPending:   "pending",
	RefundSucceeded: "succeeded",
	RefundFailed:    "failed",
}

// String returns "pending", "succeeded" or "failed".
func (s RefundStatus) String() string {
	if int(s) < len(refundStatusNames) {
		return refundStatusNames[s]
	}
	return fmt.Sprintf("RefundStatus(%d)", uint8(s))
}

// MarshalText encodes the refund status as its name.
func (s RefundStatus) MarshalText() ([]byte, error) {
	if int(s) >= len(refundStatusNames) {
		return nil, fmt.Errorf("payments: invalid refund status %d", uint8(s))
	}
	return []byte(refundStatusNames[s]), nil
}

// UnmarshalText decodes a refund status name.
func (s *RefundStatus) UnmarshalText(b []byte) error {
	for i, n := range refundStatusNames {
		if n == string(b) {
			*s = RefundStatus(i)
			return nil
		}
	}
	return fmt.Errorf("payments: unknown refund status %q", b)
}

// Final reports whether the refund has reached a terminal state.
func (s RefundStatus) Final() bool { return s == RefundSucceeded || s == RefundFailed }
