package payments

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"
)

// Route is one gateway a [Router] may send payments to, and the payments it
// accepts. Empty filters accept everything.
type Route struct {
	// Name identifies the route: in payment IDs ("name:providerID"), in
	// attempts, and as the notification path segment. Letters, digits, '-'
	// and '_' only.
	Name string
	// Gateway is the driver.
	Gateway Gateway
	// Currencies the route accepts, in any case ("eur" is "EUR").
	Currencies []Currency
	// Countries are the billing countries (ISO 3166-1 alpha-2) it accepts; a
	// payment without a billing address does not match a route with
	// countries.
	Countries []string
	// Methods are the payment method kinds it accepts (also limited by the
	// gateway's Capabilities).
	Methods []MethodKind
	// MinAmount and MaxAmount bound the amount, inclusive. A payment in
	// another currency than a bound's does not match the route: give each
	// currency with bounds a route of its own.
	MinAmount, MaxAmount *Money
	// Priority orders routes: lower is tried first.
	Priority int
	// Weight spreads load between routes of equal priority: the order among
	// them is drawn at random with probability proportional to Weight
	// (0 counts as 1).
	Weight int
}

// accepts reports whether the route's own filters accept the request.
func (rt *Route) accepts(req *AuthorizeRequest) bool {
	if len(rt.Currencies) > 0 && !slices.Contains(rt.Currencies, req.Amount.Currency) {
		return false
	}
	if len(rt.Countries) > 0 {
		if req.BillingAddress == nil || !slices.Contains(rt.Countries, req.BillingAddress.Country) {
			return false
		}
	}
	kind := req.Method.Kind()
	if len(rt.Methods) > 0 && !slices.Contains(rt.Methods, kind) {
		return false
	}
	for _, b := range []struct {
		bound *Money
		min   bool
	}{{rt.MinAmount, true}, {rt.MaxAmount, false}} {
		if b.bound == nil {
			continue
		}
		c, err := req.Amount.Cmp(*b.bound)
		if err != nil || (b.min && c < 0) || (!b.min && c > 0) {
			return false
		}
	}
	caps := rt.Gateway.Capabilities()
	if !caps.Supports(kind) || !caps.AcceptsCurrency(req.Amount.Currency) {
		return false
	}
	if !req.Capture && !caps.TwoStep && kind != KindInvoice && kind != KindHostedPage {
		return false
	}
	return true
}

// RouterOption configures a [Router].
type RouterOption func(*routerConfig)

type routerConfig struct {
	store            Store
	logger           *slog.Logger
	reconcileTries   int
	reconcileBackoff time.Duration
	breakerThreshold int
	breakerCooldown  time.Duration
	now              func() time.Time
	rand             *rand.Rand
	storeTries       int
	storeBackoff     time.Duration
	observer         Observer
	strategy         Strategy
}

// WithStore sets where ownership and last known statuses are kept (default:
// a new MemoryStore). Use a shared store when several instances route.
func WithStore(s Store) RouterOption { return func(c *routerConfig) { c.store = s } }

// WithRouterLogger logs routing decisions at debug level and failures at
// warn level. The default is silent.
func WithRouterLogger(l *slog.Logger) RouterOption { return func(c *routerConfig) { c.logger = l } }

// WithReconcile sets how an unknown outcome is reconciled: up to tries
// Status queries, the first after backoff, then doubling (default 5 tries
// from 250ms), always within the caller's context.
func WithReconcile(tries int, backoff time.Duration) RouterOption {
	return func(c *routerConfig) {
		c.reconcileTries, c.reconcileBackoff = tries, backoff
	}
}

// WithBreaker sets the health breaker: after threshold consecutive
// unavailable or timed-out attempts a route is skipped for cooldown, then one
// probe payment is let through (default 5 and 30s).
func WithBreaker(threshold int, cooldown time.Duration) RouterOption {
	return func(c *routerConfig) {
		c.breakerThreshold, c.breakerCooldown = threshold, cooldown
	}
}

// WithStoreRetry sets how a failing store call is retried before the
// Router reports ErrUnrecorded: up to tries calls, the second after backoff,
// then doubling (default 3 tries from 20ms), within the caller's context.
// Semantic answers (ErrDuplicate, ErrNotFound, …) are never retried.
func WithStoreRetry(tries int, backoff time.Duration) RouterOption {
	return func(c *routerConfig) {
		c.storeTries, c.storeBackoff = max(tries, 1), backoff
	}
}

// WithClock replaces time.Now (tests).
func WithClock(now func() time.Time) RouterOption { return func(c *routerConfig) { c.now = now } }

// WithRandSeed makes the weighted order among equal-priority routes
// reproducible (tests).
func WithRandSeed(seed uint64) RouterOption {
	return func(c *routerConfig) { c.rand = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) }
}

// Router is a [Gateway] over several gateways. Authorize picks the routes
// that accept a payment, tries them in priority order and cascades to the
// next one only when the previous one provably did not charge the customer
// (CanCascade); an unknown outcome is reconciled with Status on the same
// gateway and never cascaded. Later calls go to the gateway that owns the
// payment. Payment IDs returned by a Router are "route:providerID".
//
// A Router is safe for concurrent use.
type Router struct {
	routes []*routeState
	byName map[string]*routeState
	cfg    routerConfig
	randMu sync.Mutex
}

type routeState struct {
	Route
	mu        sync.Mutex
	failures  int
	openUntil time.Time
	probing   bool
}

var _ Gateway = (*Router)(nil)

// NewRouter checks the routes and builds a Router. No routes, a route
// without a name or gateway, duplicate names, and a route no payment can
// match (a currency its gateway refuses, bounds outside its currencies,
// min above max) are errors.
func NewRouter(routes []Route, opts ...RouterOption) (*Router, error) {
	cfg := routerConfig{
		logger:           discardLogger(),
		reconcileTries:   5,
		reconcileBackoff: 250 * time.Millisecond,
		breakerThreshold: 5,
		breakerCooldown:  30 * time.Second,
		now:              time.Now,
		storeTries:       3,
		storeBackoff:     20 * time.Millisecond,
		observer:         nopObserver{},
	}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.store == nil {
		cfg.store = NewMemoryStore()
	}
	if cfg.rand == nil {
		cfg.rand = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	if cfg.logger == nil {
		cfg.logger = discardLogger()
	}
	if len(routes) == 0 {
		return nil, &Error{Code: InvalidRequest, Field: "routes", Message: "a router needs at least one route"}
	}
	r := &Router{byName: map[string]*routeState{}, cfg: cfg}
	for i := range routes {
		rt := routes[i].normalized()
		if err := checkRoute(&rt); err != nil {
			return nil, err
		}
		if _, dup := r.byName[rt.Name]; dup {
			return nil, &Error{Code: InvalidRequest, Field: "routes", Message: fmt.Sprintf("duplicate route name %q", rt.Name)}
		}
		st := &routeState{Route: rt}
		r.routes = append(r.routes, st)
		r.byName[rt.Name] = st
	}
	return r, nil
}

// normalized returns a copy of rt whose currency codes (Currencies and the
// bounds' currencies) are upper-cased, so that routes compare them with the
// codes of payments, which the Money constructors upper-case. The caller's
// slices and bounds are not modified.
func (rt Route) normalized() Route {
	if rt.Currencies != nil {
		cs := make([]Currency, len(rt.Currencies))
		for i, c := range rt.Currencies {
			cs[i] = c.normalize()
		}
		rt.Currencies = cs
	}
	for _, b := range []**Money{&rt.MinAmount, &rt.MaxAmount} {
		if *b != nil {
			m := **b
			m.Currency = m.Currency.normalize()
			*b = &m
		}
	}
	return rt
}

func checkRoute(rt *Route) error {
	bad := func(format string, args ...any) error {
		return &Error{Code: InvalidRequest, Field: "routes", Message: fmt.Sprintf("route %q: ", rt.Name) + fmt.Sprintf(format, args...)}
	}
	if rt.Name == "" || strings.IndexFunc(rt.Name, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_')
	}) >= 0 {
		return bad("name must be letters, digits, '-' or '_'")
	}
	if rt.Gateway == nil {
		return bad("no gateway")
	}
	if rt.Weight < 0 {
		return bad("negative weight")
	}
	caps := rt.Gateway.Capabilities()
	for _, c := range rt.Currencies {
		if !c.Valid() {
			return bad("%q is not an ISO 4217 code", string(c))
		}
	}
	if len(rt.Currencies) > 0 {
		ok := false
		for _, c := range rt.Currencies {
			ok = ok || caps.AcceptsCurrency(c)
		}
		if !ok {
			return bad("gateway %s accepts none of its currencies: no payment can match", rt.Gateway.Name())
		}
	}
	if len(rt.Methods) > 0 {
		ok := false
		for _, m := range rt.Methods {
			ok = ok || caps.Supports(m)
		}
		if !ok {
			return bad("gateway %s supports none of its methods: no payment can match", rt.Gateway.Name())
		}
	}
	for _, b := range []*Money{rt.MinAmount, rt.MaxAmount} {
		if b == nil {
			continue
		}
		if !b.Currency.Valid() || (len(rt.Currencies) > 0 && !slices.Contains(rt.Currencies, b.Currency)) {
			return bad("amount bound %s is in a currency the route does not accept: no payment can match", b)
		}
	}
	if rt.MinAmount != nil && rt.MaxAmount != nil {
		c, err := rt.MinAmount.Cmp(*rt.MaxAmount)
		if err != nil {
			return bad("min and max amounts are in different currencies: no payment can match")
		}
		if c > 0 {
			return bad("min amount %s is above max amount %s: no payment can match", rt.MinAmount, rt.MaxAmount)
		}
	}
	return nil
}

// Name returns "router".
func (r *Router) Name() string { return "router" }

// Capabilities is the union of the routes' capabilities (a flow is offered
// if some route offers it); Notifications is the weakest verification.
func (r *Router) Capabilities() Capabilities {
	var c Capabilities
	first := true
	for _, rt := range r.routes {
		g := rt.Gateway.Capabilities()
		for _, m := range g.Methods {
			if !slices.Contains(c.Methods, m) {
				c.Methods = append(c.Methods, m)
			}
		}
		c.TwoStep = c.TwoStep || g.TwoStep
		c.Cancel = c.Cancel || g.Cancel
		c.PartialCapture = c.PartialCapture || g.PartialCapture
		c.MultipleCaptures = c.MultipleCaptures || g.MultipleCaptures
		c.Refund = c.Refund || g.Refund
		c.PartialRefund = c.PartialRefund || g.PartialRefund
		c.MultipleRefunds = c.MultipleRefunds || g.MultipleRefunds
		c.ThreeDS = c.ThreeDS || g.ThreeDS
		c.Payouts = c.Payouts || g.Payouts
		c.RefundsInStatus = true // Status applies the refund ledger
		if first {
			c.Notifications, c.LookupByReference, c.IdempotentModifications = g.Notifications, true, g.IdempotentModifications
		} else {
			c.Notifications &= g.Notifications
			c.IdempotentModifications = c.IdempotentModifications && g.IdempotentModifications
		}
		first = false
	}
	return c
}

// Routes returns the route names in the order given to NewRouter.
func (r *Router) Routes() []string {
	out := make([]string, len(r.routes))
	for i, rt := range r.routes {
		out[i] = rt.Name
	}
	return out
}

// OnlyRoutes, put in AuthorizeRequest.ProviderOptions, limits a Router to
// the named routes (still in priority order, still filtered): for a
// merchant contracted to particular acquirers, or to pin a test to one.
type OnlyRoutes []string

// candidates returns the routes accepting req, by priority, equal
// priorities in weighted random order.
func (r *Router) candidates(req *AuthorizeRequest) []*routeState {
	var only OnlyRoutes
	for _, o := range req.ProviderOptions {
		if v, ok := o.(OnlyRoutes); ok {
			only = append(only, v...)
		}
	}
	var out []*routeState
	for _, rt := range r.routes {
		if len(only) > 0 && !slices.Contains(only, rt.Name) {
			continue
		}
		if rt.accepts(req) {
			out = append(out, rt)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Priority < out[j].Priority })
	for i := 0; i < len(out); {
		j := i
		for j < len(out) && out[j].Priority == out[i].Priority {
			j++
		}
		if j-i > 1 {
			r.weightedShuffle(out[i:j])
		}
		i = j
	}
	return out
}

func (r *Router) weightedShuffle(rs []*routeState) {
	r.randMu.Lock()
	defer r.randMu.Unlock()
	for i := range rs {
		total := 0
		for _, rt := range rs[i:] {
			total += max(rt.Weight, 1)
		}
		pick := r.cfg.rand.IntN(total)
		for k := i; k < len(rs); k++ {
			pick -= max(rs[k].Weight, 1)
			if pick < 0 {
				rs[i], rs[k] = rs[k], rs[i]
				break
			}
		}
	}
}

// allow reports whether the breaker lets a payment through, claiming the
// half-open probe when the cool-down is over.
func (r *Router) allow(rt *routeState) bool {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.openUntil.IsZero() {
		return true
	}
	if r.cfg.now().Before(rt.openUntil) || rt.probing {
		return false
	}
	rt.probing = true
	return true
}

// observe feeds an attempt's outcome to the route's breaker.
func (r *Router) observe(ctx context.Context, rt *routeState, err error) {
	rt.mu.Lock()
	unhealthy := errors.Is(err, ErrUnavailable) || isTimeout(err)
	rt.probing = false
	var ev EventKind
	if !unhealthy {
		if !rt.openUntil.IsZero() {
			ev = EventBreakerClose
		}
		rt.failures = 0
		rt.openUntil = time.Time{}
	} else {
		rt.failures++
		if rt.failures >= r.cfg.breakerThreshold || !rt.openUntil.IsZero() {
			if rt.openUntil.IsZero() {
				ev = EventBreakerOpen
			}
			rt.openUntil = r.cfg.now().Add(r.cfg.breakerCooldown)
			r.cfg.logger.WarnContext(ctx, "payments: route unhealthy, breaker open", "route", rt.Name, "failures", rt.failures, "until", rt.openUntil)
		}
	}
	failures := rt.failures
	rt.mu.Unlock()
	if ev != "" {
		r.cfg.observer.Observe(ctx, Event{Kind: ev, Route: rt.Name, Provider: rt.Gateway.Name(), Code: CodeOf(err),
			Reason: fmt.Sprintf("%d consecutive unavailable or timed-out attempts", failures)})
	}
}

// Authorize routes the payment. See [Router] for the rules. The returned
// Payment, or the *Error, lists every attempt in Attempts.
//
// Each attempt is written to the Store before its gateway call and its
// outcome after the answer (the write-ahead attempt log), so a crash at any
// point leaves a record [Router.Recover] can resolve. The attempt that ends
// routing owns the payment; when no attempt reached a provider the
// reservation is released and the reference may be used again.
func (r *Router) Authorize(ctx context.Context, req *AuthorizeRequest) (*Payment, error) {
	// Every gateway validates the whole request before any I/O (the Gateway
	// contract), so validating it here too would double the cost of the
	// most expensive step the library takes itself. The Router checks only
	// what routing and the Store rely on.
	if err := req.routable(); err != nil {
		return nil, err
	}
	cands := r.candidates(req)
	if len(cands) == 0 {
		return nil, &Error{Code: Unsupported, Message: fmt.Sprintf("no route accepts %s %s by %s", req.Amount, billingCountry(req), req.Method.Kind())}
	}
	cands, reasons := r.order(ctx, req, cands)
	var (
		attempts []Attempt
		lastErr  error
		n        int     // attempts written to the store
		reached  *Record // the last cascaded attempt a provider holds (a soft decline)
		reachedP *Payment
	)
	for i, rt := range cands {
		if ctx.Err() != nil {
			lastErr = &Error{Code: Unavailable, Message: "context done before trying " + rt.Name, Err: ctx.Err()}
			break
		}
		if !r.allow(rt) {
			attempts = append(attempts, Attempt{Route: rt.Name, Code: Unavailable, Err: &Error{Code: Unavailable, Message: "breaker open"}, Reason: reasonAt(reasons, i)})
			continue
		}
		rec := Record{Reference: req.Reference, Attempt: n + 1, Route: rt.Name, Started: r.cfg.now()}
		if err := r.storeDo(ctx, func() error { return r.cfg.store.Begin(ctx, rec) }); err != nil {
			if n == 0 && errors.Is(err, ErrDuplicate) {
				return nil, err // another call (or instance) has the reference
			}
			// Nothing was sent for this attempt: without the write-ahead
			// record no gateway may be called.
			lastErr = &Error{Code: Unavailable, Message: "store: cannot record the attempt at " + rt.Name + "; nothing was sent", Err: err}
			if n == 0 {
				return r.withAttempts(nil, lastErr, attempts)
			}
			break
		}
		n++
		var p *Payment
		err := r.callReason(ctx, rt, "authorize", req.Reference, n, reasonAt(reasons, i), func() (*Payment, error) {
			var err error
			p, err = rt.Gateway.Authorize(ctx, req)
			return p, err
		})
		r.observe(ctx, rt, err)
		att := Attempt{Route: rt.Name, Code: CodeOf(err), Err: err, Reason: reasonAt(reasons, i)}
		// The decision is taken on the gateway's own answer: an unknown
		// outcome ends routing even when reconciling then finds a failure
		// (a later success may still override it).
		next := cascades(p, err)
		if errors.Is(err, ErrOutcomeUnknown) {
			p, err = r.reconcile(ctx, rt, req, p, err)
		}
		att.Status = statusOf(p)
		attempts = append(attempts, att)
		r.learn(ctx, rt.Name, req.Reference, n, req, p, err)
		if r.cfg.logger.Enabled(ctx, slog.LevelDebug) {
			r.cfg.logger.DebugContext(ctx, "payments: route attempt", "route", rt.Name, "reference", req.Reference, "attempt", rec.Attempt, "code", att.Code, "status", att.Status)
		}
		p = r.routerPayment(rt, req.Reference, p)
		rec.ID, rec.Status, rec.Code = idOf(p), attemptStatus(p, err), CodeOf(err)

		if !next {
			if p == nil && errors.Is(err, ErrInvalidRequest) {
				// Refused before anything was processed: this attempt
				// ends routing but owns nothing.
				if _, serr := r.finish(ctx, rec, false); serr != nil {
					return r.withAttempts(nil, unrecorded(serr, err), attempts)
				}
				lastErr = err
				break
			}
			// The cascade rule: any other outcome ends routing here, and
			// this attempt owns the payment.
			stored, serr := r.finish(ctx, rec, true)
			if serr != nil {
				return r.withAttempts(p, unrecorded(serr, err), attempts)
			}
			return r.withAttempts(r.ownedPayment(p, stored), err, attempts)
		}
		if _, serr := r.finish(ctx, rec, false); serr != nil {
			// Never route on without the record of what this attempt did.
			return r.withAttempts(p, unrecorded(serr, err), attempts)
		}
		if p != nil {
			// A soft decline the provider keeps on its books.
			c := rec
			reached, reachedP = &c, p
		}
		r.cfg.observer.Observe(ctx, Event{Kind: EventCascade, Route: rt.Name, Provider: rt.Gateway.Name(), Operation: "authorize",
			Reference: req.Reference, Attempt: n, Code: CodeOf(err), Status: rec.Status, Reason: att.Reason, Err: err})
		lastErr = err
	}
	if lastErr == nil {
		lastErr = &Error{Code: Unavailable, Message: "every route is unavailable (breakers open)"}
	}
	if reached == nil {
		// No provider holds the reference: free it for another try.
		if err := r.storeDo(ctx, func() error { return r.cfg.store.Release(ctx, req.Reference) }); err != nil {
			r.cfg.logger.WarnContext(ctx, "payments: releasing a reference failed; Recover releases it later", "reference", req.Reference, "error", err)
		}
		return r.withAttempts(nil, lastErr, attempts)
	}
	// The last soft decline owns the payment, so Status finds it.
	stored, serr := r.finish(ctx, *reached, true)
	if serr != nil {
		return r.withAttempts(reachedP, unrecorded(serr, lastErr), attempts)
	}
	return r.withAttempts(r.ownedPayment(reachedP, stored), lastErr, attempts)
}

// cascades is the cascade rule, the one place it is decided: the next route
// is tried only when the attempt returned no Payment or a failed one, and
// the error says the customer was not charged (CanCascade). Any other
// Payment ends routing, whatever the error: it is returned, owned and
// recorded.
func cascades(p *Payment, err error) bool {
	return (p == nil || p.Status == StatusFailed) && CanCascade(err)
}

// attemptStatus is what the attempt log records for an answer: the
// payment's status; Unknown for an unknown outcome (or no answer at all);
// Failed for an error without a payment (nothing to hold money).
func attemptStatus(p *Payment, err error) Status {
	switch {
	case p != nil:
		return p.Status
	case err == nil || errors.Is(err, ErrOutcomeUnknown):
		return StatusUnknown
	}
	return StatusFailed
}

// call runs one gateway call, classifies its error (see classify) and
// reports its start and end to the observer.
func (r *Router) call(ctx context.Context, rt *routeState, op, reference string, attempt int, fn func() (*Payment, error)) error {
	return r.callReason(ctx, rt, op, reference, attempt, "", fn)
}

// callReason is call with the reason the route was chosen, for the events.
func (r *Router) callReason(ctx context.Context, rt *routeState, op, reference string, attempt int, reason string, fn func() (*Payment, error)) error {
	ev := Event{Kind: EventAttemptStart, Route: rt.Name, Provider: rt.Gateway.Name(), Operation: op, Reference: reference, Attempt: attempt, Start: r.cfg.now(), Reason: reason}
	r.cfg.observer.Observe(ctx, ev)
	p, err := fn()
	err = classify(rt.Gateway.Name(), err)
	ev.Kind, ev.Duration, ev.Code, ev.Status, ev.Err = EventAttemptEnd, r.cfg.now().Sub(ev.Start), CodeOf(err), statusOf(p), err
	r.cfg.observer.Observe(ctx, ev)
	return err
}

// classify makes every gateway error one the Router can reason about: an
// error that carries no Code (a custom driver's fmt.Errorf, a raw network
// error) is an unknown outcome, reconciled and never cascaded, since it may
// hide a charge.
func classify(provider string, err error) error {
	if err == nil || CodeOf(err) != "" {
		return err
	}
	return &Error{Code: OutcomeUnknown, Provider: provider, Message: "unclassified gateway error: treated as an unknown outcome", Err: err}
}

// unrecorded reports a store failure after a provider answered: the
// answer (and gwErr, the gateway's own error, if any) is returned with
// ErrUnrecorded; Recover settles the attempt later.
//
// The gateway's error is kept as text only: its class (say, rate limited
// after a partial success) must not make errors.Is report the whole as
// something safe to retry or cascade.
func unrecorded(storeErr, gwErr error) error {
	msg := "the provider answered but the store could not record it; run Router.Recover"
	if gwErr != nil {
		msg += " (the provider's answer came with: " + gwErr.Error() + ")"
	}
	return &Error{Code: Unrecorded, Message: msg, Err: storeErr}
}

// storeDo runs a store call, retrying a failure of the store itself (not a
// semantic answer such as ErrDuplicate or ErrNotFound) a few times briefly.
func (r *Router) storeDo(ctx context.Context, call func() error) error {
	wait := r.cfg.storeBackoff
	var err error
	for i := 0; i < r.cfg.storeTries; i++ {
		if err = call(); err == nil || CodeOf(err) != "" {
			return err
		}
		r.cfg.logger.WarnContext(ctx, "payments: store call failed", "try", i+1, "error", err)
		r.cfg.observer.Observe(ctx, Event{Kind: EventStoreError, Err: err})
		if i+1 < r.cfg.storeTries {
			if serr := sleepCtx(ctx, wait); serr != nil {
				break
			}
			wait *= 2
		}
	}
	return err
}

// finish records an attempt's outcome (retrying the store briefly).
func (r *Router) finish(ctx context.Context, rec Record, own bool) (Record, error) {
	var stored Record
	err := r.storeDo(ctx, func() error {
		var err error
		stored, err = r.cfg.store.Finish(ctx, rec, own)
		return err
	})
	if err == nil && stored.Conflict {
		r.reportConflict(ctx, stored)
	}
	return stored, err
}

// reportConflict says loudly that a reference was charged twice.
func (r *Router) reportConflict(ctx context.Context, rec Record) {
	r.cfg.observer.Observe(ctx, Event{Kind: EventConflict, Route: rec.Route, Reference: rec.Reference, Attempt: rec.Attempt, Status: rec.Status})
	r.cfg.logger.ErrorContext(ctx, "payments: DOUBLE CHARGE: an attempt that does not own the reference holds money; return it (Router.Conflicts lists it)",
		"reference", rec.Reference, "attempt", rec.Attempt, "route", rec.Route, "id", rec.ID, "status", rec.Status)
}

// routerPayment gives p the Router's ID form and the reserved reference.
func (r *Router) routerPayment(rt *routeState, reference string, p *Payment) *Payment {
	if p == nil {
		return nil
	}
	cp := *p
	if cp.ID != "" {
		cp.ID = rt.Name + ":" + cp.ID
	}
	if cp.Reference == "" {
		// A driver that does not echo the reference: the store must still
		// tie the payment to the reserved reference.
		cp.Reference = reference
	}
	return &cp
}

// ownedPayment applies the stored (forward-only) status to p: a status
// older than the one known is replaced by it.
func (r *Router) ownedPayment(p *Payment, stored Record) *Payment {
	if p == nil {
		return nil
	}
	p.Status = stored.Status
	return p
}

func idOf(p *Payment) string {
	if p == nil {
		return ""
	}
	return p.ID
}

// routable checks what the Router itself relies on: a reference to reserve,
// a positive amount in a known currency to filter routes by, and a method.
func (req *AuthorizeRequest) routable() error {
	switch {
	case req == nil:
		return &Error{Code: InvalidRequest, Message: "request is nil"}
	case req.Reference == "" || len(req.Reference) > 64:
		return &Error{Code: InvalidRequest, Field: "reference", Message: "reference: required, at most 64 characters"}
	case isNil(req.Method):
		return &Error{Code: InvalidRequest, Field: "method", Message: "method: required"}
	case !req.Amount.IsPositive():
		return &Error{Code: InvalidRequest, Field: "amount", Message: "amount: must be positive"}
	}
	for i := 0; i < len(req.Reference); i++ {
		if c := req.Reference[i]; c < 0x20 || c > 0x7e {
			return &Error{Code: InvalidRequest, Field: "reference", Message: "reference: printable ASCII only"}
		}
	}
	return req.Amount.check()
}

// reconcile asks the gateway that may have processed the payment what
// happened, with bounded, backed-off attempts within ctx.
func (r *Router) reconcile(ctx context.Context, rt *routeState, req *AuthorizeRequest, partial *Payment, cause error) (*Payment, error) {
	sreq := &StatusRequest{Reference: req.Reference}
	if partial != nil && partial.ID != "" {
		sreq.ID = partial.ID
	} else if !rt.Gateway.Capabilities().LookupByReference {
		return partial, &Error{Code: OutcomeUnknown, Provider: rt.Gateway.Name(), Message: "outcome unknown and the gateway cannot look payments up by reference; reconcile " + req.Reference + " by hand", Err: cause}
	}
	start := r.cfg.now()
	wait := r.cfg.reconcileBackoff
	var lastErr error
	for i := 0; i < r.cfg.reconcileTries; i++ {
		if err := sleepCtx(ctx, wait); err != nil {
			break
		}
		wait *= 2
		p, err := rt.Gateway.Status(ctx, sreq)
		if err == nil && p != nil && p.Status != StatusUnknown {
			r.cfg.logger.InfoContext(ctx, "payments: reconciled unknown outcome", "route", rt.Name, "reference", req.Reference, "status", p.Status)
			r.cfg.observer.Observe(ctx, Event{Kind: EventReconcile, Route: rt.Name, Provider: rt.Gateway.Name(), Operation: "status", Reference: req.Reference, Start: start, Duration: r.cfg.now().Sub(start), Status: p.Status})
			if p.Status == StatusFailed {
				reason := DeclineGeneric
				if p.Decline != nil {
					reason = p.Decline.Reason
				}
				return p, &Error{Code: Declined, Provider: rt.Gateway.Name(), Decline: &Decline{Reason: reason}, Message: "reconciled: the payment failed"}
			}
			return p, nil
		}
		if err != nil {
			lastErr = err
		}
	}
	r.cfg.observer.Observe(ctx, Event{Kind: EventReconcile, Route: rt.Name, Provider: rt.Gateway.Name(), Operation: "status", Reference: req.Reference, Start: start, Duration: r.cfg.now().Sub(start), Code: OutcomeUnknown, Err: lastErr})
	msg := "outcome still unknown after reconciling " + req.Reference
	if lastErr != nil {
		// As text: the query's own class (say, unavailable) must not make
		// errors.Is report this unknown outcome as something safe to retry.
		msg += " (last status query: " + lastErr.Error() + ")"
	}
	return partial, &Error{Code: OutcomeUnknown, Provider: rt.Gateway.Name(), Message: msg, Err: cause}
}

func (r *Router) withAttempts(p *Payment, err error, attempts []Attempt) (*Payment, error) {
	if p != nil {
		p.Attempts = attempts
	}
	if err != nil {
		var pe *Error
		if errors.As(err, &pe) {
			cp := *pe
			cp.Attempts = attempts
			err = &cp
		} else {
			err = &Error{Code: OutcomeUnknown, Message: "unclassified error", Err: err, Attempts: attempts}
		}
	}
	return p, err
}

// owner finds the route and provider ID for a Router payment ID.
func (r *Router) owner(ctx context.Context, id string) (*routeState, string, error) {
	name, pid, ok := SplitID(id)
	if ok {
		if rt, found := r.byName[name]; found {
			return rt, pid, nil
		}
	}
	rec, err := r.cfg.store.Get(ctx, id)
	if err != nil {
		return nil, "", &Error{Code: NotFound, Field: "id", Message: fmt.Sprintf("no route owns payment %q", id), Err: err}
	}
	rt, found := r.byName[rec.Route]
	if !found {
		return nil, "", &Error{Code: NotFound, Field: "id", Message: fmt.Sprintf("payment %q belongs to unknown route %q", id, rec.Route)}
	}
	_, pid, _ = SplitID(rec.ID)
	return rt, pid, nil
}

// Capture sends the capture to the gateway that owns the payment.
func (r *Router) Capture(ctx context.Context, req *CaptureRequest) (*Payment, error) {
	if req == nil {
		return nil, &Error{Code: InvalidRequest, Message: "request is nil"}
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	return r.forward(ctx, "capture", req.ID, func(g Gateway, pid string) (*Payment, error) {
		cp := *req
		cp.ID = pid
		return g.Capture(ctx, &cp)
	})
}

// Cancel sends the cancel to the gateway that owns the payment.
func (r *Router) Cancel(ctx context.Context, req *CancelRequest) (*Payment, error) {
	if req == nil {
		return nil, &Error{Code: InvalidRequest, Message: "request is nil"}
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	return r.forward(ctx, "cancel", req.ID, func(g Gateway, pid string) (*Payment, error) {
		cp := *req
		cp.ID = pid
		return g.Cancel(ctx, &cp)
	})
}

// forward runs call on the gateway that owns the Router payment id, with the
// provider's own id, and records the answer forward-only.
func (r *Router) forward(ctx context.Context, op, id string, fn func(g Gateway, pid string) (*Payment, error)) (*Payment, error) {
	rt, pid, err := r.owner(ctx, id)
	if err != nil {
		return nil, err
	}
	var p *Payment
	err = r.call(ctx, rt, op, "", 0, func() (*Payment, error) {
		var err error
		p, err = fn(rt.Gateway, pid)
		return p, err
	})
	if p == nil {
		return nil, err
	}
	p = r.routerPayment(rt, "", p)
	if p.ID == "" {
		p.ID = id
	}
	return r.record(ctx, p, err)
}

// record writes a newer state of a payment the Router made (forward-only)
// and returns p with the stored status. A payment the store does not know
// (an ID made up by the caller) is returned as the provider reported it.
func (r *Router) record(ctx context.Context, p *Payment, err error) (*Payment, error) {
	_, _, rerr := r.advance(ctx, p, err)
	return p, rerr
}

// advance is record's one store write: found is false for a payment the
// store does not know; stored is the attempt as stored, whose status p
// now carries.
func (r *Router) advance(ctx context.Context, p *Payment, err error) (stored Record, found bool, _ error) {
	serr := r.storeDo(ctx, func() error {
		var e error
		stored, e = r.cfg.store.Advance(ctx, p.ID, p.Status)
		return e
	})
	switch {
	case errors.Is(serr, ErrNotFound):
		return stored, false, err
	case serr != nil:
		return stored, false, unrecorded(serr, err)
	}
	if stored.Conflict {
		r.reportConflict(ctx, stored)
	}
	r.learn(ctx, stored.Route, stored.Reference, stored.Attempt, nil, p, err)
	p.Status = stored.Status
	return stored, true, err
}

// Refund sends the refund to the gateway that owns the payment and records
// it in the refund ledger. The refund's PaymentID is the Router ID.
func (r *Router) Refund(ctx context.Context, req *RefundRequest) (*Refund, error) {
	if req == nil {
		return nil, &Error{Code: InvalidRequest, Message: "request is nil"}
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	rt, pid, err := r.owner(ctx, req.ID)
	if err != nil {
		return nil, err
	}
	cp := *req
	cp.ID = pid
	var ref *Refund
	err = r.call(ctx, rt, "refund", "", 0, func() (*Payment, error) {
		var err error
		ref, err = rt.Gateway.Refund(ctx, &cp)
		return nil, err
	})
	if ref == nil {
		return nil, err
	}
	c := *ref
	c.PaymentID = req.ID
	return &c, r.recordRefund(ctx, &c, err)
}

// recordRefund writes a refund to the ledger; a store failure is
// ErrUnrecorded (joined with the gateway's own error, if any).
func (r *Router) recordRefund(ctx context.Context, ref *Refund, err error) error {
	if ref.ID == "" {
		return err // nothing to key it by; the provider's status is the record
	}
	serr := r.storeDo(ctx, func() error {
		stored, e := r.cfg.store.PutRefund(ctx, RefundRecord{PaymentID: ref.PaymentID, RefundID: ref.ID, Amount: ref.Amount, Status: ref.Status})
		if e == nil {
			ref.Status = stored.Status
		}
		return e
	})
	if serr != nil {
		return unrecorded(serr, err)
	}
	return err
}

// Status queries the gateway that owns the payment, by ID or by Reference
// (looked up in the Store). A stale answer never takes the payment back:
// the newer known status is returned. For a route whose provider does not
// show refunds in its status (Capabilities.RefundsInStatus false), the
// refunds issued through this Router (the refund ledger) are applied.
func (r *Router) Status(ctx context.Context, req *StatusRequest) (*Payment, error) {
	if req == nil {
		return nil, &Error{Code: InvalidRequest, Message: "request is nil"}
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	var (
		rt  *routeState
		sr  StatusRequest
		id  = req.ID
		err error
	)
	if req.ID != "" {
		rt, sr.ID, err = r.owner(ctx, req.ID)
		if err != nil {
			return nil, err
		}
	} else {
		var rec Record
		gerr := r.storeDo(ctx, func() error {
			var e error
			rec, e = r.cfg.store.GetByReference(ctx, req.Reference)
			return e
		})
		if gerr != nil {
			if CodeOf(gerr) == "" {
				return nil, &Error{Code: Unavailable, Message: "store: cannot look the reference up", Err: gerr}
			}
			return nil, &Error{Code: NotFound, Field: "reference", Message: fmt.Sprintf("no route owns reference %q", req.Reference), Err: gerr}
		}
		rt = r.byName[rec.Route]
		if rt == nil {
			return nil, &Error{Code: NotFound, Field: "reference", Message: fmt.Sprintf("reference %q belongs to unknown route %q", req.Reference, rec.Route)}
		}
		if rec.ID != "" {
			id = rec.ID
			_, sr.ID, _ = SplitID(rec.ID)
		} else {
			sr.Reference = req.Reference
		}
	}
	var p *Payment
	err = r.call(ctx, rt, "status", req.Reference, 0, func() (*Payment, error) {
		var err error
		p, err = rt.Gateway.Status(ctx, &sr)
		return p, err
	})
	if p == nil {
		return nil, err
	}
	p = r.routerPayment(rt, req.Reference, p)
	if p.ID == "" {
		p.ID = id
	}
	if p.ID == "" {
		return p, err
	}
	if !rt.Gateway.Capabilities().RefundsInStatus {
		if lerr := r.applyLedger(ctx, p); lerr != nil {
			return p, lerr
		}
	}
	if id == "" {
		// Found by reference at the provider: the owning attempt learns
		// its provider ID now.
		if rec, gerr := r.cfg.store.GetByReference(ctx, req.Reference); gerr == nil && rec.ID == "" {
			rec.ID, rec.Status = p.ID, p.Status
			if _, ferr := r.finish(ctx, rec, true); ferr != nil {
				return p, unrecorded(ferr, err)
			}
		}
	}
	return r.record(ctx, p, err)
}

// applyLedger reports the refunds recorded by this Router on a payment
// whose provider does not show them: Refunded is the sum of the succeeded
// refunds, and a settled payment becomes partially or fully refunded.
func (r *Router) applyLedger(ctx context.Context, p *Payment) error {
	var refs []RefundRecord
	if err := r.storeDo(ctx, func() error {
		var e error
		refs, e = r.cfg.store.Refunds(ctx, p.ID)
		return e
	}); err != nil {
		return &Error{Code: Unavailable, Message: "store: cannot read the refund ledger", Err: err}
	}
	total := Money{Amount: decimal.Zero, Currency: p.Amount.Currency}
	for _, ref := range refs {
		if ref.Status != RefundSucceeded {
			continue
		}
		sum, err := total.Add(ref.Amount)
		if err != nil {
			return &Error{Code: Integrity, Message: "refund ledger: " + err.Error()}
		}
		total = sum
	}
	if !total.IsPositive() || !p.Status.Settled() {
		return nil
	}
	captured := p.Captured
	if !captured.IsPositive() && p.Status == StatusCaptured {
		captured = p.Amount // Captured means the whole amount was captured
	}
	if !captured.IsPositive() {
		return nil // the captured amount is not known: do not guess
	}
	p.Refunded = total
	if c, err := total.Cmp(captured); err == nil && c >= 0 {
		p.Status = StatusRefunded
	} else {
		p.Status = StatusPartiallyRefunded
	}
	return nil
}

// Notify hands the notification to the route named by the last segment of
// the request path (as [Router.NotificationHandler] mounts them). The
// notification updates only the attempt it is about, found by route and
// provider ID (or, for an attempt that has no provider ID yet, by route and
// reference), forward-only; see [Notification.Conflict].
func (r *Router) Notify(ctx context.Context, req *http.Request) (*Notification, error) {
	if req == nil || req.URL == nil {
		return nil, &Error{Code: InvalidRequest, Message: "request is nil"}
	}
	name := path.Base(req.URL.Path)
	rt, ok := r.byName[name]
	if !ok {
		return nil, &Error{Code: Unverified, Message: fmt.Sprintf("no route named %q for this notification path", name)}
	}
	return r.notify(ctx, rt, req)
}

func (r *Router) notify(ctx context.Context, rt *routeState, req *http.Request) (*Notification, error) {
	start := r.cfg.now()
	n, err := rt.Gateway.Notify(ctx, req)
	err = classify(rt.Gateway.Name(), err)
	ev := Event{Kind: EventNotificationVerified, Route: rt.Name, Provider: rt.Gateway.Name(), Operation: "notify", Start: start, Duration: r.cfg.now().Sub(start), Code: CodeOf(err), Err: err}
	if err != nil || n == nil {
		ev.Kind = EventNotificationRejected
		r.cfg.observer.Observe(ctx, ev)
		return n, err
	}
	if n.Payment != nil {
		ev.Reference, ev.Status = n.Payment.Reference, n.Payment.Status
	}
	r.cfg.observer.Observe(ctx, ev)
	if n.Payment != nil {
		p, stored, perr := r.notifyPayment(ctx, rt, n.Payment)
		n.Payment = p
		if stored.Conflict {
			n.Conflict = conflictOf(stored)
		}
		if perr != nil {
			return n, perr
		}
	}
	if n.Refund != nil && n.Refund.PaymentID != "" {
		c := *n.Refund
		c.PaymentID = rt.Name + ":" + c.PaymentID
		n.Refund = &c
		if err := r.recordRefund(ctx, n.Refund, nil); err != nil {
			return n, err
		}
	}
	return n, nil
}

// notifyPayment records a notified payment state on the attempt it is
// about and returns that attempt as stored (zero when the Router made no
// such payment): one store write when the attempt has the provider ID.
func (r *Router) notifyPayment(ctx context.Context, rt *routeState, p *Payment) (*Payment, Record, error) {
	p = r.routerPayment(rt, "", p)
	if p.ID != "" {
		stored, found, err := r.advance(ctx, p, nil)
		if found || err != nil {
			return p, stored, err
		}
	}
	if p.Reference == "" {
		return p, Record{}, nil // about no payment this Router made
	}
	// An attempt with no provider ID yet (in flight, or its outcome was
	// lost): the attempt of this route for this reference.
	atts, err := r.cfg.store.Attempts(ctx, p.Reference)
	if err != nil {
		return p, Record{}, unrecorded(err, nil)
	}
	for _, a := range atts {
		if a.Route != rt.Name || a.ID != "" {
			continue
		}
		a.ID, a.Status = p.ID, p.Status
		stored, ferr := r.finish(ctx, a, a.Owner)
		if ferr != nil {
			return p, Record{}, unrecorded(ferr, nil)
		}
		r.learn(ctx, a.Route, a.Reference, a.Attempt, nil, p, nil)
		p.Status = stored.Status
		return p, stored, nil
	}
	return p, Record{}, nil
}

// Conflict describes a double charge: an attempt that does not own its
// reference holds the customer's money, so it must be returned.
type Conflict struct {
	// Reference is the merchant's order id.
	Reference string `json:"reference"`
	// PaymentID is the Router ID of the payment that must be returned.
	PaymentID string `json:"payment_id"`
	// Route is the route that holds the money.
	Route string `json:"route"`
	// Status is that payment's last known status.
	Status Status `json:"status"`
}

func conflictOf(rec Record) *Conflict {
	return &Conflict{Reference: rec.Reference, PaymentID: rec.ID, Route: rec.Route, Status: rec.Status}
}

// Conflicts lists the double charges the Router has seen (at most limit,
// oldest first): attempts that hold money for a reference another attempt
// owns. Each one must be canceled or refunded; the Router never does that
// by itself.
func (r *Router) Conflicts(ctx context.Context, limit int) ([]Conflict, error) {
	recs, err := r.cfg.store.Conflicts(ctx, limit)
	if err != nil {
		return nil, err
	}
	out := make([]Conflict, 0, len(recs))
	for _, rec := range recs {
		out = append(out, *conflictOf(rec))
	}
	return out, nil
}

// NotificationHandler serves every route's notifications with the
// semantics of [NotificationHandler]: the route is the last segment of the
// request path ("…/<name>", a trailing slash allowed), as for
// [Router.Notify], so it works wherever it is mounted: at the root, under a
// prefix with or without http.StripPrefix, or as a router's sub-handler
// (chi's Mount, echo's WrapHandler). An unknown route is 404.
//
//	mux.Handle("/webhooks/", router.NotificationHandler(fn))
func (r *Router) NotificationHandler(fn func(context.Context, *Notification) error, opts ...HandlerOption) http.Handler {
	byRoute := make(map[string]http.Handler, len(r.routes))
	for _, rt := range r.routes {
		byRoute[rt.Name] = NotificationHandler(routeGateway{r: r, rt: rt}, fn, opts...)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		h, ok := byRoute[path.Base(strings.TrimSuffix(req.URL.Path, "/"))]
		if !ok {
			http.NotFound(w, req)
			return
		}
		h.ServeHTTP(w, req)
	})
}

// routeGateway presents one route to NotificationHandler with the Router's
// bookkeeping around Notify.
type routeGateway struct {
	Gateway
	r  *Router
	rt *routeState
}

func (g routeGateway) Name() string { return g.rt.Name }

func (g routeGateway) Notify(ctx context.Context, req *http.Request) (*Notification, error) {
	return g.r.notify(ctx, g.rt, req)
}

// AuthenticateNotification lets NotificationHandler check the route's
// credentials before it reads the body, where the driver can.
func (g routeGateway) AuthenticateNotification(req *http.Request) error {
	if a, ok := g.rt.Gateway.(NotificationAuthenticator); ok {
		return a.AuthenticateNotification(req)
	}
	return nil
}

// isTimeout reports a timeout anywhere in err's chain: the context's
// deadline or a network timeout (which a driver reports as an unknown
// outcome when the request had been sent).
func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func statusOf(p *Payment) Status {
	if p == nil {
		return StatusUnknown
	}
	return p.Status
}

// isNil reports a nil interface or an interface holding a nil pointer
// (Method: (*Card)(nil)), on which any method call would panic.
func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

func billingCountry(req *AuthorizeRequest) string {
	if req.BillingAddress == nil {
		return "(no billing country)"
	}
	return "from " + req.BillingAddress.Country
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
