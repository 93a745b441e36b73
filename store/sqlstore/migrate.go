package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// migrations holds the schema, one numbered file per step and dialect:
// migrations/<dialect>/NNNN_name.sql. A step is applied once, in order, and
// recorded in payments_schema_migrations.
//
//go:embed migrations
var migrations embed.FS

// migrationLock is the PostgreSQL advisory lock key that serializes
// migrations across processes ("gopaymnt" as a big-endian int64).
const migrationLock = 0x676f7061796d6e74

type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads the dialect's migrations in version order.
func loadMigrations(d Dialect) ([]migration, error) {
	dir := path.Join("migrations", d.String())
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("sqlstore: migration %s: want NNNN_name.sql", name)
		}
		b, err := migrations.ReadFile(path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i := 1; i < len(out); i++ {
		if out[i].version == out[i-1].version {
			return nil, fmt.Errorf("sqlstore: two migrations numbered %d", out[i].version)
		}
	}
	return out, nil
}

// migrate applies the migrations not yet recorded, all in one transaction
// that holds the database's migration lock: PostgreSQL's advisory
// transaction lock, or SQLite's write lock (BEGIN IMMEDIATE). Several
// processes opening at once take turns; the later ones find the work done.
func (s *Store) migrate(ctx context.Context) error {
	steps, err := loadMigrations(s.dialect)
	if err != nil {
		return fmt.Errorf("sqlstore: reading migrations: %w", err)
	}
	conn, err := s.firstConn(ctx)
	if err != nil {
		return dbError("migrate", err)
	}
	defer conn.Close()
	begin, tableDDL := "BEGIN", `CREATE TABLE IF NOT EXISTS payments_schema_migrations (
  version integer PRIMARY KEY, name text NOT NULL, applied timestamptz NOT NULL)`
	if s.dialect == SQLite {
		begin, tableDDL = "BEGIN IMMEDIATE", `CREATE TABLE IF NOT EXISTS payments_schema_migrations (
  version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied INTEGER NOT NULL)`
	}
	// The transaction is driven by statements on one connection, so that
	// SQLite's write lock is taken at BEGIN (where busy_timeout applies)
	// rather than on the first write.
	if _, err := conn.ExecContext(ctx, begin); err != nil {
		return dbError("migrate: begin", err)
	}
	done := false
	defer func() {
		if !done {
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()
	if s.dialect == Postgres {
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", int64(migrationLock)); err != nil {
			return dbError("migrate: lock", err)
		}
	}
	if _, err := conn.ExecContext(ctx, tableDDL); err != nil {
		return dbError("migrate", err)
	}
	applied := map[int]bool{}
	rows, err := conn.QueryContext(ctx, "SELECT version FROM payments_schema_migrations")
	if err != nil {
		return dbError("migrate", err)
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return dbError("migrate", err)
		}
		applied[v] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return dbError("migrate", err)
	}
	for _, m := range steps {
		if applied[m.version] {
			continue
		}
		if _, err := conn.ExecContext(ctx, m.sql); err != nil {
			return dbError("migrate: "+m.name, err)
		}
		if _, err := conn.ExecContext(ctx, "INSERT INTO payments_schema_migrations (version, name, applied) VALUES ($1, $2, $3)",
			m.version, m.name, s.arg(time.Now())); err != nil {
			return dbError("migrate: "+m.name, err)
		}
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return dbError("migrate: commit", err)
	}
	done = true
	return nil
}

// firstConn takes the connection the migrations run on. Opening a SQLite
// connection to a new database file while another process turns it to WAL
// mode (Open's journal_mode pragma) can fail with SQLITE_BUSY at once,
// without waiting for busy_timeout: it is tried again, every 10 ms for up
// to the busy timeout.
func (s *Store) firstConn(ctx context.Context) (*sql.Conn, error) {
	deadline := time.Now().Add(sqliteBusyTimeout)
	for {
		conn, err := s.db.Conn(ctx)
		if err == nil || s.dialect != SQLite || !sqliteBusy(err) || time.Now().After(deadline) {
			return conn, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// Migrations lists the versions applied to the store's database, in order.
func (s *Store) Migrations(ctx context.Context) ([]int, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT version FROM payments_schema_migrations ORDER BY version")
	if err != nil {
		return nil, dbError("migrations", err)
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, dbError("migrations", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("migrations", err)
	}
	return out, nil
}
