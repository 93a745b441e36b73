package payments

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gopayments/payments/internal/redact"
)

// Code classifies an [Error]. Every Code is itself an error, so the Err*
// constants below work as sentinels with errors.Is:
//
//	if errors.Is(err, payments.ErrDeclined) { ... }
type Code string

// The error codes. Use them in *Error literals; use the Err* names with
// errors.Is.
const (
	// InvalidRequest: the request is malformed or breaks a rule (missing
	// reference, bad currency, amount above what may be captured). Nothing was
	// sent, or the provider refused it without processing it. Fix the input.
	InvalidRequest Code = "invalid_request"
	// Authentication: the provider rejected the credentials.
	Authentication Code = "authentication"
	// Declined: the payment was refused by the issuer, the acquirer or a fraud
	// check; *Error.Decline says why.
	Declined Code = "declined"
	// Duplicate: the reference (merchant order id) was already used.
	Duplicate Code = "duplicate"
	// NotFound: the provider knows no such payment or refund.
	NotFound Code = "not_found"
	// InvalidState: the operation does not fit the payment's state (capture
	// after cancel, refund before capture, capture above the authorization).
	InvalidState Code = "invalid_state"
	// Unsupported: the driver or provider does not support the operation or
	// payment method.
	Unsupported Code = "unsupported"
	// RateLimited: the provider asked us to slow down; nothing was processed.
	RateLimited Code = "rate_limited"
	// Unavailable: the provider could not be reached or failed before
	// processing the request; it is safe to try again or elsewhere.
	Unavailable Code = "unavailable"
	// OutcomeUnknown: a money-moving request may or may not have been
	// processed (timeout after sending, 5xx, unreadable success answer).
	// Never retry it blindly: reconcile with Gateway.Status.
	OutcomeUnknown Code = "outcome_unknown"
	// Unrecorded: the provider answered but the Router's Store could not
	// record the answer, even after retrying briefly. The Payment returned
	// with it is what the provider said; the attempt log still holds the
	// attempt as begun, so [Router.Recover] settles it later. Never retry
	// the call and never try another route: the customer may be charged.
	Unrecorded Code = "unrecorded"
	// Unverified: a notification failed verification (bad credentials or
	// signature, unknown payment). Do not act on it.
	Unverified Code = "unverified"
	// Integrity: the provider's answer contradicts the request or itself
	// (another amount or currency, a malformed body on a query).
	Integrity Code = "integrity"
)

// Error makes a Code usable as a sentinel error.
func (c Code) Error() string { return "payments: " + string(c) }

// Sentinels for errors.Is. They are constants: nothing can reassign them.
const (
	ErrInvalidRequest = InvalidRequest // see InvalidRequest
	ErrAuthentication = Authentication // see Authentication
	ErrDeclined       = Declined       // see Declined
	ErrDuplicate      = Duplicate      // see Duplicate
	ErrNotFound       = NotFound       // see NotFound
	ErrInvalidState   = InvalidState   // see InvalidState
	ErrUnsupported    = Unsupported    // see Unsupported
	ErrRateLimited    = RateLimited    // see RateLimited
	ErrUnavailable    = Unavailable    // see Unavailable
	ErrOutcomeUnknown = OutcomeUnknown // see OutcomeUnknown
	ErrUnrecorded     = Unrecorded     // see Unrecorded
	ErrUnverified     = Unverified     // see Unverified
	ErrIntegrity      = Integrity      // see Integrity
)

// DeclineReason is the provider-neutral reason for a declined payment.
type DeclineReason string

// The decline reasons. Drivers map each documented provider code to one of
// them; a code they cannot place is DeclineGeneric with the provider's text
// kept in Decline.Code and Decline.Message.
const (
	DeclineInsufficientFunds    DeclineReason = "insufficient_funds"
	DeclineDoNotHonour          DeclineReason = "do_not_honour"
	DeclineSuspectedFraud       DeclineReason = "suspected_fraud"
	DeclineExpiredCard          DeclineReason = "expired_card"
	DeclineInvalidCard          DeclineReason = "invalid_card"
	DeclineAuthenticationFailed DeclineReason = "authentication_failed"
	DeclineLimitExceeded        DeclineReason = "limit_exceeded"
	DeclineGeneric              DeclineReason = "generic"
)

// Soft reports whether another attempt, typically through another acquirer,
// may succeed: a generic refusal or "do not honour". Insufficient funds,
// fraud, a bad or expired card, a failed 3DS authentication (retrying
// elsewhere would bypass strong customer authentication) and limits are hard:
// the same card would be refused again.
func (r DeclineReason) Soft() bool {
	return r == DeclineDoNotHonour || r == DeclineGeneric
}

// Decline says why a payment was declined.
type Decline struct {
	// Reason is the neutral reason.
	Reason DeclineReason `json:"reason"`
	// Code is the provider's own code, e.g. "INSUFFICIENT_FUNDS_PROCESSING_ERROR".
	Code string `json:"code,omitempty"`
	// Message is the provider's text. It is for the merchant's logs: some
	// providers ask that it not be shown to the buyer.
	Message string `json:"message,omitempty"`
}

// Error is the one error type of this library and its drivers. Match it with
// errors.Is against the Err* sentinels, or errors.As to read its fields.
type Error struct {
	// Code classifies the error.
	Code Code
	// Decline is set when Code is Declined.
	Decline *Decline
	// Provider is the driver name ("smart2pay"), empty for errors raised
	// before a driver was chosen.
	Provider string
	// ProviderCode is the provider's own error or status code, as text.
	ProviderCode string
	// Field names the offending request field as a JSON path
	// ("amount.currency", "method.number") for invalid requests.
	Field string
	// Message is a human-readable description (Error prefixes it with
	// Field). It never contains a card
	// number (at most its first 6 and last 4 digits) or a CVV.
	Message string
	// RequestID is the provider's identifier of the failed call (Smart2Pay
	// InvalidRequestID, SmartPay traceId), for its support desk.
	RequestID string
	// HTTPStatus is the provider's HTTP status code, 0 if none was received.
	HTTPStatus int
	// Err is the underlying cause, if any.
	Err error
	// Attempts lists each route a Router tried before this error, in
	// order; empty when the call did not go through a Router.
	Attempts []Attempt
}

// Error formats the error on one line: "payments: smart2pay: declined:
// insufficient funds (provider code 119, HTTP 400)". Digits that look like a
// card number are masked.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("payments: ")
	if e.Provider != "" {
		b.WriteString(e.Provider)
		b.WriteString(": ")
	}
	b.WriteString(string(e.Code))
	if e.Decline != nil && e.Decline.Reason != "" {
		b.WriteString(" (")
		b.WriteString(string(e.Decline.Reason))
		b.WriteString(")")
	}
	if e.Field != "" && !strings.HasPrefix(e.Message, e.Field+":") {
		b.WriteString(": ")
		b.WriteString(e.Field)
		if e.Message == "" {
			b.WriteString(" is invalid")
		}
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	var extra []string
	if e.ProviderCode != "" {
		extra = append(extra, "provider code "+e.ProviderCode)
	}
	if e.HTTPStatus != 0 {
		extra = append(extra, "HTTP "+strconv.Itoa(e.HTTPStatus))
	}
	if e.RequestID != "" {
		extra = append(extra, "request "+e.RequestID)
	}
	if len(extra) > 0 {
		b.WriteString(" [")
		b.WriteString(strings.Join(extra, ", "))
		b.WriteString("]")
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return redact.PANs(b.String())
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is this error's Code (or an *Error with the same
// Code), so errors.Is(err, payments.ErrDeclined) works however deeply err
// wraps the *Error.
func (e *Error) Is(target error) bool {
	switch t := target.(type) {
	case Code:
		return e.Code == t
	case *Error:
		return t != nil && e.Code == t.Code
	}
	return false
}

// CodeOf returns the Code of the first *Error or Code in err's chain, or ""
// when err is nil or carries none.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Code
	}
	var c Code
	if errors.As(err, &c) {
		return c
	}
	return ""
}

// Retryable reports whether the same call may be sent again to the same
// provider after a pause: the provider was unavailable or rate limited and
// did not process the request. An unknown outcome is not retryable: it must
// be reconciled with Gateway.Status first.
func Retryable(err error) bool {
	switch CodeOf(err) {
	case Unavailable, RateLimited:
		return true
	}
	return false
}

// CanCascade reports whether a router may try the same payment with another
// provider: this one was unavailable, rate limited, rejected our credentials,
// does not support the payment, or declined it softly (see
// [DeclineReason.Soft]). It is false for an unknown outcome (the customer may
// have been charged), hard declines and invalid requests.
func CanCascade(err error) bool {
	switch CodeOf(err) {
	case Unavailable, RateLimited, Unsupported, Authentication:
		return true
	case Declined:
		var pe *Error
		if errors.As(err, &pe) && pe.Decline != nil {
			return pe.Decline.Reason.Soft()
		}
		return false
	}
	return false
}

// InvalidField returns an InvalidRequest error naming the field (a JSON path
// such as "customer.email"); message should read after the field name,
// e.g. "required by smartpayments".
func InvalidField(field, message string) *Error {
	return &Error{Code: InvalidRequest, Field: field, Message: message}
}
