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
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
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
	// Currencies the route accepts.
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
		rt := routes[i]
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
func (r *Router) observe(rt *routeState, err error) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	unhealthy := errors.Is(err, ErrUnavailable) || isTimeout(err)
	rt.probing = false
	if !unhealthy {
		rt.failures = 0
		rt.openUntil = time.Time{}
		return
	}
	rt.failures++
	if rt.failures >= r.cfg.breakerThreshold || !rt.openUntil.IsZero() {
		rt.openUntil = r.cfg.now().Add(r.cfg.breakerCooldown)
		r.cfg.logger.Warn("payments: route unhealthy, breaker open", "route", rt.Name, "failures", rt.failures, "until", rt.openUntil)
	}
}

// Authorize routes the payment. See [Router] for the rules. The returned
// Payment, or the *Error, lists every attempt in Attempts.
func (r *Router) Authorize(ctx context.Context, req *AuthorizeRequest) (*Payment, error) {
	// Every gateway validates the whole request before any I/O (the Gateway
	// contract), so validating it here too would double the cost of the
	// most expensive step the library takes itself (~5µs, 10 allocations).
	// The Router checks only what routing and the Store rely on; a request
	// the gateway then rejects as invalid releases its reservation.
	if err := req.routable(); err != nil {
		return nil, err
	}
	cands := r.candidates(req)
	if len(cands) == 0 {
		return nil, &Error{Code: Unsupported, Message: fmt.Sprintf("no route accepts %s %s by %s", req.Amount, billingCountry(req), req.Method.Kind())}
	}
	if err := r.cfg.store.Reserve(ctx, req.Reference); err != nil {
		return nil, err
	}
	var (
		attempts  []Attempt
		lastErr   error
		lastPay   *Payment
		lastRoute *routeState
		processed bool // some attempt may have reached a provider's books
	)
	for _, rt := range cands {
		if ctx.Err() != nil {
			lastErr = &Error{Code: Unavailable, Message: "context done before trying " + rt.Name, Err: ctx.Err()}
			break
		}
		if !r.allow(rt) {
			attempts = append(attempts, Attempt{Gateway: rt.Name, Code: Unavailable, Err: &Error{Code: Unavailable, Message: "breaker open"}})
			continue
		}
		p, err := rt.Gateway.Authorize(ctx, req)
		r.observe(rt, err)
		att := Attempt{Gateway: rt.Name, Code: CodeOf(err), Err: err}
		if p != nil {
			att.Status = p.Status
		}
		attempts = append(attempts, att)
		if r.cfg.logger.Enabled(ctx, slog.LevelDebug) {
			r.cfg.logger.DebugContext(ctx, "payments: route attempt", "route", rt.Name, "reference", req.Reference, "code", att.Code, "status", att.Status)
		}

		if p == nil && errors.Is(err, ErrInvalidRequest) {
			// Rejected before anything was processed: the same reference may
			// be used again once the request is fixed.
			_ = r.cfg.store.Release(ctx, req.Reference)
			return r.withAttempts(nil, err, attempts)
		}
		if errors.Is(err, ErrOutcomeUnknown) {
			_, _ = r.cfg.store.Put(ctx, Record{Reference: req.Reference, Route: rt.Name, Status: StatusUnknown})
			p2, err2 := r.reconcile(ctx, rt, req, p)
			attempts[len(attempts)-1].Status = statusOf(p2)
			return r.finish(ctx, rt, req.Reference, p2, err2, attempts)
		}
		if err == nil || !CanCascade(err) {
			return r.finish(ctx, rt, req.Reference, p, err, attempts)
		}
		// Cascadable: this route did not charge the customer.
		if errors.Is(err, ErrDeclined) && p != nil {
			processed = true // the provider holds a declined order with this reference
			lastPay, lastRoute = p, rt
		}
		lastErr = err
	}
	if !processed {
		_ = r.cfg.store.Release(ctx, req.Reference)
	} else if lastPay != nil {
		// The last soft decline is the payment's record: its route owns the
		// reference, and its ID is in the Router's form.
		if lastPay.Reference == "" {
			cp := *lastPay
			cp.Reference = req.Reference
			lastPay = &cp
		}
		lastPay = r.own(ctx, lastRoute, lastPay)
	}
	if lastErr == nil {
		lastErr = &Error{Code: Unavailable, Message: "every route is unavailable (breakers open)"}
	}
	return r.withAttempts(lastPay, lastErr, attempts)
}

// routable checks what the Router itself relies on: a reference to reserve,
// a positive amount in a known currency to filter routes by, and a method.
func (req *AuthorizeRequest) routable() error {
	switch {
	case req == nil:
		return &Error{Code: InvalidRequest, Message: "request is nil"}
	case req.Reference == "" || len(req.Reference) > 64:
		return &Error{Code: InvalidRequest, Field: "reference", Message: "reference: required, at most 64 characters"}
	case req.Method == nil:
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
func (r *Router) reconcile(ctx context.Context, rt *routeState, req *AuthorizeRequest, partial *Payment) (*Payment, error) {
	sreq := &StatusRequest{Reference: req.Reference}
	if partial != nil && partial.ID != "" {
		sreq.ID = partial.ID
	} else if !rt.Gateway.Capabilities().LookupByReference {
		return partial, &Error{Code: OutcomeUnknown, Provider: rt.Gateway.Name(), Message: "outcome unknown and the gateway cannot look payments up by reference; reconcile " + req.Reference + " by hand"}
	}
	wait := r.cfg.reconcileBackoff
	var lastErr error
	for i := 0; i < r.cfg.reconcileTries; i++ {
		if err := sleepCtx(ctx, wait); err != nil {
			break
		}
		wait *= 2
		p, err := rt.Gateway.Status(ctx, sreq)
		if err == nil && p != nil && p.Status != StatusUnknown {
			r.cfg.logger.Info("payments: reconciled unknown outcome", "route", rt.Name, "reference", req.Reference, "status", p.Status)
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
	return partial, &Error{Code: OutcomeUnknown, Provider: rt.Gateway.Name(), Message: "outcome still unknown after reconciling " + req.Reference, Err: lastErr}
}

// finish records the owning route and returns the payment with Router IDs
// and the attempts.
func (r *Router) finish(ctx context.Context, rt *routeState, reference string, p *Payment, err error, attempts []Attempt) (*Payment, error) {
	if p != nil {
		if p.Reference == "" {
			// A driver that does not echo the reference: the store must
			// still tie the payment to the reserved reference.
			cp := *p
			cp.Reference = reference
			p = &cp
		}
		p = r.own(ctx, rt, p)
	}
	return r.withAttempts(p, err, attempts)
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
			err = &Error{Code: Unavailable, Message: "gateway error", Err: err, Attempts: attempts}
		}
	}
	return p, err
}

// own rewrites p's ID to the Router form, stores it, and applies the
// forward-only rule: a status older than the one known is replaced by it.
func (r *Router) own(ctx context.Context, rt *routeState, p *Payment) *Payment {
	cp := *p
	if cp.ID != "" {
		cp.ID = rt.Name + ":" + cp.ID
	}
	rec, err := r.cfg.store.Put(ctx, Record{ID: cp.ID, Reference: cp.Reference, Route: rt.Name, Status: cp.Status})
	if err != nil {
		r.cfg.logger.Warn("payments: store put failed", "route", rt.Name, "id", cp.ID, "error", err)
		return &cp
	}
	// Put keeps the stored status when this answer would take it back: the
	// store then knows a newer state than this (stale or late) answer.
	cp.Status = rec.Status
	if cp.Reference == "" {
		cp.Reference = rec.Reference
	}
	return &cp
}

// owner finds the route and provider ID for a Router payment ID.
func (r *Router) owner(ctx context.Context, id string) (*routeState, string, error) {
	name, pid, ok := strings.Cut(id, ":")
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
	_, pid, _ = strings.Cut(rec.ID, ":")
	return rt, pid, nil
}

// Capture sends the capture to the gateway that owns the payment.
func (r *Router) Capture(ctx context.Context, req *CaptureRequest) (*Payment, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	return r.forward(ctx, req.ID, func(g Gateway, pid string) (*Payment, error) {
		cp := *req
		cp.ID = pid
		return g.Capture(ctx, &cp)
	})
}

// Cancel sends the cancel to the gateway that owns the payment.
func (r *Router) Cancel(ctx context.Context, req *CancelRequest) (*Payment, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	return r.forward(ctx, req.ID, func(g Gateway, pid string) (*Payment, error) {
		cp := *req
		cp.ID = pid
		return g.Cancel(ctx, &cp)
	})
}

// forward runs call on the gateway that owns the Router payment id, with the
// provider's own id, and records the answer forward-only.
func (r *Router) forward(ctx context.Context, id string, call func(g Gateway, pid string) (*Payment, error)) (*Payment, error) {
	rt, pid, err := r.owner(ctx, id)
	if err != nil {
		return nil, err
	}
	p, err := call(rt.Gateway, pid)
	if p != nil {
		p = r.own(ctx, rt, p)
	}
	return p, err
}

// Refund sends the refund to the gateway that owns the payment. The
// refund's PaymentID is the Router ID.
func (r *Router) Refund(ctx context.Context, req *RefundRequest) (*Refund, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	rt, pid, err := r.owner(ctx, req.ID)
	if err != nil {
		return nil, err
	}
	cp := *req
	cp.ID = pid
	ref, err := rt.Gateway.Refund(ctx, &cp)
	if ref != nil {
		c := *ref
		c.PaymentID = req.ID
		ref = &c
	}
	return ref, err
}

// Status queries the gateway that owns the payment, by ID or by Reference
// (looked up in the Store). A stale answer never takes the payment back:
// the newer known status is returned.
func (r *Router) Status(ctx context.Context, req *StatusRequest) (*Payment, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	var (
		rt  *routeState
		sr  StatusRequest
		err error
	)
	if req.ID != "" {
		rt, sr.ID, err = r.owner(ctx, req.ID)
		if err != nil {
			return nil, err
		}
	} else {
		rec, gerr := r.cfg.store.GetByReference(ctx, req.Reference)
		if gerr != nil || rec.Route == "" {
			return nil, &Error{Code: NotFound, Field: "reference", Message: fmt.Sprintf("no route owns reference %q", req.Reference), Err: gerr}
		}
		rt = r.byName[rec.Route]
		if rt == nil {
			return nil, &Error{Code: NotFound, Field: "reference", Message: fmt.Sprintf("reference %q belongs to unknown route %q", req.Reference, rec.Route)}
		}
		if rec.ID != "" {
			_, sr.ID, _ = strings.Cut(rec.ID, ":")
		} else {
			sr.Reference = req.Reference
		}
	}
	p, err := rt.Gateway.Status(ctx, &sr)
	if p != nil {
		p = r.own(ctx, rt, p)
	}
	return p, err
}

// Notify hands the notification to the route named by the last segment of
// the request path (as [Router.NotificationHandler] mounts them); the
// payment's state is recorded forward-only and the newer known state is
// returned.
func (r *Router) Notify(ctx context.Context, req *http.Request) (*Notification, error) {
	name := path.Base(req.URL.Path)
	rt, ok := r.byName[name]
	if !ok {
		return nil, &Error{Code: Unverified, Message: fmt.Sprintf("no route named %q for this notification path", name)}
	}
	return r.notify(ctx, rt, req)
}

func (r *Router) notify(ctx context.Context, rt *routeState, req *http.Request) (*Notification, error) {
	n, err := rt.Gateway.Notify(ctx, req)
	if err != nil || n == nil {
		return n, err
	}
	if n.Payment != nil {
		n.Payment = r.own(ctx, rt, n.Payment)
	}
	if n.Refund != nil && n.Refund.PaymentID != "" {
		c := *n.Refund
		c.PaymentID = rt.Name + ":" + c.PaymentID
		n.Refund = &c
	}
	return n, nil
}

// NotificationHandler serves every route's notifications, one path per
// route name ("/<name>"), with the semantics of [NotificationHandler]. Mount
// it under a prefix with http.StripPrefix:
//
//	mux.Handle("/webhooks/", http.StripPrefix("/webhooks", router.NotificationHandler(fn)))
func (r *Router) NotificationHandler(fn func(context.Context, *Notification) error, opts ...HandlerOption) http.Handler {
	mux := http.NewServeMux()
	for _, rt := range r.routes {
		mux.Handle("/"+rt.Name, NotificationHandler(routeGateway{r: r, rt: rt}, fn, opts...))
	}
	return mux
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
