package bench

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// dbCounter counts what a *sql.DB sends to its database: statements (each
// ExecContext or QueryContext that reaches the driver) and, for PostgreSQL,
// writes on the network connections. With pgx's extended protocol each
// write is one request the client then waits on, so writes are round trips
// (as store/sqlstore's TestAuthorizeHappyPathRoundTripsPostgres counts
// them). It can also capture the statements' text and arguments.
type dbCounter struct {
	stmts  atomic.Int64
	writes atomic.Int64

	mu       sync.Mutex
	capture  bool
	captured []capturedStmt
}

// capturedStmt is one statement as the driver received it.
type capturedStmt struct {
	query string
	args  []any
}

// startCapture starts recording statements; stopCapture stops and returns
// them.
func (c *dbCounter) startCapture() {
	c.mu.Lock()
	c.capture, c.captured = true, nil
	c.mu.Unlock()
}

func (c *dbCounter) stopCapture() []capturedStmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.capture = false
	return c.captured
}

func (c *dbCounter) statement(query string, args []driver.NamedValue) {
	c.stmts.Add(1)
	c.mu.Lock()
	if c.capture {
		vs := make([]any, len(args))
		for i, a := range args {
			vs[i] = a.Value
		}
		c.captured = append(c.captured, capturedStmt{query: query, args: vs})
	}
	c.mu.Unlock()
}

// openCountingPostgres opens the pool sqlstore.Open makes for a
// "postgres://" URL (pgx stdlib, at most 10 connections, a ping only after
// a minute idle, idle connections closed after 5 minutes; see
// store/sqlstore.openPostgres), with c counting on it.
func openCountingPostgres(url string, c *dbCounter) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	dial := cfg.DialFunc
	cfg.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return writeCountingConn{Conn: conn, writes: &c.writes}, nil
	}
	connector := stdlib.GetConnector(*cfg, stdlib.OptionShouldPing(func(_ context.Context, p stdlib.ShouldPingParams) bool {
		return p.IdleDuration > time.Minute
	}))
	db := sql.OpenDB(countingConnector{Connector: connector, c: c})
	db.SetMaxOpenConns(10)
	db.SetMaxIdleConns(10)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return db, nil
}

// openCountingSQLite opens the pool sqlstore.Open makes for "sqlite:PATH"
// (modernc.org/sqlite, WAL, a 10s busy_timeout, BEGIN IMMEDIATE, one
// connection), with c counting its statements. PATH may carry DSN
// parameters of its own ("file?_pragma=synchronous(NORMAL)"), as it may
// for Open.
func openCountingSQLite(path string, c *dbCounter) (*sql.DB, error) {
	probe, err := sql.Open("sqlite", "")
	if err != nil {
		return nil, err
	}
	drv := probe.Driver()
	_ = probe.Close()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	dsn := path + sep + "_pragma=busy_timeout(10000)&_txlock=immediate&_pragma=journal_mode(WAL)"
	db := sql.OpenDB(countingConnector{Connector: dsnConnector{dsn: dsn, drv: drv}, c: c})
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	return db, nil
}

// writeCountingConn counts the writes on a network connection.
type writeCountingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (w writeCountingConn) Write(b []byte) (int, error) {
	w.writes.Add(1)
	return w.Conn.Write(b)
}

// dsnConnector is a driver.Connector for a driver without one.
type dsnConnector struct {
	dsn string
	drv driver.Driver
}

func (d dsnConnector) Connect(context.Context) (driver.Conn, error) { return d.drv.Open(d.dsn) }
func (d dsnConnector) Driver() driver.Driver                        { return d.drv }

// countingConnector hands out countingConns.
type countingConnector struct {
	driver.Connector
	c *dbCounter
}

func (cc countingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := cc.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: conn, c: cc.c}, nil
}

// countingConn forwards every optional interface database/sql uses to the
// driver's connection (so database/sql takes the same paths as without
// it) and counts the statements.
type countingConn struct {
	driver.Conn
	c *dbCounter
}

var (
	_ driver.ExecerContext      = (*countingConn)(nil)
	_ driver.QueryerContext     = (*countingConn)(nil)
	_ driver.ConnPrepareContext = (*countingConn)(nil)
	_ driver.ConnBeginTx        = (*countingConn)(nil)
	_ driver.Pinger             = (*countingConn)(nil)
	_ driver.SessionResetter    = (*countingConn)(nil)
	_ driver.Validator          = (*countingConn)(nil)
	_ driver.NamedValueChecker  = (*countingConn)(nil)
)

func (w *countingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	e, ok := w.Conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	res, err := e.ExecContext(ctx, query, args)
	if err != driver.ErrSkip { //nolint:errorlint // database/sql compares it so
		w.c.statement(query, args)
	}
	return res, err
}

func (w *countingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := w.Conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	rows, err := q.QueryContext(ctx, query, args)
	if err != driver.ErrSkip { //nolint:errorlint // database/sql compares it so
		w.c.statement(query, args)
	}
	return rows, err
}

func (w *countingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if p, ok := w.Conn.(driver.ConnPrepareContext); ok {
		return p.PrepareContext(ctx, query)
	}
	return w.Conn.Prepare(query)
}

func (w *countingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if b, ok := w.Conn.(driver.ConnBeginTx); ok {
		return b.BeginTx(ctx, opts)
	}
	return w.Conn.Begin() //nolint:staticcheck // the fallback database/sql itself uses
}

func (w *countingConn) Ping(ctx context.Context) error {
	if p, ok := w.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (w *countingConn) ResetSession(ctx context.Context) error {
	if r, ok := w.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (w *countingConn) IsValid() bool {
	if v, ok := w.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (w *countingConn) CheckNamedValue(nv *driver.NamedValue) error {
	if c, ok := w.Conn.(driver.NamedValueChecker); ok {
		return c.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}
