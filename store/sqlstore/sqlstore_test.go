package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	payments "github.com/gopayments/payments"
	"github.com/gopayments/payments/store/storetest"
)

// postgresEnv names the variable that points the PostgreSQL tests at a
// server, e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
const postgresEnv = "PAYMENTS_TEST_POSTGRES_URL"

// openSQLiteFile opens a store in a new file of a temporary directory.
func openSQLiteFile(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "payments.db"))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

func openSQLiteMemory(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), "sqlite::memory:")
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

// postgresURL returns the server's URL, or skips the test.
func postgresURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv(postgresEnv)
	if u == "" {
		t.Skipf("PostgreSQL tests skipped: set %s (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)", postgresEnv)
	}
	return u
}

// freshSchema creates a schema of a random name, dropped at cleanup, and
// returns the server URL with search_path set to it: each test has a
// database of its own, so parallel test packages do not collide.
func freshSchema(t *testing.T) string {
	t.Helper()
	base := postgresURL(t)
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	schema := "paytest_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	require.NoError(t, err)
	t.Cleanup(func() { _ = admin.Close() })
	_, err = admin.Exec("CREATE SCHEMA " + schema)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		require.NoError(t, err)
	})
	u, err := url.Parse(base)
	require.NoError(t, err)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func openPostgresStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), freshSchema(t))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

func TestConformanceSQLiteFile(t *testing.T) {
	storetest.Run(t, func(t *testing.T) payments.Store { return openSQLiteFile(t) })
}

func TestConformanceSQLiteMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T) payments.Store { return openSQLiteMemory(t) })
}

func TestConformancePostgres(t *testing.T) {
	postgresURL(t)
	storetest.Run(t, func(t *testing.T) payments.Store { return openPostgresStore(t) })
}
