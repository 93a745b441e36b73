package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"

	payments "github.com/gopayments/payments"
)

var _ payments.StatsStore = (*Store)(nil)

// statsRetention is how far behind the newest bucket of a batch
// AddRouteStats deletes counters (the StatsStore contract allows 25 hours
// behind the newest bucket the store holds; a batch's newest is at most
// that).
const statsRetention = 25 * time.Hour

// The statements of the route statistics (migration 0002).
const (
	// statsUpsertPostgres: $1…$5 are arrays of equal length, one element a
	// counter: one statement, one round trip, whatever the batch's size.
	statsUpsertPostgres = `INSERT INTO payments_route_stats AS t (route, segment, bucket, successes, failures)
SELECT * FROM unnest(CAST($1 AS text[]), CAST($2 AS text[]), CAST($3 AS timestamptz[]), CAST($4 AS bigint[]), CAST($5 AS bigint[]))
ON CONFLICT (route, segment, bucket) DO UPDATE SET
  successes = t.successes + excluded.successes,
  failures = t.failures + excluded.failures`
	// statsUpsertSQLite: one counter; run once a counter in the
	// transaction (in-process, no round trips).
	statsUpsertSQLite = `INSERT INTO payments_route_stats AS t (route, segment, bucket, successes, failures)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (route, segment, bucket) DO UPDATE SET
  successes = t.successes + excluded.successes,
  failures = t.failures + excluded.failures`
	statsPrune = `DELETE FROM payments_route_stats WHERE bucket < $1`
	statsLoad  = `SELECT route, segment, bucket, successes, failures FROM payments_route_stats WHERE bucket >= $1`
)

// statsKey identifies a counter: bucket is its start in microseconds, the
// precision of both dialects' columns.
type statsKey struct {
	route, segment string
	bucket         int64
}

// AddRouteStats implements [payments.StatsStore]: one transaction holding
// one upsert that adds (INSERT … ON CONFLICT DO UPDATE SET successes =
// successes + excluded.successes, …) and one DELETE of the buckets more
// than 25 hours older than the batch's newest. Deltas of one counter are
// summed first, and counters are written in key order, so that concurrent
// batches lock rows in the same order. A sum beyond int64 is refused with
// ErrInvalidRequest by the database, and the transaction rolled back.
// Buckets are kept to the microsecond.
func (s *Store) AddRouteStats(ctx context.Context, deltas []payments.RouteStats) error {
	sums, err := sumDeltas(deltas)
	if err != nil || len(sums) == 0 {
		return err
	}
	newest := sums[0].bucket
	for _, c := range sums {
		newest = max(newest, c.bucket)
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.upsertStats(ctx, tx, sums); err != nil {
			return err
		}
		s.statements.Add(1)
		_, err := tx.ExecContext(ctx, statsPrune, s.arg(time.UnixMicro(newest).Add(-statsRetention)))
		return err
	})
	switch {
	case err == nil:
		return nil
	case overflow(err):
		return &payments.Error{Code: payments.InvalidRequest, Field: "deltas", Message: "store: a route counter would overflow", Err: err}
	}
	return dbError("add route stats", err)
}

// counter is the summed delta of one counter.
type counter struct {
	statsKey
	successes, failures int64
}

// sumDeltas sums the deltas of each counter, in key order.
func sumDeltas(deltas []payments.RouteStats) ([]counter, error) {
	idx := make(map[statsKey]int, len(deltas))
	var out []counter
	for _, d := range deltas {
		k := statsKey{d.Route, d.Segment, d.Bucket.UTC().Truncate(time.Microsecond).UnixMicro()}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, counter{statsKey: k})
		}
		c := &out[i]
		s, okS := addInt64(c.successes, d.Successes)
		f, okF := addInt64(c.failures, d.Failures)
		if !okS || !okF {
			return nil, &payments.Error{Code: payments.InvalidRequest, Field: "deltas", Message: fmt.Sprintf("store: the deltas of route %q, segment %q overflow", d.Route, d.Segment)}
		}
		c.successes, c.failures = s, f
	}
	slices.SortFunc(out, func(a, b counter) int {
		return cmp.Or(cmp.Compare(a.route, b.route), cmp.Compare(a.segment, b.segment), cmp.Compare(a.bucket, b.bucket))
	})
	return out, nil
}

// addInt64 returns a+b and whether it fits an int64.
func addInt64(a, b int64) (int64, bool) {
	c := a + b
	return c, (c > a) == (b > 0)
}

// upsertStats adds the counters within tx.
func (s *Store) upsertStats(ctx context.Context, tx *sql.Tx, sums []counter) error {
	if s.dialect == Postgres {
		n := len(sums)
		routes, segments := make([]string, n), make([]string, n)
		buckets := make([]time.Time, n)
		succ, fail := make([]int64, n), make([]int64, n)
		for i, c := range sums {
			routes[i], segments[i], buckets[i], succ[i], fail[i] = c.route, c.segment, time.UnixMicro(c.bucket).UTC(), c.successes, c.failures
		}
		s.statements.Add(1)
		_, err := tx.ExecContext(ctx, statsUpsertPostgres, routes, segments, buckets, succ, fail)
		return err
	}
	st, err := tx.PrepareContext(ctx, statsUpsertSQLite)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, c := range sums {
		s.statements.Add(1)
		if _, err := st.ExecContext(ctx, c.route, c.segment, c.bucket, c.successes, c.failures); err != nil {
			return err
		}
	}
	return nil
}

// inTx runs fn in a transaction and commits it, again (up to three times
// in all) while PostgreSQL asks for it: a deadlock or a serialization
// failure rolls the whole transaction back.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	var err error
	for try := 0; try < 3; try++ {
		if err = s.txOnce(ctx, fn); err == nil || !retryable(err) {
			break
		}
	}
	return err
}

func (s *Store) txOnce(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// overflow reports a counter sum beyond int64: PostgreSQL's
// numeric_value_out_of_range, or the SQLite table's typeof CHECK (SQLite
// turns an overflowing integer sum into a REAL).
func overflow(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "22003"
	}
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == sqliteConstraintCheck
}

// LoadRouteStats implements [payments.StatsStore]: one SELECT of the
// buckets starting at or after since.
func (s *Store) LoadRouteStats(ctx context.Context, since time.Time) ([]payments.RouteStats, error) {
	// Rounded up to the microsecond: a bucket a store keeps to the
	// microsecond starts at or after since exactly when it does at or
	// after the rounded time.
	from := since.Truncate(time.Microsecond)
	if from.Before(since) {
		from = from.Add(time.Microsecond)
	}
	out, err := rowsOf(ctx, s, scanRouteStats, statsLoad, s.arg(from))
	if err != nil {
		return nil, dbError("load route stats", err)
	}
	return out, nil
}

func scanRouteStats(rows *sql.Rows) (payments.RouteStats, error) {
	var (
		r      payments.RouteStats
		bucket dbTime
	)
	err := rows.Scan(&r.Route, &r.Segment, &bucket, &r.Successes, &r.Failures)
	r.Bucket = bucket.t
	return r, err
}
