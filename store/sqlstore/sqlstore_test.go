package sqlstore

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	payments "github.com/gopayments/payments"
	"github.com/gopayments/payments/store/sqlstore/sqlstoretest"
	"github.com/gopayments/payments/store/storetest"
)

// openSQLiteFile opens a store in a new file of a temporary directory.
func openSQLiteFile(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), sqlstoretest.SQLiteURL(t))
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

func postgresURL(t *testing.T) string { return sqlstoretest.PostgresURL(t) }

func freshSchema(t *testing.T) string { return sqlstoretest.FreshSchema(t) }

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
