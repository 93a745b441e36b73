// Package sqlstoretest gives tests a database of their own for
// store/sqlstore: a SQLite file in a temporary directory, or a fresh
// PostgreSQL schema on the server named by PAYMENTS_TEST_POSTGRES_URL
// (dropped when the test ends), so that parallel test packages never share
// tables. Without the variable the PostgreSQL helpers skip the test with a
// message naming it.
package sqlstoretest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// PostgresEnv names the variable that points the PostgreSQL tests at a
// server, e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
const PostgresEnv = "PAYMENTS_TEST_POSTGRES_URL"

// SQLiteURL returns a sqlstore URL for a new database file in a temporary
// directory of t.
func SQLiteURL(t testing.TB) string {
	t.Helper()
	return "sqlite:" + filepath.Join(t.TempDir(), "payments.db")
}

// PostgresURL returns the server's URL, or skips the test when
// PostgresEnv is not set.
func PostgresURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(PostgresEnv)
	if u == "" {
		t.Skipf("PostgreSQL tests skipped: set %s (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)", PostgresEnv)
	}
	return u
}

// FreshSchema creates a schema of a random name on the PostgreSQL server,
// dropped when t ends, and returns the server URL with search_path set to
// it. It skips the test when PostgresEnv is not set.
func FreshSchema(t testing.TB) string {
	t.Helper()
	base := PostgresURL(t)
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	schema := "paytest_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("sqlstoretest: %v", err)
	}
	t.Cleanup(func() { _ = admin.Close() })
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("sqlstoretest: creating schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("sqlstoretest: dropping schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("sqlstoretest: %s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
