package payments

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Strategy orders the routes a [Router] tries for a payment, and learns
// from what happened. It is opt-in ([WithStrategy]); without one the Router
// orders by Priority and Weight. The package routing has a strategy that
// learns approval rates per route and segment (routing.NewAuthRate).
//
// A Strategy only orders: which routes accept the payment (filters,
// capabilities, OnlyRoutes), whether to cascade ([CanCascade] and the
// cascade rule), the breaker and the attempt log stay the Router's, and a
// Strategy can change none of them. Implementations must be safe for
// concurrent use, fast (Order runs on every Authorize) and must not block.
type Strategy interface {
	// Order sorts cands in place into the order to try them, and sets each
	// one's Reason (why it has its place: a score, "exploration"). cands
	// arrive in the static order (priority, then the weighted draw), each
	// with Reason [ReasonPriority]; it is never empty. Order must only
	// permute the slice: a result that drops, duplicates or makes up a
	// candidate is ignored and the static order used (with a warning in the
	// Router's log).
	Order(ctx context.Context, req *AuthorizeRequest, cands []Candidate)
	// Record feeds an outcome the Router learned: each attempt's answer
	// (Late false, Request set), and later news about an attempt (Late
	// true, Request nil) from a notification, a Status query, or
	// Router.Recover. An attempt may be reported several times as its
	// status moves (authorized, then captured, then refunded); the
	// Strategy decides what counts (see [OutcomeClass]).
	Record(ctx context.Context, o Outcome)
}

// ReasonPriority is the reason of a route placed by the static rule
// (Priority, then Weight).
const ReasonPriority = "priority"

// Candidate is a route a [Strategy] orders.
type Candidate struct {
	// Route is the route's name.
	Route string
	// Priority and Weight are the route's static settings.
	Priority, Weight int
	// Reason says why the route has its place in the order; it becomes
	// [Attempt.Reason] and [Event.Reason].
	Reason string

	st *routeState // the Router's route: a Strategy moves it, never sets it
}

// OutcomeClass is what an attempt's outcome says about its route: the error
// taxonomy's one answer to "does this count against the acquirer?".
type OutcomeClass int

// The outcome classes.
const (
	// OutcomePending: not known yet (a 3-D Secure or redirect flow, an
	// invoice, a payment still processing). A later outcome tells.
	OutcomePending OutcomeClass = iota
	// OutcomeApproved: the acquirer approved (the payment holds or held
	// money), even when a later step failed.
	OutcomeApproved
	// OutcomeFailed counts against the route: a technical failure
	// (unavailable, rate limited, timeout, outcome unknown, credentials
	// refused, an answer contradicting the request, an unsupported
	// payment the route claimed to support) or a soft decline (do not
	// honour, generic), and a suspected-fraud refusal (acquirers' own risk
	// engines differ, so it may well be the route's).
	OutcomeFailed
	// OutcomeNeutral does not count: a hard decline for a reason of the
	// card or the customer (insufficient funds, expired or invalid card,
	// 3-D Secure authentication failed by the buyer, the card's limit), the
	// customer abandoning (canceled, expired), and the merchant's own
	// mistakes (invalid request, duplicate reference) that no acquirer
	// would have accepted.
	OutcomeNeutral
)

// String returns "pending", "approved", "failed" or "neutral".
func (c OutcomeClass) String() string {
	switch c {
	case OutcomeApproved:
		return "approved"
	case OutcomeFailed:
		return "failed"
	case OutcomeNeutral:
		return "neutral"
	}
	return "pending"
}

// ClassifyOutcome decides what an answer (a Payment, an error, or both)
// says about the route that gave it. It is the one place where the error
// taxonomy is turned into "approved", "counts against the acquirer",
// "neutral" or "not known yet"; see [OutcomeClass] for the rules.
func ClassifyOutcome(p *Payment, err error) OutcomeClass {
	if p != nil && (p.Status.Charged() || p.Status == StatusRefunded || p.Status == StatusChargeback) {
		return OutcomeApproved // the acquirer approved, whatever came after
	}
	if err != nil {
		if isTimeout(err) {
			return OutcomeFailed
		}
		switch CodeOf(err) {
		case Declined:
			var pe *Error
			if errors.As(err, &pe) && pe.Decline != nil {
				return declineClass(pe.Decline.Reason)
			}
			if p != nil && p.Decline != nil {
				return declineClass(p.Decline.Reason)
			}
			return OutcomeFailed
		case InvalidRequest, Duplicate, NotFound, InvalidState, Unverified, Unrecorded:
			// The merchant's request or the Router's bookkeeping, not the
			// acquirer; NotFound from Recover means nothing reached it.
			return OutcomeNeutral
		default:
			// Unavailable, RateLimited, OutcomeUnknown (provisional: a
			// later outcome corrects it), Authentication, Unsupported,
			// Integrity, and anything unclassified.
			return OutcomeFailed
		}
	}
	if p == nil {
		return OutcomePending
	}
	switch p.Status {
	case StatusFailed:
		if p.Decline != nil {
			return declineClass(p.Decline.Reason)
		}
		return OutcomeFailed
	case StatusCanceled, StatusExpired:
		return OutcomeNeutral // the customer abandoned, or the merchant canceled
	}
	return OutcomePending // unknown, pending, requires action
}

// declineClass: hard declines for reasons of the card or the customer are
// neutral; soft declines, fraud and unknown reasons count against the
// acquirer.
func declineClass(r DeclineReason) OutcomeClass {
	switch r {
	case DeclineInsufficientFunds, DeclineExpiredCard, DeclineInvalidCard, DeclineAuthenticationFailed, DeclineLimitExceeded:
		return OutcomeNeutral
	}
	return OutcomeFailed
}

// Outcome is what a [Router] tells its [Strategy] about one attempt.
type Outcome struct {
	// Route is the attempt's route; Reference and Attempt identify it (as
	// in the attempt log, [Record]).
	Route     string
	Reference string
	Attempt   int
	// Time is when the Router learned the outcome (its clock).
	Time time.Time
	// Class is what the outcome says about the route ([ClassifyOutcome]).
	Class OutcomeClass
	// Status and Code are the attempt's payment status and error class.
	Status Status
	Code   Code
	// Request is the payment request, for the attempt's own answer; nil
	// when Late.
	Request *AuthorizeRequest
	// Late is set for news after the attempt's answer: a notification, a
	// Status query, Router.Recover.
	Late bool
}

// WithStrategy makes the Router order candidate routes with s (default:
// nil, the static order by Priority and Weight) and feed it every outcome
// it learns. See [Strategy].
func WithStrategy(s Strategy) RouterOption { return func(c *routerConfig) { c.strategy = s } }

// order applies the strategy to the static order. It returns the routes to
// try and, with a strategy, the reason of each (nil: all ReasonPriority).
func (r *Router) order(ctx context.Context, req *AuthorizeRequest, static []*routeState) ([]*routeState, []string) {
	if r.cfg.strategy == nil || len(static) == 0 {
		return static, nil
	}
	cs := make([]Candidate, len(static))
	for i, rt := range static {
		cs[i] = Candidate{Route: rt.Name, Priority: rt.Priority, Weight: rt.Weight, Reason: ReasonPriority, st: rt}
	}
	r.cfg.strategy.Order(ctx, req, cs)
	out := make([]*routeState, len(cs))
	reasons := make([]string, len(cs))
	for i, c := range cs {
		if c.st == nil || c.st.Name != c.Route || !slicesContainsState(static, c.st) || slicesContainsState(out[:i], c.st) {
			r.cfg.logger.WarnContext(ctx, "payments: strategy returned an order that is not a permutation of the candidates; using the static order")
			return static, nil
		}
		out[i], reasons[i] = c.st, c.Reason
	}
	return out, reasons
}

func slicesContainsState(rs []*routeState, st *routeState) bool {
	for _, x := range rs {
		if x == st {
			return true
		}
	}
	return false
}

// reasonAt is the reason of the i-th route of an order.
func reasonAt(reasons []string, i int) string {
	if reasons == nil {
		return ReasonPriority
	}
	return reasons[i]
}

// learn feeds an outcome to the strategy, if any.
func (r *Router) learn(ctx context.Context, route, reference string, attempt int, req *AuthorizeRequest, p *Payment, err error) {
	if r.cfg.strategy == nil || route == "" {
		return
	}
	r.cfg.strategy.Record(ctx, Outcome{
		Route: route, Reference: reference, Attempt: attempt, Time: r.cfg.now(),
		Class: ClassifyOutcome(p, err), Status: statusOf(p), Code: CodeOf(err),
		Request: req, Late: req == nil,
	})
}

// RouteStats are the counters of one route, segment and time bucket, as a
// learning [Strategy] keeps them and a [StatsStore] shares them.
type RouteStats struct {
	// Route and Segment say whose counters these are.
	Route   string `json:"route"`
	Segment string `json:"segment"`
	// Bucket is the start of the time bucket (UTC).
	Bucket time.Time `json:"bucket"`
	// Successes and Failures count the outcomes that count (approved, and
	// failed: see [OutcomeClass]). In AddRouteStats they are deltas and may
	// be negative: a correction of an earlier count (an unknown outcome
	// counted as a failure that a late notification shows approved).
	Successes int64 `json:"successes"`
	Failures  int64 `json:"failures"`
}

// StatsStore is an optional interface of a [Store]: approval counters
// shared by the learning strategies of several Router instances, so that
// each one routes on what all of them saw. [MemoryStore] implements it (for
// one process); a database store implements it with one table keyed by
// (route, segment, bucket) and an upsert that adds (store/sqlstore does).
//
// Staleness: a strategy sees its own outcomes at once and the other
// instances' after at most two of its refresh intervals (theirs to write,
// its own to read). See routing.WithSharedStats.
type StatsStore interface {
	// AddRouteStats adds each delta to the counters of its (Route,
	// Segment, Bucket), creating them at zero; all or none. Counters are
	// sums: the order of concurrent adds does not matter. A counter is an
	// int64: a batch that would take one beyond that range is refused with
	// [ErrInvalidRequest] (Field "deltas") and writes nothing. A store may
	// keep Bucket to the microsecond (a database column).
	AddRouteStats(ctx context.Context, deltas []RouteStats) error
	// LoadRouteStats returns the counters of every bucket that starts at or
	// after since, one entry per (Route, Segment, Bucket), in any order. A
	// store may delete buckets that started more than 25 hours before the
	// newest one it holds (a strategy's window is at most 24 hours).
	LoadRouteStats(ctx context.Context, since time.Time) ([]RouteStats, error)
}

type statsKey struct {
	route, segment string
	bucket         int64 // UnixNano of the start
}

// statsRetention is how far behind the newest bucket MemoryStore keeps
// counters (a strategy's window is at most 24 hours).
const statsRetention = 25 * time.Hour

// AddRouteStats implements [StatsStore]. It checks every sum before it
// writes any: a batch that would overflow a counter writes nothing.
func (s *MemoryStore) AddRouteStats(_ context.Context, deltas []RouteStats) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stats == nil {
		s.stats = map[statsKey]*RouteStats{}
	}
	sums := make(map[statsKey]RouteStats, len(deltas))
	for _, d := range deltas {
		k := statsKey{d.Route, d.Segment, d.Bucket.UnixNano()}
		sum, ok := sums[k]
		if !ok {
			sum = RouteStats{Route: d.Route, Segment: d.Segment, Bucket: d.Bucket.UTC()}
			if cur := s.stats[k]; cur != nil {
				sum.Successes, sum.Failures = cur.Successes, cur.Failures
			}
		}
		var okS, okF bool
		sum.Successes, okS = addInt64(sum.Successes, d.Successes)
		sum.Failures, okF = addInt64(sum.Failures, d.Failures)
		if !okS || !okF {
			return &Error{Code: InvalidRequest, Field: "deltas", Message: fmt.Sprintf("store: the counters of route %q, segment %q, bucket %s would overflow", d.Route, d.Segment, d.Bucket.UTC().Format(time.RFC3339Nano))}
		}
		sums[k] = sum
	}
	for k, sum := range sums {
		s.stats[k] = &sum
		if k.bucket > s.statsNewest {
			s.statsNewest = k.bucket
		}
	}
	if len(s.stats) > 4096 {
		cut := s.statsNewest - int64(statsRetention)
		for k := range s.stats {
			if k.bucket < cut {
				delete(s.stats, k)
			}
		}
	}
	return nil
}

// addInt64 returns a+b and whether it fits an int64.
func addInt64(a, b int64) (int64, bool) {
	c := a + b
	return c, (c > a) == (b > 0)
}

// LoadRouteStats implements [StatsStore].
func (s *MemoryStore) LoadRouteStats(_ context.Context, since time.Time) ([]RouteStats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]RouteStats, 0, len(s.stats))
	for k, v := range s.stats {
		if k.bucket >= since.UnixNano() {
			out = append(out, *v)
		}
	}
	return out, nil
}

var _ StatsStore = (*MemoryStore)(nil)
