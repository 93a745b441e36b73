package payments

import (
	"context"
	"time"
)

// EventKind says what an [Event] is about.
type EventKind string

// The event kinds.
const (
	// EventAttemptStart: a Router is about to call a route's gateway
	// (Operation says which call).
	EventAttemptStart EventKind = "attempt_start"
	// EventAttemptEnd: the gateway answered (or failed); Duration, Code and
	// Status say how.
	EventAttemptEnd EventKind = "attempt_end"
	// EventCascade: the Router goes on to the next route after this one
	// provably did not charge the customer.
	EventCascade EventKind = "cascade"
	// EventBreakerOpen and EventBreakerClose: a route's health breaker
	// opened (the route is skipped) or closed again.
	EventBreakerOpen  EventKind = "breaker_open"
	EventBreakerClose EventKind = "breaker_close"
	// EventReconcile: an unknown outcome was reconciled with Status; Status
	// is what was found (Unknown when it still is).
	EventReconcile EventKind = "reconcile"
	// EventNotificationVerified and EventNotificationRejected: a
	// notification was verified, or refused (Code says why).
	EventNotificationVerified EventKind = "notification_verified"
	EventNotificationRejected EventKind = "notification_rejected"
	// EventStoreError: a Store call failed (Err); the Router retries it,
	// then reports ErrUnrecorded.
	EventStoreError EventKind = "store_error"
	// EventConflict: an attempt that does not own its reference holds money
	// (a double charge; see [Router.Conflicts]).
	EventConflict EventKind = "conflict"
)

// Event is one thing a [Router] or a [NotificationHandler] observed, for
// metrics and traces (approval rates, latency and error classes per route).
// It carries no card data and no secrets.
type Event struct {
	// Kind says what happened.
	Kind EventKind
	// Route is the route name; empty outside a Router.
	Route string
	// Provider is the driver name.
	Provider string
	// Operation is the gateway call: "authorize", "capture", "cancel",
	// "refund", "status" or "notify".
	Operation string
	// Reference is the merchant's order id, where known.
	Reference string
	// Attempt is the attempt number of an Authorize (from 1).
	Attempt int
	// Start is when the observed call started; Duration how long it took
	// (EventAttemptEnd, EventReconcile, notifications).
	Start    time.Time
	Duration time.Duration
	// Code is the error class, empty on success.
	Code Code
	// Status is the payment status the call reached, where there is one.
	Status Status
	// Reason says why a route was chosen (see [Attempt.Reason]) or why a
	// breaker opened.
	Reason string
	// Err is the error, if any (its message masks card numbers).
	Err error
}

// Observer receives [Event]s. Observe is called synchronously on the
// payment's goroutine, with the call's context (so a tracer finds the
// caller's span): it must be fast, safe for concurrent use and must not
// block. The otel module (github.com/gopayments/payments/otel) turns events
// into OpenTelemetry traces and metrics.
type Observer interface {
	Observe(ctx context.Context, e Event)
}

// ObserverFunc adapts a function to [Observer].
type ObserverFunc func(ctx context.Context, e Event)

// Observe calls f.
func (f ObserverFunc) Observe(ctx context.Context, e Event) { f(ctx, e) }

// nopObserver is the default: nothing is observed.
type nopObserver struct{}

func (nopObserver) Observe(context.Context, Event) {}

// WithObserver sends the Router's events to o (default: none).
func WithObserver(o Observer) RouterOption {
	return func(c *routerConfig) {
		if o != nil {
			c.observer = o
		}
	}
}
