// Package routing has routing strategies for a [payments.Router]: AuthRate
// learns each route's approval rate per segment of payments and routes each
// payment to the route most likely to approve it, exploring a little so
// that a recovered acquirer is noticed.
//
//	ar, err := routing.NewAuthRate()
//	router, err := payments.NewRouter(routes, payments.WithStrategy(ar))
//
// A strategy only orders the routes that accept a payment: the filters,
// the cascade rule, the breaker and the attempt log stay the Router's.
package routing

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gopayments/payments"
)

// The defaults and bounds of AuthRate's options.
const (
	DefaultBucket      = time.Minute
	DefaultBuckets     = 30
	DefaultHalfLife    = 5
	DefaultExploration = 0.05
	DefaultMinSamples  = 30
	DefaultEliminate   = 0.4
	DefaultRefresh     = 10 * time.Second

	MinBucket         = time.Second
	MaxBucket         = time.Hour
	MaxWindow         = 24 * time.Hour
	MaxBuckets        = 1440
	MaxExploration    = 0.2
	MaxMinSamples     = 100000
	MinRefresh        = time.Second
	MaxRefresh        = time.Hour
	maxPendingEntries = 100000
)

// Option configures [NewAuthRate].
type Option func(*config)

type config struct {
	segment     func(*payments.AuthorizeRequest) string
	bucket      time.Duration
	buckets     int
	halfLife    int
	exploration float64
	minSamples  int
	eliminate   float64
	cascaded    bool
	seed        *uint64
	now         func() time.Time
	shared      payments.StatsStore
	refresh     time.Duration
	logger      *slog.Logger
	errs        []error
}

func (c *config) bad(option, format string, args ...any) {
	c.errs = append(c.errs, &payments.Error{Code: payments.InvalidRequest, Field: option, Message: fmt.Sprintf(format, args...)})
}

// WithSegment sets the key that splits payments into segments, each with
// its own estimates (default [DefaultSegment]: currency and card network).
// Segments should be coarse enough that each sees at least MinSamples
// payments per route in a window: below that a route is not judged and
// keeps its static place.
func WithSegment(f func(req *payments.AuthorizeRequest) string) Option {
	return func(c *config) {
		if f == nil {
			c.bad("WithSegment", "nil segment function")
		}
		c.segment = f
	}
}

// WithWindow sets the sliding window: buckets buckets of width bucket each
// (default 30 × 1 minute). bucket is between 1 s and 1 h, buckets between 2
// and 1440, and the window (their product) at most 24 h.
func WithWindow(bucket time.Duration, buckets int) Option {
	return func(c *config) {
		switch {
		case bucket < MinBucket || bucket > MaxBucket:
			c.bad("WithWindow", "bucket width %s outside [%s, %s]", bucket, MinBucket, MaxBucket)
		case buckets < 2 || buckets > MaxBuckets:
			c.bad("WithWindow", "%d buckets outside [2, %d]", buckets, MaxBuckets)
		case time.Duration(buckets)*bucket > MaxWindow:
			c.bad("WithWindow", "window %s longer than %s", time.Duration(buckets)*bucket, MaxWindow)
		}
		c.bucket, c.buckets = bucket, buckets
	}
}

// WithHalfLife weighs the window's buckets by age: a bucket halfLife
// buckets old counts half as much as the current one (default 5), so a
// drift shows within a few buckets while the whole window still counts
// for the minimum sample size. 0 weighs every bucket alike; otherwise 1 to
// the number of buckets.
func WithHalfLife(halfLife int) Option {
	return func(c *config) {
		if halfLife < 0 || halfLife > MaxBuckets {
			c.bad("WithHalfLife", "half-life %d outside [0, number of buckets]", halfLife)
		}
		c.halfLife = halfLife
	}
}

// WithExploration sets the share of payments whose first route is not the
// best-scored one but the least-sampled other candidate (default 0.05,
// between 0 and 0.2), so that a route that recovered, or one without
// enough samples, is noticed. Its reason is "exploration".
func WithExploration(share float64) Option {
	return func(c *config) {
		if !(share >= 0 && share <= MaxExploration) {
			c.bad("WithExploration", "share %v outside [0, %v]", share, MaxExploration)
		}
		c.exploration = share
	}
}

// WithMinSamples sets how many counted outcomes of a route in a segment the
// window must hold before the route is judged (default 30, between 1 and
// 100000). An unjudged route keeps its static place in the order.
func WithMinSamples(n int) Option {
	return func(c *config) {
		if n < 1 || n > MaxMinSamples {
			c.bad("WithMinSamples", "%d outside [1, %d]", n, MaxMinSamples)
		}
		c.minSamples = n
	}
}

// WithElimination sets the score below which a judged route is eliminated:
// tried after every other candidate (so only when they decline softly or
// are unavailable), and first only by exploration (default 0.4, between 0
// and 1; 0 never eliminates).
func WithElimination(threshold float64) Option {
	return func(c *config) {
		if !(threshold >= 0 && threshold < 1) {
			c.bad("WithElimination", "threshold %v outside [0, 1)", threshold)
		}
		c.eliminate = threshold
	}
}

// WithCascadedAttempts counts the outcomes of cascaded attempts too
// (default: only each payment's first attempt counts). A cascaded attempt
// sees only payments another route declined softly: a biased sample that
// makes the fallback routes look worse than they are.
func WithCascadedAttempts(count bool) Option {
	return func(c *config) { c.cascaded = count }
}

// WithSeed makes exploration reproducible (tests, simulations); the default
// seed is random.
func WithSeed(seed uint64) Option { return func(c *config) { c.seed = &seed } }

// WithClock replaces time.Now (tests, simulations). Give the Router the same
// clock (payments.WithClock): outcomes carry the Router's time.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now == nil {
			c.bad("WithClock", "nil clock")
		}
		c.now = now
	}
}

// WithSharedStats shares the estimates with other Router instances through
// s (a [payments.StatsStore], such as the Router's Store when it implements
// it). Every refresh (default 10 s, between 1 s and 1 h) the strategy
// writes the counts it gathered since the last one and reads everyone's:
// it sees its own outcomes at once and the others' at most two refresh
// intervals late. The refresh runs on the calling goroutine of one Order or
// Record at a time (the others go on with the current estimates); a failed
// refresh is logged and retried at the next one, with nothing lost.
func WithSharedStats(s payments.StatsStore, refresh time.Duration) Option {
	return func(c *config) {
		switch {
		case s == nil:
			c.bad("WithSharedStats", "nil store")
		case refresh < MinRefresh || refresh > MaxRefresh:
			c.bad("WithSharedStats", "refresh %s outside [%s, %s]", refresh, MinRefresh, MaxRefresh)
		}
		c.shared, c.refresh = s, refresh
	}
}

// WithLogger logs failed refreshes of the shared estimates (default:
// silent).
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.logger = l
		}
	}
}

// AuthRate is a [payments.Strategy] that routes each payment to the route
// with the best recent approval rate in its segment: a non-stationary
// multi-armed bandit with delayed feedback.
//
//   - Estimates: per (route, segment), the counted outcomes of a sliding
//     window of time buckets (WithWindow), recent buckets weighing more
//     (WithHalfLife). What counts is decided by [payments.ClassifyOutcome]:
//     approvals for, technical failures and soft declines against; hard
//     declines for reasons of the card or the customer, and abandonment,
//     not at all. By default only first attempts count
//     (WithCascadedAttempts).
//   - Order: routes judged (at least MinSamples outcomes in the window) by
//     score, best first, in the places the judged routes hold in the static
//     order; unjudged routes keep their static places. A judged route
//     scoring below the elimination threshold goes last.
//   - Exploration: a share of payments (WithExploration) go first to the
//     least-sampled other candidate.
//   - Late outcomes: an attempt whose outcome was not known (a redirect, a
//     pending payment) is counted when the Router learns it (notification,
//     Status, Recover); one counted as a failure because its outcome was
//     unknown is corrected. The attempts awaiting news are kept in memory
//     (at most 100000, and no longer than the window), by the instance that
//     routed them: news that reaches another instance is not counted.
//
// Every Order reason says why: "score 0.912 (412 samples)", "exploration
// (score 0.600, 35 samples)", "priority (12/30 samples)", "eliminated
// (score 0.310 < 0.40, 212 samples)".
type AuthRate struct {
	cfg     config
	weights []float64 // by bucket age

	mu       sync.Mutex
	rng      *rand.Rand
	series   map[seriesKey]*series // what Order reads: shared + unflushed (or all, without a store)
	dirty    map[seriesKey]*series // unflushed counts (shared store only)
	pending  map[attemptKey]pendingEntry
	prunedAt int64

	refreshMu   sync.Mutex
	lastRefresh time.Time
}

type seriesKey struct{ route, segment string }

type attemptKey struct {
	reference string
	attempt   int
}

// pendingEntry is an attempt whose outcome is not final yet.
type pendingEntry struct {
	key         seriesKey
	bucket      int64
	provisional bool // counted as a failure (outcome unknown)
}

// slot is one bucket's counts in a ring.
type slot struct {
	bucket    int64 // bucket number (time / width); valid when the counts are
	successes int64
	failures  int64
}

type series struct{ slots []slot }

var _ payments.Strategy = (*AuthRate)(nil)

// NewAuthRate builds the strategy. Bad options are an *payments.Error with
// Code InvalidRequest whose Field names the option.
func NewAuthRate(opts ...Option) (*AuthRate, error) {
	cfg := config{
		segment: DefaultSegment, bucket: DefaultBucket, buckets: DefaultBuckets, halfLife: DefaultHalfLife,
		exploration: DefaultExploration, minSamples: DefaultMinSamples, eliminate: DefaultEliminate,
		now: time.Now, refresh: DefaultRefresh, logger: slog.New(slog.DiscardHandler),
	}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.halfLife > cfg.buckets {
		cfg.bad("WithHalfLife", "half-life %d longer than the window's %d buckets", cfg.halfLife, cfg.buckets)
	}
	if len(cfg.errs) > 0 {
		return nil, cfg.errs[0]
	}
	seed := rand.Uint64()
	if cfg.seed != nil {
		seed = *cfg.seed
	}
	s := &AuthRate{
		cfg: cfg, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		series: map[seriesKey]*series{}, pending: map[attemptKey]pendingEntry{},
	}
	if cfg.shared != nil {
		s.dirty = map[seriesKey]*series{}
	}
	s.weights = make([]float64, cfg.buckets)
	for age := range s.weights {
		s.weights[age] = 1
		if cfg.halfLife > 0 {
			s.weights[age] = math.Exp2(-float64(age) / float64(cfg.halfLife))
		}
	}
	return s, nil
}

// DefaultSegment is the default segment key: the currency and, for cards
// and wallets, the card network ("EUR/visa", "USD/mastercard",
// "EUR/invoice"). The issuer's country is not part of it: a card number
// does not tell it without a BIN table, which this library does not ship;
// give WithSegment a function that adds it (or the billing country as a
// proxy) where you know it.
func DefaultSegment(req *payments.AuthorizeRequest) string {
	net := ""
	switch m := req.Method.(type) {
	case payments.Card:
		net = CardNetwork(m.Number)
	case *payments.Card:
		if m != nil {
			net = CardNetwork(m.Number)
		}
	case payments.ApplePay:
		net = strings.ToLower(m.Network)
	case *payments.ApplePay:
		if m != nil {
			net = strings.ToLower(m.Network)
		}
	case payments.GooglePay:
		net = strings.ToLower(m.Network)
	case *payments.GooglePay:
		if m != nil {
			net = strings.ToLower(m.Network)
		}
	}
	if net == "" && req.Method != nil {
		net = string(req.Method.Kind())
	}
	return string(req.Amount.Currency) + "/" + net
}

// CardNetwork tells the network of a card number by its leading digits:
// "visa" (4), "mastercard" (51–55, 2221–2720), "amex" (34, 37), "card"
// otherwise. These are the issuer identification number ranges the three
// networks publish (Mastercard's 2-series since 2017); other networks'
// ranges overlap each other and are not told apart here.
func CardNetwork(n payments.CardNumber) string {
	d := n.Digits()
	if len(d) < 4 {
		return "card"
	}
	two, _ := strconv.Atoi(d[:2])
	four, _ := strconv.Atoi(d[:4])
	switch {
	case d[0] == '4':
		return "visa"
	case two >= 51 && two <= 55, four >= 2221 && four <= 2720:
		return "mastercard"
	case two == 34 || two == 37:
		return "amex"
	}
	return "card"
}

func (s *AuthRate) bucketOf(t time.Time) int64 {
	return t.UnixNano() / int64(s.cfg.bucket)
}

// estimate is what the window says about one route in one segment.
type estimate struct {
	samples int64   // counted outcomes in the window
	score   float64 // weighted approval rate; NaN without samples
}

// add counts into the ring of k (created on demand) in m.
func (s *AuthRate) add(m map[seriesKey]*series, k seriesKey, bucket, successes, failures int64) {
	sr := m[k]
	if sr == nil {
		sr = &series{slots: make([]slot, s.cfg.buckets)}
		m[k] = sr
	}
	sl := &sr.slots[bucket%int64(len(sr.slots))]
	if sl.bucket != bucket {
		if sl.bucket > bucket && sl.successes+sl.failures != 0 {
			return // older than the window: nothing to count into
		}
		*sl = slot{bucket: bucket}
	}
	sl.successes += successes
	sl.failures += failures
}

// count records an outcome (or a correction) in the estimates.
func (s *AuthRate) count(k seriesKey, bucket, successes, failures int64) {
	s.add(s.series, k, bucket, successes, failures)
	if s.dirty != nil {
		s.add(s.dirty, k, bucket, successes, failures)
	}
}

func (s *AuthRate) estimate(k seriesKey, cur int64) estimate {
	sr := s.series[k]
	if sr == nil {
		return estimate{score: math.NaN()}
	}
	var n int64
	var ws, wn float64
	for _, sl := range sr.slots {
		age := cur - sl.bucket
		if age < 0 || age >= int64(len(s.weights)) {
			continue
		}
		t := sl.successes + sl.failures
		if t <= 0 {
			continue
		}
		n += t
		w := s.weights[age]
		ws += w * float64(sl.successes)
		wn += w * float64(t)
	}
	if wn == 0 {
		return estimate{score: math.NaN()}
	}
	return estimate{samples: n, score: ws / wn}
}

// Order implements [payments.Strategy].
func (s *AuthRate) Order(ctx context.Context, req *payments.AuthorizeRequest, cands []payments.Candidate) {
	now := s.cfg.now()
	s.maybeRefresh(ctx, now)
	if len(cands) < 2 {
		return
	}
	seg := s.cfg.segment(req)
	cur := s.bucketOf(now)
	var small [8]estimate
	est := small[:0]
	if len(cands) > len(small) {
		est = make([]estimate, 0, len(cands))
	}
	s.mu.Lock()
	for _, c := range cands {
		est = append(est, s.estimate(seriesKey{c.Route, seg}, cur))
	}
	explore := len(cands) > 1 && s.cfg.exploration > 0 && s.rng.Float64() < s.cfg.exploration
	s.mu.Unlock()

	min := int64(s.cfg.minSamples)
	judged := func(i int) bool { return est[i].samples >= min }
	eliminated := func(i int) bool { return judged(i) && est[i].score < s.cfg.eliminate }
	// Judged routes are sorted by score into the places judged routes hold
	// in the static order; eliminated ones go last. Insertion sorts: a few
	// candidates, and stable.
	var places [8]int
	pl := places[:0]
	for i := range cands {
		if judged(i) && !eliminated(i) {
			pl = append(pl, i)
		}
	}
	type item struct {
		c payments.Candidate
		e estimate
	}
	var buf [8]item
	items := buf[:0]
	for _, i := range pl {
		items = append(items, item{cands[i], est[i]})
	}
	for i := 1; i < len(items); i++ {
		for j := i; j > 0 && items[j].e.score > items[j-1].e.score; j-- {
			items[j], items[j-1] = items[j-1], items[j]
		}
	}
	for n, i := range pl {
		cands[i], est[i] = items[n].c, items[n].e
	}
	// Eliminated routes to the end, best of them first.
	var tail []item
	w := 0
	for i := range cands {
		if eliminated(i) {
			tail = append(tail, item{cands[i], est[i]})
			continue
		}
		cands[w], est[w] = cands[i], est[i]
		w++
	}
	for i := 1; i < len(tail); i++ {
		for j := i; j > 0 && tail[j].e.score > tail[j-1].e.score; j-- {
			tail[j], tail[j-1] = tail[j-1], tail[j]
		}
	}
	for _, t := range tail {
		cands[w], est[w] = t.c, t.e
		w++
	}
	for i := range cands {
		cands[i].Reason = s.reason(est[i], false)
	}
	if explore {
		// The least-sampled other candidate goes first.
		pick := 1
		for i := 2; i < len(cands); i++ {
			if est[i].samples < est[pick].samples {
				pick = i
			}
		}
		c := cands[pick]
		c.Reason = s.reason(est[pick], true)
		copy(cands[1:pick+1], cands[:pick])
		cands[0] = c
	}
}

func (s *AuthRate) reason(e estimate, explore bool) string {
	var b []byte
	switch {
	case explore:
		b = append(b, "exploration ("...)
		if e.samples > 0 {
			b = append(b, "score "...)
			b = strconv.AppendFloat(b, e.score, 'f', 3, 64)
			b = append(b, ", "...)
		}
		b = strconv.AppendInt(b, e.samples, 10)
		b = append(b, " samples)"...)
	case e.samples < int64(s.cfg.minSamples):
		b = append(b, "priority ("...)
		b = strconv.AppendInt(b, e.samples, 10)
		b = append(b, '/')
		b = strconv.AppendInt(b, int64(s.cfg.minSamples), 10)
		b = append(b, " samples)"...)
	case e.score < s.cfg.eliminate:
		b = append(b, "eliminated (score "...)
		b = strconv.AppendFloat(b, e.score, 'f', 3, 64)
		b = append(b, " < "...)
		b = strconv.AppendFloat(b, s.cfg.eliminate, 'f', -1, 64)
		b = append(b, ", "...)
		b = strconv.AppendInt(b, e.samples, 10)
		b = append(b, " samples)"...)
	default:
		b = append(b, "score "...)
		b = strconv.AppendFloat(b, e.score, 'f', 3, 64)
		b = append(b, " ("...)
		b = strconv.AppendInt(b, e.samples, 10)
		b = append(b, " samples)"...)
	}
	return string(b)
}

// Record implements [payments.Strategy].
func (s *AuthRate) Record(ctx context.Context, o payments.Outcome) {
	s.maybeRefresh(ctx, o.Time)
	ak := attemptKey{o.Reference, o.Attempt}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.prune(o.Time)
	if !o.Late {
		if o.Request == nil || (o.Attempt > 1 && !s.cfg.cascaded) {
			return
		}
		k := seriesKey{o.Route, s.cfg.segment(o.Request)}
		b := s.bucketOf(o.Time)
		switch o.Class {
		case payments.OutcomeApproved:
			s.count(k, b, 1, 0)
		case payments.OutcomeFailed:
			s.count(k, b, 0, 1)
			if o.Code == payments.OutcomeUnknown {
				s.remember(ak, pendingEntry{key: k, bucket: b, provisional: true})
			}
		case payments.OutcomePending:
			s.remember(ak, pendingEntry{key: k, bucket: b})
		}
		return
	}
	e, ok := s.pending[ak]
	if !ok || e.key.route != o.Route || o.Class == payments.OutcomePending {
		return // not awaited here, or still not known
	}
	delete(s.pending, ak)
	var ds, df int64
	if e.provisional {
		df--
	}
	switch o.Class {
	case payments.OutcomeApproved:
		ds++
	case payments.OutcomeFailed:
		df++
	}
	if ds != 0 || df != 0 {
		s.count(e.key, e.bucket, ds, df)
	}
}

func (s *AuthRate) remember(k attemptKey, e pendingEntry) {
	if len(s.pending) >= maxPendingEntries {
		return // bounded: this one's late news will not count
	}
	s.pending[k] = e
}

// prune forgets attempts awaiting news whose bucket left the window, once a
// bucket.
func (s *AuthRate) prune(now time.Time) {
	cur := s.bucketOf(now)
	if cur == s.prunedAt {
		return
	}
	s.prunedAt = cur
	for k, e := range s.pending {
		if cur-e.bucket >= int64(s.cfg.buckets) {
			delete(s.pending, k)
		}
	}
}

// maybeRefresh exchanges counts with the shared store when a refresh is
// due and no other goroutine is at it.
func (s *AuthRate) maybeRefresh(ctx context.Context, now time.Time) {
	if s.cfg.shared == nil || !s.refreshMu.TryLock() {
		return
	}
	defer s.refreshMu.Unlock()
	if !s.lastRefresh.IsZero() && now.Sub(s.lastRefresh) < s.cfg.refresh {
		return
	}
	s.lastRefresh = now
	if err := s.Refresh(ctx); err != nil {
		s.cfg.logger.WarnContext(ctx, "payments/routing: refreshing shared approval estimates failed; retried at the next refresh", "error", err)
	}
}

// Refresh writes the counts gathered since the last refresh to the shared
// store and reads everyone's; without WithSharedStats it does nothing.
// AuthRate calls it by itself every refresh interval; call it to flush
// before a shutdown.
func (s *AuthRate) Refresh(ctx context.Context) error {
	if s.cfg.shared == nil {
		return nil
	}
	s.mu.Lock()
	var deltas []payments.RouteStats
	for k, sr := range s.dirty {
		for _, sl := range sr.slots {
			if sl.successes != 0 || sl.failures != 0 {
				deltas = append(deltas, payments.RouteStats{Route: k.route, Segment: k.segment,
					Bucket: time.Unix(0, sl.bucket*int64(s.cfg.bucket)).UTC(), Successes: sl.successes, Failures: sl.failures})
			}
		}
	}
	s.dirty = map[seriesKey]*series{}
	s.mu.Unlock()
	if len(deltas) > 0 {
		if err := s.cfg.shared.AddRouteStats(ctx, deltas); err != nil {
			s.restore(deltas)
			return fmt.Errorf("routing: writing %d counters: %w", len(deltas), err)
		}
	}
	since := time.Unix(0, (s.bucketOf(s.cfg.now())-int64(s.cfg.buckets)+1)*int64(s.cfg.bucket))
	all, err := s.cfg.shared.LoadRouteStats(ctx, since)
	if err != nil {
		return fmt.Errorf("routing: reading counters: %w", err)
	}
	fresh := map[seriesKey]*series{}
	for _, st := range all {
		s.add(fresh, seriesKey{st.Route, st.Segment}, s.bucketOf(st.Bucket), st.Successes, st.Failures)
	}
	s.mu.Lock()
	// Counts recorded while the store was being read are in dirty only:
	// keep them in view.
	for k, sr := range s.dirty {
		for _, sl := range sr.slots {
			if sl.successes != 0 || sl.failures != 0 {
				s.add(fresh, k, sl.bucket, sl.successes, sl.failures)
			}
		}
	}
	s.series = fresh
	s.mu.Unlock()
	return nil
}

// restore puts counts that could not be written back among the unflushed.
func (s *AuthRate) restore(deltas []payments.RouteStats) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range deltas {
		s.add(s.dirty, seriesKey{d.Route, d.Segment}, s.bucketOf(d.Bucket), d.Successes, d.Failures)
	}
}

// Estimate is what AuthRate currently knows of a route in a segment.
type Estimate struct {
	// Samples is the number of counted outcomes in the window.
	Samples int64
	// Score is the weighted approval rate; NaN without samples.
	Score float64
}

// Estimate returns the current estimate of route in segment (for
// dashboards and tests).
func (s *AuthRate) Estimate(route, segment string) Estimate {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.estimate(seriesKey{route, segment}, s.bucketOf(s.cfg.now()))
	return Estimate{Samples: e.samples, Score: e.score}
}
