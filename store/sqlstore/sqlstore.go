// Package sqlstore is a [payments.Store] over database/sql, one
// implementation for two engines: PostgreSQL (through
// github.com/jackc/pgx/v5/stdlib), for several Router instances sharing one
// database, and SQLite (through modernc.org/sqlite, pure Go, no cgo), the
// embedded default.
//
// Open takes a URL ("postgres://…", "postgresql://…", "sqlite:PATH",
// "sqlite::memory:"); New takes a pool of your own. Both apply the embedded
// schema migrations before returning, inside one transaction, recorded in
// the table payments_schema_migrations, and safe when several processes
// open the same database at once.
//
// The database enforces the Store's rules itself: attempt 1 claims a
// reference through the primary key (reference, attempt); one owner per
// reference and one attempt per Router ID are unique indexes; a status only
// moves forward through a conditional UPDATE, one statement, whose list of
// allowed transitions is generated from [payments.Status.CanTransition].
// Nothing is read in Go and then written. The happy path of a Router's
// Authorize costs two statements: Begin (one INSERT) and Finish with own
// (one UPDATE … RETURNING, which also takes ownership and marks conflicts).
//
// Money is stored exactly: the amount as a decimal (numeric in PostgreSQL,
// text in SQLite) beside its currency. Times are kept to the microsecond.
//
// Store also implements [payments.StatsStore], so that the learning
// strategies of several Router instances (routing.WithSharedStats) share
// their approval counters: the table payments_route_stats, one row per
// (route, segment, bucket), written by an upsert that adds. See
// [Store.AddRouteStats].
//
// Errors: the Store's semantic answers are [*payments.Error] values
// (ErrDuplicate, ErrNotFound, ErrInvalidState, ErrIntegrity, and
// ErrInvalidRequest for input no attempt can have); a failure of the
// database itself is returned wrapped (%w) without a payments Code, so the
// Router retries it and then reports ErrUnrecorded.
package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/shopspring/decimal"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	payments "github.com/gopayments/payments"
)

// Dialect names the SQL engine behind a *sql.DB given to [New].
type Dialect int

const (
	// Postgres is PostgreSQL (any driver; Open uses pgx).
	Postgres Dialect = iota + 1
	// SQLite is SQLite through modernc.org/sqlite. Its *sql.DB should have
	// one connection (db.SetMaxOpenConns(1)), as Open makes it, or a
	// busy_timeout pragma on every connection; see [Open].
	SQLite
)

// String returns "postgres" or "sqlite".
func (d Dialect) String() string {
	switch d {
	case Postgres:
		return "postgres"
	case SQLite:
		return "sqlite"
	}
	return fmt.Sprintf("Dialect(%d)", int(d))
}

// Store is a [payments.Store] in a SQL database. It is safe for concurrent
// use, also by several processes sharing the database.
type Store struct {
	db      *sql.DB
	dialect Dialect
	ownsDB  bool
	q       queries
	// statements counts the statements sent to the database (tests).
	statements atomic.Int64
}

var _ payments.Store = (*Store)(nil)

// The pool Open makes for PostgreSQL.
const (
	pgMaxConns = 10
	// pgPingIdle is how long a connection may sit idle before database/sql
	// pings it on reuse (pgx's default is one second, which would add a
	// round trip to an Authorize after a quiet second).
	pgPingIdle = time.Minute
	// sqliteBusyTimeout is how long a SQLite statement waits for another
	// process's write lock before failing.
	sqliteBusyTimeout = 10 * time.Second
)

// Open connects to the database named by url, applies the migrations and
// returns a Store that owns the pool (Close closes it).
//
//   - "postgres://…" and "postgresql://…" are pgx connection URLs
//     (parameters such as sslmode or search_path=myschema pass through to
//     the server). The pool holds at most 10 connections; a connection idle
//     for over a minute is pinged before reuse. For other settings, open
//     the pool yourself and use [New].
//   - "sqlite:PATH" opens (or creates) the SQLite file PATH in WAL mode
//     with a 10s busy_timeout, over ONE connection: the goroutines of a
//     process take turns (SQLite has one writer anyway), so SQLITE_BUSY
//     never comes from within the process, and other processes wait for the
//     lock up to the timeout. "sqlite::memory:" is a private in-memory
//     database, gone at Close (tests, examples).
func Open(ctx context.Context, url string) (*Store, error) {
	var (
		db      *sql.DB
		dialect Dialect
	)
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		cfg, err := pgx.ParseConfig(url)
		if err != nil {
			return nil, &payments.Error{Code: payments.InvalidRequest, Field: "url", Message: "sqlstore: malformed PostgreSQL URL", Err: err}
		}
		db, dialect = openPostgres(cfg), Postgres
	case strings.HasPrefix(url, "sqlite:"):
		path := strings.TrimPrefix(url, "sqlite:")
		if path == "" {
			return nil, &payments.Error{Code: payments.InvalidRequest, Field: "url", Message: "sqlstore: sqlite: needs a path, or :memory:"}
		}
		params := fmt.Sprintf("_pragma=busy_timeout(%d)&_txlock=immediate", sqliteBusyTimeout.Milliseconds())
		if path != ":memory:" {
			params += "&_pragma=journal_mode(WAL)"
		}
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		var err error
		db, err = sql.Open("sqlite", path+sep+params)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: opening %s: %w", url, err)
		}
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
		dialect = SQLite
	default:
		return nil, &payments.Error{Code: payments.InvalidRequest, Field: "url", Message: "sqlstore: the URL must start with postgres://, postgresql:// or sqlite:"}
	}
	s, err := New(ctx, db, dialect)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	s.ownsDB = true
	return s, nil
}

// openPostgres makes the pool Open uses for PostgreSQL.
func openPostgres(cfg *pgx.ConnConfig) *sql.DB {
	db := stdlib.OpenDB(*cfg, stdlib.OptionShouldPing(func(_ context.Context, p stdlib.ShouldPingParams) bool {
		return p.IdleDuration > pgPingIdle
	}))
	db.SetMaxOpenConns(pgMaxConns)
	db.SetMaxIdleConns(pgMaxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return db
}

// New returns a Store over a pool of your own and applies the migrations.
// Close does not close db. For SQLite, give the pool one connection
// (db.SetMaxOpenConns(1)) or a busy_timeout pragma on every connection
// (modernc.org/sqlite's DSN parameter _pragma=busy_timeout(10000)), or
// concurrent writers may see SQLITE_BUSY as store errors.
func New(ctx context.Context, db *sql.DB, dialect Dialect) (*Store, error) {
	if db == nil {
		return nil, &payments.Error{Code: payments.InvalidRequest, Field: "db", Message: "sqlstore: db is nil"}
	}
	if dialect != Postgres && dialect != SQLite {
		return nil, &payments.Error{Code: payments.InvalidRequest, Field: "dialect", Message: "sqlstore: unknown dialect " + dialect.String()}
	}
	s := &Store{db: db, dialect: dialect, q: buildQueries(dialect)}
	if err := s.migrate(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Close closes the pool if Open made it; a pool given to New is left open.
func (s *Store) Close() error {
	if s.ownsDB {
		return s.db.Close()
	}
	return nil
}

// Dialect returns the store's SQL dialect.
func (s *Store) Dialect() Dialect { return s.dialect }

// retried runs one statement, again while PostgreSQL asks for it (a
// serialization failure or a deadlock, which roll the statement back).
func retried[T any](s *Store, call func() (T, error)) (T, error) {
	var (
		out T
		err error
	)
	for try := 0; try < 3; try++ {
		s.statements.Add(1)
		if out, err = call(); err == nil || !retryable(err) {
			break
		}
	}
	return out, err
}

// exec runs one statement that returns no rows.
func (s *Store) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return retried(s, func() (sql.Result, error) { return s.db.ExecContext(ctx, query, args...) })
}

// rowsOf runs one statement and reads every row with scan.
func rowsOf[T any](ctx context.Context, s *Store, scan func(*sql.Rows) (T, error), query string, args ...any) ([]T, error) {
	return retried(s, func() ([]T, error) {
		rows, err := s.db.QueryContext(ctx, query, args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []T
		for rows.Next() {
			v, err := scan(rows)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, rows.Err()
	})
}

// query runs one statement that returns attempts.
func (s *Store) query(ctx context.Context, query string, args ...any) ([]payments.Record, error) {
	return rowsOf(ctx, s, scanRecord, query, args...)
}

// scanRecord reads the attemptColumns of a row.
func scanRecord(rows *sql.Rows) (payments.Record, error) {
	var (
		r                          payments.Record
		status, code               string
		started, finished, updated dbTime
	)
	if err := rows.Scan(&r.Reference, &r.Attempt, &r.Route, &r.ID, &status, &code, &r.Owner, &r.Conflict, &started, &finished, &updated); err != nil {
		return r, err
	}
	if err := r.Status.UnmarshalText([]byte(status)); err != nil {
		return r, err
	}
	r.Code = payments.Code(code)
	r.Started, r.Finished, r.Updated = started.t, finished.t, updated.t
	return r, nil
}

// dbError wraps a failure of the database itself: no payments Code, so the
// Router retries it and reports ErrUnrecorded.
func dbError(op string, err error) error {
	return fmt.Errorf("sqlstore: %s: %w", op, err)
}

func notFound(what string) error {
	return &payments.Error{Code: payments.NotFound, Message: "store: no " + what}
}

// arg converts a time to the dialect's column: timestamptz in PostgreSQL,
// integer microseconds in SQLite. Either way it is kept to the microsecond.
func (s *Store) arg(t time.Time) any {
	t = t.UTC().Truncate(time.Microsecond)
	if s.dialect == SQLite {
		return t.UnixMicro()
	}
	return t
}

// dbTime scans a time column of either dialect; NULL is the zero time.
type dbTime struct{ t time.Time }

// Scan implements sql.Scanner.
func (d *dbTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		d.t = time.Time{}
	case time.Time:
		d.t = x.UTC()
	case int64:
		d.t = time.UnixMicro(x).UTC()
	default:
		return fmt.Errorf("sqlstore: unexpected time value %T", v)
	}
	return nil
}

func validStatus(st payments.Status) bool { return int(st) < len(payments.Statuses()) }

// Begin implements [payments.Store]: one INSERT. Attempt 1 is refused by
// the primary key when the reference is claimed; a later attempt is
// inserted only if attempt 1 exists and no attempt owns the reference.
func (s *Store) Begin(ctx context.Context, rec payments.Record) error {
	if rec.Reference == "" || rec.Attempt < 1 || rec.Route == "" {
		return &payments.Error{Code: payments.InvalidRequest, Message: "store: an attempt needs a reference, a number from 1 and a route"}
	}
	now := time.Now()
	started := rec.Started
	if started.IsZero() {
		started = now
	}
	q := s.q.beginFirst
	if rec.Attempt > 1 {
		q = s.q.beginLater
	}
	res, err := s.exec(ctx, q, rec.Reference, rec.Attempt, rec.Route, s.arg(started), s.arg(now))
	if err != nil {
		switch uniqueViolation(err) {
		case pkIndex:
			if rec.Attempt == 1 {
				return &payments.Error{Code: payments.Duplicate, Field: "reference", Message: "reference " + rec.Reference + " is already used"}
			}
			return &payments.Error{Code: payments.Duplicate, Message: fmt.Sprintf("store: attempt %d of %s exists", rec.Attempt, rec.Reference)}
		}
		return dbError("begin", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbError("begin", err)
	} else if n == 0 {
		return &payments.Error{Code: payments.InvalidState, Message: fmt.Sprintf("store: attempt %d of %s: the reference is not claimed, or an attempt owns it: no further attempts", rec.Attempt, rec.Reference)}
	}
	return nil
}

// Finish implements [payments.Store]: one UPDATE … RETURNING over the
// attempt and, when it takes ownership, the other attempts of the
// reference (which learn their owner and become conflicts if they hold
// money). Only on a refusal does it read again, to say why.
func (s *Store) Finish(ctx context.Context, rec payments.Record, own bool) (payments.Record, error) {
	if !validStatus(rec.Status) {
		return payments.Record{}, &payments.Error{Code: payments.InvalidRequest, Field: "status", Message: fmt.Sprintf("store: invalid status %d", uint8(rec.Status))}
	}
	var (
		rows []payments.Record
		err  error
	)
	for try := 0; ; try++ {
		rows, err = s.query(ctx, s.q.finish, rec.Reference, rec.Attempt, rec.ID, rec.Status.String(), string(rec.Code), s.arg(time.Now()), own)
		if err == nil {
			break
		}
		switch uniqueViolation(err) {
		case idIndex:
			return payments.Record{}, &payments.Error{Code: payments.Integrity, Message: "store: payment " + rec.ID + " belongs to another attempt"}
		case ownerIndex:
			// An attempt that missed its reference's owner (written while
			// ownership was being taken): it learns it, then Finish runs
			// again and cannot claim.
			if try == 0 {
				if _, rerr := s.exec(ctx, s.q.repairOwner, rec.Reference, s.arg(time.Now())); rerr != nil {
					return payments.Record{}, dbError("finish", rerr)
				}
				continue
			}
		}
		return payments.Record{}, dbError("finish", err)
	}
	for _, r := range rows {
		if r.Attempt != rec.Attempt {
			continue
		}
		if rec.ID != "" && r.ID != rec.ID {
			return r, integrity(rec, r.ID)
		}
		return r, nil
	}
	// Nothing written: the attempt does not exist, or it has another ID.
	cur, err := s.query(ctx, s.q.attempt, rec.Reference, rec.Attempt)
	if err != nil {
		return payments.Record{}, dbError("finish", err)
	}
	if len(cur) == 0 {
		return payments.Record{}, notFound(fmt.Sprintf("attempt %d of reference %s", rec.Attempt, rec.Reference))
	}
	return cur[0], integrity(rec, cur[0].ID)
}

func integrity(rec payments.Record, stored string) error {
	return &payments.Error{Code: payments.Integrity, Message: fmt.Sprintf("store: attempt %d of %s is payment %s, not %s", rec.Attempt, rec.Reference, stored, rec.ID)}
}

// Release implements [payments.Store]: one DELETE, of every attempt of the
// reference, that deletes nothing if an attempt owns it or has an ID.
func (s *Store) Release(ctx context.Context, reference string) error {
	if _, err := s.exec(ctx, s.q.release, reference); err != nil {
		return dbError("release", err)
	}
	return nil
}

// Advance implements [payments.Store]: one UPDATE … RETURNING.
func (s *Store) Advance(ctx context.Context, id string, status payments.Status) (payments.Record, error) {
	if !validStatus(status) {
		return payments.Record{}, &payments.Error{Code: payments.InvalidRequest, Field: "status", Message: fmt.Sprintf("store: invalid status %d", uint8(status))}
	}
	rows, err := s.query(ctx, s.q.advance, id, status.String(), s.arg(time.Now()))
	if err != nil {
		return payments.Record{}, dbError("advance", err)
	}
	if len(rows) == 0 {
		return payments.Record{}, notFound("payment " + id)
	}
	return rows[0], nil
}

// Get implements [payments.Store].
func (s *Store) Get(ctx context.Context, id string) (payments.Record, error) {
	return s.one(ctx, "get", s.q.get, "payment "+id, id)
}

// GetByReference implements [payments.Store].
func (s *Store) GetByReference(ctx context.Context, reference string) (payments.Record, error) {
	return s.one(ctx, "get by reference", s.q.getByReference, "payment owns reference "+reference, reference)
}

func (s *Store) one(ctx context.Context, op, query, what string, args ...any) (payments.Record, error) {
	rows, err := s.query(ctx, query, args...)
	if err != nil {
		return payments.Record{}, dbError(op, err)
	}
	if len(rows) == 0 {
		return payments.Record{}, notFound(what)
	}
	return rows[0], nil
}

// Attempts implements [payments.Store].
func (s *Store) Attempts(ctx context.Context, reference string) ([]payments.Record, error) {
	rows, err := s.query(ctx, s.q.attempts, reference)
	if err != nil {
		return nil, dbError("attempts", err)
	}
	return rows, nil
}

// Unsettled implements [payments.Store]. A limit of 0 or less lists all.
func (s *Store) Unsettled(ctx context.Context, before time.Time, limit int) ([]payments.Record, error) {
	rows, err := s.query(ctx, s.q.unsettled, s.arg(before), sqlLimit(limit))
	if err != nil {
		return nil, dbError("unsettled", err)
	}
	return rows, nil
}

// Conflicts implements [payments.Store]. A limit of 0 or less lists all.
func (s *Store) Conflicts(ctx context.Context, limit int) ([]payments.Record, error) {
	rows, err := s.query(ctx, s.q.conflicts, sqlLimit(limit))
	if err != nil {
		return nil, dbError("conflicts", err)
	}
	return rows, nil
}

func sqlLimit(limit int) int64 {
	if limit <= 0 {
		return 1<<63 - 1
	}
	return int64(limit)
}

// PutRefund implements [payments.Store]: one INSERT … ON CONFLICT DO
// UPDATE … RETURNING whose status only moves forward; the amount first
// written is kept.
func (s *Store) PutRefund(ctx context.Context, ref payments.RefundRecord) (payments.RefundRecord, error) {
	if ref.PaymentID == "" || ref.RefundID == "" {
		return payments.RefundRecord{}, &payments.Error{Code: payments.InvalidRequest, Message: "store: a refund needs a payment ID and a refund ID"}
	}
	if !ref.Amount.Currency.Valid() {
		return payments.RefundRecord{}, &payments.Error{Code: payments.InvalidRequest, Field: "amount", Message: "store: a refund needs an amount in a known currency"}
	}
	if int(ref.Status) >= len(refundStatuses) {
		return payments.RefundRecord{}, &payments.Error{Code: payments.InvalidRequest, Field: "status", Message: fmt.Sprintf("store: invalid refund status %d", uint8(ref.Status))}
	}
	refs, err := s.refunds(ctx, s.q.putRefund, ref.PaymentID, ref.RefundID, ref.Amount.Amount.String(), string(ref.Amount.Currency), ref.Status.String(), s.arg(time.Now()))
	if err != nil {
		return payments.RefundRecord{}, dbError("put refund", err)
	}
	if len(refs) != 1 {
		return payments.RefundRecord{}, dbError("put refund", fmt.Errorf("%d rows returned", len(refs)))
	}
	return refs[0], nil
}

// Refunds implements [payments.Store].
func (s *Store) Refunds(ctx context.Context, paymentID string) ([]payments.RefundRecord, error) {
	refs, err := s.refunds(ctx, s.q.refunds, paymentID)
	if err != nil {
		return nil, dbError("refunds", err)
	}
	return refs, nil
}

func (s *Store) refunds(ctx context.Context, query string, args ...any) ([]payments.RefundRecord, error) {
	return rowsOf(ctx, s, scanRefund, query, args...)
}

// scanRefund reads the refund columns of a row.
func scanRefund(rows *sql.Rows) (payments.RefundRecord, error) {
	var (
		r                        payments.RefundRecord
		amount, currency, status string
		created, updated         dbTime
	)
	if err := rows.Scan(&r.PaymentID, &r.RefundID, &amount, &currency, &status, &created, &updated); err != nil {
		return r, err
	}
	d, err := decimal.NewFromString(amount)
	if err != nil {
		return r, fmt.Errorf("stored amount %q: %w", amount, err)
	}
	r.Amount = payments.Money{Amount: d, Currency: payments.Currency(currency)}
	if err := r.Status.UnmarshalText([]byte(status)); err != nil {
		return r, err
	}
	r.Created, r.Updated = created.t, updated.t
	return r, nil
}
