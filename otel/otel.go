// Package paymentsotel turns the events of a payments.Router into
// OpenTelemetry traces and metrics. It is a module of its own
// (github.com/gopayments/payments/otel), so the payments module itself never
// depends on OpenTelemetry.
//
// Wire it with payments.WithObserver:
//
//	obs, err := paymentsotel.New() // the global providers; or WithTracerProvider, WithMeterProvider
//	if err != nil { ... }
//	router, err := payments.NewRouter(routes, payments.WithObserver(obs))
//
// # Traces
//
// Every gateway call the Router makes (payments.EventAttemptEnd) becomes a
// span of kind client named "payments <operation>" ("payments authorize",
// "payments capture", "payments cancel", "payments refund", "payments
// status"), a child of the span in the call's context, with the call's own
// start time and duration as its timestamps. The span is recorded when the
// call has returned, so the driver's own HTTP spans (if any) are not its
// children. Its attributes are [AttrRoute], [AttrProvider],
// [AttrOperation], [AttrAttempt] (authorizations), [AttrStatus],
// [AttrDeclineReason] (declines) and error.type (the payments.Code);
// [AttrReference] only with [WithReference].
//
// The span's status is Error when the call failed, except for a decline: a
// decline is the issuer's answer, a business outcome, not a failure of the
// call, so its status stays Unset while error.type is still "declined".
// Error messages are not recorded: they may contain the order reference.
//
// The other events become span events on the span in the context, when it
// is recording (the caller's span for a cascade, breaker change, reconcile,
// store error or conflict; the HTTP server's span for a notification):
// "payments.cascade", "payments.breaker.open", "payments.breaker.close",
// "payments.reconcile", "payments.notification.verified",
// "payments.notification.rejected", "payments.store.error" and
// "payments.conflict".
//
// # Metrics
//
// No semantic convention exists for payments, so the metrics live in a
// "payments." namespace; error.type is the semantic-convention attribute.
// Attributes are bounded: route and provider names, operations, statuses,
// codes and decline reasons, never the reference.
//
//   - [MetricOperationDuration] "payments.client.operation.duration"
//     (histogram, s): duration of each gateway call; route, provider,
//     operation, payments.status, error.type.
//   - [MetricAttempts] "payments.attempts" (counter, {attempt}): gateway
//     calls by outcome; as the histogram, plus payments.decline.reason. The
//     approval rate of a route is the count with operation "authorize" and
//     status "authorized" or "captured" over the count with operation
//     "authorize". An unknown outcome counts as status "unknown" here; what
//     reconciling it found is in payments.reconciles.
//   - [MetricCascades] "payments.cascades" (counter, {cascade}): the Router
//     went on from a route to the next; route, provider, error.type.
//   - [MetricBreakerChanges] "payments.breaker.state_changes" (counter,
//     {change}): a route's breaker opened or closed; route, provider,
//     payments.breaker.state ("open" or "closed").
//   - [MetricReconciles] "payments.reconciles" (counter, {reconcile}): an
//     unknown outcome was reconciled; route, provider, payments.status (what
//     was found), error.type ("outcome_unknown" when it still is).
//   - [MetricNotifications] "payments.notifications" (counter,
//     {notification}): notifications; route, provider,
//     payments.notification.result ("verified" or "rejected"), error.type,
//     payments.status (verified ones).
//   - [MetricStoreErrors] "payments.store.errors" (counter, {error}): failed
//     Store calls (each try); error.type (the error's Go type).
//   - [MetricConflicts] "payments.conflicts" (counter, {conflict}): double
//     charges found; route, payments.status.
package paymentsotel

import (
	"context"
	"errors"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/gopayments/payments"
)

// ScopeName is the instrumentation scope of the tracer and the meter.
const ScopeName = "github.com/gopayments/payments/otel"

// The metric names. See the package documentation for their attributes.
const (
	MetricOperationDuration = "payments.client.operation.duration"
	MetricAttempts          = "payments.attempts"
	MetricCascades          = "payments.cascades"
	MetricBreakerChanges    = "payments.breaker.state_changes"
	MetricReconciles        = "payments.reconciles"
	MetricNotifications     = "payments.notifications"
	MetricStoreErrors       = "payments.store.errors"
	MetricConflicts         = "payments.conflicts"
)

// The attribute keys of spans, span events and metrics. error.type is
// semconv.ErrorTypeKey.
const (
	// AttrRoute is the Router's route name.
	AttrRoute = attribute.Key("payments.route")
	// AttrProvider is the driver name.
	AttrProvider = attribute.Key("payments.provider")
	// AttrOperation is the gateway call: authorize, capture, cancel,
	// refund, status or notify.
	AttrOperation = attribute.Key("payments.operation")
	// AttrAttempt is the attempt number of an authorization (from 1).
	// Spans and span events only.
	AttrAttempt = attribute.Key("payments.attempt")
	// AttrStatus is the payment status the call reached
	// (payments.Status.String).
	AttrStatus = attribute.Key("payments.status")
	// AttrDeclineReason is the neutral decline reason of a declined call.
	AttrDeclineReason = attribute.Key("payments.decline.reason")
	// AttrBreakerState is "open" or "closed".
	AttrBreakerState = attribute.Key("payments.breaker.state")
	// AttrNotificationResult is "verified" or "rejected".
	AttrNotificationResult = attribute.Key("payments.notification.result")
	// AttrReason says why a route was chosen (see payments.Attempt.Reason) or
	// why a breaker opened. Span events only: never on metrics.
	AttrReason = attribute.Key("payments.reason")
	// AttrReference is the merchant's order id: spans and span events
	// only, and only with [WithReference].
	AttrReference = attribute.Key("payments.reference")
)

// durationBuckets are the histogram's bucket boundaries in seconds: the
// semantic conventions' advice for HTTP client durations, extended to a
// minute for slow acquirers.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60}

// Option configures an [Observer].
type Option func(*config)

type config struct {
	tp        trace.TracerProvider
	mp        metric.MeterProvider
	reference bool
}

// WithTracerProvider sets the tracer provider (default:
// otel.GetTracerProvider() when New is called).
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *config) {
		if tp != nil {
			c.tp = tp
		}
	}
}

// WithMeterProvider sets the meter provider (default:
// otel.GetMeterProvider() when New is called).
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *config) {
		if mp != nil {
			c.mp = mp
		}
	}
}

// WithReference records the merchant's order reference ([AttrReference])
// on spans and span events. It is off by default: a reference is not a
// secret, but it may identify a person and so be personal data in your
// tracing backend. It is never a metric attribute.
func WithReference() Option {
	return func(c *config) { c.reference = true }
}

// Observer is a payments.Observer that records traces and metrics. Build
// it with [New]; it is safe for concurrent use.
type Observer struct {
	tracer    trace.Tracer
	reference bool

	duration      metric.Float64Histogram
	attempts      metric.Int64Counter
	cascades      metric.Int64Counter
	breaker       metric.Int64Counter
	reconciles    metric.Int64Counter
	notifications metric.Int64Counter
	storeErrors   metric.Int64Counter
	conflicts     metric.Int64Counter
}

var _ payments.Observer = (*Observer)(nil)

// New returns an Observer. It fails only when the meter provider refuses
// an instrument.
func New(opts ...Option) (*Observer, error) {
	c := config{}
	for _, o := range opts {
		o(&c)
	}
	if c.tp == nil {
		c.tp = otel.GetTracerProvider()
	}
	if c.mp == nil {
		c.mp = otel.GetMeterProvider()
	}
	m := c.mp.Meter(ScopeName)
	o := &Observer{tracer: c.tp.Tracer(ScopeName), reference: c.reference}
	var errs []error
	var err error
	o.duration, err = m.Float64Histogram(MetricOperationDuration, metric.WithUnit("s"),
		metric.WithDescription("Duration of gateway calls made by the payments Router."),
		metric.WithExplicitBucketBoundaries(durationBuckets...))
	errs = append(errs, err)
	counter := func(name, unit, desc string) metric.Int64Counter {
		c, err := m.Int64Counter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return c
	}
	o.attempts = counter(MetricAttempts, "{attempt}", "Gateway calls made by the payments Router, by outcome.")
	o.cascades = counter(MetricCascades, "{cascade}", "Payments the Router moved on from a route to the next.")
	o.breaker = counter(MetricBreakerChanges, "{change}", "Route breakers opened or closed.")
	o.reconciles = counter(MetricReconciles, "{reconcile}", "Unknown outcomes reconciled, by the status found.")
	o.notifications = counter(MetricNotifications, "{notification}", "Provider notifications, verified or rejected.")
	o.storeErrors = counter(MetricStoreErrors, "{error}", "Failed Store calls (each try).")
	o.conflicts = counter(MetricConflicts, "{conflict}", "Double charges found: attempts that hold money without owning the reference.")
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return o, nil
}

// Observe records e. It implements payments.Observer.
func (o *Observer) Observe(ctx context.Context, e payments.Event) {
	switch e.Kind {
	case payments.EventAttemptEnd:
		o.attemptEnd(ctx, e)
	case payments.EventCascade:
		o.cascades.Add(ctx, 1, metric.WithAttributes(AttrRoute.String(e.Route), AttrProvider.String(e.Provider), errorType(e)))
		o.spanEvent(ctx, "payments.cascade", e, true)
	case payments.EventBreakerOpen, payments.EventBreakerClose:
		state, name := "open", "payments.breaker.open"
		if e.Kind == payments.EventBreakerClose {
			state, name = "closed", "payments.breaker.close"
		}
		o.breaker.Add(ctx, 1, metric.WithAttributes(AttrRoute.String(e.Route), AttrProvider.String(e.Provider), AttrBreakerState.String(state)))
		o.spanEvent(ctx, name, e, false)
	case payments.EventReconcile:
		attrs := []attribute.KeyValue{AttrRoute.String(e.Route), AttrProvider.String(e.Provider), AttrStatus.String(e.Status.String())}
		if e.Code != "" {
			attrs = append(attrs, errorType(e))
		}
		o.reconciles.Add(ctx, 1, metric.WithAttributes(attrs...))
		o.spanEvent(ctx, "payments.reconcile", e, true)
	case payments.EventNotificationVerified, payments.EventNotificationRejected:
		result, withStatus := "verified", true
		if e.Kind == payments.EventNotificationRejected {
			result, withStatus = "rejected", false
		}
		attrs := []attribute.KeyValue{AttrRoute.String(e.Route), AttrProvider.String(e.Provider), AttrNotificationResult.String(result)}
		if withStatus {
			attrs = append(attrs, AttrStatus.String(e.Status.String()))
		}
		if e.Code != "" || e.Err != nil {
			attrs = append(attrs, errorType(e))
		}
		o.notifications.Add(ctx, 1, metric.WithAttributes(attrs...))
		o.spanEvent(ctx, "payments.notification."+result, e, withStatus)
	case payments.EventStoreError:
		o.storeErrors.Add(ctx, 1, metric.WithAttributes(errorType(e)))
		o.spanEvent(ctx, "payments.store.error", e, false)
	case payments.EventConflict:
		o.conflicts.Add(ctx, 1, metric.WithAttributes(AttrRoute.String(e.Route), AttrStatus.String(e.Status.String())))
		o.spanEvent(ctx, "payments.conflict", e, true)
	}
}

// attemptEnd records one gateway call: a span, the duration and the
// outcome counter.
func (o *Observer) attemptEnd(ctx context.Context, e payments.Event) {
	base := []attribute.KeyValue{
		AttrRoute.String(e.Route), AttrProvider.String(e.Provider), AttrOperation.String(e.Operation),
		AttrStatus.String(e.Status.String()),
	}
	if e.Code != "" {
		base = append(base, errorType(e))
	}
	o.duration.Record(ctx, e.Duration.Seconds(), metric.WithAttributes(base...))
	counted := base
	reason := declineReason(e)
	if reason != "" {
		counted = append(counted[:len(counted):len(counted)], AttrDeclineReason.String(reason))
	}
	o.attempts.Add(ctx, 1, metric.WithAttributes(counted...))

	start := e.Start
	if start.IsZero() {
		start = time.Now().Add(-e.Duration)
	}
	spanAttrs := counted
	if e.Attempt > 0 {
		spanAttrs = append(spanAttrs[:len(spanAttrs):len(spanAttrs)], AttrAttempt.Int(e.Attempt))
	}
	if o.reference && e.Reference != "" {
		spanAttrs = append(spanAttrs[:len(spanAttrs):len(spanAttrs)], AttrReference.String(e.Reference))
	}
	_, span := o.tracer.Start(ctx, "payments "+e.Operation,
		trace.WithSpanKind(trace.SpanKindClient), trace.WithTimestamp(start), trace.WithAttributes(spanAttrs...))
	if e.Code != "" && e.Code != payments.Declined {
		span.SetStatus(codes.Error, string(e.Code))
	}
	span.End(trace.WithTimestamp(start.Add(e.Duration)))
}

// spanEvent adds e to the span in ctx when it is recording.
func (o *Observer) spanEvent(ctx context.Context, name string, e payments.Event, withStatus bool) {
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	var attrs []attribute.KeyValue
	add := func(k attribute.Key, v string) {
		if v != "" {
			attrs = append(attrs, k.String(v))
		}
	}
	add(AttrRoute, e.Route)
	add(AttrProvider, e.Provider)
	add(AttrOperation, e.Operation)
	if e.Attempt > 0 {
		attrs = append(attrs, AttrAttempt.Int(e.Attempt))
	}
	if withStatus {
		add(AttrStatus, e.Status.String())
	}
	if e.Code != "" || e.Err != nil {
		attrs = append(attrs, errorType(e))
	}
	add(AttrDeclineReason, declineReason(e))
	add(AttrReason, e.Reason)
	if o.reference {
		add(AttrReference, e.Reference)
	}
	span.AddEvent(name, trace.WithAttributes(attrs...))
}

// errorType is the error.type attribute: the payments.Code, or for an
// error without one (a Store's own error) its Go type, as the semantic
// conventions advise.
func errorType(e payments.Event) attribute.KeyValue {
	if e.Code != "" {
		return semconv.ErrorTypeKey.String(string(e.Code))
	}
	if e.Err != nil {
		return semconv.ErrorType(e.Err)
	}
	return semconv.ErrorTypeOther
}

// declineReason is the neutral reason of a declined call, "" otherwise.
func declineReason(e payments.Event) string {
	if e.Code != payments.Declined {
		return ""
	}
	var pe *payments.Error
	if errors.As(e.Err, &pe) && pe.Decline != nil {
		return string(pe.Decline.Reason)
	}
	return string(payments.DeclineGeneric)
}
