package inbound

import "context"

// DefaultQueriesPerSecond is the default bound on the confirming status
// queries one driver instance starts for notifications: 50 a second on
// average, in bursts of up to twice as many.
const DefaultQueriesPerSecond = 50

// Guard bounds the status queries notifications make a driver send: the
// notifications about one payment that arrive while its query is in flight
// share that query, and new queries are rate-limited per Guard (one per
// driver instance, so one per Router route). It is safe for concurrent use.
type Guard[T any] struct {
	provider string
	flight   Flight[T]
	limit    *Limiter
}

// NewGuard returns a Guard allowing perSecond new queries a second, in
// bursts of twice as many: 0 means DefaultQueriesPerSecond, a negative
// value no bound.
func NewGuard[T any](provider string, perSecond int) *Guard[T] {
	if perSecond == 0 {
		perSecond = DefaultQueriesPerSecond
	}
	return &Guard[T]{provider: provider, limit: NewLimiter(perSecond, 2*perSecond)}
}

// Do runs query for key, or joins the one in flight for key. A new query
// over the rate is not sent: Do returns an ErrRateLimited error (see
// RateLimited). shared is as for Flight.Do.
//
// A nil *Guard sends every query.
func (g *Guard[T]) Do(ctx context.Context, key string, query func() (T, error)) (v T, shared bool, err error) {
	if g == nil {
		v, err = query()
		return v, false, err
	}
	return g.flight.Do(ctx, key, func() (T, error) {
		if !g.limit.Allow() {
			var zero T
			return zero, RateLimited(g.provider)
		}
		return query()
	})
}

// Joined is Flight.Joined for the guard's queries.
func (g *Guard[T]) Joined(key string) int { return g.flight.Joined(key) }
