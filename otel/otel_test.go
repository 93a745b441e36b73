package paymentsotel_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/memory"
	"github.com/gopayments/payments/drivers/smart2pay"
	"github.com/gopayments/payments/drivers/smart2pay/smart2paytest"
	"github.com/gopayments/payments/internal/faultnet"
	paymentsotel "github.com/gopayments/payments/otel"
)

// clock is the Router's clock: it moves 1 ms at each reading, so every
// gateway call has a known, non-zero duration, and the test can jump it
// past a breaker's cool-down.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond)
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// rig is a Router with two routes: "s2p", Smart2Pay over its simulator
// through a fault-injecting transport (EUR only, tried first), and "mem",
// the memory driver (EUR and USD), observed by a paymentsotel.Observer
// into in-memory exporters.
type rig struct {
	router *payments.Router
	mem    *memory.Gateway
	faults *faultnet.Transport
	clock  *clock
	spans  *tracetest.SpanRecorder
	tp     *sdktrace.TracerProvider
	reader *sdkmetric.ManualReader
	mp     *sdkmetric.MeterProvider
	hook   string // the notification endpoint
}

func newRig(t *testing.T, opts ...paymentsotel.Option) *rig {
	t.Helper()
	r := &rig{spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader(),
		clock: &clock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}}
	r.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(r.spans))
	r.mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(r.reader))
	t.Cleanup(func() {
		_ = r.tp.Shutdown(context.Background())
		_ = r.mp.Shutdown(context.Background())
	})
	obs, err := paymentsotel.New(append([]paymentsotel.Option{paymentsotel.WithTracerProvider(r.tp), paymentsotel.WithMeterProvider(r.mp)}, opts...)...)
	require.NoError(t, err)

	sim := smart2paytest.NewServer()
	t.Cleanup(sim.Close)
	r.faults = faultnet.New(sim.Client().Transport)
	s2p, err := smart2pay.New(smart2pay.Config{
		SiteID: smart2paytest.DefaultSiteID, APIKey: smart2paytest.DefaultAPIKey,
		CardSiteID: smart2paytest.DefaultCardSiteID, CardAPIKey: smart2paytest.DefaultCardAPIKey,
		BaseURL: sim.BaseURL(), CardBaseURL: sim.CardBaseURL(), HTTPClient: &http.Client{Transport: r.faults},
	})
	require.NoError(t, err)

	// The notification endpoint: the Router's handler behind a middleware
	// that starts a server span, as an instrumented HTTP server would.
	var handler http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		ctx, span := r.tp.Tracer("test").Start(req.Context(), "POST /notify", trace.WithSpanKind(trace.SpanKindServer))
		defer span.End()
		handler.ServeHTTP(w, req.WithContext(ctx))
	}))
	t.Cleanup(srv.Close)
	r.hook = srv.URL + "/notify/mem"
	r.mem = memory.New(memory.Config{NotificationURL: r.hook})

	r.router, err = payments.NewRouter([]payments.Route{
		{Name: "s2p", Gateway: s2p, Currencies: []payments.Currency{"EUR"}},
		{Name: "mem", Gateway: r.mem, Currencies: []payments.Currency{"EUR", "USD"}, Priority: 1},
	}, payments.WithObserver(obs), payments.WithClock(r.clock.now),
		payments.WithReconcile(3, time.Millisecond), payments.WithBreaker(1, time.Minute))
	require.NoError(t, err)
	handler = r.router.NotificationHandler(func(context.Context, *payments.Notification) error { return nil })
	return r
}

// authorize runs one payment inside a "checkout" span and returns that
// span's context.
func (r *rig) authorize(t *testing.T, ref, currency, pan string) (trace.SpanContext, *payments.Payment, error) {
	t.Helper()
	ctx, span := r.tp.Tracer("test").Start(context.Background(), "checkout")
	defer span.End()
	amount, err := payments.ParseMoney("20.00", currency)
	require.NoError(t, err)
	p, err := r.router.Authorize(ctx, &payments.AuthorizeRequest{
		Reference: ref, Amount: amount,
		Method: payments.Card{Number: payments.CardNumber(pan), Holder: "John Doe", ExpiryMonth: "02", ExpiryYear: "2099", CVV: "312"},
	})
	return span.SpanContext(), p, err
}

// children returns the ended spans whose parent is parent.
func (r *rig) children(parent trace.SpanContext) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range r.spans.Ended() {
		if s.Parent().SpanID() == parent.SpanID() && s.Parent().TraceID() == parent.TraceID() {
			out = append(out, s)
		}
	}
	return out
}

func (r *rig) span(t *testing.T, sc trace.SpanContext) sdktrace.ReadOnlySpan {
	t.Helper()
	for _, s := range r.spans.Ended() {
		if s.SpanContext().SpanID() == sc.SpanID() {
			return s
		}
	}
	t.Fatalf("span %s not recorded", sc.SpanID())
	return nil
}

func attrs(kvs []attribute.KeyValue) map[string]string {
	m := map[string]string{}
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value.String()
	}
	return m
}

func eventNames(s sdktrace.ReadOnlySpan) []string {
	var out []string
	for _, e := range s.Events() {
		out = append(out, e.Name)
	}
	return out
}

func event(t *testing.T, s sdktrace.ReadOnlySpan, name string) map[string]string {
	t.Helper()
	for _, e := range s.Events() {
		if e.Name == name {
			return attrs(e.Attributes)
		}
	}
	t.Fatalf("no event %q on span %q (events: %v)", name, s.Name(), eventNames(s))
	return nil
}

// checkAttemptSpan checks what every gateway-call span has.
func checkAttemptSpan(t *testing.T, s sdktrace.ReadOnlySpan, name string) {
	t.Helper()
	assert.Equal(t, name, s.Name())
	assert.Equal(t, trace.SpanKindClient, s.SpanKind())
	assert.False(t, s.StartTime().IsZero())
	assert.True(t, s.EndTime().After(s.StartTime()), "the call's duration is the span's")
	assert.Equal(t, paymentsotel.ScopeName, s.InstrumentationScope().Name)
}

func TestTracesAndMetrics(t *testing.T) {
	r := newRig(t)

	// 1. Approved at the first route.
	ok, p, err := r.authorize(t, "order-ok", "EUR", memory.CardApproved)
	require.NoError(t, err)
	require.Equal(t, payments.StatusAuthorized, p.Status)
	spans := r.children(ok)
	require.Len(t, spans, 1)
	checkAttemptSpan(t, spans[0], "payments authorize")
	assert.Equal(t, codes.Unset, spans[0].Status().Code)
	a := attrs(spans[0].Attributes())
	assert.Equal(t, map[string]string{
		"payments.route": "s2p", "payments.provider": smart2pay.Name, "payments.operation": "authorize",
		"payments.status": "authorized", "payments.attempt": "1",
	}, a, "no reference by default, no error.type on success")
	// The Router's clock gives the span's timestamps: it starts at a
	// reading of the test clock and lasts whole milliseconds of it.
	assert.Equal(t, 2025, spans[0].StartTime().Year())
	assert.Zero(t, spans[0].EndTime().Sub(spans[0].StartTime())%time.Millisecond)

	// 2. An unknown outcome: the provider processes the payment, the answer
	// is lost; the Router reconciles it.
	r.faults.Inject(func(req *http.Request) bool {
		return req.Method == http.MethodPost && req.URL.Path == "/v1/payments"
	}, faultnet.ResetAfterProcess, 1)
	unknown, p, err := r.authorize(t, "order-unknown", "EUR", memory.CardApproved)
	require.NoError(t, err, "reconciled")
	require.Equal(t, payments.StatusAuthorized, p.Status)
	spans = r.children(unknown)
	require.Len(t, spans, 1, "the reconcile's status queries are not gateway-call spans")
	checkAttemptSpan(t, spans[0], "payments authorize")
	assert.Equal(t, codes.Error, spans[0].Status().Code)
	assert.Equal(t, "outcome_unknown", spans[0].Status().Description)
	a = attrs(spans[0].Attributes())
	assert.Equal(t, "outcome_unknown", a["error.type"])
	assert.Equal(t, "unknown", a["payments.status"])
	ev := event(t, r.span(t, unknown), "payments.reconcile")
	assert.Equal(t, "authorized", ev["payments.status"])
	assert.Equal(t, "s2p", ev["payments.route"])

	// 3. A hard decline: a business outcome, not a failed call.
	declined, p, err := r.authorize(t, "order-declined", "USD", memory.CardInsufficientFunds)
	require.ErrorIs(t, err, payments.ErrDeclined)
	require.Equal(t, payments.StatusFailed, p.Status)
	spans = r.children(declined)
	require.Len(t, spans, 1)
	checkAttemptSpan(t, spans[0], "payments authorize")
	assert.Equal(t, codes.Unset, spans[0].Status().Code, "a decline is not an error of the call")
	a = attrs(spans[0].Attributes())
	assert.Equal(t, "declined", a["error.type"])
	assert.Equal(t, "insufficient_funds", a["payments.decline.reason"])
	assert.Equal(t, "mem", a["payments.route"])
	assert.Equal(t, "failed", a["payments.status"])
	assert.Empty(t, r.span(t, declined).Events())

	// 4. A cascade: the first route cannot be reached (nothing sent), the
	// second approves; the breaker (threshold 1) opens.
	r.faults.Inject(nil, faultnet.Refused, -1) // every try: the driver retries a refused connection
	cascaded, p, err := r.authorize(t, "order-cascade", "EUR", memory.CardApproved)
	r.faults.Clear()
	require.NoError(t, err)
	require.Len(t, p.Attempts, 2)
	spans = r.children(cascaded)
	require.Len(t, spans, 2)
	checkAttemptSpan(t, spans[0], "payments authorize")
	checkAttemptSpan(t, spans[1], "payments authorize")
	first, second := attrs(spans[0].Attributes()), attrs(spans[1].Attributes())
	assert.Equal(t, "s2p", first["payments.route"])
	assert.Equal(t, "unavailable", first["error.type"])
	assert.Equal(t, codes.Error, spans[0].Status().Code)
	assert.Equal(t, "mem", second["payments.route"])
	assert.Equal(t, "2", second["payments.attempt"])
	assert.False(t, spans[1].StartTime().Before(spans[0].EndTime()), "the second attempt starts after the first")
	parent := r.span(t, cascaded)
	assert.Equal(t, []string{"payments.breaker.open", "payments.cascade"}, eventNames(parent))
	ev = event(t, parent, "payments.cascade")
	assert.Equal(t, map[string]string{
		"payments.route": "s2p", "payments.provider": smart2pay.Name, "payments.operation": "authorize",
		"payments.attempt": "1", "payments.status": "failed", "error.type": "unavailable",
		"payments.reason": "priority",
	}, ev)
	assert.Contains(t, event(t, parent, "payments.breaker.open")["payments.reason"], "consecutive")

	// 5. After the cool-down the breaker's probe succeeds and closes it.
	r.clock.advance(time.Hour)
	closed, _, err := r.authorize(t, "order-probe", "EUR", memory.CardApproved)
	require.NoError(t, err)
	assert.Equal(t, []string{"payments.breaker.close"}, eventNames(r.span(t, closed)))

	// 6. Notifications, verified and rejected, on the server's span.
	memID := strings.TrimPrefix(p.ID, "mem:")
	req, err := r.mem.NotificationRequest(&payments.Payment{ID: memID})
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	req, err = r.mem.NotificationRequest(&payments.Payment{ID: memID})
	require.NoError(t, err)
	req.Header.Set(memory.SignatureHeader, "sha256=00")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.NotEqual(t, http.StatusOK, resp.StatusCode)
	var servers []sdktrace.ReadOnlySpan
	for _, s := range r.spans.Ended() {
		if s.Name() == "POST /notify" {
			servers = append(servers, s)
		}
	}
	require.Len(t, servers, 2)
	ev = event(t, servers[0], "payments.notification.verified")
	assert.Equal(t, "mem", ev["payments.route"])
	assert.Equal(t, "authorized", ev["payments.status"])
	ev = event(t, servers[1], "payments.notification.rejected")
	assert.Equal(t, "unverified", ev["error.type"])

	// No span or span event carries the reference by default.
	for _, s := range r.spans.Ended() {
		for _, kv := range s.Attributes() {
			assert.NotEqual(t, paymentsotel.AttrReference, kv.Key)
		}
		for _, e := range s.Events() {
			for _, kv := range e.Attributes {
				assert.NotEqual(t, paymentsotel.AttrReference, kv.Key)
			}
		}
	}

	// The metrics.
	m := collect(t, r.reader)
	authorizedKVs := []attribute.KeyValue{
		paymentsotel.AttrRoute.String("s2p"), paymentsotel.AttrProvider.String(smart2pay.Name),
		paymentsotel.AttrOperation.String("authorize"), paymentsotel.AttrStatus.String("authorized")}
	authorized := attribute.NewSet(authorizedKVs...)
	assert.Equal(t, map[string]int64{
		key(authorizedKVs...): 2, // the first payment and the probe
		key(paymentsotel.AttrRoute.String("s2p"), paymentsotel.AttrProvider.String(smart2pay.Name),
			paymentsotel.AttrOperation.String("authorize"), paymentsotel.AttrStatus.String("unknown"),
			attribute.String("error.type", "outcome_unknown")): 1,
		key(paymentsotel.AttrRoute.String("s2p"), paymentsotel.AttrProvider.String(smart2pay.Name),
			paymentsotel.AttrOperation.String("authorize"), paymentsotel.AttrStatus.String("unknown"),
			attribute.String("error.type", "unavailable")): 1,
		key(paymentsotel.AttrRoute.String("mem"), paymentsotel.AttrProvider.String(memory.Name),
			paymentsotel.AttrOperation.String("authorize"), paymentsotel.AttrStatus.String("failed"),
			attribute.String("error.type", "declined"), paymentsotel.AttrDeclineReason.String("insufficient_funds")): 1,
		key(paymentsotel.AttrRoute.String("mem"), paymentsotel.AttrProvider.String(memory.Name),
			paymentsotel.AttrOperation.String("authorize"), paymentsotel.AttrStatus.String("authorized")): 1,
	}, sums(t, m, paymentsotel.MetricAttempts, "{attempt}"))

	h := histogram(t, m, paymentsotel.MetricOperationDuration)
	var calls uint64
	for _, dp := range h.DataPoints {
		calls += dp.Count
		assert.Positive(t, dp.Sum)
		_, hasReason := dp.Attributes.Value(paymentsotel.AttrDeclineReason)
		assert.False(t, hasReason, "the histogram keeps the lower cardinality")
	}
	assert.Equal(t, uint64(6), calls)
	for _, dp := range h.DataPoints {
		if dp.Attributes.Equivalent() == authorized.Equivalent() {
			assert.Equal(t, uint64(2), dp.Count)
			// Two calls of whole milliseconds of the test clock.
			assert.InDelta(t, 0, dp.Sum*1000-float64(int64(dp.Sum*1000+0.5)), 1e-6)
		}
	}

	assert.Equal(t, map[string]int64{
		key(paymentsotel.AttrRoute.String("s2p"), paymentsotel.AttrProvider.String(smart2pay.Name),
			attribute.String("error.type", "unavailable")): 1,
	}, sums(t, m, paymentsotel.MetricCascades, "{cascade}"))
	assert.Equal(t, map[string]int64{
		key(paymentsotel.AttrRoute.String("s2p"), paymentsotel.AttrProvider.String(smart2pay.Name),
			paymentsotel.AttrBreakerState.String("open")): 1,
		key(paymentsotel.AttrRoute.String("s2p"), paymentsotel.AttrProvider.String(smart2pay.Name),
			paymentsotel.AttrBreakerState.String("closed")): 1,
	}, sums(t, m, paymentsotel.MetricBreakerChanges, "{change}"))
	assert.Equal(t, map[string]int64{
		key(paymentsotel.AttrRoute.String("s2p"), paymentsotel.AttrProvider.String(smart2pay.Name),
			paymentsotel.AttrStatus.String("authorized")): 1,
	}, sums(t, m, paymentsotel.MetricReconciles, "{reconcile}"))
	assert.Equal(t, map[string]int64{
		key(paymentsotel.AttrRoute.String("mem"), paymentsotel.AttrProvider.String(memory.Name),
			paymentsotel.AttrNotificationResult.String("verified"), paymentsotel.AttrStatus.String("authorized")): 1,
		key(paymentsotel.AttrRoute.String("mem"), paymentsotel.AttrProvider.String(memory.Name),
			paymentsotel.AttrNotificationResult.String("rejected"), attribute.String("error.type", "unverified")): 1,
	}, sums(t, m, paymentsotel.MetricNotifications, "{notification}"))
}

func TestReferenceIsOptIn(t *testing.T) {
	r := newRig(t, paymentsotel.WithReference())
	r.faults.Inject(nil, faultnet.Refused, -1)
	sc, _, err := r.authorize(t, "order-42", "EUR", memory.CardApproved)
	require.NoError(t, err)
	for _, s := range r.children(sc) {
		assert.Equal(t, "order-42", attrs(s.Attributes())["payments.reference"])
	}
	assert.Equal(t, "order-42", event(t, r.span(t, sc), "payments.cascade")["payments.reference"])
	// Never a metric attribute.
	m := collect(t, r.reader)
	for _, sm := range m.ScopeMetrics {
		for _, mt := range sm.Metrics {
			if s, ok := mt.Data.(metricdata.Sum[int64]); ok {
				for _, dp := range s.DataPoints {
					_, has := dp.Attributes.Value(paymentsotel.AttrReference)
					assert.False(t, has, mt.Name)
				}
			}
		}
	}
}

// TestOtherOperations checks the spans of capture, refund and status,
// which the Router forwards to the owning route.
func TestOtherOperations(t *testing.T) {
	r := newRig(t)
	_, p, err := r.authorize(t, "order-ops", "USD", memory.CardApproved)
	require.NoError(t, err)
	ctx, span := r.tp.Tracer("test").Start(context.Background(), "fulfil")
	_, err = r.router.Capture(ctx, &payments.CaptureRequest{ID: p.ID})
	require.NoError(t, err)
	_, err = r.router.Refund(ctx, &payments.RefundRequest{ID: p.ID})
	require.NoError(t, err)
	_, err = r.router.Status(ctx, &payments.StatusRequest{ID: p.ID})
	require.NoError(t, err)
	span.End()
	var names []string
	for _, s := range r.children(span.SpanContext()) {
		checkAttemptSpan(t, s, s.Name())
		a := attrs(s.Attributes())
		assert.Equal(t, "mem", a["payments.route"])
		_, hasAttempt := a["payments.attempt"]
		assert.False(t, hasAttempt, "attempt numbers are for authorizations")
		names = append(names, s.Name())
	}
	assert.Equal(t, []string{"payments capture", "payments refund", "payments status"}, names)
}

// TestNoParentSpan: without a recording span in the context the gateway
// call is a root span and the other events are dropped, not a failure.
func TestNoParentSpan(t *testing.T) {
	r := newRig(t)
	r.faults.Inject(nil, faultnet.Refused, -1)
	amount, err := payments.ParseMoney("20.00", "EUR")
	require.NoError(t, err)
	_, err = r.router.Authorize(context.Background(), &payments.AuthorizeRequest{Reference: "order-root", Amount: amount,
		Method: payments.Card{Number: memory.CardApproved, Holder: "John Doe", ExpiryMonth: "02", ExpiryYear: "2099", CVV: "312"}})
	require.NoError(t, err)
	ended := r.spans.Ended()
	require.Len(t, ended, 2)
	for _, s := range ended {
		assert.False(t, s.Parent().IsValid())
		assert.Empty(t, s.Events())
	}
	assert.Len(t, sums(t, collect(t, r.reader), paymentsotel.MetricCascades, "{cascade}"), 1, "metrics do not need a span")
}

func TestNewDefaultsToGlobalProviders(t *testing.T) {
	obs, err := paymentsotel.New()
	require.NoError(t, err)
	// The global providers are no-ops until set: observing costs nothing
	// and records nothing.
	obs.Observe(context.Background(), payments.Event{Kind: payments.EventAttemptEnd, Route: "r", Operation: "authorize"})
	obs.Observe(context.Background(), payments.Event{Kind: payments.EventStoreError})
}

func TestStoreErrorAndConflictEvents(t *testing.T) {
	// Events a Router emits on Store failures and double charges, fed
	// directly: provoking them needs a failing Store, which the payments
	// module's own tests cover.
	r := newRig(t)
	obs, err := paymentsotel.New(paymentsotel.WithTracerProvider(r.tp), paymentsotel.WithMeterProvider(r.mp))
	require.NoError(t, err)
	ctx, span := r.tp.Tracer("test").Start(context.Background(), "op")
	obs.Observe(ctx, payments.Event{Kind: payments.EventStoreError, Err: &net404{}})
	obs.Observe(ctx, payments.Event{Kind: payments.EventConflict, Route: "mem", Reference: "o", Attempt: 2, Status: payments.StatusCaptured})
	span.End()
	s := r.span(t, span.SpanContext())
	assert.Equal(t, "*paymentsotel_test.net404", event(t, s, "payments.store.error")["error.type"])
	assert.Equal(t, map[string]string{"payments.route": "mem", "payments.attempt": "2", "payments.status": "captured"},
		event(t, s, "payments.conflict"))
	m := collect(t, r.reader)
	assert.Equal(t, map[string]int64{key(attribute.String("error.type", "*paymentsotel_test.net404")): 1},
		sums(t, m, paymentsotel.MetricStoreErrors, "{error}"))
	assert.Equal(t, map[string]int64{key(paymentsotel.AttrRoute.String("mem"), paymentsotel.AttrStatus.String("captured")): 1},
		sums(t, m, paymentsotel.MetricConflicts, "{conflict}"))
}

type net404 struct{}

func (*net404) Error() string { return "store down" }

func collect(t *testing.T, r *sdkmetric.ManualReader) metricdata.ResourceMetrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, r.Collect(context.Background(), &rm))
	return rm
}

func find(t *testing.T, rm metricdata.ResourceMetrics, name string) metricdata.Metrics {
	t.Helper()
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != paymentsotel.ScopeName {
			continue
		}
		for _, m := range sm.Metrics {
			if m.Name == name {
				return m
			}
		}
	}
	t.Fatalf("no metric %q", name)
	return metricdata.Metrics{}
}

// key names an attribute set in the maps sums returns.
func key(kvs ...attribute.KeyValue) string {
	s := attribute.NewSet(kvs...)
	return s.Encoded(attribute.DefaultEncoder())
}

// sums returns a monotonic counter's values by attribute set (see key).
func sums(t *testing.T, rm metricdata.ResourceMetrics, name, unit string) map[string]int64 {
	t.Helper()
	m := find(t, rm, name)
	assert.Equal(t, unit, m.Unit, name)
	s, ok := m.Data.(metricdata.Sum[int64])
	require.True(t, ok, "%s is a %T", name, m.Data)
	assert.True(t, s.IsMonotonic, name)
	out := map[string]int64{}
	for _, dp := range s.DataPoints {
		out[dp.Attributes.Encoded(attribute.DefaultEncoder())] = dp.Value
	}
	return out
}

func histogram(t *testing.T, rm metricdata.ResourceMetrics, name string) metricdata.Histogram[float64] {
	t.Helper()
	m := find(t, rm, name)
	assert.Equal(t, "s", m.Unit)
	h, ok := m.Data.(metricdata.Histogram[float64])
	require.True(t, ok, "%s is a %T", name, m.Data)
	return h
}
