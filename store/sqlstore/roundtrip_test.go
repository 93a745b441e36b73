package sqlstore

import (
	"context"
	"fmt"
	"net"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	payments "github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/memory"
)

// authorize runs one happy-path Authorize through a Router on store and
// returns how many statements the store sent for it.
func authorize(t *testing.T, router *payments.Router, s *Store, ref string) int64 {
	t.Helper()
	amount, err := payments.ParseMoney("49.99", "EUR")
	require.NoError(t, err)
	before := s.statements.Load()
	p, err := router.Authorize(context.Background(), &payments.AuthorizeRequest{
		Reference: ref, Amount: amount, Capture: true,
		Method: payments.Card{Number: memory.CardApproved, ExpiryMonth: "12", ExpiryYear: "2030", CVV: "123"},
	})
	require.NoError(t, err)
	require.Equal(t, payments.StatusCaptured, p.Status)
	rec, err := s.GetByReference(context.Background(), ref)
	require.NoError(t, err)
	require.Equal(t, p.ID, rec.ID, "the charge is owned by a record")
	return s.statements.Load() - before - 1 // less the GetByReference
}

func newRouter(t *testing.T, s *Store) *payments.Router {
	t.Helper()
	r, err := payments.NewRouter([]payments.Route{{Name: "mem", Gateway: memory.New(memory.Config{})}}, payments.WithStore(s))
	require.NoError(t, err)
	return r
}

// The happy path of Authorize costs two statements: Begin (INSERT) and
// Finish with own (UPDATE … RETURNING).
func TestAuthorizeHappyPathStatementsSQLite(t *testing.T) {
	s := openSQLiteFile(t)
	r := newRouter(t, s)
	for i := 0; i < 3; i++ {
		n := authorize(t, r, s, fmt.Sprintf("order-%d", i))
		assert.LessOrEqual(t, n, int64(2), "statements for one Authorize")
		t.Logf("SQLite: %d statements for one Authorize", n)
	}
}

// countingConn counts the writes a client makes on its connection: with
// pgx's extended protocol each write is one request the client then waits
// on, so writes are round trips.
type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c countingConn) Write(b []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(b)
}

// On PostgreSQL the same two statements are two network round trips once
// pgx has prepared them on the connection (the first use of a statement on
// a connection costs one more, to prepare it).
func TestAuthorizeHappyPathRoundTripsPostgres(t *testing.T) {
	cfg, err := pgx.ParseConfig(freshSchema(t))
	require.NoError(t, err)
	var writes atomic.Int64
	dial := cfg.DialFunc
	cfg.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return countingConn{Conn: c, writes: &writes}, nil
	}
	db := openPostgres(cfg)
	db.SetMaxOpenConns(1) // one connection, so the warm-up prepares on it
	t.Cleanup(func() { _ = db.Close() })
	s, err := New(context.Background(), db, Postgres)
	require.NoError(t, err)
	r := newRouter(t, s)

	w0 := writes.Load()
	n := authorize(t, r, s, "warm-up")
	cold := writes.Load() - w0
	t.Logf("PostgreSQL, first Authorize on a connection: %d statements, %d round trips (with the GetByReference check and statement preparation)", n, cold)
	for i := 0; i < 3; i++ {
		w0 := writes.Load()
		amount, err := payments.ParseMoney("10.00", "EUR")
		require.NoError(t, err)
		_, err = r.Authorize(context.Background(), &payments.AuthorizeRequest{
			Reference: fmt.Sprintf("order-%d", i), Amount: amount, Capture: true,
			Method: payments.Card{Number: memory.CardApproved, ExpiryMonth: "12", ExpiryYear: "2030", CVV: "123"},
		})
		require.NoError(t, err)
		rt := writes.Load() - w0
		assert.LessOrEqual(t, rt, int64(2), "round trips to PostgreSQL for one Authorize")
		t.Logf("PostgreSQL: %d round trips for one Authorize", rt)
	}
}
