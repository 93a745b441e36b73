package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	payments "github.com/gopayments/payments"
)

func TestOpenRejectsBadURLs(t *testing.T) {
	for _, u := range []string{"", "mysql://x", "sqlite:", "postgres://%zz"} {
		_, err := Open(context.Background(), u)
		require.ErrorIs(t, err, payments.ErrInvalidRequest, "%q", u)
	}
	_, err := New(context.Background(), nil, SQLite)
	require.ErrorIs(t, err, payments.ErrInvalidRequest)
	_, err = New(context.Background(), &sql.DB{}, Dialect(9))
	require.ErrorIs(t, err, payments.ErrInvalidRequest)
}

// openConcurrently opens the same database from several pools at once, as
// several processes starting together would: the migrations are applied
// once, and every Open succeeds.
func openConcurrently(t *testing.T, url string) {
	const n = 6
	stores := make([]*Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			stores[i], errs[i] = Open(context.Background(), url)
		}(i)
	}
	wg.Wait()
	for i := 0; i < n; i++ {
		require.NoError(t, errs[i], "Open %d", i)
		t.Cleanup(func() { _ = stores[i].Close() })
	}
	v, err := stores[0].Migrations(context.Background())
	require.NoError(t, err)
	assert.Equal(t, allVersions(t, stores[0].Dialect()), v, "each migration applied once")
	// They share the data.
	require.NoError(t, stores[1].Begin(context.Background(), payments.Record{Reference: "r", Attempt: 1, Route: "a", Started: time.Now()}))
	err = stores[2].Begin(context.Background(), payments.Record{Reference: "r", Attempt: 1, Route: "b", Started: time.Now()})
	require.ErrorIs(t, err, payments.ErrDuplicate)
}

func TestMigrationsConcurrentOpenSQLite(t *testing.T) {
	openConcurrently(t, "sqlite:"+filepath.Join(t.TempDir(), "p.db"))
}

func TestMigrationsConcurrentOpenPostgres(t *testing.T) {
	openConcurrently(t, freshSchema(t))
}

// allVersions lists the versions of the dialect's embedded migrations.
func allVersions(t *testing.T, d Dialect) []int {
	t.Helper()
	ms, err := loadMigrations(d)
	require.NoError(t, err)
	var out []int
	for _, m := range ms {
		out = append(out, m.version)
	}
	return out
}

// Every migration file is numbered and applied in order; reopening applies
// nothing again.
func TestMigrationsReopen(t *testing.T) {
	for _, d := range []Dialect{Postgres, SQLite} {
		ms, err := loadMigrations(d)
		require.NoError(t, err)
		require.NotEmpty(t, ms)
		for i, m := range ms {
			assert.Equal(t, i+1, m.version, "%s: %s", d, m.name)
		}
	}
	path := "sqlite:" + filepath.Join(t.TempDir(), "p.db")
	for i := 0; i < 2; i++ {
		s, err := Open(context.Background(), path)
		require.NoError(t, err)
		v, err := s.Migrations(context.Background())
		require.NoError(t, err)
		assert.Equal(t, allVersions(t, SQLite), v)
		if i == 0 {
			require.NoError(t, s.Begin(context.Background(), payments.Record{Reference: "kept", Attempt: 1, Route: "a"}))
		} else {
			a, err := s.Attempts(context.Background(), "kept")
			require.NoError(t, err)
			assert.Len(t, a, 1, "the data survives a reopen")
		}
		require.NoError(t, s.Close())
	}
}

// A failure of the database itself is a plain wrapped error, without a
// payments Code: the Router retries it, then reports ErrUnrecorded.
func TestDatabaseFailuresCarryNoCode(t *testing.T) {
	s := openSQLiteFile(t)
	require.NoError(t, s.db.Close())
	ctx := context.Background()
	checks := map[string]error{
		"Begin": s.Begin(ctx, payments.Record{Reference: "r", Attempt: 1, Route: "a"}),
	}
	_, checks["Finish"] = s.Finish(ctx, payments.Record{Reference: "r", Attempt: 1}, true)
	_, checks["Advance"] = s.Advance(ctx, "a:1", payments.StatusCaptured)
	_, checks["Get"] = s.Get(ctx, "a:1")
	_, checks["GetByReference"] = s.GetByReference(ctx, "r")
	_, checks["Attempts"] = s.Attempts(ctx, "r")
	_, checks["Unsettled"] = s.Unsettled(ctx, time.Now(), 10)
	_, checks["Conflicts"] = s.Conflicts(ctx, 10)
	_, checks["PutRefund"] = s.PutRefund(ctx, payments.RefundRecord{PaymentID: "a:1", RefundID: "r1", Amount: payments.Money{Currency: "EUR"}})
	_, checks["Refunds"] = s.Refunds(ctx, "a:1")
	checks["Release"] = s.Release(ctx, "r")
	for op, err := range checks {
		require.Error(t, err, op)
		assert.Empty(t, payments.CodeOf(err), "%s: %v", op, err)
		assert.ErrorContains(t, err, "database is closed", op)
	}
	// A cancelled context is a store failure too, not a semantic answer.
	s2 := openSQLiteMemory(t)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	err := s2.Begin(cctx, payments.Record{Reference: "r", Attempt: 1, Route: "a"})
	require.Error(t, err)
	assert.Empty(t, payments.CodeOf(err), fmt.Sprint(err))
}
